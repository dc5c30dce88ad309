import { test } from "uvu";
import * as assert from "uvu/assert";
import { UserError } from "../../src/errors.js";
import { parsePredictionLog } from "../../src/io/prediction-log.js";

const names = ["a", "b", "c"];

test("features as an object or as an array in the model's order; other fields and blank lines ignored", () => {
  const m = parsePredictionLog('{"customerId":1,"features":{"c":3,"a":1,"b":2},"cluster":0}\n\n{"features":[4,5,6]}\n', "p.jsonl", names);
  assert.equal([...m.data], [1, 2, 3, 4, 5, 6]);
  assert.is(m.rows, 2);
  assert.is(m.cols, 3);
});

test("a bad line is one UserError naming the file, the line and the field", () => {
  const fails = (text: string, pattern: RegExp) => {
    try {
      parsePredictionLog(text, "p.jsonl", names);
      assert.unreachable("should have thrown");
    } catch (err) {
      assert.instance(err, UserError);
      assert.match((err as Error).message, pattern);
    }
  };
  fails('{"features":[1,2,3]}\nnot json\n', /^p\.jsonl: line 2: not a JSON object$/);
  fails('{"features":{"a":1,"b":"2","c":3}}', /^p\.jsonl: line 1: features\.b: "2" is not a finite number$/);
  fails('{"features":[1,null,3]}', /^p\.jsonl: line 1: features\[1\] \(b\): null is not a finite number$/);
  fails('{"cluster":1}', /^p\.jsonl: line 1: no "features" object or array$/);
  fails("\n\n", /^p\.jsonl: no predictions in the log$/);
});

test.run();
