// Kernel benchmark: every kernel × size × implementation, medians side by side, with the JavaScript
// peers (ml-kmeans, skmeans, ml-pca, TensorFlow.js on WASM) measured in the same run on the same
// inputs, their results checked against custseg's, and scikit-learn read from its results file.
// Usage: npm run bench [-- --quick] [-- --filter REGEX] [-- --no-peers] [-- --all-peers] [-- --sklearn] [-- --markdown]
// --all-peers adds the slow peer cases (ml-kmeans and skmeans on 1,000,000 rows and the 100,000-row
// fits, ml-pca's SVD of 1,000,000 rows). --sklearn runs scikit-learn now on the same inputs
// (bench/sklearn_kmeans.py, with $PYTHON, default python3; $SKLEARN_THREADS, default "1,2") and
// rewrites bench/results/sklearn-kmeans.json; without it that file's medians are the column.
// --markdown prints the tables as Markdown (the README's). Writes bench/results/kernels.json.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cases as kmeansCases, syntheticInputs } from "./cases/kmeans.js";
import { peerKmeansCases } from "./cases/peer-kmeans.js";
import { peerPcaCases } from "./cases/peer-pca.js";
import { tfjsCases } from "./cases/peer-tfjs.js";
import { cases as statsCases } from "./cases/stats.js";
import { formatChecks, formatComparison } from "./comparison.js";
import { type BenchRow, runCases, writeResults } from "./harness.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const peers = !args.includes("--no-peers");
const allPeers = args.includes("--all-peers");
const markdown = args.includes("--markdown");
const filterAt = args.indexOf("--filter");
const filter = filterAt >= 0 ? new RegExp(args[filterAt + 1] ?? "") : undefined;

/** The command that produced the committed scikit-learn medians (see the README's benchmark section). */
const SKLEARN_COMMAND = 'SKLEARN_THREADS=1,2 PYTHON=/usr/bin/python3 node dist/bench/kernels.js --sklearn --no-peers --filter "lloyd|seeding|fit nInit|k=3|k=8"';
const sklearnFile = fileURLToPath(new URL("../../bench/results/sklearn-kmeans.json", import.meta.url));

const cases = [...kmeansCases, ...statsCases, ...(peers ? [...peerKmeansCases(allPeers), ...peerPcaCases(allPeers), ...tfjsCases()] : [])];
const rows = await runCases(cases, { timeMs: quick ? 100 : 1000, iterations: quick ? 3 : 10, filter });
const sklearn = args.includes("--sklearn") ? { rows: sklearnRows(), source: "measured in this run" } : committedSklearn();
rows.push(...sklearn.rows.filter((r) => rows.some((o) => o.kernel === r.kernel && o.size === r.size)));

const opts = { base: "wasm-simd", own: ["wasm-simd", "wasm-simd-threads", "wasm-scalar", "ts"], markdown };
console.log(formatComparison(rows, opts));
console.log(
  `\nms, medians. ÷ custseg: the median over custseg's wasm-simd (one thread) median; above 1 is slower than custseg.` +
    `\n✓ result held to custseg's within the tolerance, ✗ it was not, † inertia reported beside custseg's (the library seeds its own runs).` +
    `\ntfjs-wasm computes in float32; its PCA is its covariance with custseg's eigendecomposition of the d×d matrix.` +
    `\nscikit-learn: ${sklearn.source}.`,
);
if (rows.some((r) => r.check)) console.log(`\n${formatChecks(rows, markdown)}`);
if (rows.some((r) => r.check?.pass === false)) console.error("some results differ from custseg's beyond their tolerance (✗ above)");

const out = fileURLToPath(new URL("../../bench/results/kernels.json", import.meta.url));
const versions = Object.fromEntries(["ml-kmeans", "skmeans", "ml-pca", "@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-wasm"].map((p) => [p, packageVersion(p)]));
await writeResults(out, { suite: "kernels", cores: availableParallelism(), quick, peers: peers ? versions : false, sklearn: sklearn.source }, rows);
console.error(`wrote ${out}`);

/** The committed scikit-learn medians, with where they came from. */
function committedSklearn(): { rows: BenchRow[]; source: string } {
  if (!existsSync(sklearnFile)) return { rows: [], source: `none (${sklearnFile} is absent; produce it with ${SKLEARN_COMMAND})` };
  const file = JSON.parse(readFileSync(sklearnFile, "utf8")) as { sklearn?: string; rows: BenchRow[] };
  return { rows: file.rows, source: `scikit-learn ${file.sklearn ?? "?"} medians from bench/results/sklearn-kmeans.json, produced by \`${SKLEARN_COMMAND}\`` };
}

/** An installed package's version (its package.json beside the entry point's nearest ancestor). */
function packageVersion(name: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  while (!existsSync(join(dir, "package.json")) || JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name !== name) {
    const up = dirname(dir);
    if (up === dir) return "unknown";
    dir = up;
  }
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version as string;
}

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
    const res = spawnSync(process.env.PYTHON ?? "python3", [script, dir, sklearnFile, "--threads", process.env.SKLEARN_THREADS ?? "1,2", ...(quick ? ["--quick"] : [])], { stdio: "inherit" });
    if (res.status !== 0) throw new Error(`scikit-learn benchmark failed (${res.error?.message ?? `exit ${res.status}`})`);
    return JSON.parse(readFileSync(sklearnFile, "utf8")).rows as BenchRow[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
