// PCA step: fit every component once (d is small), then keep as many as the mode's rule says.
import { OptionError, UserError } from "../../errors.js";
import type { Engine } from "../../engine/engine.js";
import type { Matrix } from "../../engine/matrix.js";
import type { PcaFit } from "../../engine/pca-model.js";
import { componentsForVariance } from "../../engine/pca-model.js";
import type { Compat } from "../options.js";

export interface Reduced {
  /** The fit truncated to the kept components. */
  fit: PcaFit;
  /** n×p scores of the fitted rows on the kept components. */
  scores: Matrix;
  /** Explained variance ratio of every component, for the report. */
  allRatios: number[];
}

/**
 * Default: the smallest p whose cumulative explained-variance ratio reaches `variance` (≥).
 * Compat ("seed"): the original's loop — 1 + the smallest q in 2..7 whose cumulative ratio strictly
 * exceeds `variance`; where no q up to 7 does, the original fails, and so does this.
 */
export function chooseComponents(ratios: ArrayLike<number>, variance: number, compat: Compat): number {
  if (compat !== "seed") return componentsForVariance(Float64Array.from(ratios), variance);
  let cumulative = 0;
  for (let q = 1; q <= Math.min(7, ratios.length); q++) {
    cumulative += ratios[q - 1]!;
    if (q >= 2 && cumulative > variance && q + 1 <= ratios.length) return q + 1;
  }
  throw new OptionError(
    "variance",
    `${variance} is out of reach in seed compatibility: no PCA component count from 2 to 7 explains more than it ` +
      `(${ratios.length} features); the original pipeline fails here too. Lower it or use the default mode.`,
  );
}

/** Interruptible: the fit yields to the event loop between passes (see engine/steps.ts). */
export async function reduceDimensions(engine: Engine, x: Matrix, variance: number, compat: Compat, signal?: AbortSignal): Promise<Reduced> {
  if (!(variance > 0 && variance <= 1)) throw new OptionError("variance", `must be in (0, 1], got ${variance}`);
  // Zero total variance (the engine refuses it: every ratio would be 0/0) means the customers are
  // all alike and nothing can be segmented.
  const identical = () => new UserError(`PCA: the ${x.rows} customers have identical features (no variance); there is nothing to segment`);
  let full: PcaFit;
  try {
    full = await engine.pcaInterruptible(x, { components: Math.min(x.rows, x.cols) }, signal);
  } catch (err) {
    if (err instanceof RangeError && /every column of X is constant/.test(err.message)) throw identical();
    throw err;
  }
  if (!(full.explainedVariance.reduce((a, b) => a + b, 0) > 0)) throw identical();
  const p = chooseComponents(full.explainedVarianceRatio, variance, compat);
  const d = full.components.cols;
  const fit: PcaFit = {
    nComponents: p,
    mean: full.mean,
    components: { data: full.components.data.slice(0, p * d), rows: p, cols: d },
    explainedVariance: full.explainedVariance.slice(0, p),
    explainedVarianceRatio: full.explainedVarianceRatio.slice(0, p),
  };
  return { fit, scores: firstColumns(full.scores!, p), allRatios: [...full.explainedVarianceRatio] };
}

function firstColumns(m: Matrix, p: number): Matrix {
  const data = new Float64Array(m.rows * p);
  for (let i = 0; i < m.rows; i++) data.set(m.data.subarray(i * m.cols, i * m.cols + p), i * p);
  return { data, rows: m.rows, cols: p };
}
