// The kernel interface (src/engine/kernels.ts) against the built modules: the same exports, the
// same parameter counts, in every flavour. A kernel renamed or re-shaped in assembly/ fails here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CHUNKED_KERNELS, KERNEL_ARITY, KERNEL_NAMES } from "../../src/engine/kernels.js";
import { SHARED_INITIAL_PAGES, SHARED_MAXIMUM_PAGES } from "../../src/engine/module.js";
import { repoRoot } from "../helpers/shared.js";

const builds = { simd: "custseg.wasm", scalar: "custseg-scalar.wasm", threads: "custseg-threads.wasm" };

for (const [flavour, file] of Object.entries(builds)) {
  test(`${flavour}: the module exports exactly the declared kernels, with the declared parameter counts`, async () => {
    const module = await WebAssembly.compile(readFileSync(join(repoRoot, "build", file)));
    const functions = WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
    assert.equal([...functions].sort(), [...KERNEL_NAMES].sort());
    const imports: WebAssembly.Imports =
      flavour === "threads"
        ? { env: { memory: new WebAssembly.Memory({ initial: SHARED_INITIAL_PAGES, maximum: SHARED_MAXIMUM_PAGES, shared: true }) } }
        : {};
    const { exports } = await WebAssembly.instantiate(module, imports);
    for (const name of KERNEL_NAMES) {
      assert.is((exports[name] as (...args: number[]) => unknown).length, KERNEL_ARITY[name], `${name}: parameter count`);
    }
  });
}

test("chunked kernels take the chunk index last, so each is declared with at least one parameter", () => {
  for (const name of CHUNKED_KERNELS) assert.ok(KERNEL_ARITY[name] >= 1, name);
});

test.run();
