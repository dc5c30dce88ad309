// The artefact store and its codec: values round-trip to the bit (NaN, ±Infinity, Maps, typed
// arrays inline and as Arrow parts, Arrow tables with their buffers cut to the row count); a stored
// output is complete or absent; a changed part is caught by size and time, or by its checksum.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { makeVector, Table, tableToIPC } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeFields, decodeValue, encodeValue, VALUE_PART } from "../../src/io/artifact-codec.js";
import { checkArtifact, listArtifacts, readArtifact, writeArtifact } from "../../src/io/artifacts.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-artifacts-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const KEY = "a".repeat(64);

test("value.json: plain objects and arrays written as JSON writes them; members that JSON cannot hold tagged wherever they sit", () => {
  const nested = { id: 1, name: "x", skip: undefined, list: [1, 2.5, "a", null], fn: () => 0 };
  const value = {
    items: [nested, { ...nested, id: 2 }],
    later: [{ a: 1, b: Number.NaN, c: 3, d: undefined }, 4, Number.POSITIVE_INFINITY],
    bare: Object.assign(Object.create(null), { z: 1, y: [Number.NaN] }),
    when: new Date(0),
    small: Int16Array.of(1, -2),
  };
  const text = new TextDecoder().decode(encodeValue(value)[VALUE_PART] as Uint8Array);
  assert.is(
    text,
    '{"items":[{"id":1,"name":"x","list":[1,2.5,"a",null]},{"id":2,"name":"x","list":[1,2.5,"a",null]}],' +
      '"later":[{"a":1,"b":{"$n":"NaN"},"c":3},4,{"$n":"Infinity"}],' +
      '"bare":{"z":1,"y":[{"$n":"NaN"}]},"when":{},"small":{"$typed":"Int16Array","v":[1,-2]}}',
  );
  const back = decodeValue<typeof value>(encodeValue(value) as Record<string, Uint8Array>);
  assert.equal(back.items[1], { id: 2, name: "x", list: [1, 2.5, "a", null] });
  assert.ok(Number.isNaN((back.later[0] as { b: number }).b));
  assert.is(nested.skip, undefined, "the value itself is left as it was");
});

test("values round-trip: numbers that JSON cannot hold, Maps, typed arrays small and large, tables", () => {
  const big = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 1e-300 + i);
  const value = {
    n: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.1, 1 / 3],
    map: new Map([[17001, 2]]),
    small: Int32Array.of(3, -1, 7),
    flags: Uint8Array.from({ length: 3001 }, (_, i) => i % 2),
    big,
    table: new Table({ x: makeVector(Int32Array.of(1, 2, 3)), y: makeVector(Float64Array.of(0.5, Number.NaN, 2)) }),
    absent: undefined,
  };
  const parts = encodeValue(value);
  assert.ok(Object.keys(parts).some((p) => p.endsWith(".arrow")), "large arrays go to Arrow parts");
  const back = decodeValue<typeof value>(parts);
  assert.ok(Number.isNaN(back.n[0]!));
  assert.equal(back.n.slice(1), value.n.slice(1));
  assert.equal([...back.map], [[17001, 2]]);
  assert.instance(back.small, Int32Array);
  assert.equal([...back.small], [3, -1, 7]);
  assert.instance(back.flags, Uint8Array);
  assert.equal([...back.flags], [...value.flags]);
  assert.instance(back.big, Float64Array);
  assert.ok(back.big.every((v, i) => Object.is(v, big[i])), "bit-identical");
  const x = back.table.getChild("x")!.data[0]!;
  assert.is(x.values.length, 3, "values buffer cut to the rows, not the IPC padding");
  assert.equal([...back.table.getChild("x")!.toArray()], [1, 2, 3]);
  assert.not.ok("absent" in back);
});

test("a stored output: listed, checked, read back; a changed part is seen by size and time, or by checksum", async () => {
  const parts = encodeValue({ v: Float64Array.from({ length: 2000 }, (_, i) => i) });
  const manifest = await writeArtifact(dir, "pca", KEY, parts, 12.5);
  assert.is(manifest.computeMs, 12.5);
  assert.equal((await listArtifacts(dir)).map((a) => a.key), [KEY]);
  assert.equal(readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);
  const read = await readArtifact(dir, KEY);
  assert.ok("parts" in read);
  assert.ok("manifest" in (await checkArtifact(dir, KEY)));

  const part = join(dir, KEY, Object.keys(parts).find((p) => p.endsWith(".arrow"))!);
  const seconds = statSync(part).mtimeMs / 1000;
  const bytes = readFileSync(part);
  bytes[bytes.length - 9]! ^= 1;
  writeFileSync(part, bytes);
  const changed = await checkArtifact(dir, KEY);
  assert.ok("problem" in changed && changed.problem === "damaged", JSON.stringify(changed));
  utimesSync(part, seconds, seconds);
  assert.ok("manifest" in (await checkArtifact(dir, KEY)), "same size and time: not seen without reading");
  const r = await readArtifact(dir, KEY);
  assert.ok("problem" in r && /does not match its checksum/.test(r.detail ?? ""), JSON.stringify(r));
  assert.equal(await checkArtifact(dir, "b".repeat(64)), { problem: "missing" });
});

test("fields alone: read from value.json only (a damaged table part goes unread), tables and long arrays left out", async () => {
  const key = "c".repeat(64);
  const value = {
    rows: { afterZeroPrice: 7 },
    generated: { rows: 10, customers: 2, seed: 1, version: "x" },
    small: Int32Array.of(1, 2),
    flags: Uint8Array.from({ length: 3001 }, (_, i) => i % 2),
    table: new Table({ x: makeVector(Int32Array.of(1, 2, 3)) }),
  };
  await writeArtifact(dir, "clean", key, encodeValue(value), 1);
  const table = join(dir, key, readdirSync(join(dir, key)).find((p) => p.startsWith("t"))!);
  const seconds = statSync(table).mtimeMs / 1000;
  const bytes = readFileSync(table);
  bytes[bytes.length - 9]! ^= 1;
  writeFileSync(table, bytes);
  utimesSync(table, seconds, seconds);
  const read = await readArtifact(dir, key, [VALUE_PART]);
  assert.ok("parts" in read, JSON.stringify(read));
  assert.equal(Object.keys(read.parts), [VALUE_PART]);
  const fields = decodeFields<typeof value>(read.parts);
  assert.equal(Object.keys(fields).sort(), ["generated", "rows", "small"]);
  assert.equal(fields.generated, value.generated);
  assert.equal([...fields.small!], [1, 2]);
  const whole = await readArtifact(dir, key);
  assert.ok("problem" in whole && /does not match its checksum/.test(whole.detail ?? ""), "the whole read still checks every part");
});

test("a table written from its IPC writer's chunks: the same file and checksum as its encoding in one piece", async () => {
  const n = 50_000;
  const table = new Table({
    id: makeVector(Int32Array.from({ length: n }, (_, i) => i * 7)),
    v: makeVector(Float64Array.from({ length: n }, (_, i) => Math.sin(i))),
  });
  const value = { table, rows: { loaded: n } };
  const streamed = encodeValue(value, undefined, true);
  assert.ok("chunks" in (streamed["t0.arrow"] as object), "a part written as it is produced");
  const key = "5".repeat(64);
  const manifest = await writeArtifact(dir, "clean", key, streamed, 2);
  const whole = tableToIPC(table, "file");
  const file = readFileSync(join(dir, key, "t0.arrow"));
  assert.ok(file.equals(whole), "the bytes of tableToIPC");
  assert.is(manifest.parts["t0.arrow"]!.sha256, createHash("sha256").update(whole).digest("hex"));
  assert.is(manifest.parts["t0.arrow"]!.bytes, whole.length);
  const read = await readArtifact(dir, key);
  assert.ok("parts" in read);
  const back = decodeValue<typeof value>(read.parts);
  assert.equal([...back.table.getChild("v")!.toArray()], [...table.getChild("v")!.toArray()]);
  assert.equal(back.rows, { loaded: n });
});

test("a table already on disk as an Arrow IPC file is stored as a copy of it, with the checksum it was read with", async () => {
  const table = new Table({ x: makeVector(Int32Array.of(4, 5, 6)) });
  const file = join(dir, "entry.arrow");
  const ipc = tableToIPC(table, "file");
  writeFileSync(file, ipc);
  const sha256 = createHash("sha256").update(ipc).digest("hex");
  const parts = encodeValue({ table, format: "parquet" }, new Map([[table, { file, sha256 }]]));
  assert.equal(parts["t0.arrow"], { file, sha256 }, "not encoded again");
  const key = "d".repeat(64);
  const manifest = await writeArtifact(dir, "load", key, parts, 3);
  assert.equal(manifest.parts["t0.arrow"], { sha256, bytes: ipc.length, mtimeMs: manifest.parts["t0.arrow"]!.mtimeMs });
  const read = await readArtifact(dir, key);
  assert.ok("parts" in read, JSON.stringify(read));
  assert.equal([...decodeValue<{ table: Table }>(read.parts).table.getChild("x")!.toArray()], [4, 5, 6]);

  // A file that changed after its checksum was taken is stored under the old one: caught when read.
  const stale = "e".repeat(64);
  await writeArtifact(dir, "load", stale, { "t0.arrow": { file, sha256: "0".repeat(64) } }, 3);
  const r = await readArtifact(dir, stale);
  assert.ok("problem" in r && /does not match its checksum/.test(r.detail ?? ""), JSON.stringify(r));
});

test.run();
