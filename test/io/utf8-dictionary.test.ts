import { test } from "uvu";
import * as assert from "uvu/assert";
import { Utf8Dictionary } from "../../src/io/utf8-dictionary.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

test("ids are dense, in first-appearance order; equal bytes share an id", () => {
  const dict = new Utf8Dictionary();
  const words = ["536365", "C536379", "536365", "", "CAFÉ £5", "日本 🎁", "C536379", ""];
  const ids = words.map((w) => dict.addString(w));
  assert.equal(ids, [0, 1, 0, 2, 3, 4, 1, 2]);
  assert.is(dict.size, 5);
  assert.equal(dict.toVector().toArray(), ["536365", "C536379", "", "CAFÉ £5", "日本 🎁"]);
});

test("a value given as a byte range is the same value as its string", () => {
  const dict = new Utf8Dictionary();
  const bytes = utf8("xx85123Ayy");
  assert.is(dict.add(bytes, 2, 8), 0);
  assert.is(dict.addString("85123A"), 0);
  assert.is(dict.add(utf8("85123"), 0, 5), 1, "a prefix is another value");
});

test("hundreds of thousands of values: the table and the byte pool grow, every id stays right", () => {
  const dict = new Utf8Dictionary();
  const n = 300_000;
  for (let i = 0; i < n; i++) assert.is(dict.addString(`INV${i}`), i);
  for (let i = n - 1; i >= 0; i -= 997) assert.is(dict.addString(`INV${i}`), i);
  assert.is(dict.size, n);
  const values = dict.toVector();
  assert.is(values.length, n);
  assert.is(values.get(123_456), "INV123456");
});

test("room reserved ahead, in one step or in several, keeps every id and finds every value", () => {
  const dict = new Utf8Dictionary();
  for (let i = 0; i < 1_000; i++) dict.addString(`A${i}`);
  dict.reserve(50_000);
  for (let i = 0; i < 50_000; i++) assert.is(dict.addString(`B${i}`), 1_000 + i);
  dict.reserve(10); // room already there
  dict.reserve(200_000);
  for (let i = 0; i < 1_000; i++) assert.is(dict.addString(`A${i}`), i);
  for (let i = 0; i < 50_000; i += 499) assert.is(dict.addString(`B${i}`), 1_000 + i);
  assert.is(dict.addString("new"), 51_000);
  assert.is(dict.size, 51_001);
  assert.is(dict.toVector().get(1_000), "B0");
});

test.run();
