import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertClose } from "../helpers/assert.js";
import { chiSquareContingency, chiSquareSf, ks2samp, psi, PSI_EPSILON, totalVariation, wasserstein1 } from "../../src/stats/index.js";
import { sharedFile, skipped } from "../helpers/shared.js";

interface Fixtures {
  ks: { name: string; a: number[]; b: number[]; method: "exact" | "asymp"; statistic: number; pvalue: number }[];
  wasserstein: { name: string; a: number[]; b: number[]; distance: number }[];
  chi2: { name: string; table: number[][]; chi2: number; pvalue: number; dof: number }[];
}

const path = sharedFile("reference/drift/fixtures.json", "the SciPy drift fixtures");
const fixtures: Fixtures | undefined = path ? JSON.parse(readFileSync(path, "utf8")) : undefined;

test("two-sample KS statistic and p-value match SciPy's ks_2samp, exact and asymptotic", () => {
  if (!fixtures) return skipped();
  for (const c of fixtures.ks) {
    const r = ks2samp(c.a, c.b, c.method);
    assert.is(r.method, c.method, c.name);
    assertClose(r.statistic, c.statistic, 1e-9, `${c.name} statistic`, "relative");
    assertClose(r.pvalue, c.pvalue, c.method === "exact" ? 1e-7 : 1e-9, `${c.name} p-value`, "relative");
  }
});

test("Wasserstein-1 distance matches SciPy's wasserstein_distance", () => {
  if (!fixtures) return skipped();
  for (const c of fixtures.wasserstein) assertClose(wasserstein1(c.a, c.b), c.distance, 1e-9, c.name, "relative");
});

test("chi-square test of a contingency table matches chi2_contingency without correction", () => {
  if (!fixtures) return skipped();
  for (const c of fixtures.chi2) {
    const r = chiSquareContingency(c.table);
    assert.is(r.dof, c.dof, c.name);
    assertClose(r.chi2, c.chi2, 1e-9, `${c.name} chi2`, "relative");
    assertClose(r.pvalue, c.pvalue, 1e-9, `${c.name} p-value`, "relative");
  }
});

test("chi-square survival function at known points", () => {
  // χ²₂ has sf exp(−x/2); χ²₁ at 3.841458820694124 is the 5 % point.
  assertClose(chiSquareSf(5, 2), Math.exp(-2.5), 1e-13, "dof 2", "relative");
  assertClose(chiSquareSf(3.841458820694124, 1), 0.05, 1e-9, "dof 1", "relative");
  assertClose(chiSquareSf(200, 7), 1.147781224014262e-39, 1e-9, "far tail keeps its relative accuracy", "relative");
});

test("KS on identical samples is 0 with p 1; on disjoint samples it is 1", () => {
  const a = [1, 2, 3, 4, 5];
  assert.equal(ks2samp(a, a), { statistic: 0, pvalue: 1, method: "exact" });
  const r = ks2samp([1, 2, 3], [10, 11, 12, 13]);
  assert.is(r.statistic, 1);
  // Only 2 of the C(7,3) = 35 orderings separate the samples completely.
  assertClose(r.pvalue, 2 / 35, 1e-12, "disjoint p", "relative");
});

test("PSI merges tied deciles, smooths empty bins and is 0 for the same sample", () => {
  const flag = Array.from({ length: 100 }, (_, i) => (i < 92 ? 1 : 0));
  const same = psi(flag, flag);
  assert.equal(same.edges, [1]);
  assert.is(same.psi, 0);
  const allUk = psi(flag, new Array(50).fill(1));
  assert.equal(allUk.current, [0, 1]);
  assertClose(allUk.psi, (PSI_EPSILON - 0.08) * Math.log(PSI_EPSILON / 0.08) + (1 - 0.92) * Math.log(1 / 0.92), 1e-12, "flag PSI", "relative");
  const ramp = Array.from({ length: 1000 }, (_, i) => i);
  const r = psi(ramp, ramp.map((v) => v + 500));
  assert.is(r.edges.length, 9);
  assert.ok(r.psi > 1, `shifted ramp PSI ${r.psi}`);
});

test("total variation distance of shares", () => {
  assert.is(totalVariation([50, 30, 20], [50, 30, 20]), 0);
  assertClose(totalVariation([5, 3, 2], [2, 3, 5]), 0.3, 1e-12, "tvd", "relative");
});

test.run();
