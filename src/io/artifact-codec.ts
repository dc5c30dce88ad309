// A step's output as artefact parts and back: the value's shape as JSON (`value.json`), with every
// Arrow table and every large typed array in an Arrow IPC part of its own, so matrices and
// transactions round-trip to the bit and are read without parsing text. JSON cannot hold NaN,
// ±Infinity, typed arrays or Maps; they are tagged objects in the skeleton.
import { makeVector, RecordBatchFileWriter, Table, tableFromIPC, tableToIPC } from "apache-arrow";
import type { FilePart, StreamPart } from "./artifacts.js";
import { exactTable } from "./schema.js";

/** The part holding the value's shape and every field that is not a table or a long typed array. */
export const VALUE_PART = "value.json";
/** Typed arrays up to this length stay inline in the JSON; longer ones become Arrow parts. */
const INLINE_MAX = 1024;

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

const typedName = (v: unknown): TypedName | undefined => {
  if (!ArrayBuffer.isView(v)) return undefined;
  const name = v.constructor.name as TypedName;
  return name in TYPED ? name : undefined;
};

const number = (v: number) => (Number.isFinite(v) ? v : { $n: String(v) });

/**
 * The value's parts. A table found in `onDisk` is already an Arrow IPC file (the source cache's
 * entry): its part is that file, copied rather than encoded and hashed again. With `streamTables`,
 * every other table is a part written from its IPC writer's chunks (the cleaned lines: 16 MB that
 * one contiguous copy would first allocate and fill).
 */
export function encodeValue(value: unknown): Record<string, Uint8Array>;
export function encodeValue(value: unknown, onDisk: ReadonlyMap<Table, FilePart> | undefined, streamTables?: boolean): Record<string, Uint8Array | FilePart | StreamPart>;
export function encodeValue(value: unknown, onDisk?: ReadonlyMap<Table, FilePart>, streamTables = false): Record<string, Uint8Array | FilePart | StreamPart> {
  const parts: Record<string, Uint8Array | FilePart | StreamPart> = {};
  let n = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === "number") return number(v);
    if (v === null || typeof v !== "object") return v;
    if (v instanceof Table) {
      const part = `t${n++}.arrow`;
      parts[part] = onDisk?.get(v) ?? (streamTables ? { chunks: () => RecordBatchFileWriter.writeAll(v) } : tableToIPC(v, "file"));
      return { $table: part };
    }
    const typed = typedName(v);
    if (typed) {
      const arr = v as Typed;
      if (arr.length <= INLINE_MAX) return { $typed: typed, v: Array.from(arr, number) };
      const part = `a${n++}.arrow`;
      parts[part] = tableToIPC(new Table({ v: makeVector(arr) }), "file");
      return { $typed: typed, part };
    }
    if (v instanceof Map) return { $map: [...v].map(([k, x]) => [walk(k), walk(x)]) };
    if (Array.isArray(v)) {
      // Copied only from the first element that changes: an array of plain values is its own JSON.
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const x = walk(v[i]);
        if (out) out.push(x);
        else if (x !== v[i]) (out = v.slice(0, i)).push(x);
      }
      return out ?? v;
    }
    // A plain object none of whose members change is its own JSON (thousands of small objects: a
    // run's recommendations): JSON.stringify writes it as it would write a copy, the same own keys
    // in the same order, undefined members left out. Other objects, and a plain one from its first
    // member that changes, are copied; each member is walked once (walking a table stores it).
    const proto = Object.getPrototypeOf(v);
    const plain = proto === Object.prototype || proto === null;
    const keys = Object.keys(v);
    const members = v as Record<string, unknown>;
    // No prototype, so any key is a plain property.
    let out: Record<string, unknown> | undefined = plain ? undefined : Object.create(null);
    for (let i = 0; i < keys.length; i++) {
      const x = members[keys[i]!];
      if (x === undefined) continue;
      const w = walk(x);
      if (out) out[keys[i]!] = w;
      else if (w !== x) {
        out = Object.create(null) as Record<string, unknown>;
        for (let j = 0; j < i; j++) if (members[keys[j]!] !== undefined) out[keys[j]!] = members[keys[j]!];
        out[keys[i]!] = w;
      }
    }
    return out ?? v;
  };
  const skeleton = JSON.stringify(walk(value));
  parts[VALUE_PART] = new TextEncoder().encode(skeleton);
  return parts;
}

export function decodeValue<T>(parts: Record<string, Uint8Array>): T {
  return decode(parts, true) as T;
}

/**
 * The value's fields from its `value.json` part alone: tables and long typed arrays (parts of their
 * own) are left out, so a reader after a count or a mark does not read the megabytes beside it.
 */
export function decodeFields<T>(parts: Record<string, Uint8Array>): Partial<T> {
  return decode(parts, false) as Partial<T>;
}

function decode(parts: Record<string, Uint8Array>, withParts: boolean): unknown {
  const skeleton = JSON.parse(new TextDecoder().decode(part(VALUE_PART))) as unknown;
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(walk);
    const o = v as Record<string, unknown>;
    if (typeof o.$n === "string") return Number(o.$n);
    if (typeof o.$table === "string") {
      return withParts ? exactTable(tableFromIPC(part(o.$table))) : undefined;
    }
    if (typeof o.$typed === "string") {
      const Ctor = TYPED[o.$typed as TypedName];
      if (Array.isArray(o.v)) return Ctor.from(o.v.map((x) => walk(x) as number));
      if (!withParts) return undefined;
      const column = tableFromIPC(part(o.part as string)).getChild("v")!.toArray() as ArrayLike<number>;
      return new Ctor(column as never);
    }
    if (Array.isArray(o.$map)) return new Map((o.$map as unknown[][]).map(([k, x]) => [walk(k), walk(x)]));
    return Object.fromEntries(
      Object.entries(o)
        .map(([k, x]) => [k, walk(x)] as const)
        .filter(([, x]) => x !== undefined),
    );
  };
  return walk(skeleton);

  function part(name: string): Uint8Array {
    const bytes = parts[name];
    if (!bytes) throw new Error(`artefact part ${name} is missing`);
    return bytes;
  }
}

