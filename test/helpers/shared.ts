import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root, whether the tests run from test/ (tsx) or dist/test/ (compiled). */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return dir;
})();

/** ../shared beside the repository (or CUSTSEG_SHARED_DIR): the real data set and the reference outputs. */
export const sharedDir = resolve(repoRoot, process.env.CUSTSEG_SHARED_DIR ?? join("..", "shared"));

/**
 * Path of a file under ../shared, or undefined where ../shared is absent (a user's own clone).
 * Absent data is a visible skip, and a failure where CUSTSEG_REQUIRE_SHARED=1 (CI always has it).
 */
export function sharedFile(rel: string, what: string): string | undefined {
  const path = join(sharedDir, rel);
  if (existsSync(path)) return path;
  if (process.env.CUSTSEG_REQUIRE_SHARED === "1") {
    throw new Error(`${path} is missing, and CUSTSEG_REQUIRE_SHARED=1 forbids skipping ${what}`);
  }
  console.warn(`SKIP ${what}: ${path} not found (the real data and references live in ../shared)`);
  return undefined;
}

/** The line scripts/test.mjs counts: one per test that ended early for want of its data. */
export const SKIP_MARK = "custseg-test: skipped";

/**
 * Ends a test whose data is missing (`if (!fixture) return skipped();`): the test run counts it as
 * skipped, not passed. uvu has no run-time skip, so the mark goes to stdout for the runner to count.
 */
export function skipped(): void {
  process.stdout.write(`${SKIP_MARK}\n`);
}
