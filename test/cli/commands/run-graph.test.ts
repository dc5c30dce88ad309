// `custseg run` as a graph of stored steps, through the real CLI on small generated data: which
// steps run (a progress line ending in "cached" is a step reused from the store) when nothing, a
// parameter, the input or one stored output changes; --from, --to, --locked, custseg.lock,
// `custseg status`, an interrupted run resuming, and `custseg gc`.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateFile } from "../../../src/io/generate/generate.js";
import { PIPELINE_STEPS } from "../../../src/pipeline/options.js";
import { runCli } from "../../helpers/cli.js";
import { stepsOf } from "../../helpers/progress.js";
import { runWatched } from "../../helpers/watched.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-graph-"));
const input = join(dir, "shop.parquet");
const other = join(dir, "other.parquet");
const artifacts = join(dir, "data", "cache", "artifacts");
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI in the scratch directory: its store, lock, runs/ and data/cache/artifacts stay there. */
const custseg = (...args: string[]) => runCli(args, { cwd: dir, env: { CUSTSEG_CACHE_DIR: "" } });

/** Runs `custseg run` and returns its summary and which steps computed. */
function run(...args: string[]) {
  const res = custseg("run", "--input", input, "--threads", "1", "--json", ...args);
  assert.is(res.code, 0, res.stderr);
  const steps = stepsOf(res.stderr);
  const computed = [...steps].filter(([, cached]) => !cached).map(([s]) => s);
  return { res, summary: JSON.parse(res.stdout), steps, computed };
}

const after = (step: string) => PIPELINE_STEPS.slice(PIPELINE_STEPS.indexOf(step as never));
const lock = () => JSON.parse(readFileSync(join(dir, "custseg.lock"), "utf8"));
const keyOf = (step: string): string => lock().steps[step].key;

test.before(async () => {
  await generateFile(input, { rows: 20_000, customers: 300, seed: 5 });
  await generateFile(other, { rows: 20_000, customers: 300, seed: 6 });
});

let first: ReturnType<typeof run>;

test("first run: every step computes, the lock names each step's key, parameters and hashes", () => {
  first = run();
  assert.equal(first.computed, [...PIPELINE_STEPS]);
  const l = lock();
  assert.is(l.format, "custseg-lock/1");
  assert.equal(Object.keys(l.steps), [...PIPELINE_STEPS], "steps in graph order");
  assert.is(l.steps.kmeans.params.k, 3);
  assert.is(l.steps.kmeans.inputs.pca, l.steps.pca.key);
  assert.match(l.steps.load.files.input.sha256, /^[0-9a-f]{64}$/);
  for (const step of PIPELINE_STEPS) {
    assert.ok(existsSync(join(artifacts, l.steps[step].key, "manifest.json")), step);
    assert.ok(Object.keys(l.steps[step].outputs).length > 0, `${step} lists its outputs`);
  }
});

test("nothing changed: nothing computes, same results, a new run record and run directory", () => {
  const again = run();
  assert.equal(again.computed, []);
  assert.is(again.steps.size, PIPELINE_STEPS.length);
  const strip = (s: Record<string, unknown>) => ({ ...s, timingsMs: undefined, runDir: undefined, runId: undefined });
  assert.equal(strip(again.summary), strip(first.summary));
  assert.is.not(again.summary.runId, first.summary.runId);
  const bytes = (runDir: string, f: string) => readFileSync(join(dir, runDir, f));
  assert.ok(bytes(again.summary.runDir, "customers.parquet").equals(bytes(first.summary.runDir, "customers.parquet")));
  const model = JSON.parse(bytes(again.summary.runDir, "model.json").toString());
  assert.is.not(model.createdAt, JSON.parse(bytes(first.summary.runDir, "model.json").toString()).createdAt, "each run's own time");
  assert.ok(bytes(again.summary.runDir, "report.html").toString().includes(again.summary.runId), "the report names its own run");
  assert.not.ok(bytes(again.summary.runDir, "report.html").toString().includes("{{custseg:"));
  const listed = JSON.parse(custseg("runs", "list", "--json").stdout);
  assert.is(listed.runs.filter((r: { status: string }) => r.status === "finished").length, 2);
});

test("one parameter changed (--k 4): kmeans and the steps after it compute, none before", () => {
  const k4 = run("--k", "4");
  assert.equal(k4.computed, after("kmeans"));
  assert.is(k4.summary.k, 4);
  assert.equal(run("--k", "4").computed, [], "then it is stored too");
});

test("status: fresh against the lock, stale from kmeans on with the reason under --k 5", () => {
  const fresh = JSON.parse(custseg("status", "--json").stdout);
  assert.ok(fresh.fresh, JSON.stringify(fresh));
  const res = custseg("status", "--k", "5", "--json");
  assert.is(res.code, 0, res.stderr);
  const s = JSON.parse(res.stdout);
  const stale = s.steps.filter((x: { fresh: boolean }) => !x.fresh).map((x: { step: string }) => x.step);
  assert.equal(stale, after("kmeans"));
  const kmeans = s.steps.find((x: { step: string }) => x.step === "kmeans");
  assert.ok(kmeans.reasons.includes("parameter changed: k"), kmeans.reasons.join("; "));
  assert.ok(kmeans.reasons.includes("artefact missing"), kmeans.reasons.join("; "));
  const text = custseg("status", "--input", other).stdout;
  assert.match(text, /load\s+stale\s+input changed: input/);
});

test("--locked runs while the lock matches, and refuses in one line once the input differs", () => {
  assert.equal(run("--k", "4", "--locked").computed, []);
  const res = custseg("run", "--input", other, "--k", "4", "--locked", "--json");
  assert.is(res.code, 1);
  assert.is(res.stdout, "");
  assert.match(res.stderr.trimEnd().split("\n").at(-1)!, /^custseg: --locked refuses to run: custseg\.lock does not match this run at load: input changed: input/);
  assert.not.match(res.stderr, /\n\s+at /);
  const listed = JSON.parse(custseg("runs", "list", "--json").stdout);
  assert.is(listed.runs.filter((r: { status: string }) => r.status !== "finished").length, 0, "a refused run is not recorded");
});

test("another input file: every step computes", async () => {
  const res = custseg("run", "--input", other, "--threads", "1", "--json");
  assert.is(res.code, 0, res.stderr);
  assert.equal([...stepsOf(res.stderr)].filter(([, c]) => !c).map(([s]) => s), [...PIPELINE_STEPS]);
  // The same path with new content is another input too.
  await generateFile(input, { rows: 20_000, customers: 300, seed: 7 });
  assert.equal(run().computed, [...PIPELINE_STEPS]);
});

test("a deleted stored output: only its step computes again", () => {
  rmSync(join(artifacts, keyOf("kmeans")), { recursive: true });
  assert.equal(run().computed, ["kmeans"]);
});

test("a stored output modified in place: detected, removed, its step recomputed, one line on stderr", () => {
  const key = keyOf("outliers");
  const value = join(artifacts, key, "value.json");
  writeFileSync(value, `${readFileSync(value, "utf8")} `);
  const r = run();
  assert.equal(r.computed, ["outliers"]);
  assert.match(r.res.stderr, /stored output of outliers is damaged \(value\.json was changed\); removed, recomputing/);
});

test("a stored output changed with its size and time kept: caught by its checksum when read", () => {
  const pcaDir = join(artifacts, keyOf("pca"));
  const part = readdirSync(pcaDir).find((f) => f.endsWith(".arrow"))!;
  const path = join(pcaDir, part);
  // In seconds, as a float: a Date would round the time to the millisecond.
  const seconds = statSync(path).mtimeMs / 1000;
  const bytes = readFileSync(path);
  bytes[bytes.length - 9] ^= 0xff;
  writeFileSync(path, bytes);
  utimesSync(path, seconds, seconds);
  // k = 6 has no stored k-means, so its step reads the PCA output.
  const r = run("--k", "6");
  assert.match(r.res.stderr, /stored output of pca is damaged \(.* does not match its checksum\); removed, recomputing/);
  assert.ok(r.computed.includes("pca") && r.computed.includes("kmeans"), r.computed.join(", "));
  assert.not.ok(r.computed.includes("scale"), "what PCA reads was sound");
});

test("--from kmeans recomputes kmeans and every step after it; --to pca stops there, with no run directory", () => {
  assert.equal(run("--from", "kmeans").computed, after("kmeans"));
  const res = custseg("run", "--input", input, "--to", "pca", "--from", "scale", "--json");
  assert.is(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.steps.map((s: { name: string }) => s.name), ["load", "clean", "features", "outliers", "scale", "pca"]);
  assert.equal(out.steps.filter((s: { cached: boolean }) => !s.cached).map((s: { name: string }) => s.name), ["scale", "pca"]);
  const bad = custseg("run", "--input", input, "--to", "nowhere");
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /Argument: to, Given: "nowhere"/);
});

test("an interrupted run resumes from its last finished step", async () => {
  const res = await runWatched(["run", "--input", input, "--k", "7", "--threads", "1", "--json"], {
    cwd: dir,
    env: { CUSTSEG_CACHE_DIR: "" },
    livenessMs: 120_000,
    onStderr: (text, child) => {
      if (/✓ kmeans/.test(text)) child.kill("SIGINT");
    },
  });
  const finished = [...stepsOf(res.stderr).keys()];
  const again = run("--k", "7");
  if (res.status === 130) {
    assert.ok(finished.includes("kmeans"), res.stderr);
    for (const step of finished) assert.not.ok(again.computed.includes(step), `${step} finished before the interruption`);
  } else assert.equal(again.computed, [], "the run finished before the signal: all stored");
});

test("tune prepares through the same graph: with run's seed, load to PCA come from the store", () => {
  const res = custseg("tune", "--input", input, "--seed", "0", "--grid", "k=2,3 n-init=1 max-iter=20", "--k-range", "2..3", "--threads", "1", "--out", join(dir, "tune"), "--json");
  assert.is(res.code, 0, res.stderr);
  const steps = stepsOf(res.stderr);
  assert.equal([...steps.keys()], ["load", "clean", "features", "outliers", "scale", "pca"]);
  assert.ok([...steps.values()].every((cached) => cached), res.stderr);
});

test("gc: keeps what the lock and the newest runs use, removes the rest, reports bytes freed", () => {
  const runsBefore = readdirSync(join(dir, "runs")).length;
  const keep = JSON.parse(custseg("gc", "--json").stdout);
  assert.is(keep.runsRemoved.length, 0, "without --keep-last every run is kept");
  const res = custseg("gc", "--keep-last", "1", "--json");
  assert.is(res.code, 0, res.stderr);
  const r = JSON.parse(res.stdout);
  assert.ok(r.artifactsRemoved > 0 && r.bytesFreed > 0, res.stdout);
  assert.is(r.runsRemoved.length, runsBefore - 1);
  assert.is(readdirSync(join(dir, "runs")).length, 1);
  // The lock's outputs survive: its run needs nothing computed.
  const locked = lock().options;
  assert.equal(run("--k", String(locked.k)).computed, []);
  assert.match(custseg("gc").stdout, /freed \d+ bytes/);
  assert.is(custseg("gc", "--keep-last", "-1").code, 1);
});

test.run();
