// One fixed sequence of engine calls, run unchanged in Node (the test process) and in a browser
// (the compiled file, served to a page and its worker), so the two results can be compared as
// values. Imports the engine only: nothing from node:, nothing that needs a bundler.
import { loadEngine, type Matrix } from "../../src/engine/index.js";

/** A numeric CSV with a header row, parsed the same way on both sides. */
export function parseCsvMatrix(text: string): Matrix {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  const cols = lines[0]!.split(",").length;
  const rows = lines.length - 1;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const fields = lines[i + 1]!.split(",");
    if (fields.length !== cols) throw new Error(`CSV line ${i + 2}: ${fields.length} fields, expected ${cols}`);
    for (let j = 0; j < cols; j++) data[i * cols + j] = Number(fields[j]);
  }
  return { data, rows, cols };
}

/** The exact bits of doubles, as hex: equal strings mean bit-identical values (−0 and NaN included). */
export function f64Bits(values: number | ArrayLike<number>): string {
  const array = Float64Array.from(typeof values === "number" ? [values] : Array.from(values));
  return Array.from(new Uint8Array(array.buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface WorkloadResult {
  threads: number;
  flavour: string;
  given: { labels: number[]; inertia: number; inertiaBits: string; nIter: number; centersBits: string };
  plusPlus: { labels: number[]; inertia: number; inertiaBits: string; nIter: number; centersBits: string };
  silhouette: number;
  silhouetteBits: string;
  pca: { nComponents: number; componentsBits: string; varianceBits: string; meanBits: string; scoresBits: string };
}

/**
 * k-means from the given centres, k-means++ with 10 runs from seed 0, the silhouette of the
 * k-means++ labels and a 3-component PCA, on an engine with `threads` threads.
 */
export async function runWorkload(xCsv: string, initCsv: string, threads: number): Promise<WorkloadResult> {
  const x = parseCsvMatrix(xCsv);
  const init = parseCsvMatrix(initCsv);
  const engine = await loadEngine({ threads });
  const summary = (r: { labels: Int32Array; inertia: number; nIter: number; centers: Float64Array }) => ({
    labels: Array.from(r.labels),
    inertia: r.inertia,
    inertiaBits: f64Bits(r.inertia),
    nIter: r.nIter,
    centersBits: f64Bits(r.centers),
  });
  const given = engine.kmeans(x, { k: init.rows, init, maxIter: 300, tol: 1e-4 });
  const plusPlus = engine.kmeans(x, { k: init.rows, init: "k-means++", nInit: 10, seed: 0 });
  const silhouette = engine.silhouette(x, plusPlus.labels).score;
  const pca = engine.pca(x, { components: 3 });
  return {
    threads: engine.threads,
    flavour: engine.flavour,
    given: summary(given),
    plusPlus: summary(plusPlus),
    silhouette,
    silhouetteBits: f64Bits(silhouette),
    pca: {
      nComponents: pca.nComponents,
      componentsBits: f64Bits(pca.components.data),
      varianceBits: f64Bits(pca.explainedVariance),
      meanBits: f64Bits(pca.mean),
      scoresBits: f64Bits(pca.scores!.data),
    },
  };
}
