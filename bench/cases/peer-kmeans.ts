// The k-means rows of the JavaScript peers: ml-kmeans 7 and skmeans 0.11, both in f64 on arrays of
// rows. Where a library takes given centres (one Lloyd iteration, the fit from k-means++ centres)
// its result must match custseg's; where it draws its own (the nInit fits: ml-kmeans seeded per
// run, skmeans from Math.random) its best inertia is reported beside custseg's.
import { kmeans as mlKmeans } from "ml-kmeans";
import skmeans from "skmeans";
import type { KMeansOptions, Matrix } from "../../src/engine/index.js";
import { arrayCheck, scalarCheck } from "../checks.js";
import type { BenchCase } from "../harness.js";
import { FITS, FROM_CENTRES, matrixOf, S8, type Size, sizes, startCentres } from "./kmeans.js";
import { centreRows, custseg, firstRows, flatten, inertiaOf, oursLloyd, rowsOf } from "./peer-inputs.js";

/** f64 on both sides, so only the order of additions differs. */
const F64_TOLERANCE = 1e-9;

type Library = "ml-kmeans" | "skmeans";
const LIBRARIES: Library[] = ["ml-kmeans", "skmeans"];

/** One library fit: from `start` (k row arrays) or the library's own seeding, at most maxIter iterations. */
function fit(lib: Library, rows: number[][], k: number, start: number[][] | "random" | "k-means++", maxIter: number, seed: number): number[][] {
  if (lib === "ml-kmeans") {
    const initialization = typeof start === "string" ? (start === "random" ? "random" : "kmeans++") : start;
    // tolerance 0 with given centres: stop only when no centre moves, as custseg with tol 0 does.
    return mlKmeans(rows, k, { initialization, maxIterations: maxIter, seed, ...(typeof start === "string" ? {} : { tolerance: 0 }) }).centroids;
  }
  const initial = typeof start === "string" ? (start === "random" ? "kmrand" : "kmpp") : start;
  return skmeans(rows, k, initial, maxIter).centroids;
}

/** The inertia custseg's wasm-simd fit reaches on `m`, computed as for the peers. */
async function oursInertia(m: Matrix, options: KMeansOptions): Promise<{ inertia: number; fitted: number }> {
  const e = await custseg();
  const x = e.upload(m);
  try {
    const r = e.kmeans(x, options);
    return { inertia: inertiaOf(rowsOf(m), centreRows(r.centers, m.cols)), fitted: r.inertia };
  } finally {
    x.free();
  }
}

/** Best of nInit library runs by inertia, as custseg's fit keeps its best run. */
function bestOf(lib: Library, rows: number[][], options: KMeansOptions): number {
  let best = Number.POSITIVE_INFINITY;
  const init = options.init === "random" ? "random" : "k-means++";
  for (let r = 0; r < (options.nInit ?? 10); r++) {
    best = Math.min(best, inertiaOf(rows, fit(lib, rows, options.k, init, options.maxIter ?? 300, (options.seed ?? 0) + r)));
  }
  return best;
}

/**
 * `all`: also the slow cases (seconds per call): 1,000,000 rows, the 100,000-row nInit fit and the
 * k = 8 fits of 50 runs.
 */
export function peerKmeansCases(all: boolean): BenchCase[] {
  const cases: BenchCase[] = [];
  const k8 = 8;
  for (const size of (all ? ["M", "L", "R"] : ["M", "R"]) as Size[]) {
    for (const lib of LIBRARIES) {
      let rows: number[][];
      let start: Float64Array;
      cases.push({
        kernel: "lloyd iteration k=8",
        size: sizes[size].label,
        impl: lib,
        setup: () => {
          rows = rowsOf(matrixOf(size));
          start = firstRows(matrixOf(size), k8);
        },
        fn: () => fit(lib, rows, k8, centreRows(start, matrixOf(size).cols), 1, 0),
        check: async (centroids) => arrayCheck("centres", flatten(centroids as number[][]), await oursLloyd(matrixOf(size), k8), F64_TOLERANCE),
        ...(size === "L" ? { samples: 3 } : {}),
      });
    }
  }

  for (const size of FROM_CENTRES.sizes.filter((s) => all || s !== "L")) {
    for (const lib of LIBRARIES) {
      let rows: number[][];
      let start: Matrix;
      cases.push({
        kernel: FROM_CENTRES.kernel,
        size: sizes[size].label,
        impl: lib,
        setup: async () => {
          rows = rowsOf(matrixOf(size));
          start = await startCentres(size);
        },
        fn: () => fit(lib, rows, start.rows, centreRows(start.data, start.cols), FROM_CENTRES.maxIter, 0),
        check: async (centroids) => {
          const ours = await oursInertia(matrixOf(size), { k: start.rows, init: start, maxIter: FROM_CENTRES.maxIter, tol: 0 });
          return scalarCheck("inertia", inertiaOf(rows, centroids as number[][]), ours.inertia, F64_TOLERANCE);
        },
        ...(size === "M" || size === "L" ? { samples: 3 } : {}),
      });
    }
  }

  // The nInit fits: the library's own seeding, so only the best inertia can be set beside ours.
  const nInitFits: { kernel: string; label: string; input: () => Matrix; options: KMeansOptions }[] = [];
  for (const size of (all ? ["S", "R", "M"] : ["S", "R"]) as Size[]) {
    nInitFits.push({ kernel: "kmeans fit nInit 10", label: sizes[size].label, input: () => matrixOf(size), options: { k: sizes[size].k, nInit: 10, seed: 0 } });
  }
  for (const { name, options } of FITS.filter((f) => all || f.options.k !== 8)) {
    nInitFits.push({ kernel: name, label: options.k === 8 ? S8.label : sizes.S.label, input: options.k === 8 ? S8.input : () => matrixOf("S"), options });
    nInitFits.push({ kernel: name, label: sizes.R.label, input: () => matrixOf("R"), options });
  }
  for (const { kernel, label, input, options } of nInitFits) {
    for (const lib of LIBRARIES) {
      let m: Matrix;
      cases.push({
        kernel,
        size: label,
        impl: lib,
        setup: () => void (m = input()),
        fn: () => bestOf(lib, rowsOf(m), options),
        check: async (best) => scalarCheck("best inertia (own seeding)", best as number, (await oursInertia(m, options)).fitted),
        samples: 3,
      });
    }
  }
  return cases;
}
