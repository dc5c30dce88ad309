// Compiles the WASM module once per flavour and instantiates it with the plain WebAssembly API.
// Kernels are called raw: pointers and sizes, no bindings. The builds import nothing but the shared
// memory of the threads flavour (runtime "stub", noAssert: no abort import), so no loader is needed,
// and the engine keeps no bare-specifier import that a browser worker could not resolve.
import { currentPlatform } from "./platform.js";

import { KERNEL_NAMES, type Kernels } from "./kernels.js";

/** Any exported kernel, untyped: the thread pool's view, which passes arguments through. */
export type Kernel = (...args: number[]) => unknown;

/** simd: f64x2 inner loops; scalar: the same source without SIMD; threads: SIMD on shared, imported memory. */
export type Flavour = "simd" | "scalar" | "threads";

const files: Record<Flavour, string> = {
  simd: "custseg.wasm",
  scalar: "custseg-scalar.wasm",
  threads: "custseg-threads.wasm",
};

/** The threads flavour's memory limits (asconfig.json, target "threads"). */
export const SHARED_INITIAL_PAGES = 1;
export const SHARED_MAXIMUM_PAGES = 32768;

const compiled = new Map<Flavour, Promise<WebAssembly.Module>>();

/** The compiled module of a flavour; compiled on first use, then shared by every instance. */
export function compileModule(flavour: Flavour): Promise<WebAssembly.Module> {
  let module = compiled.get(flavour);
  if (!module) {
    module = currentPlatform()
      .then((p) => p.wasmBytes(files[flavour]))
      .then((bytes) => WebAssembly.compile(bytes as BufferSource));
    compiled.set(flavour, module);
    module.catch(() => compiled.delete(flavour));
  }
  return module;
}

export type { Kernels };

export interface ModuleInstance {
  readonly kernels: Kernels;
  readonly memory: WebAssembly.Memory;
}

/** Instantiate `module`, on the given (shared) memory for the threads flavour, else on its own. */
export async function instantiateModule(module: WebAssembly.Module, memory?: WebAssembly.Memory): Promise<ModuleInstance> {
  const instance = await WebAssembly.instantiate(module, memory ? { env: { memory } } : {});
  const exports = instance.exports as Record<string, unknown>;
  const kernels: Record<string, unknown> = {};
  for (const name of KERNEL_NAMES) {
    if (typeof exports[name] !== "function") throw new Error(`the WASM module has no kernel ${name}; rebuild it ('npm run build:wasm')`);
    kernels[name] = exports[name];
  }
  return { kernels: kernels as unknown as Kernels, memory: memory ?? (exports.memory as WebAssembly.Memory) };
}
