// What tune reads of the stored steps: the PCA scores, then the counts and the generated mark
// without the cleaned transactions (a damaged transactions part goes unread and unnoticed), and the
// whole of every output only when a run directory needs it (the damage is then found and repaired).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Engine, loadEngine } from "../../../src/engine/engine.js";
import { generateFile } from "../../../src/io/generate/generate.js";
import { type PrepareOptions, prepareRun } from "../../../src/pipeline/jobs/prepare-job.js";

const tmp = mkdtempSync(join(tmpdir(), "custseg-prepare-"));
const input = join(tmp, "small.parquet");
const store = join(tmp, "artifacts");
const notes: string[] = [];
const opts: PrepareOptions = {
  input,
  compat: "seed",
  seed: 0,
  variance: 0.8,
  cacheDir: join(tmp, "cache"),
  artifacts: store,
  reporter: { start() {}, done() {}, note: (m) => notes.push(m) },
};
let engine: Engine;

test.before(async () => {
  engine = await loadEngine({ threads: 1 });
  await generateFile(input, { rows: 20_000, customers: 300, seed: 1 });
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

/** The stored output of `step`: its directory and its Arrow table part. */
function storedTable(step: string): string {
  for (const key of readdirSync(store)) {
    const manifest = join(store, key, "manifest.json");
    try {
      if (JSON.parse(readFileSync(manifest, "utf8")).step === step) return join(store, key, "t0.arrow");
    } catch {
      // not an output directory (the runs' records)
    }
  }
  throw new Error(`no stored ${step}`);
}

test("facts come without the transactions; the whole read finds a damaged part and recomputes it", async () => {
  const first = await prepareRun(engine, opts);
  const whole = await first.prepared();
  const facts = await first.facts();
  assert.is(facts.customers, whole.all.ids.length);
  assert.is(first.reduced.scores.rows, whole.kept.ids.length);
  assert.equal(facts.generated, whole.job.generated);
  assert.equal([facts.generated?.rows, facts.generated?.customers, facts.generated?.seed], [20_000, 300, 1]);
  assert.is(facts.sha256, whole.job.sha256);

  // Same size and time, different bytes: seen only by a read that checks the part's sha256.
  const part = storedTable("clean");
  const seconds = statSync(part).mtimeMs / 1000;
  const bytes = readFileSync(part);
  bytes[bytes.length - 9]! ^= 1;
  writeFileSync(part, bytes);
  utimesSync(part, seconds, seconds);

  const second = await prepareRun(engine, opts);
  assert.equal(second.reduced.scores, first.reduced.scores);
  assert.equal(await second.facts(), facts);
  assert.equal(notes, [], "the transactions were not read");
  const again = await second.prepared();
  assert.ok(notes.some((n) => /stored output of clean is damaged/.test(n)), notes.join("\n"));
  assert.is(again.job.cleaned.numRows, whole.job.cleaned.numRows);
  assert.equal(again.job.rows, whole.job.rows);
});

test.run();
