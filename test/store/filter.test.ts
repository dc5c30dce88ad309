// The --where and --order-by parser: MLflow's syntax into an AST, MLflow's typing rules, and one
// clear message for each kind of mistake.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { flagOf } from "../../src/cli/failure.js";
import { type OptionHintError, UserError } from "../../src/errors.js";
import { parseFilter, parseOrderBy } from "../../src/store/filter.js";
import { likeToGlob } from "../../src/store/query.js";

test("the issue's example: a metric and a parameter joined by and", () => {
  assert.equal(parseFilter("metrics.silhouette > 0.2 and params.k = 3"), [
    { kind: "metric", key: "silhouette", op: ">", value: 0.2 },
    { kind: "param", key: "k", op: "=", value: 3 },
  ]);
});

test("MLflow's forms: quoted names, string constants in either quote, short prefixes, bare attributes, IN lists", () => {
  assert.equal(parseFilter('params.model = "LogisticRegression" AND metrics.`error-rate` <= 5e-2'), [
    { kind: "param", key: "model", op: "=", value: "LogisticRegression" },
    { kind: "metric", key: "error-rate", op: "<=", value: 0.05 },
  ]);
  assert.equal(parseFilter(`tags."my tag" != 'it''s' and metric.x>-1 and param.k<>'3'`), [
    { kind: "tag", key: "my tag", op: "!=", value: "it's" },
    { kind: "metric", key: "x", op: ">", value: -1 },
    { kind: "param", key: "k", op: "!=", value: "3" },
  ]);
  assert.equal(parseFilter("status IN ('FINISHED', 'failed') and attributes.run_id NOT IN ('a')"), [
    { kind: "attribute", key: "status", op: "IN", value: ["FINISHED", "failed"] },
    { kind: "attribute", key: "run_id", op: "NOT IN", value: ["a"] },
  ]);
  assert.equal(parseFilter("params.init like 'k-%' and tags.note ILIKE '%BEST%'"), [
    { kind: "param", key: "init", op: "LIKE", value: "k-%" },
    { kind: "tag", key: "note", op: "ILIKE", value: "%BEST%" },
  ]);
  assert.equal(parseFilter("metrics.cluster.0 >= 10"), [{ kind: "metric", key: "cluster.0", op: ">=", value: 10 }]);
  assert.equal(parseFilter("   "), []);
});

test("times compare as numbers and may be written as dates", () => {
  assert.equal(parseFilter("attributes.start_time >= '2026-01-01T00:00:00Z'"), [{ kind: "attribute", key: "start_time", op: ">=", value: Date.UTC(2026, 0, 1) }]);
});

test("mistakes: one UserError naming what is wrong and where", () => {
  const cases: [string, RegExp][] = [
    ["metrics.silhouette > 0.2 or params.k = 3", /OR is not supported/],
    ["metrics.silhouette LIKE '0.%'", /metrics\.silhouette is a number; compare it with =/],
    ["metrics.silhouette > 'high'", /metrics\.silhouette > needs a number, got "high"/],
    ["tags.x > 'a'", /tags\.x is text; compare it with =, !=, LIKE/],
    ["params.k >= 'four'", /params\.k >= needs a number/],
    ["params.k = 3; DROP TABLE runs", /unexpected ';' at column 13/],
    ["metrics.silhouette >", /expected a number or a quoted string at the end/],
    ["metrics.silhouette > 0.2 params.k = 3", /expected AND between conditions/],
    ["colour = 'red'", /unknown identifier 'colour' at column 1/],
    ["metrics. > 1", /expected a name after 'metrics\.'/],
    ["params.k = 'open", /unterminated '…' starting at column 12/],
    ["params.k NOT 3", /expected IN after NOT/],
    ["status IN 'a'", /expected '\(' to start the list/],
  ];
  for (const [src, pattern] of cases) {
    try {
      parseFilter(src);
      assert.unreachable(`${src} parsed`);
    } catch (err) {
      assert.instance(err, UserError, src);
      assert.match((err as Error).message, /^where: /);
      assert.match((err as OptionHintError).wording(flagOf), /^--where: /);
      assert.match((err as Error).message, pattern, src);
      assert.not.match((err as Error).message, /\n/);
    }
  }
});

test("--order-by: terms with ASC/DESC, comma-separated", () => {
  assert.equal(parseOrderBy("metrics.silhouette DESC, params.k, attributes.start_time asc"), [
    { kind: "metric", key: "silhouette", descending: true },
    { kind: "param", key: "k", descending: false },
    { kind: "attribute", key: "start_time", descending: false },
  ]);
  assert.throws(() => parseOrderBy("metrics.silhouette DESC params.k"), (err: OptionHintError) => /^--order-by: expected ',' between terms/.test(err.wording(flagOf)));
});

test("LIKE patterns become case-sensitive GLOBs with GLOB's own specials taken literally", () => {
  assert.is(likeToGlob("k-%"), "k-*");
  assert.is(likeToGlob("a_b"), "a?b");
  assert.is(likeToGlob("*[?]"), "[*][[][?][]]");
});

test.run();
