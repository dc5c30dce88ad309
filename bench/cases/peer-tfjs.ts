// TensorFlow.js on its WASM backend (tfjs-core + tfjs-backend-wasm 4.22) for what it can express:
// pairwise squared distances, one Lloyd iteration (argmin, then one-hot matrix products for the
// sums and counts) and the covariance of PCA. It computes in float32 only, so its checks allow
// float32 rounding; it runs on one thread, as the custseg column it is compared with. The inputs
// stay on the backend across samples, as custseg's stay in WASM memory; each sample reads its
// result back.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import { jacobiEigen } from "../../src/engine/eigen.js";
import type { Matrix } from "../../src/engine/index.js";
import { absoluteCheck, arrayCheck, type Check } from "../checks.js";
import type { BenchCase } from "../harness.js";
import { DISTANCES, matrixOf, type Size, sizes } from "./kmeans.js";
import { custseg, firstRows, oursLloyd } from "./peer-inputs.js";
import { PCA, type PcaSize, pcaInput } from "./stats.js";

export const TFJS = "tfjs-wasm (f32)";
/**
 * float32 against custseg's float64, relative to the largest value compared: float32 keeps 24
 * bits (6e-8), and sums over 10⁴–10⁶ rows lose a few more.
 */
const F32_TOLERANCE = 1e-4;

let ready: Promise<void> | undefined;
function tfjsReady(): Promise<void> {
  ready ??= (async () => {
    // In Node the backend does not find its .wasm files by itself.
    setWasmPaths(`${dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"))}/`);
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    if (!(await tf.setBackend("wasm"))) throw new Error("TensorFlow.js: the wasm backend did not start");
    await tf.ready();
  })();
  return ready;
}

const tensorOf = (m: Matrix) => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], "float32");

/** Runs `body`, reads its tensor back and frees everything it made. */
function readBack(body: () => tf.Tensor): Float32Array {
  const t = tf.tidy(body);
  try {
    return t.dataSync() as Float32Array;
  } finally {
    t.dispose();
  }
}

/** ‖x‖² + ‖y‖² − 2·x·yᵀ, clamped at 0 (the expansion loses a little below the rounding). */
function sqDistances(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor {
  const xx = tf.sum(tf.square(x), 1, true);
  const yy = tf.reshape(tf.sum(tf.square(y), 1), [1, -1]);
  return tf.relu(tf.sub(tf.add(xx, yy), tf.mul(2, tf.matMul(x, y, false, true))));
}

/** One Lloyd iteration: the nearest centre of every row, then each cluster's mean (an empty one keeps its centre). */
function lloydStep(x: tf.Tensor2D, centres: tf.Tensor2D): tf.Tensor {
  const k = centres.shape[0];
  // ‖x‖² is the same for every centre of a row, so ‖c‖² − 2·x·cᵀ ranks the centres.
  const scores = tf.sub(tf.reshape(tf.sum(tf.square(centres), 1), [1, -1]), tf.mul(2, tf.matMul(x, centres, false, true)));
  // oneHot's own dtype argument yields int32 bit patterns in a float32 tensor on this backend
  // (4.22); an int32 one-hot cast to float32 is right.
  const onehot = tf.cast(tf.oneHot(tf.argMin(scores, 1), k), "float32");
  const sums = tf.matMul(onehot, x, true, false);
  const counts = tf.reshape(tf.sum(onehot, 0), [-1, 1]);
  return tf.where(tf.greater(counts, 0), tf.div(sums, tf.maximum(counts, 1)), centres);
}

/** The centred covariance (ddof 1), read back for the eigendecomposition. */
function covariance(x: tf.Tensor2D): tf.Tensor {
  const centred = tf.sub(x, tf.mean(x, 0, true));
  return tf.div(tf.matMul(centred, centred, true, false), x.shape[0] - 1);
}

/** Explained-variance ratios of the top p axes from a d×d covariance read back from the backend. */
function varianceRatios(cov: Float32Array, d: number, p: number): Float64Array {
  const c = Float64Array.from(cov);
  let trace = 0;
  for (let j = 0; j < d; j++) trace += c[j * d + j]!;
  return jacobiEigen(c, d).values.slice(0, p).map((v) => v / trace);
}

/** A case whose inputs are uploaded once in setup and freed in teardown. */
function tensorCase(kernel: string, size: string, inputs: () => Matrix[], run: (t: tf.Tensor2D[]) => Float32Array, check: (out: Float32Array) => Promise<Check>, samples?: number): BenchCase {
  let tensors: tf.Tensor2D[] = [];
  return {
    kernel,
    size,
    impl: TFJS,
    setup: async () => {
      await tfjsReady();
      tensors = inputs().map(tensorOf);
    },
    fn: () => run(tensors),
    check: (out) => check(out as Float32Array),
    ...(samples ? { samples } : {}),
    teardown: () => {
      for (const t of tensors) t.dispose();
      tensors = [];
    },
  };
}

export function tfjsCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const input of DISTANCES.inputs) {
    cases.push(
      tensorCase(DISTANCES.kernel, input.label, () => [input.x(), input.y()], ([x, y]) => readBack(() => sqDistances(x!, y!)), async (out) => {
        const ours = (await custseg()).sqDistances(input.x(), input.y());
        return arrayCheck("distances", out, ours.data, F32_TOLERANCE);
      }),
    );
  }
  const k = 8;
  for (const size of ["M", "L", "R"] as Size[]) {
    const m = () => matrixOf(size);
    cases.push(
      tensorCase(
        "lloyd iteration k=8",
        sizes[size].label,
        () => [m(), { data: firstRows(m(), k), rows: k, cols: m().cols }],
        ([x, c]) => readBack(() => lloydStep(x!, c!)),
        async (out) => arrayCheck("centres", out, await oursLloyd(m(), k), F32_TOLERANCE),
        size === "L" ? 3 : undefined,
      ),
    );
  }
  for (const size of Object.keys(PCA.sizes) as PcaSize[]) {
    const m = () => pcaInput(size);
    const ratios = ([x]: tf.Tensor2D[]) => Float32Array.from(varianceRatios(readBack(() => covariance(x!)), m().cols, PCA.components));
    cases.push(
      tensorCase(PCA.kernel, PCA.sizes[size], () => [m()], ratios, async (out) => {
        const ours = (await custseg()).pca(m(), { components: PCA.components, scores: false });
        return absoluteCheck("explained-variance ratios", out, ours.explainedVarianceRatio, F32_TOLERANCE);
      }, size === "L" ? 3 : undefined),
    );
  }
  return cases;
}
