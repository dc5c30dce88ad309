import { test } from "uvu";
import * as assert from "uvu/assert";
import { Arena } from "../../src/engine/arena.js";
import { loadEngine } from "../../src/engine/index.js";
import { Rng } from "../../src/engine/rng.js";

test("alloc aligns, release frees back to the mark", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const arena = new Arena(memory, 8);
  const mark = arena.mark();
  const a = arena.alloc(3);
  const b = arena.alloc(8);
  assert.is(a % 16, 0);
  assert.is(b % 16, 0);
  assert.ok(b >= a + 3);
  arena.release(mark);
  assert.is(arena.mark(), mark);
  assert.is(arena.alloc(3), a);
});

test("memory grows on demand and views are taken from the grown buffer", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const arena = new Arena(memory, 0);
  const small = arena.putF64([1, 2, 3]);
  const big = arena.alloc(3 * 65536);
  assert.ok(arena.byteLength >= big + 3 * 65536);
  arena.f64(big, 2).set([7, 8]);
  assert.equal(Array.from(arena.f64(small, 3)), [1, 2, 3]);
  assert.equal(Array.from(arena.f64(big, 2)), [7, 8]);
});

test("resident blocks survive scratch releases and are reclaimed when freed", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const arena = new Arena(memory, 0);
  const first = arena.allocResident(100);
  const second = arena.allocResident(100);
  const mark = arena.mark();
  arena.alloc(1000);
  assert.throws(() => arena.allocResident(8), /scratch/);
  arena.release(mark);
  assert.throws(() => arena.release(0), /outside/);
  first.free();
  assert.is(arena.mark(), mark, "a freed block under a live one stays until the live one goes");
  second.free();
  assert.is(arena.mark(), 0);
});

test("repeated engine calls do not grow WASM memory", async () => {
  const engine = await loadEngine({ threads: 1 });
  const rng = new Rng(5);
  const data = Float64Array.from({ length: 3000 * 6 }, () => rng.nextFloat());
  const x = { data, rows: 3000, cols: 6 };
  engine.kmeans(x, { k: 5, nInit: 2 });
  engine.predict(x, { data: data.subarray(0, 30), rows: 5, cols: 6 });
  engine.sqDistances(x, { data: data.subarray(0, 60), rows: 10, cols: 6 });
  const after = engine.memoryBytes;
  const mark = engine.context.arena.mark();
  for (let i = 0; i < 30; i++) {
    engine.kmeans(x, { k: 5, nInit: 2, seed: i });
    engine.predict(x, { data: data.subarray(0, 30), rows: 5, cols: 6 });
    engine.sqDistances(x, { data: data.subarray(0, 60), rows: 10, cols: 6 });
  }
  assert.is(engine.memoryBytes, after);
  assert.is(engine.context.arena.mark(), mark);
  const resident = engine.upload(x);
  engine.kmeans(resident, { k: 3, nInit: 1 });
  resident.free();
  assert.is(engine.context.arena.mark(), mark);
});

test("upload copies numeric columns into a row-major matrix", async () => {
  const engine = await loadEngine({ threads: 1 });
  const resident = engine.upload({ columns: [Float64Array.of(1, 2, 3), Int32Array.of(4, 5, 6)] });
  assert.equal([resident.rows, resident.cols], [3, 2]);
  assert.equal(Array.from(engine.context.arena.f64(resident.ptr, 6)), [1, 4, 2, 5, 3, 6]);
  resident.free();
  assert.throws(() => engine.upload({ columns: [Float64Array.of(1, 2), Float64Array.of(1)] }), /column 2 has 1 values/);
  assert.throws(() => engine.upload({ columns: [] }), /no rows/);
});

test.run();
