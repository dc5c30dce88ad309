// What each principal component is made of: its weights on the features (the rows of the PCA's
// components, unit length over the scaled features), ranked by magnitude for the report.
import type { Matrix } from "../engine/matrix.js";

export interface Loading {
  /** index into the feature list */
  readonly feature: number;
  /** the component's weight on the feature; its sign says which way a higher score leans */
  readonly weight: number;
}

/** Each component's `top` features by |weight|, strongest first; equal magnitudes keep the feature order. */
export function strongestLoadings(components: Matrix, top: number): Loading[][] {
  const { rows: p, cols: d } = components;
  return Array.from({ length: p }, (_, c) => {
    const all = Array.from({ length: d }, (_, j) => ({ feature: j, weight: components.data[c * d + j]! }));
    all.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight) || a.feature - b.feature);
    return all.slice(0, Math.min(top, d));
  });
}

/**
 * The `top` features with the longest arrows on the plane of components `a` and `b` (the length of
 * (weight on a, weight on b)): the features that plane shows best.
 */
export function strongestOnPlane(components: Matrix, a: number, b: number, top: number): Loading[] {
  const d = components.cols;
  const length = (j: number) => Math.hypot(components.data[a * d + j]!, components.data[b * d + j]!);
  return Array.from({ length: d }, (_, j) => j)
    .sort((i, j) => length(j) - length(i) || i - j)
    .slice(0, Math.min(top, d))
    .map((j) => ({ feature: j, weight: length(j) }));
}
