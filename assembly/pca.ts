// PCA kernels: the centred covariance in one pass over the data, and the projection onto the
// components. Each chunk kernel writes its own slot; the caller merges slots in chunk order, so
// results do not depend on how many threads ran the chunks.

import { zeroF64 } from "./util/rows";
import { chunkEnd, chunkStart, hsum } from "./simd";

/**
 * One chunk's column sums and centred co-moments: slot (d + d·d f64) = [Σx (d), M2 (d×d)], where
 * M2 = Σ (x − m_c)(x − m_c)ᵀ about the chunk's own mean m_c (upper triangle, a ≤ b, is what
 * covarianceMerge reads). Centring on the chunk mean keeps precision without a second pass.
 */
export function covarianceChunk(x: usize, n: i32, d: i32, partials: usize, chunkRows: i32, chunk: i32): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const rows = end - start;
  const rowBytes = (<usize>d) << 3;
  const slot = partials + ((<usize>chunk * <usize>(d + d * d)) << 3);
  const sum = slot;
  const m2 = slot + rowBytes;
  const xs = x + <usize>start * rowBytes;
  // Column sums of the chunk, then its mean (kept in the Σx slot only until M2 is done).
  zeroF64(slot, d + d * d);
  for (let i = 0; i < rows; i++) {
    const xi = xs + <usize>i * rowBytes;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 1 < d; j += 2) {
        const o = (<usize>j) << 3;
        v128.store(sum + o, f64x2.add(v128.load(sum + o), v128.load(xi + o)));
      }
    }
    for (; j < d; j++) {
      const o = (<usize>j) << 3;
      store<f64>(sum + o, load<f64>(sum + o) + load<f64>(xi + o));
    }
  }
  const inv = 1.0 / <f64>rows;
  for (let j = 0; j < d; j++) store<f64>(sum + ((<usize>j) << 3), load<f64>(sum + ((<usize>j) << 3)) * inv);
  const mean = sum;
  // Register tiles of C: rows (a, a+1) × columns (b … b+3), accumulated over the chunk's rows.
  // Tiles start at the multiple of 4 at or below a, so every tile is full width; the few entries
  // below the diagonal they also compute are ignored by the merge.
  for (let a = 0; a < d; a += 2) {
    const a1 = a + 1 < d ? a + 1 : a; // odd d: the last pair repeats row a (its result is dropped)
    const oa0 = (<usize>a) << 3;
    const oa1 = (<usize>a1) << 3;
    const ma0 = load<f64>(mean + oa0);
    const ma1 = load<f64>(mean + oa1);
    let b = a & ~3;
    if (ASC_FEATURE_SIMD) {
      const u0m = f64x2.splat(ma0);
      const u1m = f64x2.splat(ma1);
      for (; b + 3 < d; b += 4) {
        const ob = (<usize>b) << 3;
        const mb0 = v128.load(mean + ob);
        const mb1 = v128.load(mean + ob, 16);
        let c00 = f64x2.splat(0);
        let c01 = f64x2.splat(0);
        let c10 = f64x2.splat(0);
        let c11 = f64x2.splat(0);
        let xi = xs;
        for (let i = 0; i < rows; i++) {
          const u0 = f64x2.sub(v128.load64_splat(xi + oa0), u0m);
          const u1 = f64x2.sub(v128.load64_splat(xi + oa1), u1m);
          const v0 = f64x2.sub(v128.load(xi + ob), mb0);
          const v1 = f64x2.sub(v128.load(xi + ob, 16), mb1);
          c00 = f64x2.add(c00, f64x2.mul(u0, v0));
          c01 = f64x2.add(c01, f64x2.mul(u0, v1));
          c10 = f64x2.add(c10, f64x2.mul(u1, v0));
          c11 = f64x2.add(c11, f64x2.mul(u1, v1));
          xi += rowBytes;
        }
        const r0 = m2 + <usize>a * rowBytes + ob;
        v128.store(r0, c00);
        v128.store(r0, c01, 16);
        if (a1 != a) {
          v128.store(r0 + rowBytes, c10);
          v128.store(r0 + rowBytes, c11, 16);
        }
      }
      for (; b + 1 < d; b += 2) {
        const ob = (<usize>b) << 3;
        const mb0 = v128.load(mean + ob);
        let c00 = f64x2.splat(0);
        let c10 = f64x2.splat(0);
        let xi = xs;
        for (let i = 0; i < rows; i++) {
          const v0 = f64x2.sub(v128.load(xi + ob), mb0);
          c00 = f64x2.add(c00, f64x2.mul(f64x2.sub(v128.load64_splat(xi + oa0), u0m), v0));
          c10 = f64x2.add(c10, f64x2.mul(f64x2.sub(v128.load64_splat(xi + oa1), u1m), v0));
          xi += rowBytes;
        }
        const r0 = m2 + <usize>a * rowBytes + ob;
        v128.store(r0, c00);
        if (a1 != a) v128.store(r0 + rowBytes, c10);
      }
    }
    for (; b < d; b++) {
      const ob = (<usize>b) << 3;
      const mb = load<f64>(mean + ob);
      let c0: f64 = 0;
      let c1: f64 = 0;
      let xi = xs;
      for (let i = 0; i < rows; i++) {
        const v = load<f64>(xi + ob) - mb;
        c0 += (load<f64>(xi + oa0) - ma0) * v;
        c1 += (load<f64>(xi + oa1) - ma1) * v;
        xi += rowBytes;
      }
      store<f64>(m2 + <usize>a * rowBytes + ob, c0);
      if (a1 != a) store<f64>(m2 + <usize>a1 * rowBytes + ob, c1);
    }
  }
  // Back from the mean to the sum, which is what the merge needs.
  for (let j = 0; j < d; j++) store<f64>(sum + ((<usize>j) << 3), load<f64>(sum + ((<usize>j) << 3)) * <f64>rows);
}

/**
 * Merge the chunk slots in chunk order: mean = Σx / n and the covariance (ddof = 1, full d×d)
 * = (Σ_c M2_c + n_c (m_c − m)(m_c − m)ᵀ) / (n − 1), the pairwise update of Chan, Golub & LeVeque.
 */
export function covarianceMerge(partials: usize, nChunks: i32, n: i32, d: i32, chunkRows: i32, mean: usize, cov: usize): void {
  const rowBytes = (<usize>d) << 3;
  const slotBytes = (<usize>(d + d * d)) << 3;
  zeroF64(mean, d);
  zeroF64(cov, d * d);
  for (let c = 0; c < nChunks; c++) {
    const sum = partials + <usize>c * slotBytes;
    for (let j = 0; j < d; j++) {
      const o = (<usize>j) << 3;
      store<f64>(mean + o, load<f64>(mean + o) + load<f64>(sum + o));
    }
  }
  const invN = 1.0 / <f64>n;
  for (let j = 0; j < d; j++) store<f64>(mean + ((<usize>j) << 3), load<f64>(mean + ((<usize>j) << 3)) * invN);
  for (let c = 0; c < nChunks; c++) {
    const rows = <f64>(min(chunkRows, n - c * chunkRows));
    const sum = partials + <usize>c * slotBytes;
    const m2 = sum + rowBytes;
    for (let a = 0; a < d; a++) {
      const da = load<f64>(sum + ((<usize>a) << 3)) / rows - load<f64>(mean + ((<usize>a) << 3));
      for (let b = a; b < d; b++) {
        const db = load<f64>(sum + ((<usize>b) << 3)) / rows - load<f64>(mean + ((<usize>b) << 3));
        const o = <usize>a * rowBytes + ((<usize>b) << 3);
        store<f64>(cov + o, load<f64>(cov + o) + load<f64>(m2 + o) + rows * da * db);
      }
    }
  }
  const inv = 1.0 / <f64>(n - 1);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = load<f64>(cov + <usize>a * rowBytes + ((<usize>b) << 3)) * inv;
      store<f64>(cov + <usize>a * rowBytes + ((<usize>b) << 3), v);
      store<f64>(cov + <usize>b * rowBytes + ((<usize>a) << 3), v);
    }
  }
}

/**
 * out[i, c] = (X[i] − mean) · W[c] for the chunk's rows (W: p×d, out: n×p; out = 0 stores
 * nothing), and the chunk's out[·, c] of largest magnitude (the first on a tie) into
 * best[chunk·p + c], for the sign rule.
 */
export function projectChunk(
  x: usize, n: i32, d: i32, mean: usize, w: usize, p: i32, out: usize, best: usize, chunkRows: i32, chunk: i32,
): void {
  const start = chunkStart(chunk, chunkRows);
  const end = chunkEnd(chunk, chunkRows, n);
  const rowBytes = (<usize>d) << 3;
  const outRow = (<usize>p) << 3;
  const slot = best + ((<usize>chunk * <usize>p) << 3);
  zeroF64(slot, p);
  for (let i = start; i < end; i++) {
    const xi = x + <usize>i * rowBytes;
    const oi = out + <usize>i * outRow;
    let c = 0;
    // Four (then two, then one) components per pass share each centred load of the row.
    for (; c + 3 < p; c += 4) {
      const w0 = w + <usize>c * rowBytes;
      const w1 = w0 + rowBytes;
      const w2 = w1 + rowBytes;
      const w3 = w2 + rowBytes;
      let s0: f64 = 0;
      let s1: f64 = 0;
      let s2: f64 = 0;
      let s3: f64 = 0;
      let j = 0;
      if (ASC_FEATURE_SIMD) {
        let acc0 = f64x2.splat(0);
        let acc1 = f64x2.splat(0);
        let acc2 = f64x2.splat(0);
        let acc3 = f64x2.splat(0);
        for (; j + 1 < d; j += 2) {
          const o = (<usize>j) << 3;
          const t = f64x2.sub(v128.load(xi + o), v128.load(mean + o));
          acc0 = f64x2.add(acc0, f64x2.mul(t, v128.load(w0 + o)));
          acc1 = f64x2.add(acc1, f64x2.mul(t, v128.load(w1 + o)));
          acc2 = f64x2.add(acc2, f64x2.mul(t, v128.load(w2 + o)));
          acc3 = f64x2.add(acc3, f64x2.mul(t, v128.load(w3 + o)));
        }
        s0 = hsum(acc0);
        s1 = hsum(acc1);
        s2 = hsum(acc2);
        s3 = hsum(acc3);
      }
      for (; j < d; j++) {
        const o = (<usize>j) << 3;
        const t = load<f64>(xi + o) - load<f64>(mean + o);
        s0 += t * load<f64>(w0 + o);
        s1 += t * load<f64>(w1 + o);
        s2 += t * load<f64>(w2 + o);
        s3 += t * load<f64>(w3 + o);
      }
      if (out) {
        store<f64>(oi + ((<usize>c) << 3), s0);
        store<f64>(oi + ((<usize>c) << 3), s1, 8);
        store<f64>(oi + ((<usize>c) << 3), s2, 16);
        store<f64>(oi + ((<usize>c) << 3), s3, 24);
      }
      track(slot, c, s0);
      track(slot, c + 1, s1);
      track(slot, c + 2, s2);
      track(slot, c + 3, s3);
    }
    if (c + 1 < p) {
      const w0 = w + <usize>c * rowBytes;
      const w1 = w0 + rowBytes;
      let s0: f64 = 0;
      let s1: f64 = 0;
      let j = 0;
      if (ASC_FEATURE_SIMD) {
        let acc0 = f64x2.splat(0);
        let acc1 = f64x2.splat(0);
        for (; j + 1 < d; j += 2) {
          const o = (<usize>j) << 3;
          const t = f64x2.sub(v128.load(xi + o), v128.load(mean + o));
          acc0 = f64x2.add(acc0, f64x2.mul(t, v128.load(w0 + o)));
          acc1 = f64x2.add(acc1, f64x2.mul(t, v128.load(w1 + o)));
        }
        s0 = hsum(acc0);
        s1 = hsum(acc1);
      }
      for (; j < d; j++) {
        const o = (<usize>j) << 3;
        const t = load<f64>(xi + o) - load<f64>(mean + o);
        s0 += t * load<f64>(w0 + o);
        s1 += t * load<f64>(w1 + o);
      }
      if (out) {
        store<f64>(oi + ((<usize>c) << 3), s0);
        store<f64>(oi + ((<usize>c) << 3), s1, 8);
      }
      track(slot, c, s0);
      track(slot, c + 1, s1);
      c += 2;
    }
    if (c < p) {
      const w0 = w + <usize>c * rowBytes;
      let s0: f64 = 0;
      let j = 0;
      if (ASC_FEATURE_SIMD) {
        let acc0 = f64x2.splat(0);
        for (; j + 1 < d; j += 2) {
          const o = (<usize>j) << 3;
          acc0 = f64x2.add(acc0, f64x2.mul(f64x2.sub(v128.load(xi + o), v128.load(mean + o)), v128.load(w0 + o)));
        }
        s0 = hsum(acc0);
      }
      for (; j < d; j++) {
        const o = (<usize>j) << 3;
        s0 += (load<f64>(xi + o) - load<f64>(mean + o)) * load<f64>(w0 + o);
      }
      if (out) store<f64>(oi + ((<usize>c) << 3), s0);
      track(slot, c, s0);
    }
  }
}

// @ts-ignore: decorator
@inline
function track(slot: usize, c: i32, v: f64): void {
  const p = slot + ((<usize>c) << 3);
  if (abs<f64>(v) > abs<f64>(load<f64>(p))) store<f64>(p, v);
}

/** Multiply column c of the n×p matrix at m by signs[c] (±1), in place. */
export function scaleColumns(m: usize, n: i32, p: i32, signs: usize): void {
  const rowBytes = (<usize>p) << 3;
  for (let i = 0; i < n; i++) {
    const mi = m + <usize>i * rowBytes;
    for (let c = 0; c < p; c++) {
      const o = (<usize>c) << 3;
      store<f64>(mi + o, load<f64>(mi + o) * load<f64>(signs + o));
    }
  }
}
