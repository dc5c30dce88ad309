import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/index.js";
import { Rng } from "../../src/engine/rng.js";

test("the WASM generator gives the TypeScript Rng's stream", async () => {
  const { kernels } = (await loadEngine({ threads: 1 })).context;
  for (const seed of [0, 1, 42, 0xffffffff, 123456789]) {
    const rng = new Rng(seed);
    kernels.rngSeed(seed);
    for (let i = 0; i < 100; i++) assert.is(kernels.rngNextU32() >>> 0, rng.nextU32(), `seed ${seed}, draw ${i}`);
    for (let i = 0; i < 100; i++) assert.is(kernels.rngNextFloat(), rng.nextFloat(), `seed ${seed}, float ${i}`);
    // Bounds that reject often (just above 2^31), never (powers of two) and always return 0 (0, 1).
    for (const n of [0, 1, 2, 3, 7, 256, 4282, 2 ** 31 + 1, 2 ** 32 - 1]) {
      for (let i = 0; i < 50; i++) assert.is(kernels.rngNextInt(n) >>> 0, rng.nextInt(n), `seed ${seed}, nextInt(${n}) ${i}`);
    }
  }
});

test("TypeScript Rng: deterministic, sub-streams differ, floats in [0, 1)", () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const draws = Array.from({ length: 1000 }, () => a.nextFloat());
  assert.equal(draws, Array.from({ length: 1000 }, () => b.nextFloat()));
  assert.ok(draws.every((v) => v >= 0 && v < 1));
  assert.is.not(Rng.derive(7, 0).nextU32(), Rng.derive(7, 1).nextU32());
  const counts = new Array(5).fill(0);
  const c = new Rng(3);
  for (let i = 0; i < 5000; i++) counts[c.nextInt(5)]++;
  assert.ok(counts.every((n) => n > 900 && n < 1100), `nextInt(5) counts ${counts}`);
});

test.run();
