// The import graph of src/, read from the sources (type-only imports included, since a type cycle
// binds two modules as tightly as a value cycle): no cycle between modules, none between the
// layers, and the reference implementations apart from the production engine.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers/shared.js";

const src = join(repoRoot, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : [],
  );
}

/** Module (path relative to src/) → the modules it imports, statically or dynamically. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, "utf8");
    const targets: string[] = [];
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
      targets.push(relative(src, resolve(dirname(file), m[1]!.replace(/\.js$/, ".ts"))));
    }
    graph.set(relative(src, file), targets);
  }
  return graph;
}

/** Strongly connected components with more than one member, or with a self-edge (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

/** The layer a module belongs to: its folder, src/pipeline's steps and jobs counted apart. */
function layer(module: string): string {
  const parts = module.split("/");
  if (parts.length === 1) return "(root)";
  if (parts[0] === "engine" && parts[1] === "reference") return "engine/reference";
  if (parts[0] === "pipeline" && (parts[1] === "steps" || parts[1] === "jobs")) return `pipeline/${parts[1]}`;
  return parts[0]!;
}

const graph = importGraph();

test("every relative import names a module of src/", () => {
  for (const [from, targets] of graph) for (const to of targets) assert.ok(graph.has(to), `${from} imports ${to}, which does not exist`);
});

test("no import cycle between modules", () => {
  assert.equal(cycles(graph), []);
});

test("no import cycle between layers (folders; pipeline steps and jobs apart)", () => {
  const layers = new Map<string, string[]>();
  for (const [from, targets] of graph) {
    const edges = layers.get(layer(from)) ?? [];
    for (const to of targets) if (layer(to) !== layer(from)) edges.push(layer(to));
    layers.set(layer(from), edges);
  }
  assert.equal(cycles(layers), []);
});

test("production code does not import the reference implementations, nor they the WASM side", () => {
  const wasmSide = new Set(["engine/module.ts", "engine/context.ts", "engine/engine.ts", "engine/kernels.ts", "engine/arena.ts", "engine/threads.ts"]);
  const reaches = (from: string, seen = new Set<string>()): boolean => {
    if (wasmSide.has(from)) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return (graph.get(from) ?? []).some((to) => reaches(to, seen));
  };
  for (const [from, targets] of graph) {
    const isReference = from.startsWith("engine/reference/");
    for (const to of targets) {
      if (!isReference) assert.not.ok(to.startsWith("engine/reference/"), `${from} imports ${to}`);
      else if (!to.startsWith("engine/reference/")) assert.not.ok(reaches(to), `${from} imports ${to}, which reaches the WASM side`);
    }
  }
});

test("pipeline steps touch no file and no flag", () => {
  for (const [module] of graph) {
    if (!module.startsWith("pipeline/steps/")) continue;
    const text = readFileSync(join(src, module), "utf8");
    assert.not.match(text, /from\s+["']node:fs/, `${module} imports node:fs`);
    assert.not.match(text, /["'`][^"'`\n]*--[a-z][a-z-]+/, `${module} names a command-line flag`);
  }
});

test.run();
