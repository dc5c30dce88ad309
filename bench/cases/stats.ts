// Benchmark cases of the statistics kernels: PCA (fit with the sign rule, scores left out) at
// S = 4,067×15 (the real feature matrix's shape) beside R = the UCI data's 15 scaled features
// (../shared/reference/seed-pipeline/scaled.csv), M = 100,000×16 and L = 1,000,000×16; the
// silhouette at 4,067×6, 20,000×16 and 50,000×16 (WASM only there: the reference takes minutes);
// Davies–Bouldin and Calinski–Harabasz; the two scalers; the isolation forest (100 trees of 256
// rows grown, then every row scored) on S, on the UCI customers' 15 features before outliers are
// removed (../shared/reference/seed-pipeline/customer_features_pre_outlier.csv) and on M.
import type { BenchCase } from "../harness.js";
import type { Engine, Matrix, ResidentMatrix } from "../../src/engine/index.js";
import * as reference from "../../src/engine/reference/index.js";
import { Rng } from "../../src/engine/rng.js";
import { engines, referenceCase, residentCase } from "./common.js";
import { REAL_FEATURES, REAL_RAW_FEATURES, readIdCsv } from "./real-data.js";

/** n rows around k random centres in [-10, 10)^d, with the centre each row came from as its label. */
function labelled(seed: number, n: number, d: number, k: number): { x: Matrix; labels: Int32Array } {
  const rng = new Rng(seed);
  const centres = Array.from({ length: k * d }, () => rng.nextFloat() * 20 - 10);
  const data = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i < k ? i : rng.nextInt(k);
    labels[i] = c;
    for (let f = 0; f < d; f++) data[i * d + f] = centres[c * d + f]! + 3 * (rng.nextFloat() - 0.5) * (1 + (f % 3));
  }
  return { x: { data, rows: n, cols: d }, labels };
}

const sizes = {
  S: { n: 4067, d: 15, k: 3 },
  M: { n: 100_000, d: 16, k: 8 },
  L: { n: 1_000_000, d: 16, k: 8 },
  "sil-S 4067×6": { n: 4067, d: 6, k: 3 },
  "sil-M 20000×16": { n: 20_000, d: 16, k: 8 },
  "sil-L 50000×16": { n: 50_000, d: 16, k: 8 },
} as const;
type Size = keyof typeof sizes;

const allWasm = Object.keys(engines);

/** Data generated once per size, on first use. */
const data = new Map<Size, { x: Matrix; labels: Int32Array }>();
function dataOf(size: Size) {
  let v = data.get(size);
  if (!v) {
    const { n, d, k } = sizes[size];
    v = labelled(23, n, d, k);
    data.set(size, v);
  }
  return v;
}

const wasmCase = (kernel: string, size: Size, impl: string, body: (e: Engine, x: ResidentMatrix, labels: Int32Array) => unknown) =>
  residentCase(kernel, size, impl, () => dataOf(size), (e, x, v) => body(e, x, v.labels));
const tsCase = (kernel: string, size: Size, body: (m: Matrix, labels: Int32Array) => unknown) =>
  referenceCase(kernel, size, () => dataOf(size), (v) => body(v.x, v.labels));

export const cases: BenchCase[] = [];

/** The PCA rows: one synthetic and one real input at the real data's shape, then larger ones. */
export const PCA = {
  kernel: "pca fit p=6",
  components: 6,
  sizes: {
    S: "4,067×15 blobs",
    R: "4,067×15 UCI features",
    M: "100,000×16 blobs",
    L: "1,000,000×16 blobs",
  },
} as const;
export type PcaSize = keyof typeof PCA.sizes;
let realFeatures: Matrix | undefined;
/** The input of a PCA row (generated or read once). */
export function pcaInput(size: PcaSize): Matrix {
  if (size !== "R") return dataOf(size).x;
  realFeatures ??= readIdCsv(REAL_FEATURES);
  return realFeatures;
}

for (const size of ["S", "R", "M", "L"] as const) {
  const label = PCA.sizes[size];
  for (const impl of allWasm) {
    cases.push(residentCase(PCA.kernel, label, impl, () => ({ x: pcaInput(size) }), (e, x) => e.pca(x, { components: PCA.components, scores: false })));
  }
  if (size !== "L") cases.push(referenceCase(PCA.kernel, label, () => pcaInput(size), (m) => reference.pcaFit(m, { components: PCA.components })));
}

for (const size of ["sil-S 4067×6", "sil-M 20000×16", "sil-L 50000×16"] as const) {
  const impls = size === "sil-L 50000×16" ? ["wasm-simd", "wasm-simd-threads"] : allWasm;
  for (const impl of impls) cases.push(wasmCase("silhouette", size, impl, (e, x, labels) => e.silhouette(x, labels)));
  if (size !== "sil-L 50000×16") cases.push(tsCase("silhouette", size, (m, labels) => reference.silhouetteScore(m, labels)));
}

for (const size of ["S", "M"] as const) {
  for (const impl of allWasm) {
    cases.push(wasmCase("davies-bouldin", size, impl, (e, x, labels) => e.daviesBouldin(x, labels)));
    cases.push(wasmCase("calinski-harabasz", size, impl, (e, x, labels) => e.calinskiHarabasz(x, labels)));
  }
  cases.push(tsCase("davies-bouldin", size, (m, labels) => reference.daviesBouldin(m, labels)));
  cases.push(tsCase("calinski-harabasz", size, (m, labels) => reference.calinskiHarabasz(m, labels)));
}

for (const impl of ["wasm-simd", "wasm-scalar"]) {
  cases.push(wasmCase("standard scaler", "S", impl, (e, x) => e.standardScale(x)));
  cases.push(wasmCase("row normalizer", "S", impl, (e, x) => e.normalizeRows(x)));
}
cases.push(tsCase("standard scaler", "S", (m) => reference.standardScalerTransform(m, reference.standardScalerFit(m))));
cases.push(tsCase("row normalizer", "S", (m) => reference.normalizeRows(m)));

/** The isolation forest rows: grow scikit-learn's default forest, then score every row with it. */
const FOREST = { seed: 0, nTrees: 100, maxSamples: 256 };
const forestSizes = { S: "4,067×15 blobs", R: "4,282×15 UCI features", M: "100,000×16 blobs" } as const;
let rawFeatures: Matrix | undefined;
const forestInput = (size: keyof typeof forestSizes): Matrix => {
  if (size !== "R") return dataOf(size).x;
  rawFeatures ??= readIdCsv(REAL_RAW_FEATURES);
  return rawFeatures;
};
for (const size of ["S", "R", "M"] as const) {
  const label = forestSizes[size];
  for (const impl of allWasm) {
    let engine: Engine;
    let x: Matrix;
    cases.push({
      kernel: "isolation forest",
      size: label,
      impl,
      setup: async () => {
        engine = await engines[impl]!();
        x = forestInput(size);
      },
      fn: () => engine.forestPathSums(engine.growForest(x, FOREST), x),
    });
  }
  cases.push(referenceCase("isolation forest", label, () => forestInput(size), (m) => reference.forestPathSums(reference.growForest(m, FOREST), m)));
}
