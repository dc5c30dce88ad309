// Benchmark cases of the k-means kernels: distances, one Lloyd iteration, k-means++ seeding and
// full fits (n_init 10) at S = 4,067×6 k=3 (the real data's shape), M = 100,000×16 k=8 and
// L = 1,000,000×16 k=8, for each implementation.
import type { BenchCase } from "../harness.js";
import type { Engine, Matrix, ResidentMatrix } from "../../src/engine/index.js";
import * as reference from "../../src/engine/reference/index.js";
import { kmeansPlusPlus, lloydIteration } from "../../src/engine/kmeans.js";
import { Rng } from "../../src/engine/rng.js";
import { engines, referenceCase, residentCase } from "./common.js";

/** n rows around k random centres in [-10, 10)^d (spread ±1.5), deterministic per seed. */
export function blobs(seed: number, n: number, d: number, k: number): Matrix {
  const rng = new Rng(seed);
  const centres = Array.from({ length: k * d }, () => rng.nextFloat() * 20 - 10);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.nextInt(k);
    for (let f = 0; f < d; f++) data[i * d + f] = centres[c * d + f]! + 3 * (rng.nextFloat() - 0.5);
  }
  return { data, rows: n, cols: d };
}

const sizes = {
  S: { n: 4067, d: 6, k: 3 },
  M: { n: 100_000, d: 16, k: 8 },
  L: { n: 1_000_000, d: 16, k: 8 },
} as const;
type Size = keyof typeof sizes;


/** Matrices are generated once per size and shared by the cases. */
const data = new Map<Size, Matrix>();
function matrixOf(size: Size): Matrix {
  let m = data.get(size);
  if (!m) {
    const { n, d, k } = sizes[size];
    m = blobs(17, n, d, k);
    data.set(size, m);
  }
  return m;
}

function firstRows(m: Matrix, k: number): Matrix {
  return { data: m.data.slice(0, k * m.cols), rows: k, cols: m.cols };
}

const wasmCase = (kernel: string, size: Size, impl: string, body: (e: Engine, x: ResidentMatrix, m: Matrix) => unknown) =>
  residentCase(kernel, size, impl, () => ({ x: matrixOf(size) }), (e, x, v) => body(e, x, v.x));
const tsCase = (kernel: string, size: Size, body: (m: Matrix) => unknown) => referenceCase(kernel, size, () => matrixOf(size), body);

const wasmImpls = Object.keys(engines);
export const cases: BenchCase[] = [];

// Distances: 2,000 × 1,000 pairs at d = 16.
{
  const x = blobs(3, 2000, 16, 8);
  const y = blobs(4, 1000, 16, 8);
  for (const impl of ["wasm-simd", "wasm-scalar"]) {
    let engine: Engine;
    cases.push({ kernel: "sqDistances", size: "2000×1000×16", impl, setup: async () => void (engine = await engines[impl]!()), fn: () => engine.sqDistances(x, y) });
  }
  cases.push({ kernel: "sqDistances", size: "2000×1000×16", impl: "ts", fn: () => reference.sqDistances(x, y) });
}

for (const size of ["M", "L"] as const) {
  const { k } = sizes[size];
  for (const impl of wasmImpls) cases.push(wasmCase("lloyd iteration", size, impl, (e, x, m) => lloydIteration(e.context, x, firstRows(m, k))));
  cases.push(tsCase("lloyd iteration", size, (m) => reference.lloydIterationReference(m, firstRows(m, k))));
}

for (const impl of wasmImpls) {
  cases.push(wasmCase("k-means++ seeding", "L", impl, (e, x) => kmeansPlusPlus(e.context, x, sizes.L.k, 0)));
}

for (const size of ["S", "M"] as const) {
  const { k } = sizes[size];
  for (const impl of wasmImpls) cases.push(wasmCase("kmeans fit nInit 10", size, impl, (e, x) => e.kmeans(x, { k, nInit: 10, seed: 0 })));
  if (size === "S") cases.push(tsCase("kmeans fit nInit 10", size, (m) => reference.kmeansReference(m, { k, nInit: 10, seed: 0 })));
}
