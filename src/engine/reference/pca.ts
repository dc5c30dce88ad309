// Plain-TypeScript PCA: centred covariance, every eigenpair by Jacobi, keep the top p.
import { jacobiEigen } from "../eigen.js";
import type { Matrix } from "../matrix.js";
import {
  componentsForVariance,
  orientComponents,
  type PcaFit,
  type PcaModel,
  type PcaOptions,
  requestedComponents,
} from "../pca-model.js";

export function pcaFit(x: Matrix, opts: PcaOptions): PcaFit {
  const { data, rows: n, cols: d } = x;
  const requested = requestedComponents(opts, n, d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const ca = data[i * d + a]! - mean[a]!;
      for (let b = a; b < d; b++) cov[a * d + b]! += ca * (data[i * d + b]! - mean[b]!);
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b]! /= n - 1;
    trace += cov[a * d + a]!;
  }
  const eig = jacobiEigen(cov, d);
  const ratios = eig.values.map((v) => v / trace);
  const p = requested ?? componentsForVariance(ratios, opts.variance!);
  const components: Matrix = { data: eig.vectors.slice(0, p * d), rows: p, cols: d };
  const model: PcaModel = {
    nComponents: p,
    mean,
    components,
    explainedVariance: eig.values.slice(0, p),
    explainedVarianceRatio: ratios.slice(0, p),
  };
  const scores = pcaTransform(model, x);
  orientComponents(components, scores);
  return { ...model, scores };
}

/** (X − mean) · componentsᵀ. */
export function pcaTransform(model: PcaModel, x: Matrix): Matrix {
  const { data, rows: n, cols: d } = x;
  const { components, mean, nComponents: p } = model;
  if (d !== components.cols) throw new RangeError(`PCA was fitted on ${components.cols} columns, got ${d}`);
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < p; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (data[i * d + j]! - mean[j]!) * components.data[c * d + j]!;
      out[i * p + c] = s;
    }
  }
  return { data: out, rows: n, cols: p };
}
