// The run as `custseg run` makes it (the artefact store, the run record, the engine's threads started
// for it), several times in one process, on the UCI Parquet file from its cached Arrow entry with no
// step stored: the first run pays for loading the modules and warming the JIT, the later ones run
// the same work with warm code. Then the same run as a new process, to compare.
// Usage: npm run build && node dist/bench/warm-runs.js [--runs 6]    Needs ../shared/data.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./cases/median.js";

const runsAt = process.argv.indexOf("--runs");
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 6;
if (!Number.isInteger(runs) || runs < 2) throw new Error("--runs takes a whole number of at least 2");
const input = fileURLToPath(new URL("../../../shared/data/online_retail.parquet", import.meta.url));
if (!existsSync(input)) throw new Error(`${input} is missing: this benchmark needs ../shared/data`);
const cli = fileURLToPath(new URL("../cli/custseg.js", import.meta.url));
const work = await mkdtemp(join(tmpdir(), "custseg-bench-warm-"));
const cacheDir = join(work, "cache");
const artifacts = join(cacheDir, "artifacts");
const flags = { artifacts, lock: join(work, "custseg.lock") };

try {
  // The cache entry is made by a process of its own, so that this one starts with nothing loaded.
  const prime = spawnSync(process.execPath, [cli, "run", "--input", input, "--cache-dir", cacheDir, "--store", join(work, "prime.db"), "--lock", flags.lock, "--out", join(work, "prime")]);
  if (prime.status !== 0) throw new Error(`priming run failed: ${prime.stderr}`);

  const inProcess: number[] = [];
  for (let r = 0; r < runs; r++) {
    await rm(artifacts, { recursive: true, force: true });
    const t0 = performance.now();
    // Loaded inside the timing, as the CLI loads them once a run starts.
    const [{ RUN_DEFAULTS }, { runRecorded }, { engineFor }, { openStore, closeStore }] = await Promise.all([
      import("../src/pipeline/options.js"),
      import("../src/pipeline/jobs/run-record.js"),
      import("../src/pipeline/jobs/engine-input.js"),
      import("../src/store/index.js"),
    ]);
    const store = openStore(join(work, "runs.db"), { create: true });
    let engine: Awaited<ReturnType<typeof engineFor>> | undefined;
    try {
      const opts = { ...RUN_DEFAULTS, input, cacheDir, out: join(work, `run-${r}`) };
      await runRecorded(async () => (engine ??= await engineFor(undefined)), store, opts, {}, flags);
    } finally {
      engine?.close();
      closeStore(store);
    }
    inProcess.push(performance.now() - t0);
  }

  const processes: number[] = [];
  for (let r = 0; r < runs; r++) {
    await rm(artifacts, { recursive: true, force: true });
    const t0 = performance.now();
    const res = spawnSync(process.execPath, [cli, "run", "--input", input, "--cache-dir", cacheDir, "--store", join(work, "runs.db"), "--lock", flags.lock, "--out", join(work, `cli-${r}`)]);
    processes.push(performance.now() - t0);
    if (res.status !== 0) throw new Error(`custseg run failed: ${res.stderr}`);
  }
  const bare = Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    spawnSync(process.execPath, ["-e", "0"]);
    return performance.now() - t0;
  });

  const ms = (v: number) => `${v.toFixed(0)} ms`;
  console.log(`cached UCI source, no step stored, ${runs} runs each`);
  console.log(`  in one process: first ${ms(inProcess[0]!)}, then median ${ms(median(inProcess.slice(1)))} (${inProcess.slice(1).map(ms).join(", ")})`);
  console.log(`  a process each: median ${ms(median(processes))} (${processes.map(ms).join(", ")}); node -e 0: ${ms(median(bare))}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
