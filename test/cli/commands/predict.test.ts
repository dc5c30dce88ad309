// `custseg predict` end to end on small generated data: each input kind gives the run's clusters,
// outlier flags and recommendations back; the output formats; and every failure path is one line
// naming the file, row or flag, with a non-zero exit and nothing written.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Table } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parquetToArrow } from "../../../src/io/parquet.js";
import { FEATURE_NAMES } from "../../../src/pipeline/steps/features.js";
import { assertFailure, runCli } from "../../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "custseg-predict-cli-"));
const small = join(tmp, "small.parquet");
const runDir = join(tmp, "run");

const custseg = (...args: string[]) => runCli(args, { cwd: tmp });

const predict = (...args: string[]) => custseg("predict", "--threads", "1", "--model", runDir, ...args);

const readParquet = (path: string): Table => parquetToArrow(readFileSync(path), path);
let customers: Table;
let runId = "";

test.before(() => {
  const gen = custseg("generate", "--rows", "20000", "--customers", "300", "--seed", "7", "--out", small);
  if (gen.code !== 0) throw new Error(`generate failed: ${gen.stderr}`);
  const run = custseg("run", "--threads", "1", "--input", small, "--out", runDir, "--json");
  if (run.code !== 0) throw new Error(`run failed: ${run.stderr}`);
  runId = JSON.parse(run.stdout).runId;
  customers = readParquet(join(runDir, "customers.parquet"));
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

/** The run's cluster of every clustered customer, by CustomerID. */
function runClusters(): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < customers.numRows; i++) {
    const c = customers.getChild("Cluster")!.get(i);
    if (c !== null) out.set(customers.getChild("CustomerID")!.get(i), c);
  }
  return out;
}

test("--transactions: the run's clusters, outlier flags and recommendations for every customer", () => {
  const out = join(tmp, "from-transactions.parquet");
  const res = predict("--transactions", small, "--out", out, "--json");
  assert.is(res.code, 0, res.stderr);
  const s = JSON.parse(res.stdout);
  assert.is(s.customers, 300);
  assert.is(s.out, out);
  assert.ok(!("predictions" in s));
  assert.match(s.asOf, /^\d{4}-\d{2}-\d{2}$/);
  const t = readParquet(out);
  const model = JSON.parse(readFileSync(join(runDir, "model.json"), "utf8"));
  const p = model.pca.nComponents;
  const names = model.clusters.map((c: { name: string }) => c.name);
  const expected = ["CustomerID", "Cluster", "ClusterName", "Distance", "SecondDistance", "OutlierScore", "Outlier"];
  for (let c = 1; c <= p; c++) expected.push(`PC${c}`);
  for (let r = 1; r <= 3; r++) expected.push(`Rec${r}_StockCode`, `Rec${r}_Description`);
  assert.equal(t.schema.fields.map((f) => f.name), expected);
  const clusters = runClusters();
  let outliers = 0;
  for (let i = 0; i < t.numRows; i++) {
    const id = t.getChild("CustomerID")!.get(i);
    assert.is(id, customers.getChild("CustomerID")!.get(i));
    assert.is(t.getChild("Outlier")!.get(i), customers.getChild("Outlier")!.get(i), `customer ${id} outlier flag`);
    if (t.getChild("Outlier")!.get(i)) outliers++;
    else assert.is(t.getChild("Cluster")!.get(i), clusters.get(id), `customer ${id}`);
    assert.is(t.getChild("ClusterName")!.get(i), names[t.getChild("Cluster")!.get(i)]);
  }
  assert.is(s.outliers, outliers);
  assert.equal(s.clusterSizes.reduce((a: number, b: number) => a + b, 0), 300);

  // The run's recommendations.csv, customer by customer.
  const recs = readFileSync(join(runDir, "recommendations.csv"), "utf8").trimEnd().split("\n").slice(1);
  const row = new Map<number, number>();
  for (let i = 0; i < t.numRows; i++) row.set(t.getChild("CustomerID")!.get(i), i);
  for (const line of recs) {
    const cells = line.split(",");
    const i = row.get(Number(cells[0]))!;
    assert.is(t.getChild("Rec1_StockCode")!.get(i) ?? "", cells[2], `customer ${cells[0]}`);
    assert.is(t.getChild("Rec2_StockCode")!.get(i) ?? "", cells[4]);
    assert.is(t.getChild("Rec3_StockCode")!.get(i) ?? "", cells[6]);
  }
  assert.is(recs.length, clusters.size);
});

test("--features (the run's customers table) and --components (a CSV of PCs): the same clusters", () => {
  const fromFeatures = predict("--features", join(runDir, "customers.parquet"), "--json");
  assert.is(fromFeatures.code, 0, fromFeatures.stderr);
  const s = JSON.parse(fromFeatures.stdout);
  const clusters = runClusters();
  assert.is(s.predictions.length, 300);
  for (const pr of s.predictions) {
    if (!pr.outlier) assert.is(pr.cluster, clusters.get(pr.customerId), `customer ${pr.customerId}`);
    assert.is(pr.recommendations.length, 3);
  }

  const p = JSON.parse(readFileSync(join(runDir, "model.json"), "utf8")).pca.nComponents;
  const pcNames = Array.from({ length: p }, (_, c) => `PC${c + 1}`);
  const lines = [["CustomerID", ...pcNames].join(",")];
  for (let i = 0; i < customers.numRows; i++) {
    if (customers.getChild("Cluster")!.get(i) === null) continue;
    lines.push([customers.getChild("CustomerID")!.get(i), ...pcNames.map((n) => String(customers.getChild(n)!.get(i)))].join(","));
  }
  const pcs = join(tmp, "pcs.csv");
  writeFileSync(pcs, `${lines.join("\n")}\n`);
  const out = join(tmp, "from-pcs.csv");
  const res = predict("--components", pcs, "--out", out, "--json");
  assert.is(res.code, 0, res.stderr);
  assert.is(JSON.parse(res.stdout).outliers, null);
  const rows = readFileSync(out, "utf8").trimEnd().split("\n");
  const header = rows[0]!.split(",");
  assert.is(rows.length - 1, clusters.size);
  for (const r of rows.slice(1)) {
    const cells = r.split(",");
    assert.is(Number(cells[header.indexOf("Cluster")]), clusters.get(Number(cells[0])));
    assert.is(cells[header.indexOf("Outlier")], "", "no outlier flag from components");
    assert.is(cells[header.indexOf("OutlierScore")], "");
  }
});

test("on the terminal: cluster sizes and the first rows", () => {
  const res = predict("--transactions", small);
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /^300 customers scored with .*model\.json \(default mode, as of \d{4}-\d{2}-\d{2}\)/);
  assert.match(res.stdout, /… 280 more; --out F writes them all/);
});

test("--as-of later than the data adds the difference to recency; earlier is refused", () => {
  const model = JSON.parse(readFileSync(join(runDir, "model.json"), "utf8"));
  const later = new Date(Date.parse(`${model.asOf}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
  const res = predict("--transactions", small, "--as-of", later, "--json");
  assert.is(res.code, 0, res.stderr);
  assert.is(JSON.parse(res.stdout).asOf, later);
  assertFailure(predict("--transactions", small, "--as-of", "2010-01-01"), /^custseg: --as-of 2010-01-01 is before the last purchase in .*small\.parquet \(\d{4}-\d{2}-\d{2}\)/);
  assertFailure(predict("--transactions", small, "--as-of", "2011-02-30"), /^custseg: --as-of 2011-02-30: expected a date YYYY-MM-DD$/);
  assertFailure(predict("--features", join(runDir, "customers.parquet"), "--as-of", later), /^custseg: --as-of applies to --transactions only/);
});

test("failures: one line naming the flag, file, line or field; nothing written", () => {
  assertFailure(predict(), /^custseg: predict needs one of --transactions, --features or --components$/);
  assertFailure(predict("--transactions", small, "--features", small), /^custseg: give one input, not --transactions and --features$/);
  const existing = join(tmp, "existing.csv");
  writeFileSync(existing, "keep");
  assertFailure(predict("--transactions", small, "--out", existing), /^custseg: --out .*existing\.csv already exists; pass --force to replace it$/);
  assert.is(readFileSync(existing, "utf8"), "keep");
  assertFailure(predict("--features", existing, "--out", existing, "--force"), /^custseg: --out .*existing\.csv is the input file/);
  assertFailure(predict("--transactions", small, "--out", join(tmp, "x.json")), /cannot write a table to "\.json"/);

  const header = ["CustomerID", ...FEATURE_NAMES].join(",");
  const good = Array.from({ length: 16 }, (_, j) => (j === 0 ? "1" : "1")).join(",");
  const bad = join(tmp, "bad-features.csv");
  writeFileSync(bad, `${header}\n${good}\n${good.replace(/,1,1$/, ",x,1")}\n`);
  assertFailure(predict("--features", bad), /^custseg: .*bad-features\.csv: line 3, column 15 \(Monthly_Spending_Std\): "x" is not a finite number$/);
  const missing = join(tmp, "missing.csv");
  writeFileSync(missing, "CustomerID,Total_Spend\n1,2\n");
  assertFailure(predict("--features", missing), /^custseg: .*missing\.csv: no column "Days_Since_Last_Purchase" \(--features needs/);
  const huge = join(tmp, "huge.csv");
  writeFileSync(huge, `${header}\n${good}\n${good.replace(/^1,1,/, "1,1e39,")}\n`);
  assertFailure(predict("--features", huge), /^custseg: .*huge\.csv: line 3, Days_Since_Last_Purchase: 1e\+39 is beyond the float32 range/);

  const model = readFileSync(join(runDir, "model.json"), "utf8");
  const truncated = join(tmp, "truncated.json");
  writeFileSync(truncated, model.slice(0, 1000));
  assertFailure(custseg("predict", "--model", truncated, "--transactions", small), /^custseg: .*truncated\.json: not a complete JSON document, truncated or damaged/);
  const newer = join(tmp, "newer.json");
  writeFileSync(newer, model.replace('"custseg-model/1"', '"custseg-model/2"'));
  assertFailure(custseg("predict", "--model", newer, "--transactions", small), /^custseg: .*newer\.json: format custseg-model\/2 is newer than this custseg reads/);
  assertFailure(custseg("predict", "--model", "models:/segments/Production", "--transactions", small), /^custseg: .*no registered model 'segments'/);
  assertFailure(custseg("predict", "--model", join(tmp, "nope.json"), "--transactions", small), /^custseg: .*nope\.json: no such model file$/);
  assert.not.ok(existsSync(join(tmp, "x.json")));
});

test("--model models:/NAME/STAGE and @ALIAS resolve through the registry to the same predictions as the path", () => {
  const store = join(tmp, "custseg.db");
  for (const args of [["register", runId, "--name", "segments"], ["promote", "segments", "1", "--stage", "production"], ["alias", "segments", "champion", "1"]]) {
    const res = custseg("model", ...args, "--store", store);
    assert.is(res.code, 0, res.stderr);
  }
  const byPath = join(tmp, "by-path.csv");
  assert.is(predict("--features", join(runDir, "customers.parquet"), "--out", byPath).code, 0);
  for (const ref of ["models:/segments/Production", "models:/segments@champion", "models:/segments/1"]) {
    const out = join(tmp, `by-registry-${ref.replace(/\W+/g, "-")}.csv`);
    const res = custseg("predict", "--threads", "1", "--model", ref, "--store", store, "--features", join(runDir, "customers.parquet"), "--out", out);
    assert.is(res.code, 0, res.stderr);
    assert.is(readFileSync(out, "utf8"), readFileSync(byPath, "utf8"), ref);
  }
  assertFailure(custseg("predict", "--model", "models:/segments/staging", "--store", store, "--features", small), /segments.*staging/i);
});

test.run();
