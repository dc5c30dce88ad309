// A step's code version: the sha256 of its `run` and `params` functions' text, of every module its
// `run` imports (the files that run: compiled modules or the CLI bundle's chunks, followed through
// their relative imports) and, for a step that runs kernels, of the WASM builds. Not the package
// version: any change to what a step executes is seen. Files are hashed once per process; the whole
// graph costs a few milliseconds.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { StepDef } from "./steps.js";

const self = fileURLToPath(import.meta.url);
const here = dirname(self);
/**
 * src/ (or dist/src/): module paths in code versions are relative to it, so a moved checkout keeps
 * its keys. In the CLI bundle (dist/cli/, scripts/bundle.mjs) this module is part of a chunk beside
 * all the others, which import each other as "./chunk.js": the bundle's directory is the root, and
 * a step's version hashes the chunks it runs.
 */
const srcRoot = /[\\/]pipeline[\\/]jobs[\\/]graph[\\/]code\.[jt]s$/.test(self) ? resolve(here, "../../..") : here;
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** A module as it enters code versions: its path relative to srcRoot, its hash, what it imports. */
interface ModuleHash {
  line: string;
  imports: string[];
}

const fileHashes = new Map<string, ModuleHash>();
const versions = new Map<string, string>();
let wasmHash: string | undefined;

const fromSource = self.endsWith(".ts");

/** The module a specifier names: the compiled .js (or chunk) itself, or from source the .ts of a .js that is not there. */
function moduleFile(fromDir: string, specifier: string): string {
  const js = resolve(fromDir, specifier);
  if (!fromSource || existsSync(js)) return js;
  return js.replace(/\.js$/, ".ts");
}

function hashFile(file: string): ModuleHash {
  let entry = fileHashes.get(file);
  if (!entry) {
    const bytes = readFileSync(file);
    // Import specifiers are ASCII: latin1 finds them without decoding UTF-8.
    const imports = [...bytes.toString("latin1").matchAll(IMPORT)].map((m) => moduleFile(dirname(file), m[1]!));
    entry = { line: `${relative(srcRoot, file)} ${createHash("sha256").update(bytes).digest("hex")}\n`, imports };
    fileHashes.set(file, entry);
  }
  return entry;
}

/** The lines of every module reachable from `roots` through relative imports, in code-unit order. */
function closure(roots: string[]): string[] {
  const seen = new Map<string, string>();
  const stack = [...roots];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    const { line, imports } = hashFile(file);
    seen.set(file, line);
    stack.push(...imports);
  }
  // Not localeCompare: its first call loads ICU's collation, tens of milliseconds of a stored re-run.
  return [...seen.values()].sort();
}

/** sha256 over the WASM builds (build/*.wasm, found above src/), which kernels may run any flavour of. */
function wasmVersion(): string {
  if (wasmHash) return wasmHash;
  let dir = srcRoot;
  while (!existsSync(join(dir, "build")) && dirname(dir) !== dir) dir = dirname(dir);
  const build = join(dir, "build");
  const h = createHash("sha256");
  const files = existsSync(build) ? readdirSync(build).filter((f) => f.endsWith(".wasm")).sort() : [];
  for (const f of files) h.update(f).update(readFileSync(join(build, f)));
  wasmHash = h.digest("hex");
  return wasmHash;
}

export function codeVersion(def: StepDef): string {
  const cached = versions.get(def.name);
  if (cached) return cached;
  const text = [def.run, def.params, def.files, def.detail].map((f) => f?.toString() ?? "").join("\n");
  const roots = [...text.matchAll(IMPORT)].map((m) => moduleFile(here, m[1]!));
  const h = createHash("sha256").update(text);
  for (const line of closure(roots)) h.update(line);
  if (def.wasm) h.update(`wasm ${wasmVersion()}`);
  const version = h.digest("hex");
  versions.set(def.name, version);
  return version;
}
