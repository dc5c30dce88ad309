// custseg/engine as an app sees it: importing it loads nothing outside the engine (no other part of
// custseg, no package), and the packed tarball, unpacked into an app's node_modules with none of
// custseg's dependencies beside it, runs k-means through `import("custseg/engine")` and answers
// `custseg --help` from its bundled CLI.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers/shared.js";

const engineDir = join(repoRoot, "dist", "src", "engine");

/** Every module the compiled engine entry can load, statically or dynamically, and every bare specifier. */
function reachable(entry: string): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const code = readFileSync(file, "utf8");
    for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)) {
      const spec = m[1]!;
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec));
      else bare.add(spec);
    }
  };
  visit(entry);
  return { files, bare };
}

test("importing custseg/engine loads no module outside src/engine and no package", () => {
  const { files, bare } = reachable(join(engineDir, "index.js"));
  // The worker script is loaded by URL (worker-url.js); it must stay inside the engine too.
  for (const file of [...files, ...reachable(join(engineDir, "worker.js")).files]) {
    assert.ok(!relative(engineDir, file).startsWith(".."), `the engine loads ${relative(repoRoot, file)}`);
  }
  // Node built-ins only (the Node platform shim imports them dynamically); tsx only serves the
  // worker when the engine runs from its TypeScript sources.
  for (const spec of bare) assert.ok(spec.startsWith("node:") || spec === "tsx/esm/api", `the engine imports the package ${spec}`);
  assert.not.ok([...files].some((f) => f.includes(`${join("engine", "reference")}`)), "the engine entry loads the reference implementations");
});

test("custseg/engine names a small surface, and the main export adds the model library to it", async () => {
  const engine = await import(join(engineDir, "index.js"));
  const main = await import(join(repoRoot, "dist", "src", "index.js"));
  assert.equal(Object.keys(engine).sort(), ["Rng", "loadEngine"]);
  const library = ["FEATURE_NAMES", "MODEL_FORMAT", "ModelError", "SegmentationModel", "computeFeatures", "loadModel", "parseModel"];
  assert.equal(Object.keys(main).sort(), [...Object.keys(engine), ...library].sort());
});

test("the packed tarball runs k-means in an app through import('custseg/engine'), and its CLI starts", () => {
  const tmp = mkdtempSync(join(tmpdir(), "custseg-pack-"));
  try {
    // The build is current (the tests run from it), so the prepack build is not repeated here.
    const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", tmp], { cwd: repoRoot, encoding: "utf8" });
    assert.is(pack.status, 0, pack.stderr);
    const tarball = readdirSync(tmp).find((f) => f.endsWith(".tgz"))!;
    const app = join(tmp, "app");
    const pkg = join(app, "node_modules", "custseg");
    mkdirSync(pkg, { recursive: true });
    const untar = spawnSync("tar", ["-xzf", join(tmp, tarball), "-C", pkg, "--strip-components=1"], { encoding: "utf8" });
    assert.is(untar.status, 0, untar.stderr);
    assert.ok(readdirSync(pkg).includes("LICENSE"), "the tarball carries the LICENSE");
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    writeFileSync(
      join(app, "main.js"),
      `const { loadEngine, Rng } = await import("custseg/engine");
const rng = new Rng(1);
const n = 200;
const data = new Float64Array(n * 2);
for (let i = 0; i < n; i++) {
  const c = i < n / 2 ? 0 : 10;
  data[2 * i] = c + rng.nextFloat();
  data[2 * i + 1] = c + rng.nextFloat();
}
const engine = await loadEngine({ threads: 1 });
const r = engine.kmeans({ data, rows: n, cols: 2 }, { k: 2, seed: 0 });
engine.close();
const sizes = [0, 0];
for (const l of r.labels) sizes[l]++;
console.log(JSON.stringify({ k: r.k, sizes: sizes.sort() }));
`,
    );
    const run = spawnSync(process.execPath, ["main.js"], { cwd: app, encoding: "utf8" });
    assert.is(run.status, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout), { k: 2, sizes: [100, 100] });

    // The CLI `bin` names is the bundle, yargs inside it: its help and version need no package beside it.
    const { bin, version } = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(pkg, bin.custseg), ...args], { cwd: app, encoding: "utf8" });
    const help = cli("run", "--help");
    assert.is(help.status, 0, help.stderr);
    assert.match(help.stdout, /--input/);
    assert.is(cli("--version").stdout.trim(), version);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
