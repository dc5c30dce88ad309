// The CLI runs from its bundle (dist/cli/, scripts/bundle.mjs), so a step's code version is the hash
// of the bundle's chunks it runs: the same wherever the bundle sits, and changed by any change to a
// chunk the step runs (here a copy of the bundle, edited), not by a change to another step's.
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateFile } from "../../src/io/generate/generate.js";
import { cliPath, runNode } from "../helpers/cli.js";
import { repoRoot } from "../helpers/shared.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-bundle-"));
const work = join(dir, "work");
const copy = join(dir, "copy");
const input = join(work, "shop.parquet");
test.after(() => rmSync(dir, { recursive: true, force: true }));

test.before(async () => {
  await generateFile(input, { rows: 3000, customers: 60, seed: 3 });
  // A package laid out as the repository is: package.json, build/*.wasm, the bundle, the packages.
  cpSync(join(repoRoot, "dist", "cli"), join(copy, "dist", "cli"), { recursive: true });
  cpSync(join(repoRoot, "build"), join(copy, "build"), { recursive: true });
  cpSync(join(repoRoot, "package.json"), join(copy, "package.json"));
  symlinkSync(join(repoRoot, "node_modules"), join(copy, "node_modules"));
});

/** Keys and reuse of the steps up to features, run by the CLI at `cli`. */
function stepsUpToFeatures(cli: string): Record<string, { key: string; cached: boolean }> {
  const res = runNode(cli, ["run", "--input", input, "--threads", "1", "--to", "features", "--json"], { cwd: work, env: { CUSTSEG_CACHE_DIR: "" } });
  assert.is(res.code, 0, res.stderr);
  const { steps } = JSON.parse(res.stdout) as { steps: { name: string; key: string; cached: boolean }[] };
  return Object.fromEntries(steps.map((s) => [s.name, { key: s.key, cached: s.cached }]));
}

test("a moved bundle keeps its keys; an edited chunk changes the keys of the steps that run it", () => {
  const first = stepsUpToFeatures(cliPath);
  assert.equal(Object.keys(first), ["load", "clean", "features"]);
  const moved = stepsUpToFeatures(join(copy, "dist", "cli", "custseg.js"));
  for (const step of ["load", "clean", "features"]) {
    assert.is(moved[step]!.key, first[step]!.key, step);
    assert.ok(moved[step]!.cached, `${step} is reused by the moved bundle`);
  }

  const chunks = join(copy, "dist", "cli");
  const clean = readdirSync(chunks).filter((f) => f.endsWith(".js") && readFileSync(join(chunks, f), "utf8").includes("function* cleanTransactionsSteps("));
  assert.is(clean.length, 1, `one chunk defines the clean step: ${clean.join(", ")}`);
  appendFileSync(join(chunks, clean[0]!), "\n// edited\n");
  const edited = stepsUpToFeatures(join(copy, "dist", "cli", "custseg.js"));
  assert.is(edited.load!.key, first.load!.key, "load does not run the clean step's chunk");
  assert.ok(edited.load!.cached);
  assert.is.not(edited.clean!.key, first.clean!.key);
  assert.not.ok(edited.clean!.cached, "clean computes again");
  assert.is.not(edited.features!.key, first.features!.key, "features reads clean's output");
});

test.run();
