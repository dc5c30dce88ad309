// Every numeric flag is checked in one place before any work: the same value is refused with the
// same line by every command that takes it, even where the input file does not exist.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { lines, runWatched } from "../helpers/watched.js";

const missing = "no-such-input.csv";

/** The one stderr line of a command expected to fail on a flag. */
async function flagError(args: string[]): Promise<string> {
  const r = await runWatched(args, { livenessMs: 30_000 });
  assert.is(r.status, 1, r.stderr);
  const out = lines(r.stderr);
  assert.is(out.length, 1, r.stderr);
  assert.not.match(out[0]!, /no-such-input/, "the flag is checked before the input is opened");
  return out[0]!;
}

test("--seed abc, 1.5 and 4294967296 are refused identically by kmeans, run and generate", async () => {
  for (const [value, got] of [
    ["abc", "something that is not a number"],
    ["1.5", "1.5"],
    ["4294967296", "4294967296"],
  ]) {
    const expected = `custseg: --seed must be a whole number from 0 to 4,294,967,295 (got ${got})`;
    assert.is(await flagError(["kmeans", "--input", missing, "--k", "3", "--seed", value!]), expected);
    assert.is(await flagError(["run", "--input", missing, "--seed", value!]), expected);
    assert.is(await flagError(["generate", "--out", "never.csv", "--seed", value!]), expected);
  }
});

test("run --variance 2 is refused before loading anything, as pca refuses it", async () => {
  const expected = "custseg: --variance must be a ratio in (0, 1] (got 2)";
  assert.is(await flagError(["run", "--input", missing, "--variance", "2"]), expected);
  assert.is(await flagError(["pca", "--input", missing, "--variance", "2"]), expected);
});

test("limits and thread counts are checked the same way", async () => {
  assert.is(await flagError(["kmeans", "--input", missing, "--k", "2", "--threads", "0"]), "custseg: --threads must be a whole number from 1 to 1,000,000 (got 0)");
  assert.is(await flagError(["features", "--input", missing, "--max-inflated-mb", "-5"]), "custseg: --max-inflated-mb must be a positive number (got -5)");
  assert.is(await flagError(["kmeans", "--input", missing, "--k", "2", "--tol", "-1"]), "custseg: --tol must be a number ≥ 0 (got -1)");
});

test("serve --workers: a whole number from 1 to 64, or auto; refused before the model is read", async () => {
  for (const value of ["65", "0", "two", "1.5"]) {
    assert.is(await flagError(["serve", "--model", missing, "--workers", value]), `custseg: --workers must be a whole number from 1 to 64, or auto (got ${value})`);
  }
});

/** serve's numeric flags: a value past each bound, and the range the line states. */
const SERVE_BOUNDS: [flag: string, bad: string, got: string, range: string][] = [
  ["port", "70000", "70000", "from 0 to 65,535"],
  ["port", "abc", "something that is not a number", "from 0 to 65,535"],
  ["body-limit", "-1", "-1", "from 1 to 268,435,456"],
  ["max-instances", "0.5", "0.5", "from 1 to 1,000,000"],
  ["request-timeout", "0", "0", "from 1 to 3,600,000"],
  ["headers-timeout", "3600001", "3600001", "from 1 to 3,600,000"],
  ["keep-alive-timeout", "-5", "-5", "from 1 to 3,600,000"],
  ["max-connections", "1e7", "10000000", "from 1 to 1,000,000"],
  ["log-max-bytes", "0", "0", "from 1 to 1,099,511,627,776"],
  ["log-files", "1e9", "1000000000", "from 0 to 1,000"],
  ["log-flush-interval", "0", "0", "from 1 to 60,000"],
  ["drain-timeout", "1e12", "1000000000000", "from 0 to 3,600,000"],
];

test("serve's numeric flags are whole numbers within bounds; refused before the model is read", async () => {
  for (const [flag, bad, got, range] of SERVE_BOUNDS) {
    assert.is(await flagError(["serve", "--model", missing, `--${flag}`, bad]), `custseg: --${flag} must be a whole number ${range} (got ${got})`);
  }
});

test("serve's bounds are inclusive: a value on each bound passes the check and the model is read", async () => {
  const edges = ["--port", "65535", "--body-limit", "268435456", "--max-instances", "1", "--log-files", "0", "--drain-timeout", "0", "--log-flush-interval", "60000"];
  const r = await runWatched(["serve", "--model", missing, ...edges], { env: { AIP_HTTP_PORT: "" }, livenessMs: 30_000 });
  assert.is(r.status, 1, r.stderr);
  assert.is(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, /no-such-input\.csv/);
});

test("serve --headers-timeout may not exceed --request-timeout (the headers arrive within the request)", async () => {
  assert.is(
    await flagError(["serve", "--model", missing, "--headers-timeout", "20000", "--request-timeout", "10000"]),
    "custseg: --headers-timeout must not exceed --request-timeout (got 20000 and 10000)",
  );
  // Equal values pass the check, and the model is read.
  const r = await runWatched(["serve", "--model", missing, "--headers-timeout", "10000", "--request-timeout", "10000"], { env: { AIP_HTTP_PORT: "" }, livenessMs: 30_000 });
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /no-such-input\.csv/);
});

test("AIP_HTTP_PORT, which stands for --port, is checked the same way and named", async () => {
  for (const [value, got] of [
    ["70000", "70000"],
    ["eighty", "eighty"],
    ["80.5", "80.5"],
    // Number() would read it as 8080.
    ["0x1F90", "0x1F90"],
  ]) {
    const r = await runWatched(["serve", "--model", missing], { env: { AIP_HTTP_PORT: value! }, livenessMs: 30_000 });
    assert.is(r.status, 1, r.stderr);
    assert.equal(lines(r.stderr), [`custseg: AIP_HTTP_PORT must be a whole number from 0 to 65,535 (got ${got})`]);
  }
});

test.run();
