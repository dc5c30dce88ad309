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
  const { ids, rank } = rankIds(customer);
  const start = new Int32Array(ids.length + 1);
  for (let i = 0; i < n; i++) start[rank[i] + 1]++;
  for (let c = 0; c < ids.length; c++) start[c + 1] += start[c];
  const next = start.slice(0, ids.length);
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[next[rank[i]]++] = i;
  return { ids, start, rows };
}

/**
 * The distinct ids ascending, and each row's position among them. Customer ids are usually a dense
 * range (12346–18287 here), where a lookup array beats a Map several times over; sparse ids
 * fall back to the Map.
 */
function rankIds(customer: Int32Array): { ids: Int32Array; rank: Int32Array } {
  const n = customer.length;
  let min = 0;
  let max = -1;
  for (let i = 0; i < n; i++) {
    if (i === 0 || customer[i] < min) min = customer[i];
    if (i === 0 || customer[i] > max) max = customer[i];
  }
  const rank = new Int32Array(n);
  if (max - min <= 2 * n + 1024) {
    const slot = new Int32Array(max - min + 1).fill(-1);
    for (let i = 0; i < n; i++) slot[customer[i] - min] = 0;
    let m = 0;
    for (let v = 0; v < slot.length; v++) if (slot[v] === 0) slot[v] = m++;
    const ids = new Int32Array(m);
    for (let v = 0; v < slot.length; v++) if (slot[v] >= 0) ids[slot[v]] = v + min;
    for (let i = 0; i < n; i++) rank[i] = slot[customer[i] - min];
    return { ids, rank };
  }
  const rankOf = new Map<number, number>();
  for (let i = 0; i < n; i++) rankOf.set(customer[i], 0);
  const ids = Int32Array.from(rankOf.keys()).sort();
  for (let r = 0; r < ids.length; r++) rankOf.set(ids[r], r);
  for (let i = 0; i < n; i++) rank[i] = rankOf.get(customer[i]) as number;
  return { ids, rank };
}
