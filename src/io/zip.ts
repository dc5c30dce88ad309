// The UCI download is a zip holding one workbook; this finds and inflates it in memory.
import type yauzl from "yauzl";
import { UserError } from "../errors.js";

/** The workbook the UCI archive holds. */
export const UCI_WORKBOOK = "Online Retail.xlsx";

export interface ZipWorkbook {
  name: string;
  bytes: Uint8Array;
}

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/**
 * The `Online Retail.xlsx` entry of a zip (or its only .xlsx entry), inflated.
 * A zip without one is a UserError naming the zip and listing its entries.
 */
export async function workbookFromZip(bytes: Uint8Array, file: string): Promise<ZipWorkbook> {
  if (!isZip(bytes)) throw new UserError(`${file}: not a zip archive`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Loaded on first use: most commands never open a zip.
  const { fromBuffer } = (await import("yauzl")).default;
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      fromBuffer(buf, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))),
    );
  } catch (err) {
    throw new UserError(`${file}: damaged zip archive (${(err as Error).message})`);
  }
  try {
    const entries = await listEntries(zip, file);
    const workbooks = entries.filter((e) => /\.xlsx$/i.test(e.fileName) && !e.fileName.split("/").pop()?.startsWith("."));
    const entry =
      workbooks.find((e) => e.fileName.split("/").pop() === UCI_WORKBOOK) ?? (workbooks.length === 1 ? workbooks[0] : undefined);
    if (!entry) {
      const names = entries.map((e) => JSON.stringify(e.fileName)).join(", ") || "no entries";
      const why = workbooks.length > 1 ? `several .xlsx entries and none named "${UCI_WORKBOOK}"` : `no "${UCI_WORKBOOK}" entry`;
      throw new UserError(`${file}: ${why} (the zip holds: ${names})`);
    }
    return { name: entry.fileName, bytes: await inflate(zip, entry, file) };
  } finally {
    zip.close();
  }
}

function listEntries(zip: yauzl.ZipFile, file: string): Promise<yauzl.Entry[]> {
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
    throw new UserError(`${file}: damaged zip archive (${(err as Error).message})`);
  });
}

function inflate(zip: yauzl.ZipFile, entry: yauzl.Entry, file: string): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.once("error", reject);
      stream.once("end", () => resolve(Buffer.concat(chunks)));
    });
  }).catch((err) => {
    throw new UserError(`${file}: cannot inflate "${entry.fileName}" (${(err as Error).message})`);
  });
}
