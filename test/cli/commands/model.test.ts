// `custseg model register|promote|alias|list|resolve`: the registry from the command line, over
// runs recorded through the store API, with model.json files standing in for real models.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { closeStore, failRun, finishRun, openStore, setRunDir, startRun } from "../../../src/store/index.js";
import { assertFailure, type CliResult, runCli } from "../../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "custseg-model-cli-"));
const storeFile = join(tmp, "registry.db");

const custseg = (...args: string[]) => runCli(args, { cwd: tmp, env: { CUSTSEG_STORE: storeFile } });
const assertOnlyLine = (res: CliResult, pattern: RegExp) => assertFailure(res, pattern, { alone: true });

const runs: string[] = [];
let failed = "";

test.before(() => {
  const store = openStore(storeFile, { create: true });
  for (const k of [3, 4, 5]) {
    const run = startRun(store, { params: { k } });
    const dir = join(tmp, "runs", run.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "model.json"), JSON.stringify({ k }));
    setRunDir(store, run.id, dir);
    finishRun(store, run.id, { metrics: { silhouette: k / 10 } });
    runs.push(run.id);
  }
  const bad = startRun(store, {});
  failRun(store, bad.id, "input.csv: no such file");
  failed = bad.id;
  closeStore(store);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test("register, promote (archiving the previous holder), alias, list, resolve", () => {
  for (const [i, id] of runs.entries()) {
    const res = custseg("model", "register", id, "--name", "segments", "--json");
    assert.is(res.code, 0, res.stderr);
    assert.is(JSON.parse(res.stdout).version, i + 1);
  }
  assert.match(custseg("model", "promote", "segments", "1", "--stage", "Production", "--reason", "first model").stdout, /^promoted: segments version 1 \(production\)/);
  assert.is(custseg("model", "promote", "segments", "2", "--stage", "staging").code, 0);
  const res = custseg("model", "promote", "segments", "2", "--stage", "PRODUCTION", "--reason", "k = 4 separates better", "--json");
  assert.is(res.code, 0, res.stderr);
  assert.is(JSON.parse(res.stdout).stage, "production");
  assert.is(custseg("model", "alias", "segments", "champion", "3").code, 0);

  const listed = JSON.parse(custseg("model", "list", "segments", "--json").stdout);
  const stages = listed.models[0].versions.map((v: { version: number; stage: string; aliases: string[] }) => [v.version, v.stage, v.aliases]);
  assert.equal(stages, [[3, "none", ["champion"]], [2, "production", []], [1, "archived", []]]);
  const moves = listed.history.filter((e: { kind: string }) => e.kind === "stage").map((e: { version: number; from: string; to: string; reason: string | null }) => [e.version, e.from, e.to, e.reason]);
  assert.equal(moves, [
    [1, "none", "production", "first model"],
    [2, "none", "staging", null],
    [1, "production", "archived", "version 2 promoted to production"],
    [2, "staging", "production", "k = 4 separates better"],
  ]);
  for (const e of listed.history) assert.match(e.at, /^\d{4}-\d\d-\d\dT/);

  const table = custseg("model", "list");
  assert.match(table.stdout, /^model\s+versions\s+latest\s+staging\s+production\s+aliases\n/);
  assert.match(table.stdout, /\nsegments\s+3\s+3\s+–\s+2\s+@champion=3\n/);
  const one = custseg("model", "list", "segments");
  assert.match(one.stdout, /\nhistory\n/);
  assert.match(one.stdout, /v1 {2}production → archived {2}— version 2 promoted to production/);

  assert.is(custseg("model", "resolve", "models:/segments/production").stdout, `${join(tmp, "runs", runs[1]!, "model.json")}\n`);
  assert.is(custseg("model", "resolve", "models:/segments@champion").stdout, `${join(tmp, "runs", runs[2]!, "model.json")}\n`);
  assert.is(custseg("model", "resolve", "models:/segments/1").stdout, `${join(tmp, "runs", runs[0]!, "model.json")}\n`);
  assert.is(custseg("model", "resolve", join(tmp, "runs", runs[0]!)).stdout, `${join(tmp, "runs", runs[0]!, "model.json")}\n`);
});

test("mistakes are one line: a version that does not exist, a failed run, a bad stage, an unknown model or alias", () => {
  assertOnlyLine(custseg("model", "promote", "segments", "9", "--stage", "production"), /^custseg: model 'segments' has no version 9 \(its versions are 1 to 3\)$/);
  assertOnlyLine(custseg("model", "promote", "nosuch", "1", "--stage", "production"), /^custseg: no registered model 'nosuch' in /);
  assertOnlyLine(custseg("model", "promote", "segments", "1", "--stage", "gold"), /^custseg: unknown stage 'gold'; use one of staging, production, archived$/);
  assertOnlyLine(custseg("model", "promote", "segments", "one", "--stage", "staging"), /^custseg: a model version is a whole number ≥ 1, got 'one'$/);
  assertOnlyLine(custseg("model", "register", failed, "--name", "segments"), new RegExp(`^custseg: run ${failed} is failed; only a finished run can be registered$`));
  assertOnlyLine(custseg("model", "register", "nosuchrun", "--name", "segments"), /^custseg: no run nosuchrun in /);
  assertOnlyLine(custseg("model", "resolve", "models:/segments/staging"), /^custseg: model 'segments' has no version in staging$/);
  assertOnlyLine(custseg("model", "resolve", "models:/segments@nobody"), /^custseg: model 'segments' has no alias 'nobody'$/);
  assertOnlyLine(custseg("model", "alias", "segments", "latest", "1"), /cannot be 'latest' or v<number>/);
  const listed = JSON.parse(custseg("model", "list", "--json").stdout);
  assert.is(listed.models[0].versions.length, 3, "no failed command registered anything");
});

test.run();
