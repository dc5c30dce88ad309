// The progress lines on stderr: a step's line comes once its output is kept, which can be while
// the next step runs; on a terminal, the running step's spinner comes back after that line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stderrReporter } from "../../src/cli/progress.js";

function capture(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { reporter: stderrReporter(stream), writes };
}

test("not a terminal: one plain line per finished step, in the order they finish", () => {
  const { reporter, writes } = capture(false);
  reporter.start("clean");
  reporter.start("features");
  reporter.done("clean", 120, "399567 lines kept");
  reporter.done("features", 80.4);
  assert.equal(writes, [`  ✓ ${"clean".padEnd(26)}    120 ms  399567 lines kept\n`, `  ✓ ${"features".padEnd(26)}     80 ms\n`]);
});

test("a terminal: the earlier step's line replaces the spinner, which then shows the running step again", () => {
  const { reporter, writes } = capture(true);
  reporter.start("clean");
  reporter.start("features");
  reporter.done("clean", 120);
  assert.equal(writes.slice(1), ["  ⠋ features", `\r\x1b[2K  ✓ ${"clean".padEnd(26)}    120 ms\n`, "  ⠋ features"]);
  reporter.done("features", 80);
  assert.equal(writes.at(-1), `\r\x1b[2K  ✓ ${"features".padEnd(26)}     80 ms\n`);
  // Nothing runs now: no spinner is left behind to write after the last line.
  reporter.done("report", 5);
  assert.ok(!writes.at(-1)!.includes("⠋"));
});

test.run();
