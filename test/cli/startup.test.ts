// `custseg --help` and `custseg <command> --help` start in a blink only if they load no reader,
// store, server or report: each such package is loaded on first use, by the job that needs it, and a
// command's module only when that command is named. The CLI the tests run is the bundle
// (dist/cli/custseg.js); it must say what the compiled modules (dist/src/cli/index.js) say.
// This checks which modules the process loads (through a module hook), not how long it takes.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { COMMANDS, commandName } from "../../src/cli/commands/index.js";
import { generateFile } from "../../src/io/generate/generate.js";
import { cliPath, runCli, runNode } from "../helpers/cli.js";
import { repoRoot } from "../helpers/shared.js";

/** Packages that only a command's work needs, never its flags. */
const HEAVY = ["apache-arrow", "parquet-wasm", "xlsx", "better-sqlite3", "fastify", "prom-client", "yauzl", "iconv-lite"];

/** The CLI of the compiled modules, one file per module, as tsc writes them. */
const modulesCli = join(repoRoot, "dist", "src", "cli", "index.js");

// Runs in the loader thread: reports every module URL as it loads.
const hook = `data:text/javascript,${encodeURIComponent(`
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(
  "export async function load(url, ctx, next) { process.stderr.write('LOADED ' + url + '\\\\n'); return next(url, ctx); }"));
`)}`;

function modulesLoaded(args: string[], script = cliPath): string[] {
  const res = runNode(script, args, { nodeArgs: ["--import", hook] });
  assert.is(res.code, 0, `custseg ${args.join(" ")}: ${res.stderr}`);
  return [...res.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]!);
}

/** Packages bundled into each file of dist/cli/ (apache-arrow and yargs), as the bundler wrote them. */
const bundled = JSON.parse(readFileSync(join(repoRoot, "dist", "cli", "bundled-packages.json"), "utf8")) as Record<string, string[]>;

/** The packages behind the loaded URLs: from node_modules, or bundled into a loaded chunk. */
const packagesOf = (urls: string[]) =>
  new Set(
    urls.flatMap((u) => {
      const fromModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1];
      if (fromModules) return [fromModules];
      const chunk = /\/dist\/cli\/([^/]+\.js)$/.exec(u)?.[1];
      return chunk ? (bundled[chunk] ?? []) : [];
    }),
  );

test("the hook sees the packages a CLI loads (the check can fail)", () => {
  const loaded = packagesOf(modulesLoaded(["generate", "--help"], modulesCli));
  assert.ok(loaded.has("yargs"), `expected yargs among ${[...loaded].join(", ")}`);
  // In the bundle, through the chunk apache-arrow was bundled into: `features` reads a table.
  const dir = mkdtempSync(join(tmpdir(), "custseg-startup-"));
  try {
    writeFileSync(join(dir, "t.csv"), "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n");
    const res = runNode(cliPath, ["features", "--input", join(dir, "t.csv"), "--out", join(dir, "f.csv")], { nodeArgs: ["--import", hook] });
    const urls = [...res.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]!);
    assert.ok(packagesOf(urls).has("apache-arrow"), `expected apache-arrow among ${[...packagesOf(urls)].join(", ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--help loads none of the packages a command's work needs", () => {
  const heavy = [...packagesOf(modulesLoaded(["--help"]))].filter((p) => HEAVY.includes(p));
  assert.equal(heavy, []);
});

for (const entry of COMMANDS) {
  const name = commandName(entry);
  test(`${name} --help loads none of the packages its work needs`, () => {
    const heavy = [...packagesOf(modulesLoaded([name, "--help"]))].filter((p) => HEAVY.includes(p));
    assert.equal(heavy, [], `custseg ${name} --help loaded ${heavy.join(", ")}`);
  });
}

test("a run on a Parquet file loads no reader of other formats, no text decoder and no server", async () => {
  const dir = mkdtempSync(join(tmpdir(), "custseg-startup-"));
  try {
    const input = join(dir, "small.parquet");
    await generateFile(input, { rows: 3_000, customers: 60, seed: 2 });
    const args = ["run", "--input", input, "--no-cache", "--store", join(dir, "s.db"), "--lock", join(dir, "lock"), "--out", join(dir, "run"), "--n-init", "2"];
    const loaded = packagesOf(modulesLoaded(args));
    // The hook sees ES module loads (CommonJS requires, as better-sqlite3's, pass it by): Arrow is one.
    assert.ok(loaded.has("apache-arrow"), `expected apache-arrow among ${[...loaded].join(", ")}`);
    const unneeded = ["xlsx", "yauzl", "iconv-lite", "fastify", "prom-client"].filter((p) => loaded.has(p));
    assert.equal(unneeded, [], `custseg run on Parquet loaded ${unneeded.join(", ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a command's module loads only when the command is named", () => {
  const commandModules = (args: string[]) =>
    modulesLoaded(args, modulesCli)
      .flatMap((u) => /\/cli\/commands\/([^/]+)\.js$/.exec(u)?.[1] ?? [])
      .filter((m) => m !== "index")
      .sort();
  assert.equal(commandModules(["--help"]), []);
  assert.equal(commandModules(["run", "--help"]), ["run"]);
  assert.equal(commandModules(["model", "list", "--help"]), ["model"]);
});

test("the bundle prints the help the compiled modules print, word for word", () => {
  // The bundle measures and wraps text its own way (evaluate's and run's help hold characters outside
  // ASCII), and runs yargs from a script of its own: every help text is compared.
  for (const args of [["--help"], ...COMMANDS.map((entry) => [commandName(entry), "--help"]), ["model", "list", "--help"], ["rn"]]) {
    const bundled = runCli(args);
    const modules = runNode(modulesCli, args);
    assert.is(bundled.code, modules.code, args.join(" "));
    assert.is(bundled.stdout, modules.stdout, args.join(" "));
    assert.is(bundled.stderr, modules.stderr, args.join(" "));
  }
});

/** yargs as the bundle holds it: a script the entry compiles through node:vm, and its code cache. */
const yargsScript = join(repoRoot, "dist", "cli", "yargs-script.js");
const yargsCache = join(repoRoot, "dist", "cli", "yargs-script.cache");

test("the entry compiles yargs from the code cache the build wrote", () => {
  // In a Node process of its own, started as the CLI is (no V8 flags: a flag would refuse the cache).
  const dir = mkdtempSync(join(tmpdir(), "custseg-cache-"));
  try {
    const probe = join(dir, "probe.mjs");
    writeFileSync(
      probe,
      `import { readFileSync } from "node:fs";
import { Script } from "node:vm";
const [file, cache] = process.argv.slice(2);
const script = new Script(readFileSync(file, "utf8"), { filename: file, cachedData: readFileSync(cache) });
process.stdout.write(String(script.cachedDataRejected));
`,
    );
    const res = runNode(probe, [yargsScript, yargsCache]);
    assert.is(res.code, 0, res.stderr);
    assert.is(res.stdout, "false", "V8 refused the code cache");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a code cache V8 refuses, or none, changes nothing the CLI prints", () => {
  const dir = mkdtempSync(join(tmpdir(), "custseg-cache-"));
  try {
    cpSync(join(repoRoot, "dist", "cli"), join(dir, "dist", "cli"), { recursive: true });
    cpSync(join(repoRoot, "package.json"), join(dir, "package.json"));
    const copy = join(dir, "dist", "cli", "custseg.js");
    const cache = join(dir, "dist", "cli", "yargs-script.cache");
    for (const variant of ["refused", "absent"]) {
      if (variant === "refused") writeFileSync(cache, "not a code cache");
      else rmSync(cache);
      for (const args of [["--help"], ["run", "--help"], ["rn"]]) {
        const want = runCli(args);
        const got = runNode(copy, args);
        assert.is(got.code, want.code, `${variant}: ${args.join(" ")}`);
        assert.is(got.stdout, want.stdout, `${variant}: ${args.join(" ")}`);
        assert.is(got.stderr, want.stderr, `${variant}: ${args.join(" ")}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--version is custseg's own, wherever it runs", () => {
  const dir = mkdtempSync(join(tmpdir(), "custseg-version-"));
  try {
    // yargs alone would report the version of a package.json above the working directory.
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", version: "9.9.9" }));
    const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    assert.is(runCli(["--version"], { cwd: dir }).stdout.trim(), version);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
