// `custseg runs list|show|compare|delete` over runs recorded by real `custseg run`s: the table and
// --json forms, MLflow filters and ordering, compare's marked differences, delete's refusals and --purge.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertFailure, type CliResult, runCli } from "../../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "custseg-runs-cli-"));
const small = join(tmp, "small.parquet");

/** The CLI in the temp directory, so custseg.db and runs/ are created there by default. */
const custseg = (...args: string[]) => runCli(args, { cwd: tmp, env: { CUSTSEG_STORE: "" } });
const assertOnlyLine = (res: CliResult, pattern: RegExp) => assertFailure(res, pattern, { alone: true });

const ids: Record<string, string> = {};

test.before(() => {
  const gen = custseg("generate", "--rows", "8000", "--customers", "120", "--seed", "5", "--out", small);
  if (gen.code !== 0) throw new Error(`generate failed: ${gen.stderr}`);
  for (const k of ["3", "4"]) {
    const res = custseg("run", "--threads", "1", "--input", small, "--k", k, "--experiment", "ks", "--json");
    if (res.code !== 0) throw new Error(`run failed: ${res.stderr}`);
    ids[k] = JSON.parse(res.stdout).runId;
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test("custseg run records itself in custseg.db beside runs/: runId in --json, run directory runs/<runId>", () => {
  assert.ok(existsSync(join(tmp, "custseg.db")));
  for (const id of Object.values(ids)) {
    assert.match(id, /^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    assert.ok(existsSync(join(tmp, "runs", id, "model.json")));
  }
  const show = JSON.parse(custseg("runs", "show", ids["3"]!, "--json").stdout);
  assert.is(show.status, "finished");
  assert.is(show.experiment, "ks");
  assert.is(show.runDir, join(tmp, "runs", ids["3"]!));
  assert.match(show.inputHash, /^[0-9a-f]{64}$/);
  assert.equal(
    Object.keys(show.params).sort(),
    ["compat", "init", "input", "k", "max_iter", "n_components", "n_init", "seed", "tol", "variance"],
  );
  for (const m of ["silhouette", "davies_bouldin", "calinski_harabasz", "inertia"]) assert.type(show.metrics[m], "number");
  assert.match(show.startTime, /^\d{4}-\d\d-\d\dT/);
});

test("runs list: a table, newest first, with the parameters that differ and the metrics", () => {
  const res = custseg("runs", "list");
  assert.is(res.code, 0, res.stderr);
  const lines = res.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^run\s+experiment\s+status\s+started \(UTC\)\s+duration\s+k\s+silhouette\s+davies_bouldin\s+calinski_harabasz/);
  assert.is(lines.length, 3);
  assert.ok(lines[1]!.startsWith(ids["4"]!), "newest first");
  assert.match(lines[2]!, new RegExp(`^${ids["3"]}\\s+ks\\s+finished\\s+`));
});

test("runs list --where / --order-by / --experiment, and --json", () => {
  const list = (...args: string[]) => {
    const res = custseg("runs", "list", "--json", ...args);
    assert.is(res.code, 0, res.stderr);
    return JSON.parse(res.stdout).runs.map((r: { id: string }) => r.id);
  };
  assert.equal(list("--where", "params.k = 3"), [ids["3"]]);
  assert.equal(list("--where", "params.k >= 3 and metrics.silhouette > -1 and attributes.status = 'FINISHED'", "--order-by", "params.k ASC"), [ids["3"], ids["4"]]);
  assert.equal(list("--order-by", "params.k DESC"), [ids["4"], ids["3"]]);
  assert.equal(list("--experiment", "other"), []);
  assert.equal(list("--experiment", "ks", "--limit", "1"), [ids["4"]]);
  assertOnlyLine(custseg("runs", "list", "--where", "metrics.silhouette > 0.2 or params.k = 3"), /^custseg: --where: OR is not supported/);
  assertOnlyLine(custseg("runs", "list", "--where", "params.k = 3; DELETE FROM runs"), /^custseg: --where: unexpected ';' at column 13/);
  assert.is(list().length, 2, "nothing was deleted");
  assert.match(custseg("runs", "list", "--experiment", "other").stdout, /^no runs match/);
});

test("runs compare: side by side, differing rows marked with *", () => {
  const res = custseg("runs", "compare", ids["3"]!, ids["4"]!);
  assert.is(res.code, 0, res.stderr);
  const row = (key: string) => res.stdout.split("\n").find((l) => l.slice(3).startsWith(`${key} `)) ?? "";
  assert.match(row("params.k"), /^\*\s+params\.k\s+3\s+4$/);
  assert.match(row("params.seed"), /^\s+params\.seed\s+0\s+0$/);
  assert.match(row("metrics.inertia"), /^\*/);
  assert.match(res.stdout, /\d+ of \d+ rows differ \(marked \*\)\n$/);
  const json = JSON.parse(custseg("runs", "compare", ids["3"]!, ids["4"]!, "--json").stdout);
  assert.equal(json.runs, [ids["3"], ids["4"]]);
  assert.equal(json.rows.find((r: { key: string }) => r.key === "params.k"), { key: "params.k", values: ["3", "4"], differs: true });
  assertOnlyLine(custseg("runs", "compare", ids["3"]!), /^custseg: runs compare needs two or more run ids/);
  assertOnlyLine(custseg("runs", "compare", ids["3"]!, "nosuchrun"), /^custseg: no run nosuchrun in /);
});

test("runs show: by the last 8 characters of the id; unknown ids are one line", () => {
  const res = custseg("runs", "show", ids["4"]!.slice(-8));
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, new RegExp(`^run ${ids["4"]}\\n`));
  assert.match(res.stdout, /\nparams\n[\s\S]*\n {2}k\s+4\n/);
  assert.match(res.stdout, /\nmetrics\n[\s\S]*\n {2}silhouette\s+[-\d.]+\n/);
  assertOnlyLine(custseg("runs", "show", "nosuchrun"), /^custseg: no run nosuchrun in .*custseg\.db$/);
});

test("runs delete: refused while registered; the run directory stays unless --purge", () => {
  const reg = custseg("model", "register", ids["3"]!, "--name", "segments");
  assert.is(reg.code, 0, reg.stderr);
  assertOnlyLine(custseg("runs", "delete", ids["3"]!), new RegExp(`^custseg: run ${ids["3"]} is registered as segments version 1; it cannot be deleted`));

  const kept = custseg("runs", "delete", ids["4"]!);
  assert.is(kept.code, 0, kept.stderr);
  assert.match(kept.stdout, /run directory kept: .*\(--purge removes it\)/);
  assert.ok(existsSync(join(tmp, "runs", ids["4"]!)));
  assertOnlyLine(custseg("runs", "show", ids["4"]!), /no run/);

  const again = custseg("run", "--threads", "1", "--input", small, "--json");
  assert.is(again.code, 0, again.stderr);
  const id = JSON.parse(again.stdout).runId;
  const purged = JSON.parse(custseg("runs", "delete", id, "--purge", "--json").stdout);
  assert.equal(purged, { deleted: [id], removedDirs: [join(tmp, "runs", id)] });
  assert.not.ok(existsSync(join(tmp, "runs", id)));
});

test("readers never create a store: a missing one is one line", () => {
  assertOnlyLine(custseg("runs", "list", "--store", join(tmp, "elsewhere.db")), /^custseg: no run store at .*elsewhere\.db \(custseg run creates it/);
  assert.not.ok(existsSync(join(tmp, "elsewhere.db")));
});

test.run();
