// Bytes of a text file → string: a named encoding, or detection (BOM, else valid UTF-8, else
// Windows-1252, the usual encoding of spreadsheet exports with £ and accented letters).
import { isUtf8 } from "node:buffer";
import iconv from "iconv-lite";
import { UserError } from "../errors.js";

export interface DecodedText {
  text: string;
  /** The encoding used (as given, or the one detected). */
  encoding: string;
}

export function decodeText(bytes: Uint8Array, file: string, encoding?: string): DecodedText {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (encoding) {
    if (!iconv.encodingExists(encoding)) {
      throw new UserError(`unknown text encoding "${encoding}" for ${file} (try utf8, windows-1252, latin1 or utf16le)`);
    }
    return { text: stripBom(iconv.decode(buf, encoding)), encoding };
  }
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { text: buf.toString("utf8", 3), encoding: "utf8" };
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: iconv.decode(buf, "utf16le"), encoding: "utf16le" };
  if (buf[0] === 0xfe && buf[1] === 0xff) return { text: iconv.decode(buf, "utf16be"), encoding: "utf16be" };
  if (isUtf8(buf)) return { text: buf.toString("utf8"), encoding: "utf8" };
  return { text: iconv.decode(buf, "windows-1252"), encoding: "windows-1252" };
}

const stripBom = (s: string) => (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s);
