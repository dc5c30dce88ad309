import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runNode } from "../helpers/cli.js";
import { repoRoot } from "../helpers/shared.js";

// The whole-fit benchmark's flags are bounded: a bad value is one line and exit 1, before any fit.
const script = join(repoRoot, "dist", "bench", "whole-fits.js");

test("whole-fits refuses rounds and thread counts out of bounds, in one line", () => {
  for (const [args, flag] of [
    [["--rounds", "0"], "--rounds"],
    [["--rounds", "501"], "--rounds"],
    [["--rounds", "2.5"], "--rounds"],
    [["--threads", "1,0"], "--threads"],
    [["--threads", "65"], "--threads"],
  ] as const) {
    const r = runNode(script, args);
    assert.is(r.code, 1, `${args.join(" ")}: exit code`);
    assert.is(r.stdout, "", `${args.join(" ")}: nothing measured`);
    assert.match(r.stderr, new RegExp(`^${flag} must `), `${args.join(" ")}: the message names the flag`);
    assert.is(r.stderr.trim().split("\n").length, 1, `${args.join(" ")}: one line`);
  }
});

test.run();
