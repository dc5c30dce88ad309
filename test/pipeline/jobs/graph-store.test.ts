// The load step's stored output is the source cache's entry, linked with the checksum it was
// verified with; should the entry be gone before it is linked, the table is encoded instead. The
// outputs are stored in step order while the next steps compute: a store that fails fails the run,
// the outputs before it stay stored and none after it is. The load step parses the bytes the keys
// were computed from.
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Engine } from "../../../src/engine/engine.js";
import { decodeValue } from "../../../src/io/artifact-codec.js";
import { artifactDir, checkArtifact, readArtifact, readHashed } from "../../../src/io/artifacts.js";
import { generateFile } from "../../../src/io/generate/generate.js";
import { graphKeys } from "../../../src/pipeline/jobs/graph/keys.js";
import { runGraph } from "../../../src/pipeline/jobs/graph/runner.js";
import type { Values } from "../../../src/pipeline/jobs/graph/steps.js";
import { RUN_DEFAULTS } from "../../../src/pipeline/options.js";
import { silentReporter, type StepReporter } from "../../../src/pipeline/progress.js";
import { sharedFile, skipped } from "../../helpers/shared.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-graph-store-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const noEngine = (): Promise<Engine> => Promise.reject(new Error("loading uses no engine"));
const cacheDir = join(dir, "cache");

async function loadStored(input: string, store: string, reporter: StepReporter) {
  const graph = await runGraph({ opts: { ...RUN_DEFAULTS, input, cacheDir }, engine: noEngine, reporter, store, to: "load" });
  const key = graph.outcomes[0]!.key!;
  const read = await readArtifact(store, key);
  if (!("parts" in read)) throw new Error(`stored load output unreadable: ${read.problem}`);
  return { read, key, table: decodeValue<Values["load"]>(read.parts).table };
}

test("a source from the cache: the stored table is the entry's file (a link to it), with the entry's checksum", async () => {
  // Over the cache's 2 MiB threshold, so the source is cached.
  const input = sharedFile("data/online_retail.parquet", "the source cache");
  if (!input) return skipped();
  for (const run of ["parsed and cached", "from the cache"]) {
    const store = join(dir, `store-${run}`);
    const { read, table, key } = await loadStored(input, store, silentReporter);
    const entry = readdirArrow(cacheDir);
    assert.equal(new Uint8Array(read.parts["t0.arrow"]!), new Uint8Array(readFileSync(entry)), run);
    // Linked, not copied: one file on disk for both (the same file system here).
    assert.is(statSync(join(artifactDir(store, key), "t0.arrow")).ino, statSync(entry).ino, run);
    assert.is(read.manifest.parts["t0.arrow"]!.sha256, readFileSync(`${entry}.sha256`, "utf8").trim(), run);
    assert.is(table.numRows, 541_909, run);
  }
});

test("an entry removed between loading and storing: the table is encoded instead, and reads back whole", async () => {
  const input = sharedFile("data/online_retail.parquet", "the source cache");
  if (!input) return skipped();
  const store = join(dir, "store-removed");
  // The loader's note that it used the entry comes just before the step returns: remove the entry then.
  const reporter: StepReporter = {
    ...silentReporter,
    note(message) {
      if (/using cached Arrow table/.test(message)) rmSync(readdirArrow(cacheDir));
    },
  };
  const { table } = await loadStored(input, store, reporter);
  assert.equal(arrowFiles(cacheDir), [], "the entry was gone when the output was stored");
  assert.is(table.numRows, 541_909);
  assert.is(table.getChild("InvoiceNo")!.get(0), "536365");
});

test("a store that fails while the next step computes fails the run; the outputs before it stay stored, none after it is", async () => {
  const input = join(dir, "small.parquet");
  await generateFile(input, { rows: 3_000, customers: 40, seed: 3 });
  const opts = { ...RUN_DEFAULTS, input, cacheDir: false as const };
  const store = join(dir, "store-failing");
  const keys = await graphKeys(opts);
  const lines: string[] = [];
  // Once features starts, clean's output is on its way to the store: a file where its directory goes makes that fail.
  const reporter: StepReporter = {
    ...silentReporter,
    start(step) {
      if (step === "features") writeFileSync(artifactDir(store, keys.clean.key), "in the way");
    },
    done: (step) => lines.push(step),
  };
  const run = runGraph({ opts, engine: noEngine, reporter, store, keys, to: "features" });
  const err = await run.then(() => undefined, (e: unknown) => e as Error);
  assert.ok(err, "the run fails");
  assert.match(err!.message, new RegExp(keys.clean.key));
  // load was stored (and said so); clean was not, and its line never came.
  assert.equal(lines, ["load"]);
  assert.ok("manifest" in (await checkArtifact(store, keys.load.key)));
  assert.not.ok("manifest" in (await checkArtifact(store, keys.clean.key)));
  assert.not.ok("manifest" in (await checkArtifact(store, keys.features.key)), "stores go in step order: none after the failed one");
});

test("the load step parses the bytes the keys were computed from, then lets go of them; the file is not read again", async () => {
  const input = join(dir, "read-once.parquet");
  const other = join(dir, "other.parquet");
  await generateFile(input, { rows: 3_000, customers: 40, seed: 3 });
  await generateFile(other, { rows: 2_000, customers: 40, seed: 4 });
  const opts = { ...RUN_DEFAULTS, input, cacheDir: false as const };
  const source = (await readHashed(input))!;
  assert.is(source.sha256, createHash("sha256").update(readFileSync(input)).digest("hex"));
  const keys = await graphKeys(opts, source);
  assert.equal(keys, await graphKeys(opts), "a hash given is the hash the file has");
  // Replaced once read: the run goes on with the content its keys name.
  copyFileSync(other, input);
  const graph = await runGraph({ opts, engine: noEngine, reporter: silentReporter, keys, to: "load", source });
  assert.is(graph.values.load!.table.numRows, 3_000);
  assert.is(source.take(), undefined, "the bytes are no longer held");
  assert.is(await readHashed(join(dir, "absent.parquet")), undefined);
});

test("a graph that computes its own keys parses the bytes it hashed for them", async () => {
  const input = join(dir, "own-keys.parquet");
  const other = join(dir, "own-keys-other.parquet");
  await generateFile(input, { rows: 3_000, customers: 40, seed: 6 });
  await generateFile(other, { rows: 2_000, customers: 40, seed: 7 });
  const opts = { ...RUN_DEFAULTS, input, cacheDir: false as const };
  const original = createHash("sha256").update(readFileSync(input)).digest("hex");
  // Replaced once the keys are made: a load that read the file again would find other bytes.
  const reporter: StepReporter = {
    ...silentReporter,
    start(step) {
      if (step === "load") copyFileSync(other, input);
    },
  };
  const graph = await runGraph({ opts, engine: noEngine, reporter, store: join(dir, "store-own-keys"), to: "load" });
  assert.is(graph.values.load!.table.numRows, 3_000);
  assert.is(graph.keys!.load.files.input!.sha256, original);
});

test("with load stored, the source's bytes are let go before any step computes", async () => {
  const input = join(dir, "stored-load.parquet");
  await generateFile(input, { rows: 3_000, customers: 40, seed: 5 });
  const opts = { ...RUN_DEFAULTS, input, cacheDir: false as const };
  const store = join(dir, "store-stored-load");
  const keys = await graphKeys(opts);
  await runGraph({ opts, engine: noEngine, reporter: silentReporter, store, keys, to: "load" });
  const source = (await readHashed(input))!;
  const held: boolean[] = [];
  const reporter: StepReporter = {
    ...silentReporter,
    // take() gives the bytes only while they are still held.
    start(step) {
      if (step === "clean") held.push(source.take() !== undefined);
    },
  };
  const graph = await runGraph({ opts, engine: noEngine, reporter, store, keys, to: "clean", source });
  assert.ok(graph.outcomes.find((o) => o.name === "load")?.cached, "load came from the store");
  assert.equal(held, [false], "clean computed with the source's bytes already let go");
});

test("recomputed from a step (--from) whose outputs are stored: they are not written again; a damaged one is", async () => {
  const input = join(dir, "from.parquet");
  await generateFile(input, { rows: 3_000, customers: 40, seed: 8 });
  const opts = { ...RUN_DEFAULTS, input, cacheDir: false as const };
  const store = join(dir, "store-from");
  const keys = await graphKeys(opts);
  const first = await runGraph({ opts, engine: noEngine, reporter: silentReporter, store, keys, to: "features" });
  const manifestOf = (step: "load" | "clean" | "features") => join(artifactDir(store, keys[step].key), "manifest.json");
  const written = (step: "load" | "clean" | "features") => statSync(manifestOf(step)).mtimeMs;
  const before = { clean: written("clean"), features: written("features") };
  // The clean output's table, truncated: its check by size fails, and it is written anew.
  const cleanPart = readdirSync(artifactDir(store, keys.clean.key)).find((f) => f !== "manifest.json")!;
  writeFileSync(join(artifactDir(store, keys.clean.key), cleanPart), "");
  const lines: string[] = [];
  const notes: string[] = [];
  const again = await runGraph({ opts, engine: noEngine, reporter: { ...silentReporter, done: (step) => lines.push(step), note: (m) => notes.push(m) }, store, keys, from: "clean", to: "features" });
  assert.equal(
    again.outcomes.map((o) => [o.name, o.cached]),
    [
      ["load", true],
      ["clean", false],
      ["features", false],
    ],
    "clean and features recomputed",
  );
  assert.equal(lines, ["load", "clean", "features"], "every line, in step order");
  assert.is(written("features"), before.features, "features, stored whole, was not written again");
  assert.ok(written("clean") >= before.clean && "manifest" in (await checkArtifact(store, keys.clean.key)), "the damaged clean output was replaced");
  assert.match(notes.join("\n"), /stored output of clean is damaged/);
  assert.equal(again.outcomes.find((o) => o.name === "features")!.manifest, first.outcomes.find((o) => o.name === "features")!.manifest, "the stored manifest");
});

const arrowFiles = (d: string) => readdirSync(d).filter((f) => f.endsWith(".arrow"));

function readdirArrow(d: string): string {
  const names = arrowFiles(d);
  if (names.length !== 1) throw new Error(`expected one cache entry in ${d}, found ${names.join(", ")}`);
  return join(d, names[0]!);
}

test.run();
