// What the kernel benchmark case files share: the engines per implementation, and cases that keep
// their input matrix resident in WASM memory for the whole case.
import type { BenchCase } from "../harness.js";
import { type Engine, loadEngine, type Matrix, type ResidentMatrix } from "../../src/engine/index.js";

export const engines: Record<string, () => Promise<Engine>> = {
  "wasm-simd": () => loadEngine({ threads: 1 }),
  "wasm-scalar": () => loadEngine({ simd: false, threads: 1 }),
  "wasm-simd-threads": () => loadEngine(),
};

/** A case on a WASM engine with `input().x` uploaded once in setup; `body` also gets the whole input. */
export function residentCase<T extends { x: Matrix }>(
  kernel: string,
  size: string,
  impl: string,
  input: () => T,
  body: (e: Engine, x: ResidentMatrix, input: T) => unknown,
): BenchCase {
  let engine: Engine;
  let x: ResidentMatrix;
  let v: T;
  return {
    kernel,
    size,
    impl,
    setup: async () => {
      engine = await engines[impl]!();
      v = input();
      x = engine.upload(v.x);
    },
    fn: () => body(engine, x, v),
    teardown: () => x.free(),
  };
}

/** A case on the plain-TypeScript reference. */
export function referenceCase<T>(kernel: string, size: string, input: () => T, body: (input: T) => unknown): BenchCase {
  let v: T;
  return { kernel, size, impl: "ts", setup: () => void (v = input()), fn: () => body(v) };
}
