// Hand-made zip archives with one deflated entry, streamed so that an entry of hundreds of MB
// costs the test a few hundred KB of memory and disk; the declared sizes can be set to lie.
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { constants, crc32, createDeflateRaw } from "node:zlib";
import XLSX from "xlsx";

export interface BombOptions {
  /** Bytes the entry really inflates to (zeros, or `fill` repeated). */
  size: number;
  /** The uncompressed size written in the headers (default: the true size). */
  declared?: number;
  /** A text repeated to fill the entry (default zeros). */
  fill?: Uint8Array;
  /** Written first, before the fill. */
  prefix?: Uint8Array;
  /** Written last, after the fill. */
  suffix?: Uint8Array;
}

const CHUNK = 1 << 20;

/** Deflate `prefix + fill… + suffix` (size bytes in all) into a Buffer, with its CRC-32. */
async function deflated(opts: BombOptions): Promise<{ data: Buffer; crc: number }> {
  const deflate = createDeflateRaw({ level: constants.Z_BEST_COMPRESSION });
  const out: Buffer[] = [];
  deflate.on("data", (c: Buffer) => out.push(c));
  const done = once(deflate, "end");
  const prefix = opts.prefix ?? new Uint8Array(0);
  const suffix = opts.suffix ?? new Uint8Array(0);
  let crc = 0;
  const put = async (b: Uint8Array) => {
    crc = crc32(b, crc);
    if (!deflate.write(b)) await once(deflate, "drain");
  };
  await put(prefix);
  let left = opts.size - prefix.length - suffix.length;
  const unit = opts.fill ?? new Uint8Array(0);
  const block = Buffer.alloc(CHUNK);
  if (unit.length > 0) for (let i = 0; i < CHUNK; i++) block[i] = unit[i % unit.length]!;
  // Whole periods of the fill per block, so that consecutive blocks continue it.
  const step = unit.length > 0 ? CHUNK - (CHUNK % unit.length) : CHUNK;
  while (left > 0) {
    const n = Math.min(left, step);
    await put(block.subarray(0, n));
    left -= n;
  }
  await put(suffix);
  deflate.end();
  await done;
  return { data: Buffer.concat(out), crc };
}

/** A zip holding the entries, each deflated (stored sizes may lie through `declared`). */
export async function bombZip(path: string, entries: Record<string, BombOptions>): Promise<void> {
  const out = createWriteStream(path);
  const central: Buffer[] = [];
  let offset = 0;
  const write = async (b: Buffer) => {
    offset += b.length;
    if (!out.write(b)) await once(out, "drain");
  };
  for (const [name, opts] of Object.entries(entries)) {
    const { data, crc } = await deflated(opts);
    const nameBytes = Buffer.from(name, "utf8");
    const size = opts.declared ?? opts.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(Math.min(size, 0xffffffff), 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(Math.min(size, 0xffffffff), 24);
    cd.writeUInt16LE(nameBytes.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, nameBytes);
    await write(Buffer.concat([local, nameBytes]));
    await write(data);
  }
  const cdBytes = Buffer.concat(central);
  const cdOffset = offset;
  await write(cdBytes);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  await write(end);
  out.end();
  await once(out, "finish");
}

/** A zip holding the given entries, written with the container library bundled in xlsx. */
export function zipOf(entries: Record<string, Uint8Array>): Uint8Array {
  const cfb = XLSX.CFB.utils.cfb_new();
  for (const [name, bytes] of Object.entries(entries)) XLSX.CFB.utils.cfb_add(cfb, `/${name}`, bytes);
  return XLSX.CFB.write(cfb, { fileType: "zip", type: "buffer", compression: true });
}
