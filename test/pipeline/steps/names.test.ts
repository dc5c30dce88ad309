import { test } from "uvu";
import * as assert from "uvu/assert";
import { matrix } from "../../../src/engine/matrix.js";
import { UserError } from "../../../src/errors.js";
import { applyNames, type NamingProfile, parseSegmentNames, segmentName, segmentNames } from "../../../src/pipeline/steps/names.js";
import { clusterProfiles } from "../../../src/pipeline/steps/profiles.js";

const F = ["Days_Since_Last_Purchase", "Total_Transactions", "Total_Spend", "Is_UK", "Monthly_Spending_Std"];

/** A profile from standardised differences (recency, frequency, spend, UK, std) and medians. */
const profile = (z: number[], median: number[] = [30, 3, 500, 1, 50], traits: NamingProfile["traits"] = []): NamingProfile => ({ size: 10, z, median, traits });

test("names read recency, frequency and spend in that order of precedence", () => {
  assert.is(segmentName(F, profile([-0.8, 1.2, 1.5, 0, 0])), "High-value regulars");
  assert.is(segmentName(F, profile([1.1, -0.6, -0.5, 0, 0], [250, 1, 120, 1, 0])), "Lapsed one-time buyers");
  assert.is(segmentName(F, profile([1.1, -0.6, -0.5, 0, 0], [250, 2, 120, 1, 0])), "Lapsed occasional buyers");
  assert.is(segmentName(F, profile([0.9, 0, 0.7, 0, 0])), "Lapsed high-value buyers");
  assert.is(segmentName(F, profile([0, -0.5, -0.4, 0, 0])), "Low-value occasional buyers");
  assert.is(segmentName(F, profile([-0.6, 0, 0, 0, 0])), "Recent buyers");
  assert.is(segmentName(F, profile([0, 0, 0.4, 0, 0])), "High-value customers");
});

test("a cluster average on recency, frequency and spend is named by its strongest described trait", () => {
  assert.is(segmentName(F, profile([0.1, 0.1, -0.1, -2, 0], undefined, [{ feature: "Is_UK", z: -2 }])), "International customers");
  assert.is(segmentName(F, profile([0.1, 0.1, -0.1, 0, 0])), "Average customers");
  assert.is(segmentName(F, { size: 0, z: [0, 0, 0, 0, 0], median: [], traits: [] }), "Empty segment");
});

test("differences under the threshold do not name a cluster", () => {
  assert.is(segmentName(F, profile([0.2, 0.24, -0.2, 0, 0])), "Average customers");
});

test("two clusters with one derived name are told apart by their number", () => {
  const p = profile([-0.8, 1.2, 1.5, 0, 0]);
  assert.equal(segmentNames(F, [p, p, profile([0, 0, 0, 0, 0])]), ["High-value regulars (0)", "High-value regulars (1)", "Average customers"]);
});

test("one-month customers: a median monthly spend std of 0 is neither described nor named as steady spend", () => {
  // Cluster 0: one purchase in one month each (Monthly_Spending_Std 0 by construction), long ago.
  // Cluster 1: twenty invoices over many months, recent, high spend, varying month to month.
  const rows: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 30; i++) {
    rows.push(280 + i, 1, 90 + i, 1, 0);
    labels.push(0);
  }
  for (let i = 0; i < 20; i++) {
    rows.push(5 + i, 18 + (i % 5), 4000 + 50 * i, 1, 600 + 10 * i);
    labels.push(1);
  }
  const p = clusterProfiles(F, matrix(Float64Array.from(rows), labels.length, F.length), Int32Array.from(labels));
  const lapsed = p.clusters[0]!;
  assert.is(lapsed.median[4], 0);
  assert.ok(lapsed.z[4] < -0.25, "the std sits well below the mean, so without the rule it would read as a trait");
  assert.not.ok(lapsed.description.includes("steady"), lapsed.description);
  assert.not.ok(lapsed.traits.some((t) => t.feature === "Monthly_Spending_Std"), JSON.stringify(lapsed.traits));
  assert.is(lapsed.name, "Lapsed one-time buyers");
  assert.is(p.clusters[1]!.name, "High-value regulars");
  // Where the median customer has several months, a low std is a real trait again.
  const steady = clusterProfiles(
    ["Monthly_Spending_Std"],
    matrix(Float64Array.from([10, 12, 11, 13, 900, 950, 1000, 980]), 8, 1),
    Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]),
  );
  assert.is(steady.clusters[0]!.description, "steady monthly spend");
});

const fails = (fn: () => unknown, pattern: RegExp) => {
  try {
    fn();
  } catch (err) {
    assert.instance(err, UserError);
    const message = (err as Error).message;
    assert.not.ok(message.includes("\n"), "one line");
    assert.match(message, pattern);
    return;
  }
  assert.unreachable("expected a UserError");
};

test("one-invoice customers: days to the end of the data are not described as long gaps between purchases", () => {
  const features = ["Total_Transactions", "Average_Days_Between_Purchases"];
  const rows: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 10; i++) {
    rows.push(1, 250 + i);
    labels.push(0);
  }
  for (let i = 0; i < 10; i++) {
    rows.push(8 + (i % 3), 20 + i);
    labels.push(1);
  }
  const p = clusterProfiles(features, matrix(Float64Array.from(rows), 20, 2), Int32Array.from(labels));
  // The gap sits further from the mean than the invoice count, yet the count speaks for the theme.
  assert.ok(p.clusters[0]!.z[1]! > 0.25, "a long mean gap that would otherwise be a trait");
  assert.is(p.clusters[0]!.description, "occasional buyers");
  assert.is(p.clusters[1]!.description, "short gaps between purchases", "with two or more invoices the gap is a trait");
});

test("a names file: cluster numbers to names, each error one line naming the file and key", () => {
  assert.equal([...parseSegmentNames('{"0": " Loyal ", "2": "Lost"}', 3, "n.json")], [
    [0, "Loyal"],
    [2, "Lost"],
  ]);
  fails(() => parseSegmentNames("{", 3, "n.json"), /^n\.json: not valid JSON/);
  fails(() => parseSegmentNames('["a"]', 3, "n.json"), /^n\.json: expected an object/);
  fails(() => parseSegmentNames('{"3": "x"}', 3, "n.json"), /^n\.json: key "3": not a cluster number \(0\.\.2\)/);
  fails(() => parseSegmentNames('{"01": "x"}', 3, "n.json"), /key "01": not a cluster number/);
  fails(() => parseSegmentNames('{"0": 5}', 3, "n.json"), /key "0": the name must be a string/);
  fails(() => parseSegmentNames('{"0": "  "}', 3, "n.json"), /key "0": the name is empty/);
  fails(() => parseSegmentNames(`{"0": "${"x".repeat(61)}"}`, 3, "n.json"), /longer than 60/);
  fails(() => parseSegmentNames('{"0": "a\\nb"}', 3, "n.json"), /line break/);
});

test("given names replace derived ones; a clash between clusters is refused", () => {
  assert.equal(applyNames(["A", "B", "C"], new Map([[1, "Loyal"]]), "n.json"), ["A", "Loyal", "C"]);
  fails(() => applyNames(["A", "B", "C"], new Map([[1, "C"]]), "n.json"), /^n\.json: clusters 1 and 2 would both be named "C"/);
});

test.run();
