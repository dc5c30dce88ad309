// One Lloyd iteration with the float64 ranking alone and with the float32 pre-filter
// (assembly/kmeans-single.ts), interleaved in one process so that both see the same load: medians of
// CPU time (user + system, all threads) and of wall time, their ratio, the multiply-adds' rate, and
// the share of rows the float32 ranking left to float64 (on the benchmark's blobs and on the UCI
// principal components tiled to 100,000 rows).
// Usage: npm run build && node dist/bench/lloyd-single.js [--rounds N]. Prints a Markdown table.
import { loadEngine, type Matrix } from "../src/engine/index.js";
import { lloydIteration, singleCopy } from "../src/engine/kmeans.js";
import { interleave, roundsFlag } from "./cases/builds.js";
import { blobs } from "./cases/data.js";
import { REAL_PCS, readIdCsv } from "./cases/real-data.js";

const rounds = roundsFlag(process.argv.slice(2), 15);

function tiled(m: Matrix, rows: number): Matrix {
  const data = new Float64Array(rows * m.cols);
  for (let i = 0; i < rows; i++) data.set(m.data.subarray((i % m.rows) * m.cols, (i % m.rows + 1) * m.cols), i * m.cols);
  return { data, rows, cols: m.cols };
}

const k = 8;
const inputs = [
  { label: "100,000×16 blobs", m: blobs(17, 100_000, 16, k), rounds },
  { label: "1,000,000×16 blobs", m: blobs(17, 1_000_000, 16, k), rounds: Math.max(1, Math.ceil(rounds / 5)) },
  { label: "UCI PCs ×25 (101,675×6)", m: tiled(readIdCsv(REAL_PCS), 101_675), rounds },
];
console.log("| input | threads | float64 CPU ms | float32 CPU ms | ratio | float64 wall ms | float32 wall ms | GFLOP/s (CPU, float32) | rows left to float64 |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const threads of [1, 2]) {
  const engine = await loadEngine({ threads });
  for (const input of inputs) {
    const x = engine.upload(input.m);
    const single = singleCopy(engine.context, x)!;
    const centers = { data: input.m.data.slice(0, k * input.m.cols), rows: k, cols: input.m.cols };
    const iterate = (copy: typeof single | undefined) => {
      lloydIteration(engine.context, x, centers, copy);
      return "";
    };
    // A round unmeasured warms both up.
    interleave(1, [undefined, single], iterate);
    const [f64, f32] = interleave(input.rounds, [undefined, single], iterate);
    const [c64, c32, w64, w32] = [f64!.cpu, f32!.cpu, f64!.wall, f32!.wall];
    const flops = 2 * input.m.rows * input.m.cols * k;
    const share = (100 * single.fallbacks) / single.rowsRanked;
    console.log(
      `| ${input.label} | ${threads} | ${c64.toFixed(2)} | ${c32.toFixed(2)} | ${(c32 / c64).toFixed(2)} | ${w64.toFixed(2)} | ${w32.toFixed(2)} | ${(flops / c32 / 1e6).toFixed(1)} | ${share.toFixed(3)} % |`,
    );
    single.free();
    x.free();
  }
}
process.exit(0);
