// Benchmark cases of the k-means kernels: distances, one Lloyd iteration, k-means++ seeding and
// whole fits. Every row has a synthetic and a real-data case side by side: S = 4,067×6 blobs (the
// real data's shape), M = 100,000×16, L = 1,000,000×16, and R = the UCI data's principal components
// (4,067×6, ../shared/reference/seed-pipeline/pca_output.csv), which take 9–61 Lloyd iterations per
// run where the blobs take a few.
import type { BenchCase } from "../harness.js";
import type { Engine, Matrix, ResidentMatrix } from "../../src/engine/index.js";
import * as reference from "../../src/engine/reference/index.js";
import { kmeansPlusPlus, lloydIteration, type SingleCopy, singleCopy } from "../../src/engine/kmeans.js";
import { engines, referenceCase, residentCase } from "./common.js";
import { blobs } from "./data.js";
import { custseg } from "./peer-inputs.js";
import { REAL_PCS, readIdCsv } from "./real-data.js";

export const sizes = {
  S: { n: 4067, d: 6, k: 3, label: "4,067×6 blobs" },
  M: { n: 100_000, d: 16, k: 8, label: "100,000×16 blobs" },
  L: { n: 1_000_000, d: 16, k: 8, label: "1,000,000×16 blobs" },
  R: { n: 4067, d: 6, k: 3, label: "4,067×6 UCI PCs" },
} as const;
export type Size = keyof typeof sizes;

/** Matrices are generated (or read) once per size and shared by the cases. */
const data = new Map<Size, Matrix>();
export function matrixOf(size: Size): Matrix {
  let m = data.get(size);
  if (!m) {
    const { n, d, k } = sizes[size];
    m = size === "R" ? readIdCsv(REAL_PCS) : blobs(17, n, d, k);
    data.set(size, m);
  }
  return m;
}

function firstRows(m: Matrix, k: number): Matrix {
  return { data: m.data.slice(0, k * m.cols), rows: k, cols: m.cols };
}

const wasmCase = (kernel: string, size: Size, impl: string, body: (e: Engine, x: ResidentMatrix, m: Matrix) => unknown) =>
  residentCase(kernel, sizes[size].label, impl, () => ({ x: matrixOf(size) }), (e, x, v) => body(e, x, v.x));
const tsCase = (kernel: string, size: Size, body: (m: Matrix) => unknown) =>
  referenceCase(kernel, sizes[size].label, () => matrixOf(size), body);

const wasmImpls = Object.keys(engines);
export const cases: BenchCase[] = [];

/** Pairwise squared distances: 2,000 × 1,000 blobs at d = 16, and every UCI customer × the first 1,000. */
export const DISTANCES = {
  kernel: "sqDistances",
  inputs: [
    { label: "2000×1000×16 blobs", x: () => blobs(3, 2000, 16, 8), y: () => blobs(4, 1000, 16, 8) },
    { label: "4,067×1,000×6 UCI PCs", x: () => matrixOf("R"), y: () => firstRows(matrixOf("R"), 1000) },
  ],
};
for (const input of DISTANCES.inputs) {
  let x: Matrix;
  let y: Matrix;
  const load = () => {
    x = input.x();
    y = input.y();
  };
  for (const impl of ["wasm-simd", "wasm-scalar"]) {
    let engine: Engine;
    cases.push({
      kernel: DISTANCES.kernel,
      size: input.label,
      impl,
      setup: async () => {
        engine = await engines[impl]!();
        load();
      },
      fn: () => engine.sqDistances(x, y),
    });
  }
  cases.push({ kernel: DISTANCES.kernel, size: input.label, impl: "ts", setup: load, fn: () => reference.sqDistances(x, y) });
}

/**
 * The whole-fit configurations, each on blobs and on the real components (k = 8 blobs for k = 8).
 * The cases and the scikit-learn script (bench/sklearn_kmeans.py) share these names.
 */
export const FITS = [
  { name: "kmeans fit k=3 k-means++ nInit 10 maxIter 100", options: { k: 3, nInit: 10, maxIter: 100, seed: 0 } },
  { name: "kmeans fit k=8 random nInit 50 maxIter 1000", options: { k: 8, init: "random" as const, nInit: 50, maxIter: 1000, seed: 0 } },
  { name: "kmeans fit k=8 k-means++ nInit 50", options: { k: 8, nInit: 50, seed: 0 } },
];
/** k = 8 blobs at the real data's shape, for the k = 8 fits. */
export const S8 = { label: "4,067×6 blobs (8)", input: () => blobs(17, 4067, 6, 8) };

/**
 * One Lloyd iteration as a fit's passes run: X uploaded and its float32 copy made once in setup
 * (singleCopy; none in the scalar build), the iteration's own work timed.
 */
function lloydCase(size: Size, impl: string, k: number): BenchCase {
  let engine: Engine;
  let x: ResidentMatrix;
  let single: SingleCopy | undefined;
  let centers: Matrix;
  return {
    kernel: "lloyd iteration k=8",
    size: sizes[size].label,
    impl,
    setup: async () => {
      engine = await engines[impl]!();
      const m = matrixOf(size);
      centers = firstRows(m, k);
      x = engine.upload(m);
      single = singleCopy(engine.context, x);
    },
    fn: () => lloydIteration(engine.context, x, centers, single),
    teardown: () => {
      single?.free();
      x.free();
    },
  };
}

for (const size of ["M", "L", "R"] as const) {
  const k = 8;
  for (const impl of wasmImpls) cases.push(lloydCase(size, impl, k));
  cases.push(tsCase("lloyd iteration k=8", size, (m) => reference.lloydIterationReference(m, firstRows(m, k))));
}

for (const size of ["L", "R"] as const) {
  for (const impl of wasmImpls) cases.push(wasmCase("k-means++ seeding k=8", size, impl, (e, x) => kmeansPlusPlus(e.context, x, 8, 0)));
}

for (const size of ["S", "R", "M"] as const) {
  const { k } = sizes[size];
  for (const impl of wasmImpls) cases.push(wasmCase("kmeans fit nInit 10", size, impl, (e, x) => e.kmeans(x, { k, nInit: 10, seed: 0 })));
  if (size !== "M") cases.push(tsCase("kmeans fit nInit 10", size, (m) => reference.kmeansReference(m, { k, nInit: 10, seed: 0 })));
}

for (const { name, options } of FITS) {
  for (const impl of wasmImpls) {
    if (options.k === 8) cases.push(residentCase(name, S8.label, impl, () => ({ x: S8.input() }), (e, x) => e.kmeans(x, options)));
    else cases.push(wasmCase(name, "S", impl, (e, x) => e.kmeans(x, options)));
    cases.push(wasmCase(name, "R", impl, (e, x) => e.kmeans(x, options)));
  }
}

/**
 * Whole fits from one set of k-means++ centres (custseg's, seed 0) until no label changes: the row
 * where libraries that take given centres must reach the same centres and inertia as custseg.
 */
export const FROM_CENTRES = { kernel: "kmeans fit from k-means++ centres, to convergence", maxIter: 300, sizes: ["S", "R", "M", "L"] as const };
const starts = new Map<Size, Promise<Matrix>>();
/** The shared start of the FROM_CENTRES fits of one size. */
export function startCentres(size: Size): Promise<Matrix> {
  let start = starts.get(size);
  if (!start) {
    start = custseg().then((e) => {
      const m = matrixOf(size);
      const x = e.upload(m);
      try {
        const { k } = sizes[size];
        return { data: kmeansPlusPlus(e.context, x, k, 0), rows: k, cols: m.cols };
      } finally {
        x.free();
      }
    });
    starts.set(size, start);
  }
  return start;
}

for (const size of FROM_CENTRES.sizes) {
  for (const impl of wasmImpls) {
    let engine: Engine;
    let x: ResidentMatrix;
    let init: Matrix;
    cases.push({
      kernel: FROM_CENTRES.kernel,
      size: sizes[size].label,
      impl,
      setup: async () => {
        engine = await engines[impl]!();
        init = await startCentres(size);
        x = engine.upload(matrixOf(size));
      },
      fn: () => engine.kmeans(x, { k: init.rows, init, maxIter: FROM_CENTRES.maxIter, tol: 0 }),
      teardown: () => x.free(),
    });
  }
}

/** The synthetic inputs by size label, for the scikit-learn script (which reads the real data itself). */
export function syntheticInputs(): Record<string, Matrix> {
  return { [sizes.S.label]: matrixOf("S"), [sizes.M.label]: matrixOf("M"), [sizes.L.label]: matrixOf("L"), [S8.label]: S8.input() };
}
