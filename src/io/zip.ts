// The UCI download is a zip holding one workbook; this finds and inflates it in memory.
// A zip can declare or inflate to far more than it weighs, so the inflated size is bounded: the
// entry's declared size is checked before inflating, and the stream is counted as it arrives
// into one buffer of the declared size (no list of chunks to concatenate).
import { inflateRawSync } from "node:zlib";
import type yauzl from "yauzl";
import { LimitError, UserError } from "../errors.js";
import { quote, quoteList } from "./excerpt.js";
import { DEFAULT_MAX_INFLATED_BYTES } from "./limits.js";

/** The workbook the UCI archive holds. */
export const UCI_WORKBOOK = "Online Retail.xlsx";

export interface ZipOptions {
  /** Refuse an entry that inflates (or declares it inflates) to more bytes than this. */
  maxInflatedBytes?: number;
}

export interface ZipWorkbook {
  name: string;
  bytes: Uint8Array;
}

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/**
 * The `Online Retail.xlsx` entry of a zip (or its only .xlsx entry), inflated.
 * A zip without one is a UserError naming the zip and listing its entries.
 */
export async function workbookFromZip(bytes: Uint8Array | string, file: string, opts: ZipOptions = {}): Promise<ZipWorkbook> {
  const max = opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  const zip = typeof bytes === "string" ? await openZipFile(bytes, file) : await openZipBuffer(bytes, file);
  try {
    const entries = await listEntries(zip, file);
    const workbooks = entries.filter((e) => /\.xlsx$/i.test(e.fileName) && !e.fileName.split("/").pop()?.startsWith("."));
    const entry =
      workbooks.find((e) => e.fileName.split("/").pop() === UCI_WORKBOOK) ?? (workbooks.length === 1 ? workbooks[0] : undefined);
    if (!entry) {
      const names = quoteList(entries.map((e) => e.fileName), "no entries");
      const why = workbooks.length > 1 ? `several .xlsx entries and none named "${UCI_WORKBOOK}"` : `no "${UCI_WORKBOOK}" entry`;
      throw new UserError(`${file}: ${why} (the zip holds: ${names})`);
    }
    if (entry.uncompressedSize > max) throw tooLarge(file, entry, `declares ${mb(entry.uncompressedSize)}`, max);
    return { name: entry.fileName, bytes: await inflate(zip, entry, file, max) };
  } finally {
    zip.close();
  }
}

const mb = (n: number) => `${(n / 2 ** 20).toFixed(n < 2 ** 20 ? 2 : 0)} MB`;

function tooLarge(file: string, entry: yauzl.Entry, what: string, max: number): LimitError {
  return new LimitError(`${file}: ${quote(entry.fileName)} ${what} inflated, over the ${mb(max)} limit; gave up`, "inflatedSize");
}

/** A zip read from disk: only the central directory and the chosen entry are ever in memory. */
async function openZipFile(path: string, file: string): Promise<yauzl.ZipFile> {
  const head = Buffer.alloc(4);
  const { open } = await import("node:fs/promises");
  const fh = await open(path, "r");
  try {
    await fh.read(head, 0, 4, 0);
  } finally {
    await fh.close();
  }
  if (!isZip(head)) throw new UserError(`${file}: not a zip archive`);
  try {
    // Loaded on first use: most commands never open a zip.
    const { open: openZip } = (await import("yauzl")).default;
    return await new Promise<yauzl.ZipFile>((resolve, reject) =>
      openZip(path, { lazyEntries: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z))),
    );
  } catch (err) {
    throw new UserError(`${file}: damaged zip archive (${(err as Error).message})`);
  }
}

async function openZipBuffer(bytes: Uint8Array, file: string, damaged = "damaged zip archive"): Promise<yauzl.ZipFile> {
  if (!isZip(bytes)) throw new UserError(`${file}: not a zip archive`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const { fromBuffer } = (await import("yauzl")).default;
    return await new Promise<yauzl.ZipFile>((resolve, reject) =>
      fromBuffer(buf, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))),
    );
  } catch (err) {
    throw new UserError(`${file}: ${damaged} (${(err as Error).message})`);
  }
}

/** One entry of a zip, inflated. */
export interface ZipPart {
  path: string;
  bytes: Buffer;
}

/**
 * Every entry of a zip (an .xlsx is one) inflated, no more than `max` bytes in all, before a parser
 * that trusts the archive sees it: the declared sizes are summed first, then each entry is inflated
 * into a buffer of its declared size, zlib or yauzl failing any that runs past it.
 */
export async function inflateEntries(bytes: Uint8Array, file: string, max: number): Promise<ZipPart[]> {
  const damaged = "damaged or unsupported workbook";
  const zip = await openZipBuffer(bytes, file, damaged);
  try {
    const entries = await listEntries(zip, file, damaged);
    let declared = 0;
    for (const e of entries) declared += e.uncompressedSize;
    if (declared > max) {
      throw new LimitError(`${file}: the workbook's parts declare ${mb(declared)} inflated, over the ${mb(max)} limit; gave up`, "inflatedSize");
    }
    const parts: ZipPart[] = [];
    for (const entry of entries) {
      if (entry.fileName.endsWith("/")) continue;
      const content = await (isPlainDeflate(entry) ? inflateWhole(zip, entry) : inflateStreamed(zip, entry)).catch((err) => {
        throw new UserError(`${file}: damaged workbook part ${quote(entry.fileName)} (${(err as Error).message})`);
      });
      parts.push({ path: entry.fileName, bytes: content });
    }
    return parts;
  } finally {
    zip.close();
  }
}

const isPlainDeflate = (entry: yauzl.Entry) => entry.compressionMethod === 8 && !entry.isEncrypted();

/**
 * A deflated entry inflated by zlib in one call, into one buffer of its declared size (the output is
 * refused past it): about a third of the CPU of inflating it as a stream of 16 kB chunks, each
 * copied on, and the sheet of a workbook is most of what is inflated before any parse starts.
 */
async function inflateWhole(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  const compressed = await new Promise<Buffer>((resolve, reject) => {
    zip.openReadStream(entry, { decompress: false }, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.once("error", reject);
      stream.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    });
  });
  const size = entry.uncompressedSize;
  try {
    return inflateRawSync(compressed, { chunkSize: Math.max(64, size), maxOutputLength: Math.max(1, size) });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw new Error(`inflates to more than its declared ${size} bytes`);
    throw err;
  }
}

/** An entry stored or compressed otherwise, through yauzl's stream, into one buffer of its declared size. */
function inflateStreamed(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const out = Buffer.allocUnsafe(entry.uncompressedSize);
      let at = 0;
      stream.on("data", (chunk: Buffer) => {
        at += chunk.copy(out, at);
      });
      stream.once("error", reject);
      stream.once("end", () => resolve(out.subarray(0, at)));
    });
  });
}

function listEntries(zip: yauzl.ZipFile, file: string, damaged = "damaged zip archive"): Promise<yauzl.Entry[]> {
  return new Promise<yauzl.Entry[]>((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on("entry", (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.once("end", () => resolve(entries));
    zip.once("error", reject);
    zip.readEntry();
  }).catch((err) => {
    throw new UserError(`${file}: ${damaged} (${(err as Error).message})`);
  });
}

/**
 * The entry's bytes, streamed into one buffer of its declared size. yauzl fails a stream that runs
 * past the declared size; the count against `max` holds even where a declared size is not checked.
 */
function inflate(zip: yauzl.ZipFile, entry: yauzl.Entry, file: string, max: number): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const out = Buffer.allocUnsafe(entry.uncompressedSize);
      let at = 0;
      stream.on("data", (c: Buffer) => {
        if (at + c.length > max) {
          stream.destroy();
          reject(tooLarge(file, entry, `inflates to more than ${mb(max)}`, max));
          return;
        }
        if (at + c.length > out.length) {
          stream.destroy();
          reject(new Error(`more bytes than the declared ${entry.uncompressedSize}`));
          return;
        }
        out.set(c, at);
        at += c.length;
      });
      stream.once("error", reject);
      stream.once("end", () => (at === out.length ? resolve(out) : reject(new Error(`${at} of the declared ${out.length} bytes`))));
    });
  }).catch((err) => {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot inflate ${quote(entry.fileName)} (${(err as Error).message})`);
  });
}
