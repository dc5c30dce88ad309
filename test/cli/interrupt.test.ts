// SIGINT and SIGTERM end a running k-means within moments (the fit yields to the event loop
// between iterations, so the handler runs), removing unfinished output; runs and iterations have
// upper bounds, refused by flag name before any work.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpuSeconds } from "../helpers/cli.js";
import { lines, runWatched } from "../helpers/watched.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-interrupt-"));
const matrix = join(dir, "x.csv");
test.after(() => rmSync(dir, { recursive: true, force: true }));

test.before(() => {
  // 20,000 × 8 values from a small LCG: without the bounds on work, the fit below runs for hours.
  let s = 12345;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) / 2 ** 24;
  };
  const rows = ["a,b,c,d,e,f,g,h"];
  for (let i = 0; i < 20_000; i++) rows.push(Array.from({ length: 8 }, next).map((v) => v.toFixed(6)).join(","));
  writeFileSync(matrix, `${rows.join("\n")}\n`);
});

const longFit = ["kmeans", "--input", matrix, "--k", "50", "--n-init", "1000", "--max-iter", "10000", "--tol", "0"];

/** Starts the long fit, sends `signal` once it has been computing for a while, and returns the outcome. */
async function interrupted(signal: NodeJS.Signals, extra: string[]) {
  let sentAt = 0;
  const r = await runWatched([...longFit, ...extra], {
    cwd: dir,
    livenessMs: 60_000,
    onStart: (child) => {
      // Loading modules and the CSV takes about a CPU second; past three, the fit is running.
      const started = Date.now();
      const poll = setInterval(() => {
        const cpu = cpuSeconds(child.pid!);
        if (cpu === undefined ? Date.now() - started < 5_000 : cpu < 3) return;
        clearInterval(poll);
        sentAt = Date.now();
        child.kill(signal);
      }, 100);
      child.once("exit", () => clearInterval(poll));
    },
  });
  return { ...r, afterSignalMs: Date.now() - sentAt };
}

test("SIGINT ends a long k-means promptly and leaves no output", async () => {
  const out = join(dir, "labels-int.csv");
  const r = await interrupted("SIGINT", ["--labels-out", out, "--threads", "1"]);
  assert.not.ok(r.killed, "the process ended by itself");
  assert.is(r.status, 130, r.stderr);
  assert.match(r.stderr, /interrupted \(SIGINT\); unfinished output removed/);
  // A liveness bound, not a speed test: the unbounded fit would take hours.
  assert.ok(r.afterSignalMs < 20_000, `ended ${r.afterSignalMs} ms after the signal`);
  assert.not.ok(existsSync(out));
  assert.equal(readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);
});

test("SIGTERM ends a long k-means on the worker pool promptly", async () => {
  const r = await interrupted("SIGTERM", ["--threads", "2"]);
  assert.not.ok(r.killed, "the process ended by itself");
  assert.is(r.status, 143, r.stderr);
  assert.ok(r.afterSignalMs < 20_000, `ended ${r.afterSignalMs} ms after the signal`);
});

test("SIGINT ends a long mini-batch k-means promptly", async () => {
  // A thousand candidate initialisations of k-means++ on all 20,000 rows: minutes of work.
  const r = await interrupted("SIGINT", ["--algorithm", "minibatch", "--batch-size", "20000", "--threads", "1"]);
  assert.not.ok(r.killed, "the process ended by itself");
  assert.is(r.status, 130, r.stderr);
  assert.ok(r.afterSignalMs < 20_000, `ended ${r.afterSignalMs} ms after the signal`);
});

test("--n-init and --max-iter have upper bounds, named in one line before any work", async () => {
  for (const [args, pattern] of [
    [["kmeans", "--input", "missing.csv", "--k", "3", "--n-init", "1e12"], /^custseg: --n-init must be a whole number from 1 to 1,000 \(got 1000000000000\)$/],
    [["kmeans", "--input", "missing.csv", "--k", "3", "--max-iter", "10001"], /^custseg: --max-iter must be a whole number from 1 to 10,000 \(got 10001\)$/],
    [["run", "--input", "missing.csv", "--n-init", "100000"], /^custseg: --n-init must be a whole number from 1 to 1,000 \(got 100000\)$/],
  ] as const) {
    const r = await runWatched([...args], { cwd: dir, livenessMs: 30_000 });
    assert.is(r.status, 1, r.stderr);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(lines(r.stderr)[0]!, pattern);
  }
});

test.run();
