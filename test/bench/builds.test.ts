import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runNode } from "../helpers/cli.js";
import { repoRoot } from "../helpers/shared.js";

// The two-build benchmarks' flags (bench/cases/builds.ts) are bounded: a bad value is one line and
// exit 1, before anything is measured.
const scripts = ["whole-fits.js", "seeding.js", "lloyd-single.js"].map((name) => join(repoRoot, "dist", "bench", name));

test("whole-fits, seeding and lloyd-single refuse rounds and thread counts out of bounds, and a missing build, in one line", () => {
  const bad = [
    [["--rounds", "0"], "--rounds"],
    [["--rounds", "501"], "--rounds"],
    [["--rounds", "2.5"], "--rounds"],
    [["--threads", "1,0"], "--threads"],
    [["--threads", "65"], "--threads"],
    [["--against", "/nonexistent-build"], "--against"],
  ] as const;
  for (const script of scripts) {
    for (const [args, flag] of bad) {
      // lloyd-single compares two ways of this build: --rounds is its only flag.
      if (script.endsWith("lloyd-single.js") && flag !== "--rounds") continue;
      const r = runNode(script, args);
      const what = `${script} ${args.join(" ")}`;
      assert.is(r.code, 1, `${what}: exit code`);
      assert.is(r.stdout, "", `${what}: nothing measured`);
      assert.match(r.stderr, new RegExp(`^${flag}[: ]`), `${what}: the message names the flag`);
      assert.is(r.stderr.trim().split("\n").length, 1, `${what}: one line`);
    }
  }
});

test.run();
