#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with uvu, then prints one plain
// closing line `N passed, N failed` so a run that executed no test is visible.
// Usage: node scripts/test.mjs [pattern]   (pattern filters test file paths, a RegExp)
// A suite that has not finished after TIMEOUT_MS is killed and counted as failed, never left hanging.
import { spawnSync } from "node:child_process";

const TIMEOUT_MS = 20 * 60 * 1000;

const pattern = process.argv[2] ?? "\\.test\\.js$";
const res = spawnSync(process.execPath, ["node_modules/uvu/bin.js", "dist/test", pattern, "-i", "helpers"], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, FORCE_COLOR: "0" },
  timeout: TIMEOUT_MS,
  killSignal: "SIGKILL",
});
if (res.error || res.signal) console.log(`test run ended abnormally: ${res.error?.message ?? res.signal}`);
process.stdout.write(res.stdout ?? "");
const count = (label) => Number((res.stdout ?? "").match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
const total = count("Total");
const passed = count("Passed");
const skipped = count("Skipped");
const failed = Math.max(0, total - passed - skipped) + (res.status !== 0 && total === passed + skipped ? 1 : 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(res.status === 0 && total > 0 && failed === 0 ? 0 : 1);
