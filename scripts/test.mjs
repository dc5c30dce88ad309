#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with uvu, then prints one plain
// closing line `N passed, N failed, N skipped` so a run that executed no test is visible, and a
// test that ended early for want of its data (test/helpers/shared.ts `skipped()`) is not counted
// as passed. Colours only on a terminal, so redirected logs stay plain.
// Usage: node scripts/test.mjs [pattern]   (pattern filters test file paths, a RegExp)
// A suite that has not finished after TIMEOUT_MS is killed and counted as failed, never left hanging.
import { spawnSync } from "node:child_process";

const TIMEOUT_MS = 20 * 60 * 1000;
const SKIP_MARK = "custseg-test: skipped";

const pattern = process.argv[2] ?? "\\.test\\.js$";
const env = { ...process.env };
delete env.FORCE_COLOR;
// NODE_DISABLE_COLORS, not NO_COLOR: the test runner honours both, and Node warns where NO_COLOR
// meets a FORCE_COLOR set further down.
if (process.stdout.isTTY) env.FORCE_COLOR = "1";
else env.NODE_DISABLE_COLORS = "1";
const res = spawnSync(process.execPath, ["node_modules/uvu/bin.js", "dist/test", pattern, "-i", "helpers"], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
  env,
  timeout: TIMEOUT_MS,
  killSignal: "SIGKILL",
});
if (res.error || res.signal) console.log(`test run ended abnormally: ${res.error?.message ?? res.signal}`);
const stdout = res.stdout ?? "";
const marks = stdout.split(SKIP_MARK).length - 1;
process.stdout.write(stdout.replaceAll(`${SKIP_MARK}\n`, ""));
const count = (label) => Number(stdout.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
const total = count("Total");
const passed = count("Passed") - marks;
const skipped = count("Skipped") + marks;
const failed = Math.max(0, total - passed - skipped) + (res.status !== 0 && total === passed + skipped ? 1 : 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(res.status === 0 && total > 0 && failed === 0 ? 0 : 1);
