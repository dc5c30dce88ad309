// PCA on WASM memory: the centred covariance (one chunked pass, chunk-order merge), the top
// eigenpairs of the small d×d matrix by orthogonal iteration with Rayleigh–Ritz (eigen.ts), then
// the projection of the fitted rows, which also decides each component's sign.
import { CHUNK_ROWS, chunkCount, type EngineContext, forEachChunkSteps, type ResidentMatrix } from "./context.js";
import { topEigenpairsSteps } from "./eigen.js";
import type { Matrix } from "./matrix.js";
import { componentsForVariance, type PcaFit, type PcaModel, type PcaOptions, requestedComponents } from "./pca-model.js";
import { drain, type Steps } from "./steps.js";
import { checkFiniteResident } from "./validate.js";

export type { PcaFit, PcaModel, PcaOptions } from "./pca-model.js";

export function pcaFit(ctx: EngineContext, x: ResidentMatrix, opts: PcaOptions): PcaFit {
  return drain(pcaFitSteps(ctx, x, opts));
}

/** The PCA fit, yielding between groups of chunks and inside the eigensolver (see steps.ts). */
export function* pcaFitSteps(ctx: EngineContext, x: ResidentMatrix, opts: PcaOptions): Steps<PcaFit> {
  const { rows: n, cols: d } = x;
  const requested = requestedComponents(opts, n, d);
  const { arena, kernels } = ctx;
  const chunks = chunkCount(n);
  const mark = arena.mark();
  let mean: Float64Array;
  let cov: Float64Array;
  try {
    const partials = arena.alloc(chunks * (d + d * d) * 8);
    const meanPtr = arena.alloc(d * 8);
    const covPtr = arena.alloc(d * d * 8);
    yield* forEachChunkSteps(ctx, "covarianceChunk", [x.ptr, n, d, partials, CHUNK_ROWS], chunks, d * d);
    kernels.covarianceMerge(partials, chunks, n, d, CHUNK_ROWS, meanPtr, covPtr);
    mean = arena.f64(meanPtr, d).slice();
    cov = arena.f64(covPtr, d * d).slice();
  } finally {
    arena.release(mark);
  }
  // NaN or ±Inf anywhere in x reaches the sums; only then scan x to name the row and column.
  if (!cov.every(Number.isFinite) || !mean.every(Number.isFinite)) {
    checkFiniteResident(ctx, x);
    throw new RangeError("X: the covariance overflows; rescale the data");
  }
  let trace = 0;
  for (let j = 0; j < d; j++) trace += cov[j * d + j]!;
  // Every ratio would be 0/0: there are no directions to rank.
  if (trace === 0) throw new RangeError("every column of X is constant: there is no variance for PCA to explain");
  // A threshold needs the spectrum in order until it is reached: take all of it (d is small).
  const eig = yield* topEigenpairsSteps(cov, d, requested ?? Math.min(n, d));
  const ratios = eig.values.map((v) => v / trace);
  const p = requested ?? componentsForVariance(ratios, opts.variance!);
  const model: PcaModel = {
    nComponents: p,
    mean,
    components: { data: eig.vectors.slice(0, p * d), rows: p, cols: d },
    explainedVariance: eig.values.slice(0, p),
    explainedVarianceRatio: ratios.slice(0, p),
  };
  const scores = yield* project(ctx, model, x, true, opts.scores ?? true);
  return scores ? { ...model, scores } : model;
}

/** (X − mean) · componentsᵀ for new rows. */
export function pcaTransform(ctx: EngineContext, model: PcaModel, x: ResidentMatrix): Matrix {
  if (x.cols !== model.components.cols) {
    throw new RangeError(`the PCA was fitted on ${model.components.cols} columns, X has ${x.cols}`);
  }
  checkFiniteResident(ctx, x);
  return drain(project(ctx, model, x, false, true))!;
}

/**
 * Scores of x. With `orient`, first apply scikit-learn 1.2's sign rule to the model's components
 * (in place): each is flipped, with its scores, unless its largest-magnitude score (the first
 * such row on a tie) is positive. Without `keep` the scores are only used for the signs.
 */
function* project(
  ctx: EngineContext,
  model: PcaModel,
  x: ResidentMatrix,
  orient: boolean,
  keep: boolean,
): Steps<Matrix | undefined> {
  const { arena, kernels } = ctx;
  const { rows: n, cols: d } = x;
  const p = model.nComponents;
  const chunks = chunkCount(n);
  const mark = arena.mark();
  try {
    const meanPtr = arena.putF64(model.mean);
    const wPtr = arena.putF64(model.components.data);
    const outPtr = keep ? arena.alloc(n * p * 8) : 0;
    const bestPtr = arena.alloc(chunks * p * 8);
    yield* forEachChunkSteps(ctx, "projectChunk", [x.ptr, n, d, meanPtr, wPtr, p, outPtr, bestPtr, CHUNK_ROWS], chunks, d * p);
    if (orient) {
      const best = arena.f64(bestPtr, chunks * p);
      const signs = new Float64Array(p);
      let flip = false;
      for (let c = 0; c < p; c++) {
        // The first chunk holding the largest magnitude holds the first such row.
        let top = 0;
        for (let k = 0; k < chunks; k++) {
          const v = best[k * p + c]!;
          if (Math.abs(v) > Math.abs(top)) top = v;
        }
        signs[c] = top < 0 ? -1 : 1;
        if (signs[c]! < 0) {
          flip = true;
          for (let j = 0; j < d; j++) model.components.data[c * d + j] = -model.components.data[c * d + j]!;
        }
      }
      if (flip && keep) kernels.scaleColumns(outPtr, n, p, arena.putF64(signs));
    }
    return keep ? { data: arena.f64(outPtr, n * p).slice(), rows: n, cols: p } : undefined;
  } finally {
    arena.release(mark);
  }
}

