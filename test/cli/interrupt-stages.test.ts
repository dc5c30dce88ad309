// SIGINT and SIGTERM end the long stages other than k-means within moments too: the silhouette
// (custseg evaluate), the PCA's eigensolver on a wide matrix (custseg pca), the IsolationForest
// of a run and the candidate's fit of a retraining. Each input is generated here, streamed, big enough for its stage to last seconds; the
// signal goes once the stage is under way, and the process must end by itself soon after, with
// 130 or 143, the one-line message and no output or temporary file left.
import type { ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpuSeconds, runCli } from "../helpers/cli.js";
import { generateFile } from "../../src/io/generate/generate.js";
import { closeStore, listModels, openStore, searchRuns } from "../../src/store/index.js";
import { lines, runWatched } from "../helpers/watched.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-interrupt-stages-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The requirement is about a second; the bound leaves room for a loaded machine. */
const PROMPT_MS = 3_000;

/** Writes `rows` lines from `line(i)` after `header`, honouring back-pressure. */
async function writeLines(path: string, header: string, rows: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  for (let i = 0; i < rows; i++) {
    if (!out.write(`${line(i)}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/** Uniform values in [0, 1) from a small LCG: the same file on every run. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) / 2 ** 24;
  };
}

const points = join(dir, "points.csv");
const labels = join(dir, "labels.csv");
const wide = join(dir, "wide.csv");
const transactions = join(dir, "transactions.csv");

test.before(async () => {
  // The silhouette of 80,000 rows takes over three billion distance terms: seconds on two threads.
  const next = lcg(7);
  await writeLines(points, "a,b,c,d", 80_000, () => [next(), next(), next(), next()].map((v) => v.toFixed(5)).join(","));
  await writeLines(labels, "label", 80_000, (i) => String(i % 3));
  // 400 columns: the eigensolver's Jacobi sweeps over a 400 × 400 covariance take seconds.
  const w = lcg(11);
  await writeLines(wide, Array.from({ length: 400 }, (_, j) => `c${j}`).join(","), 2_000, () => Array.from({ length: 400 }, () => w().toFixed(4)).join(","));
  // 300,000 customers with one line each: the IsolationForest scores each of them with 100 trees.
  await writeLines(transactions, "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country", 300_000, (i) => {
    const month = String(1 + (i % 12)).padStart(2, "0");
    const day = String(1 + (i % 28)).padStart(2, "0");
    const time = `${String(8 + (i % 10)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}`;
    const price = (1 + ((i * 13) % 500) / 100).toFixed(2);
    return `${500000 + i},${10000 + (i % 3000)},ITEM ${i % 3000},${1 + ((i * 7) % 24)},2011-${month}-${day} ${time},${price},${100000 + i},${i % 7 === 0 ? "France" : "United Kingdom"}`;
  });
});

interface When {
  /** Send once the process has used this many CPU seconds (past reading its input). */
  cpu?: number;
  /** Send once stderr shows this (the progress line of the stage before). */
  stderr?: RegExp;
}

/** Runs custseg, sends `signal` once `when` holds, and reports how long the process took to end after it. */
async function interrupted(args: string[], signal: NodeJS.Signals, when: When) {
  let sentAt = 0;
  let stderr = "";
  const send = (child: ChildProcess) => {
    if (sentAt) return;
    sentAt = Date.now();
    child.kill(signal);
  };
  const r = await runWatched(args, {
    cwd: dir,
    livenessMs: 120_000,
    onStart: (child) => {
      if (when.cpu === undefined) return;
      const started = Date.now();
      const poll = setInterval(() => {
        const cpu = cpuSeconds(child.pid!);
        if (cpu === undefined ? Date.now() - started < 8_000 : cpu < when.cpu!) return;
        clearInterval(poll);
        send(child);
      }, 50);
      child.once("exit", () => clearInterval(poll));
    },
    onStderr: (text, child) => {
      stderr += text;
      if (when.stderr?.test(stderr)) send(child);
    },
  });
  assert.ok(sentAt > 0, `the signal was never sent; stderr: ${r.stderr}`);
  return { ...r, afterSignalMs: Date.now() - sentAt };
}

/** The process ended by itself, promptly, with the code and the one line of an interruption. */
function assertInterrupted(r: Awaited<ReturnType<typeof interrupted>>, signal: "SIGINT" | "SIGTERM"): void {
  assert.not.ok(r.killed, "the process ended by itself");
  assert.is(r.status, signal === "SIGINT" ? 130 : 143, r.stderr);
  assert.equal(lines(r.stderr).filter((l) => l.startsWith("custseg:")), [`custseg: interrupted (${signal}); unfinished output removed`]);
  assert.ok(r.afterSignalMs < PROMPT_MS, `ended ${r.afterSignalMs} ms after the signal`);
  assert.equal(readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);
}

test("SIGINT ends custseg evaluate in the middle of a long silhouette on the worker pool", async () => {
  const r = await interrupted(["evaluate", "--input", points, "--labels", labels, "--threads", "2"], "SIGINT", { cpu: 2.5 });
  assertInterrupted(r, "SIGINT");
  assert.is(r.stdout, "");
});

test("SIGTERM ends custseg pca in the middle of a wide eigenproblem, leaving no scores file", async () => {
  const out = join(dir, "scores.csv");
  const r = await interrupted(["pca", "--input", wide, "--variance", "0.9", "--out", out, "--threads", "2"], "SIGTERM", { cpu: 2.5 });
  assertInterrupted(r, "SIGTERM");
  assert.not.ok(existsSync(out));
});

test("SIGINT ends custseg run during the IsolationForest, leaving no run directory", async () => {
  const out = join(dir, "run");
  const args = ["run", "--input", transactions, "--no-cache", "--out", out, "--store", join(dir, "custseg.db")];
  // Progress goes to stderr one line per finished step: once features are done, outliers are running.
  const r = await interrupted(args, "SIGINT", { stderr: /✓ features/ });
  assertInterrupted(r, "SIGINT");
  assert.not.match(r.stderr, /✓ outliers/);
  assert.not.ok(existsSync(out));
});

test("SIGINT ends custseg retrain during the candidate's fit: no candidate registered, its run killed, no run directory", async () => {
  const store = join(dir, "retrain.db");
  const env = { CUSTSEG_STORE: store };
  // A small production model, registered and promoted; the 300,000 new customers make the fit long.
  const old = join(dir, "old.arrow");
  await generateFile(old, { rows: 20_000, customers: 400, seed: 0 });
  const run = runCli(["run", "--input", old, "--no-cache", "--out", join(dir, "production"), "--json"], { cwd: dir, env });
  assert.is(run.code, 0, run.stderr);
  const runId = JSON.parse(run.stdout).runId as string;
  assert.is(runCli(["model", "register", runId, "--name", "segments"], { cwd: dir, env }).code, 0);
  assert.is(runCli(["model", "promote", "segments", "1", "--stage", "production"], { cwd: dir, env }).code, 0);

  const out = join(dir, "candidate");
  const args = ["retrain", "--input", transactions, "--no-cache", "--model", "models:/segments/production", "--out", out, "--store", store];
  const r = await interrupted(args, "SIGINT", { stderr: /✓ features/ });
  assertInterrupted(r, "SIGINT");
  assert.not.match(r.stderr, /✓ evaluate/);
  assert.not.ok(existsSync(out));
  const s = openStore(store);
  try {
    assert.equal(
      listModels(s, "segments")[0]!.versions.map((v) => v.version),
      [1],
    );
    const candidate = searchRuns(s, {}).filter((x) => x.tags["custseg.command"] === "retrain");
    assert.equal(
      candidate.map((x) => x.status),
      ["killed"],
    );
  } finally {
    closeStore(s);
  }
});

test.run();
