// The promotion policy: its syntax, its presets and errors, and the decision table — better, worse
// and tied on each metric, and scores that are undefined.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OptionError } from "../../../src/errors.js";
import { decidePromotion, parsePolicy, POLICY_PRESETS, type PolicyScores } from "../../../src/pipeline/steps/retrain-policy.js";

const scores = (silhouette: number | null, davies_bouldin: number | null, calinski_harabasz: number | null): PolicyScores => ({ silhouette, davies_bouldin, calinski_harabasz });

test("the default preset: silhouette better by 0.01, Davies–Bouldin and Calinski–Harabasz no worse", () => {
  const p = parsePolicy("default");
  assert.is(p.text, "default");
  assert.equal(p.terms, [
    { metric: "silhouette", op: ">=", bound: 0.01 },
    { metric: "davies_bouldin", op: "<=", bound: 0 },
    { metric: "calinski_harabasz", op: ">=", bound: 0 },
  ]);
  assert.equal(parsePolicy(POLICY_PRESETS.default!).terms, p.terms);
});

test("conditions: any order, spaces, '-' for '_', exponents; presets in any case", () => {
  const p = parsePolicy(" calinski-harabasz > -5 , silhouette>=2e-2 ");
  assert.equal(p.terms, [
    { metric: "calinski_harabasz", op: ">", bound: -5 },
    { metric: "silhouette", op: ">=", bound: 0.02 },
  ]);
  assert.equal(parsePolicy("ALWAYS"), { text: "always", terms: [], never: false });
  assert.equal(parsePolicy("never"), { text: "never", terms: [], never: true });
});

test("a policy that cannot be read is an error on the policy option, quoting the condition", () => {
  const fails = (text: string, pattern: RegExp) => {
    try {
      parsePolicy(text);
    } catch (err) {
      assert.instance(err, OptionError);
      assert.is((err as OptionError).option, "policy");
      assert.match((err as Error).message, pattern);
      assert.not.match((err as Error).message, /\n/);
      return;
    }
    assert.unreachable(`${text} was accepted`);
  };
  fails("", /is empty/);
  fails("silhouette=>0.01", /condition "silhouette=>0.01" is not METRIC OP NUMBER/);
  fails("silhouette>=", /is not METRIC OP NUMBER/);
  fails("inertia<=0", /unknown metric "inertia"; use silhouette, davies_bouldin, calinski_harabasz/);
  fails("silhouette>=0,silhouette>=0.1", /names silhouette twice/);
  fails("silhouette>=0,", /condition "" is not/);
  fails(`silhouette>=${"1".repeat(300)}`, /longer than 200 characters \(".{60}"… \(312 characters\)\)$/);
});

test("decision table: each metric better, tied and worse", () => {
  const policy = parsePolicy("default");
  const production = scores(0.4, 1.2, 300);
  const cases: [PolicyScores, boolean, string][] = [
    [scores(0.42, 1.1, 310), true, "better on all three"],
    [scores(0.41, 1.2, 300), true, "silhouette better by exactly 0.01, ties on the others"],
    [scores(0.405, 1.1, 310), false, "silhouette better by less than 0.01"],
    [scores(0.4, 1.1, 310), false, "silhouette tied"],
    [scores(0.3, 1.1, 310), false, "silhouette worse"],
    [scores(0.45, 1.21, 310), false, "Davies–Bouldin worse (higher)"],
    [scores(0.45, 1.2, 310), true, "Davies–Bouldin tied"],
    [scores(0.45, 1.1, 299.9), false, "Calinski–Harabasz worse (lower)"],
    [scores(0.45, 1.1, 300), true, "Calinski–Harabasz tied"],
  ];
  for (const [candidate, promote, what] of cases) {
    const d = decidePromotion(policy, candidate, production);
    assert.is(d.promote, promote, `${what}: ${d.reason}`);
    assert.is(d.checks.length, 3);
  }
});

test("the reason names every condition when it holds, and the failing ones when it does not", () => {
  const policy = parsePolicy("default");
  const yes = decidePromotion(policy, scores(0.42, 1.1, 310), scores(0.4, 1.2, 300));
  assert.match(yes.reason, /^the candidate meets the policy: silhouette 0\.4200 vs 0\.4000 \(\+0\.0200, needs ≥ \+0\.0100\); davies_bouldin 1\.1000 vs 1\.2000 \(−0\.1000, needs ≤ \+0\); calinski_harabasz 310\.0 vs 300\.0 \(\+10\.0000, needs ≥ \+0\)$/);
  const no = decidePromotion(policy, scores(0.42, 1.3, 310), scores(0.4, 1.2, 300));
  assert.match(no.reason, /^the candidate falls short of the policy: davies_bouldin 1\.3000 vs 1\.2000 \(\+0\.1000, needs ≤ \+0\)$/);
});

test("strict bounds are not met by a tie; a tie within rounding meets a non-strict bound", () => {
  const strict = parsePolicy("silhouette>0");
  assert.is(decidePromotion(strict, scores(0.5, 1, 1), scores(0.5, 1, 1)).promote, false);
  assert.is(decidePromotion(parsePolicy("silhouette<0"), scores(0.5, 1, 1), scores(0.5, 1, 1)).promote, false);
  // 0.31 − 0.3 is 0.009999999999999953 in binary: still "better by 0.01".
  assert.is(decidePromotion(parsePolicy("silhouette>=0.01"), scores(0.31, 1, 1), scores(0.3, 1, 1)).promote, true);
});

test("undefined scores: a candidate without one never wins a condition, one against a production without one does", () => {
  const policy = parsePolicy("default");
  const noCandidate = decidePromotion(policy, scores(null, null, null), scores(0.4, 1.2, 300));
  assert.is(noCandidate.promote, false);
  assert.match(noCandidate.reason, /silhouette undefined for the candidate/);
  const noProduction = decidePromotion(policy, scores(0.2, 2, 50), scores(null, null, null));
  assert.is(noProduction.promote, true, noProduction.reason);
  assert.match(noProduction.reason, /undefined for the production/);
  assert.is(decidePromotion(policy, scores(Number.NaN, 1, 1), scores(0.1, 1, 1)).promote, false);
});

test("always and never decide without looking at the figures", () => {
  assert.is(decidePromotion(parsePolicy("always"), scores(0, 9, 0), scores(0.9, 0.1, 900)).promote, true);
  const never = decidePromotion(parsePolicy("never"), scores(0.9, 0.1, 900), scores(0, 9, 0));
  assert.is(never.promote, false);
  assert.match(never.reason, /never/);
});

test.run();
