#!/usr/bin/env node
// Renders an HTML report in headless Chromium and saves a PNG, to check the page by eye.
// Usage: node scripts/screenshot.mjs <report.html> <out.png> [height=4000] [width=1400]
// (the report must read at 700 px as well as 1400 px: take both)
// Needs /usr/bin/chromium (Debian: apt-get install chromium); CI does not have it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const CHROMIUM = "/usr/bin/chromium";
const [input, output, heightArg = "4000", widthArg = "1400"] = process.argv.slice(2);

function fail(message) {
  console.error(`screenshot: ${message}`);
  process.exit(1);
}

if (!input || !output) fail("usage: node scripts/screenshot.mjs <report.html> <out.png> [height] [width]");
if (!existsSync(input)) fail(`${input} does not exist`);
if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} not found; install it with: apt-get update && apt-get install -y chromium`);
const height = Number(heightArg);
if (!Number.isInteger(height) || height < 100) fail(`height must be a whole number of pixels ≥ 100, got "${heightArg}"`);
const width = Number(widthArg);
if (!Number.isInteger(width) || width < 320 || width > 4000) fail(`width must be a whole number of pixels from 320 to 4000, got "${widthArg}"`);

const profile = mkdtempSync(join(tmpdir(), "custseg-chromium-"));
const out = resolve(output);
rmSync(out, { force: true });
try {
  const res = spawnSync(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--hide-scrollbars",
      `--user-data-dir=${profile}`,
      `--window-size=${width},${height}`,
      `--screenshot=${out}`,
      pathToFileURL(resolve(input)).href,
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  if (res.error) fail(`could not run ${CHROMIUM}: ${res.error.message}`);
  if (!existsSync(out) || statSync(out).size === 0) {
    fail(`chromium exited with ${res.status} and wrote no screenshot\n${(res.stderr ?? "").trim()}`);
  }
  console.log(`${out} (${statSync(out).size} bytes)`);
} finally {
  rmSync(profile, { recursive: true, force: true });
}
