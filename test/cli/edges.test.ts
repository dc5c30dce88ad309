// Edge cases worded as one line, or handled without aborting: I/O errors of the machine, fewer
// distinct rows than k, an all-constant matrix for PCA, reserved --map names, temp files left by
// killed processes, a reader that closes stdout early.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { reportFailure } from "../../src/cli/failure.js";
import { startCli } from "../helpers/cli.js";
import { lines, runWatched } from "../helpers/watched.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-edges-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test("ENOSPC and EROFS are one-line I/O errors, not internal errors", () => {
  for (const [code, words] of [
    ["ENOSPC", "no space left on the device"],
    ["EROFS", "read-only file system"],
  ]) {
    const err = Object.assign(new Error(`${code}: boom, write`), { code, path: "/mnt/out/model.json" });
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => written.push(s) > 0) as typeof write;
    let status: number;
    try {
      status = reportFailure(err);
    } finally {
      process.stderr.write = write;
    }
    assert.is(status, 1);
    assert.equal(written, [`custseg: /mnt/out/model.json: ${words} (${code})\n`]);
  }
});

test("fewer distinct rows than k: k-means warns that clusters are empty", async () => {
  const x = file("two.csv", "a,b\n1,1\n1,1\n5,5\n5,5\n1,1\n");
  const r = await runWatched(["kmeans", "--input", x, "--k", "3", "--json", "--threads", "1"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: only 2 distinct clusters found for --k 3 \(fewer distinct rows than k\); 1 cluster is empty/);
  assert.equal(JSON.parse(r.stdout).sizes.filter((s: number) => s === 0).length, 1);
});

test("PCA of an all-constant matrix says there is no variance to explain", async () => {
  const x = file("flat.csv", "a,b\n3,7\n3,7\n3,7\n");
  const r = await runWatched(["pca", "--input", x, "--components", "1", "--json"]);
  assert.is(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr), [`custseg: ${x}: every column of X is constant: there is no variance for PCA to explain`]);
});

test("--map __proto__=… is refused as a reserved name", async () => {
  const r = await runWatched(["features", "--input", file("t.csv", "x\n1\n"), "--map", "__proto__=InvoiceNo"]);
  assert.is(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr), ['custseg: --map source "__proto__" is a reserved name and cannot name a column']);
});

/** A process id that is not running. */
function deadPid(): number {
  for (let pid = 4_000_000; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") return pid;
    }
  }
}

test("temp files of killed processes are swept at the next write; a live process's are kept", async () => {
  const x = file("m.csv", "a,b\n1,2\n3,4\n5,6\n");
  const stale = file(`.labels.csv.${deadPid()}.0badcafe.tmp`, "half");
  const live = file(`.labels.csv.${process.pid}.0123abcd.tmp`, "in progress");
  const r = await runWatched(["kmeans", "--input", x, "--k", "2", "--labels-out", join(dir, "labels.csv"), "--threads", "1"]);
  assert.is(r.status, 0, r.stderr);
  assert.not.ok(existsSync(stale), "the dead process's temp file is gone");
  assert.ok(existsSync(live), "the live process's temp file stays");
  assert.match(readFileSync(join(dir, "labels.csv"), "utf8"), /^label\n/);
});

test("a reader closing stdout early (EPIPE) does not abort the command", async () => {
  const x = file("p.csv", "a,b\n1,2\n3,4\n5,6\n7,8\n");
  const out = join(dir, "piped-labels.csv");
  const res = await startCli(["kmeans", "--input", x, "--k", "2", "--labels-out", out, "--threads", "1"], {
    onStart: (child) => child.stdout!.destroy(), // like `| head -0`: nobody reads
  });
  assert.is(res.code, 0, res.stderr);
  assert.ok(existsSync(out));
});

test.run();
