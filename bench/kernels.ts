// Kernel benchmark: every kernel × size × implementation, medians side by side.
// Usage: npm run bench [-- --quick] [-- --filter REGEX]
// Writes bench/results/kernels.json.
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { cases as kmeansCases } from "./cases/kmeans.js";
import { cases as statsCases } from "./cases/stats.js";
import { formatTable, runCases, writeResults } from "./harness.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const filterAt = args.indexOf("--filter");
const filter = filterAt >= 0 ? new RegExp(args[filterAt + 1] ?? "") : undefined;

const rows = await runCases([...kmeansCases, ...statsCases], {
  timeMs: quick ? 100 : 1000,
  iterations: quick ? 3 : 10,
  filter,
});
console.log(formatTable(rows));
const out = fileURLToPath(new URL("../../bench/results/kernels.json", import.meta.url));
await writeResults(out, { suite: "kernels", cores: availableParallelism(), quick }, rows);
console.error(`wrote ${out}`);
