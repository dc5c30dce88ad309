// Start-up benchmark: whole-process wall time of CLI calls that do no work (help), stop right after
// start-up, or find every step stored (a second `custseg run` on the same input in the same
// directory), repeated like hyperfine and reported as medians beside bare Node's start.
// Usage: npm run build && node dist/bench/startup.js [--runs N] [--cli PATH] [--input FILE].
// --input defaults to ../shared/data/online_retail.parquet; without it the stored re-run is left out.
// Writes bench/results/startup.json.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeResults } from "./harness.js";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const runs = Number(flag("--runs") ?? 15);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a whole number of at least 1, got ${flag("--runs")}`);
  process.exit(1);
}
// --cli: another build's entry point (dist/cli/custseg.js, or dist/src/cli/index.js before the bundle), to compare two builds on the same machine state.
const cli = resolve(flag("--cli") ?? fileURLToPath(new URL("../cli/custseg.js", import.meta.url)));
const input = resolve(flag("--input") ?? fileURLToPath(new URL("../../../shared/data/online_retail.parquet", import.meta.url)));
const missing = "/nonexistent/custseg-startup-probe.parquet";

interface Case {
  label: string;
  argv: string[];
  cwd?: string;
}

const cases: Case[] = [
  { label: "node -e 0 (Node's own start)", argv: ["-e", "0"] },
  { label: "custseg --help", argv: [cli, "--help"] },
  { label: "custseg run --help", argv: [cli, "run", "--help"] },
  { label: "custseg kmeans --help", argv: [cli, "kmeans", "--help"] },
  { label: "custseg generate --help", argv: [cli, "generate", "--help"] },
];

// A scratch directory holds the run store the runs record in, and the store, lock and artefacts of
// the stored re-run's warm-up run; each timed re-run adds a run record and a run directory there.
const scratch = mkdtempSync(join(tmpdir(), "custseg-startup-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
// Fails on opening the input: everything a run loads and starts before it reads a byte.
cases.push({ label: "custseg run --input <missing> (fixed cost)", argv: [cli, "run", "--input", missing, "--out", join(scratch, "probe")], cwd: scratch });

if (existsSync(input)) {
  const rerun = [cli, "run", "--input", input];
  const warm = spawnSync(process.execPath, rerun, { cwd: scratch, encoding: "utf8", env: { ...process.env, CUSTSEG_CACHE_DIR: "" } });
  if (warm.status !== 0) throw new Error(`the warm-up run failed: ${warm.stderr}`);
  cases.push({ label: "custseg run, every step stored (re-run)", argv: rerun, cwd: scratch });
} else console.log(`${input} not found: the stored re-run is left out`);

const spawnCase = (c: Case) => spawnSync(process.execPath, c.argv, { stdio: "ignore", cwd: c.cwd, env: { ...process.env, CUSTSEG_CACHE_DIR: "" } });
for (let r = 0; r < 2; r++) for (const c of cases) spawnCase(c);
const times = cases.map(() => [] as number[]);
// Interleaved so that a burst of load on a shared machine hits every case alike.
for (let r = 0; r < runs; r++) {
  cases.forEach((c, i) => {
    const t = performance.now();
    spawnCase(c);
    times[i]!.push(performance.now() - t);
  });
}
const rows = [];
for (const [i, { label }] of cases.entries()) {
  const t = times[i]!.sort((a, b) => a - b);
  const median = t[t.length >> 1]!;
  rows.push({ kernel: "start-up", size: label, impl: "process", medianMs: median, samples: t.length });
  console.log(`${label.padEnd(46)} median ${median.toFixed(0).padStart(5)} ms   min ${t[0]!.toFixed(0).padStart(5)} ms`);
}
await writeResults(fileURLToPath(new URL("../../bench/results/startup.json", import.meta.url)), { suite: "startup", runs }, rows);
