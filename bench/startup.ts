// Start-up benchmark: whole-process wall time of CLI calls that do no work (help) or stop right
// after start-up, repeated like hyperfine and reported as medians beside bare Node's start.
// Usage: npm run build && node dist/bench/startup.js [--runs N] [--cli PATH]. Writes bench/results/startup.json.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { writeResults } from "./harness.js";

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 15;
const cliAt = args.indexOf("--cli");
// --cli: another build's entry point (dist/src/cli/index.js), to compare two builds on the same machine state.
const cli = cliAt >= 0 ? args[cliAt + 1]! : fileURLToPath(new URL("../src/cli/index.js", import.meta.url));
const missing = "/nonexistent/custseg-startup-probe.parquet";

const cases: [string, string[]][] = [
  ["node -e 0 (Node's own start)", ["-e", "0"]],
  ["custseg --help", [cli, "--help"]],
  ["custseg run --help", [cli, "run", "--help"]],
  ["custseg kmeans --help", [cli, "kmeans", "--help"]],
  ["custseg generate --help", [cli, "generate", "--help"]],
  // Fails on opening the input: everything a run loads and starts before it reads a byte.
  ["custseg run --input <missing> (fixed cost)", [cli, "run", "--input", missing, "--out", "/tmp/custseg-startup-probe"]],
];

const rows = [];
for (let r = 0; r < 2; r++) for (const [, argv] of cases) spawnSync(process.execPath, argv, { stdio: "ignore" });
const times = cases.map(() => [] as number[]);
// Interleaved so that a burst of load on a shared machine hits every case alike.
for (let r = 0; r < runs; r++) {
  cases.forEach(([, argv], i) => {
    const t = performance.now();
    spawnSync(process.execPath, argv, { stdio: "ignore" });
    times[i]!.push(performance.now() - t);
  });
}
for (const [i, [label]] of cases.entries()) {
  const t = times[i]!.sort((a, b) => a - b);
  const median = t[t.length >> 1]!;
  rows.push({ kernel: "start-up", size: label, impl: "process", medianMs: median, samples: t.length });
  console.log(`${label.padEnd(46)} median ${median.toFixed(0).padStart(5)} ms   min ${t[0]!.toFixed(0).padStart(5)} ms`);
}
await writeResults(fileURLToPath(new URL("../../bench/results/startup.json", import.meta.url)), { suite: "startup", runs }, rows);
