// The source cache from the command line: --cache-dir and CUSTSEG_CACHE_DIR pick its directory,
// --no-cache leaves nothing behind, a cached table changed in place is re-parsed with one line on
// stderr and the same results, and `custseg cache list|clear` report entries and bytes freed.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC, type Vector } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CACHE_MIN_SOURCE_BYTES } from "../../../src/io/cache.js";
import { generateFile } from "../../../src/io/generate/generate.js";
import { runCli } from "../../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-cache-cli-"));
const input = join(dir, "lines.csv");
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs custseg in the scratch directory, with no cache directory inherited from the environment. */
function custseg(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(args, { cwd: dir, env: { CUSTSEG_CACHE_DIR: "", ...env } });
}

function features(out: string, ...flags: string[]) {
  const res = custseg(["features", "--input", input, "--out", join(dir, out), ...flags]);
  assert.is(res.code, 0, res.stderr);
  return { ...res, table: readFileSync(join(dir, out), "utf8") };
}

const entries = (cacheDir: string) => (existsSync(cacheDir) ? readdirSync(cacheDir).sort() : []);

test.before(async () => {
  // Just above the size floor, so the source is cached.
  const { bytes } = await generateFile(input, { rows: 36_000, customers: 400, seed: 3 });
  assert.ok(bytes > CACHE_MIN_SOURCE_BYTES, `${bytes} bytes`);
});

let uncached = "";

test("--no-cache writes no cache, wherever the environment points", () => {
  const envDir = join(dir, "env-unused");
  const res = custseg(["features", "--input", input, "--out", join(dir, "uncached.csv"), "--no-cache"], { CUSTSEG_CACHE_DIR: envDir });
  assert.is(res.code, 0, res.stderr);
  assert.not.ok(existsSync(envDir));
  assert.not.ok(existsSync(join(dir, "data")));
  uncached = readFileSync(join(dir, "uncached.csv"), "utf8");
});

test("--cache-dir holds the table and its checksum, reused on the next run", () => {
  const cacheDir = join(dir, "flag-cache");
  const first = features("first.csv", "--cache-dir", cacheDir);
  assert.match(first.stderr, /cached the parsed table/);
  const names = entries(cacheDir);
  assert.is(names.length, 2);
  assert.match(names[0]!, /^[0-9a-f]{64}\.arrow$/);
  assert.is(names[1], `${names[0]}.sha256`);
  const second = features("second.csv", "--cache-dir", cacheDir);
  assert.match(second.stderr, /using cached Arrow table/);
  assert.is(first.table, uncached);
  assert.is(second.table, uncached);
  assert.not.ok(existsSync(join(dir, "data")));
});

test("CUSTSEG_CACHE_DIR is the cache when --cache-dir is not given", () => {
  const envDir = join(dir, "env-cache");
  const res = custseg(["features", "--input", input, "--json"], { CUSTSEG_CACHE_DIR: envDir });
  assert.is(res.code, 0, res.stderr);
  assert.is(entries(envDir).length, 2);
  const listed = JSON.parse(custseg(["cache", "list", "--json"], { CUSTSEG_CACHE_DIR: envDir }).stdout);
  assert.is(listed.dir, envDir);
  assert.is(listed.entries.length, 1);
  assert.not.ok(existsSync(join(dir, "data")));
});

test("a cached table whose prices were multiplied by 10 in place is re-parsed, with one line, and the results equal the uncached run's", () => {
  const cacheDir = join(dir, "poison-cache");
  features("before.csv", "--cache-dir", cacheDir);
  const entry = join(cacheDir, entries(cacheDir)[0]!);
  const bytes = readFileSync(entry);
  const prices = ((tableFromIPC(bytes).getChild("UnitPrice") as Vector).data[0]!.values as Float64Array);
  // The reader maps the prices onto the file's own bytes, so scaling them changes the file in place.
  assert.is(prices.buffer, bytes.buffer);
  for (let i = 0; i < prices.length; i++) prices[i]! *= 10;
  writeFileSync(entry, bytes);
  assert.is(statSync(entry).size, bytes.length);

  const after = features("after.csv", "--cache-dir", cacheDir);
  const warnings = after.stderr.split("\n").filter((l) => /cached table/.test(l));
  assert.is(warnings.length, 1, after.stderr);
  assert.match(warnings[0]!, /does not match its checksum .*removed it and re-parsing/);
  assert.is(after.table, uncached);
  assert.match(features("again.csv", "--cache-dir", cacheDir).stderr, /using cached Arrow table/);
});

test("cache list and cache clear report entries and the bytes freed", () => {
  const cacheDir = join(dir, "flag-cache");
  const listed = JSON.parse(custseg(["cache", "list", "--cache-dir", cacheDir, "--json"]).stdout);
  const [name, sidecar] = entries(cacheDir);
  const size = statSync(join(cacheDir, name!)).size + statSync(join(cacheDir, sidecar!)).size;
  assert.is(listed.entries.length, 1);
  assert.is(listed.entries[0].file, name);
  assert.is(listed.entries[0].bytes, size);
  assert.is(listed.bytes, size);
  assert.is(`${listed.entries[0].sourceSha256}.arrow`, name);
  assert.ok(listed.entries[0].verified);

  const text = custseg(["cache", "list", "--cache-dir", cacheDir]);
  assert.is(text.code, 0, text.stderr);
  assert.ok(text.stdout.includes(listed.entries[0].sourceSha256.slice(0, 12)));

  const none = JSON.parse(custseg(["cache", "clear", "--cache-dir", cacheDir, "--older-than", "1", "--json"]).stdout);
  assert.equal(none, { dir: cacheDir, removed: 0, bytesFreed: 0, kept: 1 });
  const all = custseg(["cache", "clear", "--cache-dir", cacheDir]);
  assert.is(all.code, 0, all.stderr);
  assert.match(all.stdout, /removed 1 cached table, freed .*; 0 kept/);
  assert.equal(entries(cacheDir), []);

  const bad = custseg(["cache", "clear", "--cache-dir", cacheDir, "--older-than", "-2"]);
  assert.is(bad.code, 1);
  assert.is(bad.stderr, "custseg: --older-than must be a number of days ≥ 0\n");
});

test("run, predict and drift take the cache flags too", () => {
  for (const command of ["run", "predict", "features", "drift"]) {
    const help = custseg([command, "--help"]).stdout;
    assert.ok(help.includes("--cache-dir"), command);
    assert.ok(help.includes("--no-cache") || help.includes("--cache "), command);
  }
});

test.run();
