// --threads far above the core count: capped at the cores with a note, so a tiny matrix does not
// start a thousand isolates; the engine itself never starts more than a small multiple of the cores.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/index.js";
import { maxThreads } from "../../src/engine/engine.js";
import { runWatched } from "../helpers/watched.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-threads-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("CLI: kmeans --threads 1000 on 200×3 is capped at the cores with a note, in bounded memory", async () => {
  const csv = join(dir, "small.csv");
  const rows = ["a,b,c", ...Array.from({ length: 200 }, (_, i) => `${i % 7},${(i * 3) % 11},${(i * 5) % 13}`)];
  writeFileSync(csv, `${rows.join("\n")}\n`);
  const r = await runWatched(["kmeans", "--input", csv, "--k", "3", "--threads", "1000", "--json"], { livenessMs: 60_000 });
  assert.not.ok(r.killed);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`--threads 1000 capped at the ${availableParallelism()} cores of this machine`));
  assert.is(JSON.parse(r.stdout).k, 3);
  if (process.platform === "linux") assert.ok(r.peakRssMb! < 400, `peak RSS ${r.peakRssMb} MB`);
});

test("the engine caps its own threads at a small multiple of the cores", async () => {
  const engine = await loadEngine({ threads: 1000 });
  try {
    assert.ok(engine.threads <= maxThreads(availableParallelism()), `${engine.threads} threads`);
  } finally {
    engine.close();
  }
});

test.run();
