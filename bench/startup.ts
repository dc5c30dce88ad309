// Start-up benchmark: whole-process wall time and CPU time (user + system, all threads) of CLI calls
// that do no work (help), stop right after start-up, or find every step stored (a second
// `custseg run` on the same input in the same directory), repeated like hyperfine and reported as
// medians beside bare Node's start. On a shared machine the CPU time is the figure to compare: wall
// time grows with the load, CPU time much less.
// Usage: npm run build && node dist/bench/startup.js [--runs N] [--cli PATH] [--against PATH] [--input FILE].
// --cli: the build to measure (default: this one); --against: another build's entry, measured in the
// same interleaved series (a before/after under the same load), side by side.
// --input defaults to ../shared/data/online_retail.parquet; without it the stored re-run is left out.
// Writes bench/results/startup.json.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchRow, writeResults } from "./harness.js";
import { median } from "./cases/median.js";

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
// A build's entry point: dist/cli/custseg.js, or dist/src/cli/index.js before the bundle.
const cli = resolve(flag("--cli") ?? fileURLToPath(new URL("../cli/custseg.js", import.meta.url)));
const against = flag("--against");
const clis = against === undefined ? [cli] : [cli, resolve(against)];
const input = resolve(flag("--input") ?? fileURLToPath(new URL("../../../shared/data/online_retail.parquet", import.meta.url)));
const missing = "/nonexistent/custseg-startup-probe.parquet";

interface Case {
  label: string;
  /** The build the case runs (an index into clis); none for Node's own start. */
  build?: number;
  argv: string[];
  cwd?: string;
}

const env = { ...process.env, CUSTSEG_CACHE_DIR: "" };
const cases: Case[] = [{ label: "node -e 0 (Node's own start)", argv: ["-e", "0"] }];
const scratches: string[] = [];
process.on("exit", () => {
  for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
});
for (const [build, entry] of clis.entries()) {
  cases.push(
    { label: "custseg --help", build, argv: [entry, "--help"] },
    { label: "custseg run --help", build, argv: [entry, "run", "--help"] },
    { label: "custseg kmeans --help", build, argv: [entry, "kmeans", "--help"] },
    { label: "custseg generate --help", build, argv: [entry, "generate", "--help"] },
  );
  // A scratch directory per build holds the run store the runs record in, and the store, lock and
  // artefacts of the stored re-run's warm-up run; each timed re-run adds a run record and a run
  // directory there.
  const scratch = mkdtempSync(join(tmpdir(), "custseg-startup-"));
  scratches.push(scratch);
  // Fails on opening the input: everything a run loads and starts before it reads a byte.
  cases.push({ label: "custseg run --input <missing> (fixed cost)", build, argv: [entry, "run", "--input", missing, "--out", join(scratch, "probe")], cwd: scratch });
  if (existsSync(input)) {
    const rerun = [entry, "run", "--input", input];
    const warm = spawnSync(process.execPath, rerun, { cwd: scratch, encoding: "utf8", env });
    if (warm.status !== 0) throw new Error(`the warm-up run of ${entry} failed: ${warm.stderr}`);
    cases.push({ label: "custseg run, every step stored (re-run)", build, argv: rerun, cwd: scratch });
  } else if (build === 0) console.log(`${input} not found: the stored re-run is left out`);
}

// Each process reports its own CPU time as it exits, on file descriptor 3 (every case, Node's own
// start included, loads this probe alike). A process that does not report counts as failed.
const cpuProbe = `data:text/javascript,${encodeURIComponent(`import { writeSync } from "node:fs";
process.on("exit", () => { const u = process.cpuUsage(); writeSync(3, String((u.user + u.system) / 1000)); });`)}`;

/** One call: its wall time and the CPU time it reported, in ms. */
function spawnCase(c: Case): { wall: number; cpu: number } {
  const t = performance.now();
  const res = spawnSync(process.execPath, ["--import", cpuProbe, ...c.argv], { stdio: ["ignore", "ignore", "ignore", "pipe"], cwd: c.cwd, env });
  const wall = performance.now() - t;
  const cpu = Number(res.output?.[3]?.toString() || Number.NaN);
  if (!Number.isFinite(cpu)) throw new Error(`${c.label}: the process reported no CPU time (exit ${res.status})`);
  return { wall, cpu };
}

for (let r = 0; r < 2; r++) for (const c of cases) spawnCase(c);
const walls = cases.map(() => [] as number[]);
const cpus = cases.map(() => [] as number[]);
// Interleaved so that a burst of load on a shared machine hits every case, and both builds, alike.
for (let r = 0; r < runs; r++) {
  cases.forEach((c, i) => {
    const { wall, cpu } = spawnCase(c);
    walls[i]!.push(wall);
    cpus[i]!.push(cpu);
  });
}

const ms = (v: number | undefined, width: number) => (v === undefined ? "" : `${v.toFixed(0)} ms`).padStart(width);
const rows: BenchRow[] = [];
const names = clis.length > 1 ? ["", " (against)"] : [""];
console.log(`${"".padEnd(46)}${names.map((n) => `${`wall${n}`.padStart(16)}${`CPU${n}`.padStart(16)}`).join("")}`);
for (const label of new Set(cases.map((c) => c.label))) {
  const cells = names.map((_, build) => {
    const i = cases.findIndex((c) => c.label === label && (c.build ?? build) === build);
    if (i < 0 || (cases[i]!.build === undefined && build > 0)) return { wall: undefined, cpu: undefined };
    return { wall: median(walls[i]!), cpu: median(cpus[i]!) };
  });
  cells.forEach((cell, build) => {
    if (cell.wall === undefined || cell.cpu === undefined) return;
    const impl = `process${names[build]}`;
    rows.push({ kernel: "start-up", size: label, impl, medianMs: cell.wall, samples: runs });
    rows.push({ kernel: "start-up", size: label, impl: `${impl} CPU`, medianMs: cell.cpu, samples: runs });
  });
  console.log(`${label.padEnd(46)}${cells.map((c) => `${ms(c.wall, 16)}${ms(c.cpu, 16)}`).join("")}`);
}
await writeResults(fileURLToPath(new URL("../../bench/results/startup.json", import.meta.url)), { suite: "startup", runs, clis }, rows);
