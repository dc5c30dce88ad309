// Pearson's chi-square test of independence on a contingency table, as SciPy's
// chi2_contingency(table, correction=False): expected counts from the margins, dof (r-1)(c-1).
import { chiSquareSf } from "./gamma.js";

export interface ChiSquareResult {
  chi2: number;
  pvalue: number;
  dof: number;
}

/** `table[r][c]` of non-negative counts; rows or columns that are all zero make the test undefined. */
export function chiSquareContingency(table: readonly (readonly number[])[]): ChiSquareResult {
  const rows = table.length;
  const cols = rows ? table[0].length : 0;
  const rowSum = new Float64Array(rows);
  const colSum = new Float64Array(cols);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    if (table[r].length !== cols) throw new RangeError("contingency table rows differ in length");
    for (let c = 0; c < cols; c++) {
      const v = table[r][c];
      if (!(v >= 0)) throw new RangeError("contingency table counts must be non-negative");
      rowSum[r] += v;
      colSum[c] += v;
      total += v;
    }
  }
  const dof = Math.max(0, (rows - 1) * (cols - 1));
  // SciPy answers a table with one row or column with no evidence against independence.
  if (dof === 0) return { chi2: 0, pvalue: 1, dof };
  let chi2 = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const expected = (rowSum[r] * colSum[c]) / total;
      const diff = table[r][c] - expected;
      chi2 += (diff * diff) / expected;
    }
  }
  return { chi2, pvalue: chiSquareSf(chi2, dof), dof };
}
