#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/index.js) into dist/cli/: custseg.js, the entry `bin` names,
// and the chunks it imports. Node resolves and compiles one file per module it loads; the CLI and
// yargs are some 130 modules, which cost more of `custseg --help` than the work itself.
// - Splitting: what a command imports in its handler stays a chunk loaded only by that command.
// - The worker scripts are entries beside custseg.js, so the `new URL("./worker.js", import.meta.url)`
//   of the modules that start them finds them, and they share the main thread's chunks (code versions
//   of steps computed in a worker are those of the main thread).
// - Packages stay external (loaded from node_modules when a command first needs them), except yargs,
//   which every command loads (its locale files are copied to dist/cli/yargs-locales/), and
//   apache-arrow, some 150 modules whose resolution alone cost a tenth of a second of every command
//   that reads a table; it sits in a chunk of its own, loaded on first use like the others.
//   arrow-js-ffi is bundled with it: external, it would load its own copy of apache-arrow.
//   dist/cli/bundled-packages.json says which chunk holds which bundled package, for the start-up test.
// - The chunks sit flat in one directory and import each other as "./name.js": the step graph's code
//   versions (src/pipeline/jobs/graph/code.ts) hash the chunks a step runs.
// Usage: node scripts/bundle.mjs (after tsc; part of `npm run build`).
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
const yargsShim = {
  name: "yargs-shim",
  setup(b) {
    b.onLoad({ filter: /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
      let text = readFileSync(args.path, "utf8");
      for (const [from, to] of SHIM_EDITS) {
        if (!text.includes(from)) throw new Error(`bundle: ${args.path} no longer has ${from}; see scripts/bundle.mjs`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: "js" };
    });
  },
};

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

rmSync(out, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  metafile: true,
  entryPoints: {
    custseg: "dist/src/cli/index.js",
    worker: "dist/src/engine/worker.js",
    "tune-worker": "dist/src/pipeline/jobs/tune-worker.js",
    "xlsx-worker": "dist/src/io/xlsx-worker.js",
    "parquet-worker": "dist/src/io/parquet-worker.js",
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
  plugins: [yargsShim, narrowWidth],
});
cpSync(join(yargsDir, "locales"), join(out, "yargs-locales"), { recursive: true });

/** Each output file → the packages bundled into it. */
const packagesByChunk = {};
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  const packages = new Set(Object.keys(meta.inputs).flatMap((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1] ?? []));
  if (packages.size > 0) packagesByChunk[file.split("/").pop()] = [...packages].sort();
}
writeFileSync(join(out, "bundled-packages.json"), `${JSON.stringify(packagesByChunk, null, 1)}\n`);

