import { test } from "uvu";
import * as assert from "uvu/assert";
import { evenSample } from "../../src/report/charts/scatter.js";
import { diverging, esc, extent, fmt, fmtAuto, linear, niceDomain, niceTicks, pct } from "../../src/report/svg.js";

test("esc escapes the five HTML-special characters", () => {
  assert.is(esc(`<a href="x">Tom & 'Jerry'</a>`), "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  assert.is(esc("plain"), "plain");
});

test("fmt groups thousands, trims zeros and marks missing values", () => {
  assert.is(fmt(541909), "541,909");
  assert.is(fmt(-135080), "-135,080");
  assert.is(fmt(1066.2698, 2), "1,066.27");
  assert.is(fmt(0.5, 3), "0.5");
  assert.is(fmt(-0.0001, 2), "0");
  assert.is(fmt(1234567.891, 1), "1,234,567.9");
  assert.is(fmt(Number.NaN), "–");
  assert.is(fmt(Number.POSITIVE_INFINITY), "–");
  assert.is(fmtAuto(12345.6), "12,346");
  assert.is(fmtAuto(123.45), "123.5");
  assert.is(fmtAuto(1.2345), "1.23");
  assert.is(fmtAuto(0.012345), "0.012");
  assert.is(pct(0.4213), "42.1%");
});

test("niceTicks are round and cover the range", () => {
  assert.equal(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.equal(niceTicks(0, 2000, 5), [0, 500, 1000, 1500, 2000]);
  assert.equal(niceTicks(-6, 8, 8), [-6, -4, -2, 0, 2, 4, 6, 8]);
  assert.equal(niceTicks(0.1, 0.3, 2), [0.1, 0.2, 0.3]);
  assert.equal(niceTicks(3, 3), [3]);
  assert.equal(niceTicks(Number.NaN, 1), []);
  assert.equal(niceDomain(-5.6, 7.6, 8), [-6, 8]);
  assert.equal(niceDomain(2, 2), [1, 3]);
});

test("linear maps the domain onto the range, and a flat domain onto the middle", () => {
  const s = linear([0, 10], [100, 200]);
  assert.is(s(0), 100);
  assert.is(s(5), 150);
  assert.is(s(10), 200);
  assert.is(linear([4, 4], [0, 10])(4), 5);
});

test("extent ignores values that are not finite", () => {
  assert.equal(extent([3, Number.NaN, -1, Number.POSITIVE_INFINITY, 7]), [-1, 7]);
  assert.ok(extent([Number.NaN]).every(Number.isNaN));
});

test("diverging: blue below, red above, near-white at 0, grey when missing", () => {
  assert.is(diverging(-1, 1), "rgb(33,102,172)");
  assert.is(diverging(0, 1), "rgb(247,247,247)");
  assert.is(diverging(5, 1), "rgb(178,24,43)");
  assert.is(diverging(Number.NaN, 1), "#d9d9d9");
});

test("evenSample: all rows up to the cap, then cap evenly spaced distinct rows", () => {
  assert.equal([...evenSample(4, 10)], [0, 1, 2, 3]);
  const s = evenSample(12000, 5000);
  assert.is(s.length, 5000);
  assert.is(s[0], 0);
  assert.ok(s[4999] < 12000 && s[4999] >= 11997);
  assert.ok(s.every((v, i) => i === 0 || v > s[i - 1]), "strictly increasing");
  assert.equal(evenSample(12000, 5000), s);
});

test.run();
