// Rows grouped by customer: a counting sort that keeps file order inside each customer, so every
// per-customer reduction can run over its own rows in the order the original summed them.

export interface CustomerRows {
  /** Distinct customer ids, ascending. */
  ids: Int32Array;
  /** Customer c owns rows[start[c]] .. rows[start[c + 1] - 1], in file order. */
  start: Int32Array;
  rows: Int32Array;
}

export function groupRowsByCustomer(customer: Int32Array): CustomerRows {
  const n = customer.length;
  if (n === 0) return { ids: new Int32Array(0), start: new Int32Array(1), rows: new Int32Array(0) };
  let min = customer[0]!;
  let max = min;
  for (let i = 1; i < n; i++) {
    const id = customer[i]!;
    if (id < min) min = id;
    else if (id > max) max = id;
  }
  return max - min <= 2 * n + 1024 ? groupDense(customer, min, max) : groupSparse(customer);
}

/**
 * Customer ids are usually a dense range (12346–18287 here): a count per id value, no Map and no
 * per-row rank; two passes over the rows after the range, one of them the counting sort's scatter.
 */
function groupDense(customer: Int32Array, min: number, max: number): CustomerRows {
  const n = customer.length;
  const span = max - min + 1;
  // next[v]: the position of id value min + v's next row; first its count. A customer's lines
  // mostly come in runs (an invoice's lines): counted, and later placed, in a local through a run.
  const next = new Int32Array(span);
  let v = customer[0]! - min;
  let run = 0;
  for (let i = 0; i < n; i++) {
    const w = customer[i]! - min;
    if (w !== v) {
      next[v]! += run;
      v = w;
      run = 0;
    }
    run++;
  }
  next[v]! += run;
  let m = 0;
  for (let u = 0; u < span; u++) if (next[u]! > 0) m++;
  const ids = new Int32Array(m);
  const start = new Int32Array(m + 1);
  let c = 0;
  let at = 0;
  for (let u = 0; u < span; u++) {
    const count = next[u]!;
    if (count === 0) continue;
    ids[c] = u + min;
    start[c++] = at;
    next[u] = at;
    at += count;
  }
  start[m] = n;
  const rows = new Int32Array(n);
  v = customer[0]! - min;
  let p = next[v]!;
  for (let i = 0; i < n; i++) {
    const w = customer[i]! - min;
    if (w !== v) {
      next[v] = p;
      v = w;
      p = next[w]!;
    }
    rows[p++] = i;
  }
  return { ids, start, rows };
}

/** Sparse ids: each row's rank among the distinct ids through a Map, then the counting sort. */
function groupSparse(customer: Int32Array): CustomerRows {
  const n = customer.length;
  const rankOf = new Map<number, number>();
  for (let i = 0; i < n; i++) rankOf.set(customer[i]!, 0);
  const ids = Int32Array.from(rankOf.keys()).sort();
  for (let r = 0; r < ids.length; r++) rankOf.set(ids[r]!, r);
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[i] = rankOf.get(customer[i]!) as number;
  const start = new Int32Array(ids.length + 1);
  for (let i = 0; i < n; i++) start[rank[i]! + 1]!++;
  for (let c = 0; c < ids.length; c++) start[c + 1]! += start[c]!;
  const next = start.slice(0, ids.length);
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[next[rank[i]!]!++] = i;
  return { ids, start, rows };
}
