// Small dense symmetric eigenproblems for PCA. The O(n·d²) covariance and the O(n·d·p)
// projection run in WASM; what is left here is d×d (or smaller) and costs microseconds for the
// usual d, but O(d³) per sweep or iteration: a wide input makes it seconds, so the solvers are
// written as steps (see steps.ts) that yield about every JS_STEP_WORK multiply-adds.
import { Rng } from "./rng.js";
import { drain, STEP_WORK, type Steps } from "./steps.js";

/** Work between yields in plain TypeScript, which runs several times slower than the SIMD kernels. */
const JS_STEP_WORK = STEP_WORK >> 3;

/** Counts work and says when a step's worth has been done since the last yield. */
class WorkMeter {
  private done = 0;
  /** Record `work` units; true once a step's worth has accumulated (the count starts over). */
  add(work: number): boolean {
    this.done += work;
    if (this.done < JS_STEP_WORK) return false;
    this.done = 0;
    return true;
  }
}

const FULL_SPACE = 64;

export interface EigenPairs {
  /** Eigenvalues, descending. */
  readonly values: Float64Array;
  /** Eigenvectors as rows (vectors[r * dim + j]), in the order of `values`, each of unit length. */
  readonly vectors: Float64Array;
}

/**
 * All eigenpairs of the symmetric m×m matrix `a` (row-major; only read) by cyclic Jacobi rotations.
 * Jacobi is accurate to the last bits on every eigenvalue, large or small, which is why the
 * Rayleigh–Ritz step uses it.
 */
export function jacobiEigen(a: Float64Array, m: number): EigenPairs {
  return drain(jacobiSteps(a, m, new WorkMeter()));
}

/** jacobiEigen, yielding between rows of rotations once a step's worth of work is done. */
function* jacobiSteps(a: Float64Array, m: number, meter: WorkMeter): Steps<EigenPairs> {
  const s = Float64Array.from(a);
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < m; p++) {
      diag += s[p * m + p]! * s[p * m + p]!;
      for (let q = p + 1; q < m; q++) off += s[p * m + q]! * s[p * m + q]!;
    }
    if (off === 0 || off <= 1e-34 * diag) break;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = s[p * m + q]!;
        if (apq === 0) continue;
        const app = s[p * m + p]!;
        const aqq = s[q * m + q]!;
        // Rotation angle from Golub & Van Loan (Algorithm 8.4.1), the stable small-t root.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < m; k++) {
          const akp = s[k * m + p]!;
          const akq = s[k * m + q]!;
          s[k * m + p] = c * akp - sn * akq;
          s[k * m + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = s[p * m + k]!;
          const aqk = s[q * m + k]!;
          s[p * m + k] = c * apk - sn * aqk;
          s[q * m + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p]!;
          const vkq = v[k * m + q]!;
          v[k * m + p] = c * vkp - sn * vkq;
          v[k * m + q] = sn * vkp + c * vkq;
        }
      }
      if (meter.add(3 * m * (m - p))) yield;
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => s[j * m + j]! - s[i * m + i]! || i - j);
  const values = new Float64Array(m);
  const vectors = new Float64Array(m * m);
  order.forEach((col, r) => {
    values[r] = s[col * m + col]!;
    for (let k = 0; k < m; k++) vectors[r * m + k] = v[k * m + col]!;
  });
  return { values, vectors };
}

/**
 * The top p eigenpairs of the symmetric d×d matrix `c` by orthogonal (subspace) iteration with
 * Rayleigh–Ritz. The block carries guard vectors beyond p so that convergence depends on the gap
 * to the first eigenvalue outside the block, and stops when the top-p Ritz values and vectors no
 * longer change at 1e-15 relative. When the block spans the whole space, one Rayleigh–Ritz step is
 * exact.
 */
export function topEigenpairs(c: Float64Array, d: number, p: number, seed = 0, maxIter = 1000): EigenPairs {
  return drain(topEigenpairsSteps(c, d, p, seed, maxIter));
}

/** topEigenpairs as steps: the same operations in the same order, with yields between rows. */
export function* topEigenpairsSteps(c: Float64Array, d: number, p: number, seed = 0, maxIter = 1000): Steps<EigenPairs> {
  const meter = new WorkMeter();
  // Up to FULL_SPACE columns the block is the whole space: one exact Rayleigh–Ritz step, immune to
  // clustered eigenvalues, and still only microseconds of Jacobi.
  const b = d <= FULL_SPACE ? d : Math.min(d, Math.max(2 * p, p + 8));
  let q: Float64Array = new Float64Array(b * d); // block as rows
  if (b === d) {
    for (let i = 0; i < d; i++) q[i * d + i] = 1;
  } else {
    const rng = new Rng(seed);
    for (let i = 0; i < q.length; i++) q[i] = rng.nextFloat() - 0.5;
    yield* orthonormalizeRows(q, b, d, rng, meter);
  }
  let prev: EigenPairs | undefined;
  for (let iter = 0; iter < maxIter; iter++) {
    const cq = yield* multiplyRows(q, b, c, d, meter); // rows of Q·C = (C·Qᵀ)ᵀ since C is symmetric
    const h = new Float64Array(b * b);
    for (let i = 0; i < b; i++) {
      for (let j = i; j < b; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += q[i * d + k]! * cq[j * d + k]!;
        h[i * b + j] = s;
        h[j * b + i] = s;
      }
      if (meter.add((b - i) * d)) yield;
    }
    const ritz = yield* jacobiSteps(h, b, meter);
    // Ritz vectors W·Q, signed so that their largest entry is positive, to compare across steps.
    const x = new Float64Array(b * d);
    for (let r = 0; r < b; r++) {
      for (let i = 0; i < b; i++) {
        const w = ritz.vectors[r * b + i]!;
        if (w !== 0) for (let k = 0; k < d; k++) x[r * d + k]! += w * q[i * d + k]!;
      }
      orientRow(x, r, d);
      if (meter.add(b * d)) yield;
    }
    const current = { values: ritz.values, vectors: x };
    if (b === d || (prev && converged(prev, current, p, d))) return truncate(current, p, d);
    prev = current;
    // Next block: orthonormalised C·(Ritz vectors).
    q = yield* multiplyRows(x, b, c, d, meter);
    yield* orthonormalizeRows(q, b, d, new Rng(seed + iter + 1), meter);
  }
  if (!prev) throw new RangeError("eigen solver did not run");
  return truncate(prev, p, d);
}

function truncate(e: EigenPairs, p: number, d: number): EigenPairs {
  return { values: e.values.slice(0, p), vectors: e.vectors.slice(0, p * d) };
}

function converged(a: EigenPairs, b: EigenPairs, p: number, d: number): boolean {
  const scale = Math.abs(a.values[0]!) || 1;
  for (let r = 0; r < p; r++) {
    if (Math.abs(a.values[r]! - b.values[r]!) > 1e-15 * scale) return false;
    for (let k = 0; k < d; k++) if (Math.abs(a.vectors[r * d + k]! - b.vectors[r * d + k]!) > 1e-15) return false;
  }
  return true;
}

/** rows (m×d) · c (d×d, symmetric) → m×d. */
function* multiplyRows(rows: Float64Array, m: number, c: Float64Array, d: number, meter: WorkMeter): Steps<Float64Array> {
  const out = new Float64Array(m * d);
  for (let r = 0; r < m; r++) {
    for (let k = 0; k < d; k++) {
      const v = rows[r * d + k]!;
      if (v !== 0) for (let j = 0; j < d; j++) out[r * d + j]! += v * c[k * d + j]!;
    }
    if (meter.add(d * d)) yield;
  }
  return out;
}

/** Modified Gram–Schmidt, twice for orthogonality to working precision; a collapsed row is replaced by a random one. */
function* orthonormalizeRows(q: Float64Array, m: number, d: number, rng: Rng, meter: WorkMeter): Steps<void> {
  for (let r = 0; r < m; r++) {
    if (meter.add(4 * r * d)) yield;
    for (let attempt = 0; ; attempt++) {
      const before = rowNorm(q, r, d);
      for (let pass = 0; pass < 2; pass++) {
        for (let s = 0; s < r; s++) {
          let dot = 0;
          for (let k = 0; k < d; k++) dot += q[r * d + k]! * q[s * d + k]!;
          for (let k = 0; k < d; k++) q[r * d + k]! -= dot * q[s * d + k]!;
        }
      }
      const norm = rowNorm(q, r, d);
      if (norm > 1e-10 * before && norm > 0) {
        for (let k = 0; k < d; k++) q[r * d + k]! /= norm;
        break;
      }
      if (attempt > 10) throw new RangeError("could not complete an orthonormal basis");
      for (let k = 0; k < d; k++) q[r * d + k] = rng.nextFloat() - 0.5;
    }
  }
}

function rowNorm(q: Float64Array, r: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += q[r * d + k]! * q[r * d + k]!;
  return Math.sqrt(s);
}

function orientRow(x: Float64Array, r: number, d: number): void {
  let best = 0;
  for (let k = 1; k < d; k++) if (Math.abs(x[r * d + k]!) > Math.abs(x[r * d + best]!)) best = k;
  if (x[r * d + best]! < 0) for (let k = 0; k < d; k++) x[r * d + k] = -x[r * d + k]!;
}
