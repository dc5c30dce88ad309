#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/index.js) into dist/cli/: custseg.js, the entry `bin` names,
// and the chunks it imports. Node resolves and compiles one file per module it loads; the CLI and
// yargs are some 130 modules, which cost more of `custseg --help` than the work itself.
// - Splitting: what a command imports in its handler stays a chunk loaded only by that command.
// - The worker scripts are entries beside custseg.js, so the `new URL("./worker.js", import.meta.url)`
//   of the modules that start them finds them, and they share the main thread's chunks (code versions
//   of steps computed in a worker are those of the main thread).
// - Packages stay external (loaded from node_modules when a command first needs them), except yargs,
//   which every command loads: it is a script of its own, compiled from a code cache (see below; its
//   locale files are copied to dist/cli/yargs-locales/), and apache-arrow, some 150 modules whose
//   resolution alone cost a tenth of a second of every command that reads a table; it sits in a
//   chunk of its own, loaded on first use like the others.
//   arrow-js-ffi is bundled with it: external, it would load its own copy of apache-arrow.
//   dist/cli/bundled-packages.json says which file holds which bundled package, for the start-up test.
// - The chunks sit flat in one directory and import each other as "./name.js": the step graph's code
//   versions (src/pipeline/jobs/graph/code.ts) hash the chunks a step runs.
// Usage: node scripts/bundle.mjs (after tsc; part of `npm run build`).
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist", "cli");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const BUNDLED = ["yargs", "apache-arrow", "arrow-js-ffi"];
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.includes(name));

// yargs's platform shim, adjusted for the bundle:
// - it reads its messages from `../../../locales` beside its own file, which from a chunk of dist/cli/
//   is outside dist/: it reads them from dist/cli/yargs-locales/ instead;
// - it takes the application's directory to be the path before `node_modules` in its own file's
//   path, and the working directory where there is none (the bundle): yargs then looks for a
//   package.json from the working directory up to the root on every start. The bundle's own
//   directory is the application's;
// - it imports node:assert for two invariant checks that hold in every call; loading node:assert
//   also sets up stderr and its colours. The checks are made here, and node:assert is loaded only
//   to throw its own error should one ever fail.
const yargsDir = dirname(createRequire(import.meta.url).resolve("yargs/package.json"));
const SHIM_EDITS = [
  ["resolve(__dirname, '../../../locales')", "resolve(__dirname, '../yargs-locales')"],
  ["const mainFilename = __dirname.substring(0, __dirname.lastIndexOf('node_modules'));", "const mainFilename = dirname(__dirname);"],
  [
    "import { notStrictEqual, strictEqual } from 'assert'",
    `import { createRequire as createAssertRequire } from 'node:module';
const nodeAssert = () => createAssertRequire(import.meta.url)('node:assert');
const notStrictEqual = (actual, expected, message) => { if (Object.is(actual, expected)) nodeAssert().notStrictEqual(actual, expected, message); };
const strictEqual = (actual, expected, message) => { if (!Object.is(actual, expected)) nodeAssert().strictEqual(actual, expected, message); };`,
  ],
];

// wrap-ansi (cliui's wrapping of every cell of a help text), after it has broken a line into rows,
// walks the result code point by code point to carry colour and link escapes across line breaks,
// with a Map lookup per character of every help text. Text without an escape character comes out
// of that walk unchanged, so it is returned as it is.
const WRAP_EDITS = [
  [
    "const preString = rows.join('\\n');\n",
    "const preString = rows.join('\\n');\n\tif (!preString.includes('\\u001B') && !preString.includes('\\u009B')) return preString;\n",
  ],
];

/** Replaces text in the package files `filter` matches; a text no longer there fails the build. */
const edits = (name, filter, list) => ({
  name,
  setup(b) {
    b.onLoad({ filter }, (args) => {
      let text = readFileSync(args.path, "utf8");
      for (const [from, to] of list) {
        if (!text.includes(from)) throw new Error(`bundle: ${args.path} no longer has ${from}; see scripts/bundle.mjs`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: "js" };
    });
  },
});
const yargsShim = edits("yargs-shim", /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/, SHIM_EDITS);
const wrapFastPath = edits("wrap-fast-path", /wrap-ansi[\\/]index\.js$/, WRAP_EDITS);

// string-width (under yargs's help and wrapping) builds Unicode property tables when it loads and
// segments every string into graphemes tested against a fresh emoji regex: most of what `--help`
// costs. Text made only of characters one column wide in every copy of it (printable ASCII and the
// few signs custseg's help uses; checked here against each copy) is measured by its length; other
// text loads the real function on first use (`require` keeps a bundled module's start lazy).
const NARROW = " -~²×–…→−";
const narrowClass = `[\\x20-\\x7e${NARROW.slice(3)}]`;
const narrowWidth = {
  name: "narrow-width",
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { real: true } });
      if (real.errors.length) return { errors: real.errors };
      return { path: real.path, namespace: "narrow-width" };
    });
    b.onLoad({ filter: /.*/, namespace: "narrow-width" }, async (args) => {
      const { default: width } = await import(pathToFileURL(args.path).href);
      const wide = [...NARROW.slice(3)].filter((c) => width(c) !== 1);
      if (wide.length) throw new Error(`bundle: ${args.path} gives ${wide.join(" ")} a width other than 1`);
      return {
        contents: `const NARROW = /^${narrowClass}*$/;
let width;
export default function stringWidth(text, options) {
  if (typeof text === "string" && NARROW.test(text) && (options?.ambiguousIsNarrow ?? true)) return text.length;
  width ??= require(${JSON.stringify(args.path)}).default;
  return width(text, options);
}
`,
        resolveDir: dirname(args.path),
        loader: "js",
      };
    });
  },
};

// yargs (with cliui, yargs-parser and the rest) is most of what every command compiles at start-up,
// and V8 compiles it anew in each process: Node 20 keeps no compile cache for ES modules. So yargs
// is built apart, as a script (dist/cli/yargs-script.js: one function expression with CommonJS's
// parameters), which the entry compiles through node:vm with the code cache the build leaves
// beside it (dist/cli/yargs-script.cache: the bytecode of the script and of the functions a help
// and a parse run). V8 checks a cache against the script's length and its own version and flags,
// and compiles from source where it does not fit (another Node, a V8 flag such as
// --max-old-space-size): slower, never different. The build and the entry compile the file's text
// as it is, so they agree on it; the build's Node runs without NODE_OPTIONS, as a user's mostly does.
const YARGS_SCRIPT = "yargs-script.js";
const YARGS_CACHE = "yargs-script.cache";
const yargsLoader = (file) => `import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
const file = ${file};
let cachedData;
try {
  cachedData = readFileSync(join(dirname(file), ${JSON.stringify(YARGS_CACHE)}));
} catch {}
export const script = new Script(readFileSync(file, "utf8"), { filename: file, cachedData });
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
export default module.exports.yargs;
export const hideBin = module.exports.hideBin;
`;
const yargsFromScript = {
  name: "yargs-from-script",
  setup(b) {
    b.onResolve({ filter: /^yargs(\/helpers)?$/ }, () => ({ path: "yargs", namespace: "yargs-from-script" }));
    b.onLoad({ filter: /.*/, namespace: "yargs-from-script" }, () => ({
      contents: yargsLoader(`fileURLToPath(new URL("./${YARGS_SCRIPT}", import.meta.url))`),
      loader: "js",
    }));
  },
};

rmSync(out, { recursive: true, force: true });
const yargsBuild = await build({
  absWorkingDir: root,
  metafile: true,
  stdin: { contents: `export { default as yargs } from "yargs";\nexport { hideBin } from "yargs/helpers";\n`, resolveDir: root, loader: "js" },
  outfile: join(out, YARGS_SCRIPT),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  // yargs's platform shim finds its directory (and, through it, the locales) from import.meta.url.
  define: { "import.meta.url": "__yargsUrl" },
  banner: { js: '(function (exports, require, module, __filename, __dirname) {\nconst __yargsUrl = require("node:url").pathToFileURL(__filename).href;' },
  footer: { js: "})" },
  legalComments: "none",
  logLevel: "warning",
  plugins: [yargsShim, wrapFastPath, narrowWidth],
});

const result = await build({
  absWorkingDir: root,
  metafile: true,
  entryPoints: {
    custseg: "dist/src/cli/index.js",
    worker: "dist/src/engine/worker.js",
    "tune-worker": "dist/src/pipeline/jobs/tune-worker.js",
    "xlsx-worker": "dist/src/io/xlsx-worker.js",
    "parquet-worker": "dist/src/io/parquet-worker.js",
    "parquet-write-worker": "dist/src/io/parquet-write-worker.js",
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  chunkNames: "[name]-[hash]",
  legalComments: "none",
  logLevel: "warning",
  plugins: [yargsFromScript],
});
cpSync(join(yargsDir, "locales"), join(out, "yargs-locales"), { recursive: true });

/** Each output file → the packages bundled into it. */
const packagesByChunk = {};
for (const [file, meta] of [...Object.entries(yargsBuild.metafile.outputs), ...Object.entries(result.metafile.outputs)]) {
  const packages = new Set(Object.keys(meta.inputs).flatMap((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1] ?? []));
  if (packages.size > 0) packagesByChunk[file.split("/").pop()] = [...packages].sort();
}
writeFileSync(join(out, "bundled-packages.json"), `${JSON.stringify(packagesByChunk, null, 1)}\n`);

// The code cache: a Node process compiles the yargs script as the entry does, renders a command's
// help and parses its flags (so that the functions they run are compiled too), then writes it.
const warmUp = `${yargsLoader(JSON.stringify(join(out, YARGS_SCRIPT)))}
const { writeFileSync } = await import("node:fs");
const build = (args) => module.exports
  .yargs(module.exports.hideBin(["node", "custseg", ...args]))
  .scriptName("custseg").usage("$0 <command> [options]").strict()
  .parserConfiguration({ "duplicate-arguments-array": false })
  .demandCommand(1, "Name a command").recommendCommands().help().alias("h", "help").version("0.0.0").wrap(100)
  .check(() => true)
  .command({ command: "other", describe: "Another command", handler: () => {} })
  .command({
    command: "run",
    describe: "A command with flags",
    builder: (y) => y
      .option("k", { type: "number", default: 3, describe: "Clusters" })
      .option("input", { type: "string", describe: "Input file" })
      .option("mode", { choices: ["a", "b"], default: "a", describe: "A choice" })
      .option("json", { type: "boolean", default: false, describe: "A switch" })
      .example("$0 run", "An example"),
    handler: () => {},
  });
for (const args of [["--help"], ["run", "--help"], ["run", "--k", "4", "--input", "x.csv"], ["rn"]]) {
  await build(args).parseAsync(module.exports.hideBin(["node", "custseg", ...args]), {}, () => {});
}
writeFileSync(${JSON.stringify(join(out, YARGS_CACHE))}, script.createCachedData());
`;
const warm = spawnSync(process.execPath, ["--input-type=module", "-e", warmUp], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
if (warm.status !== 0) throw new Error(`bundle: the code cache of ${YARGS_SCRIPT} was not written: ${warm.stderr}`);
