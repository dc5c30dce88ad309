// Recommendation benchmark on the real data: the cleaned UCI transactions and the reference
// clustering of its 4,067 kept customers, in both grouping modes.
// Usage: npm run build && node dist/bench/recommend.js [--quick]
// Needs ../shared (data/online_retail.parquet, reference/seed-pipeline/kmeans.json).
// Writes bench/results/recommend.json.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { loadTransactions } from "../src/io/load.js";
import { cleanTransactions } from "../src/pipeline/steps/clean.js";
import { recommend } from "../src/pipeline/steps/recommend.js";
import { formatTable, runCases, writeResults } from "./harness.js";

const quick = process.argv.includes("--quick");
const shared = (rel: string) => fileURLToPath(new URL(`../../../shared/${rel}`, import.meta.url));

const { table } = await loadTransactions(shared("data/online_retail.parquet"), { cacheDir: false });
const cleaned = cleanTransactions(table).table;
const kmeans = JSON.parse(readFileSync(shared("reference/seed-pipeline/kmeans.json"), "utf8")) as {
  customer_ids: string[];
  cluster: number[];
};
const clusters = new Map(kmeans.customer_ids.map((id, i) => [Number(id), kmeans.cluster[i]]));
const size = `${cleaned.numRows} lines, ${clusters.size} customers`;

const rows = await runCases(
  (["seed", "none"] as const).map((compat) => ({
    kernel: "recommend",
    size,
    impl: `compat=${compat}`,
    fn: () => recommend(cleaned, clusters, { compat }),
  })),
  { timeMs: quick ? 200 : 2000, iterations: quick ? 5 : 30 },
);
console.log(formatTable(rows, "compat=seed"));
const out = fileURLToPath(new URL("../../bench/results/recommend.json", import.meta.url));
await writeResults(out, { suite: "recommend", cores: availableParallelism(), quick }, rows);
console.error(`wrote ${out}`);
