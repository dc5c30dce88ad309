// Kernel benchmark: every kernel × size × implementation, medians side by side.
// Usage: npm run bench [-- --quick] [-- --filter REGEX] [-- --sklearn]
// --sklearn also runs scikit-learn on the same inputs in the same run (bench/sklearn_kmeans.py, with
// $PYTHON, default python3; $SKLEARN_THREADS, default "1,2") and shows each implementation's
// speed-up over it.
// Writes bench/results/kernels.json (and bench/results/sklearn-kmeans.json with --sklearn).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cases as kmeansCases, syntheticInputs } from "./cases/kmeans.js";
import { cases as statsCases } from "./cases/stats.js";
import { type BenchRow, formatTable, runCases, writeResults } from "./harness.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const filterAt = args.indexOf("--filter");
const filter = filterAt >= 0 ? new RegExp(args[filterAt + 1] ?? "") : undefined;

const rows = await runCases([...kmeansCases, ...statsCases], {
  timeMs: quick ? 100 : 1000,
  iterations: quick ? 3 : 10,
  filter,
});
if (args.includes("--sklearn")) rows.push(...sklearnRows());
console.log(formatTable(rows, args.includes("--sklearn") ? "scikit-learn" : "ts"));
const out = fileURLToPath(new URL("../../bench/results/kernels.json", import.meta.url));
await writeResults(out, { suite: "kernels", cores: availableParallelism(), quick }, rows);
console.error(`wrote ${out}`);

/** scikit-learn's medians for the k-means rows, measured now on the same inputs. */
function sklearnRows(): BenchRow[] {
  const dir = mkdtempSync(join(tmpdir(), "custseg-bench-"));
  try {
    const inputs: Record<string, { file: string; rows: number; cols: number }> = {};
    Object.entries(syntheticInputs()).forEach(([label, m], i) => {
      const file = `input${i}.f64`;
      writeFileSync(join(dir, file), new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength));
      inputs[label] = { file, rows: m.rows, cols: m.cols };
    });
    writeFileSync(join(dir, "inputs.json"), JSON.stringify({ inputs }));
    const script = fileURLToPath(new URL("../../bench/sklearn_kmeans.py", import.meta.url));
    const out = fileURLToPath(new URL("../../bench/results/sklearn-kmeans.json", import.meta.url));
    const res = spawnSync(process.env.PYTHON ?? "python3", [script, dir, out, "--threads", process.env.SKLEARN_THREADS ?? "1,2", ...(quick ? ["--quick"] : [])], { stdio: "inherit" });
    if (res.status !== 0) throw new Error(`scikit-learn benchmark failed (${res.error?.message ?? `exit ${res.status}`})`);
    return JSON.parse(readFileSync(out, "utf8")).rows as BenchRow[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
