// A strict reader of one HTTP/1.1 request head, for the socket fast path (socket-fast-path.ts). It
// recognises only the requests the fast path answers — `POST <route> HTTP/1.1`, one Host, one JSON
// Content-Type, one Content-Length, no Transfer-Encoding, Expect, Upgrade or Connection other than
// keep-alive — written plainly: header names of token characters, values of visible ASCII, space
// and tab, every line ending in CRLF. Anything else (including what Node's parser would accept
// with a wording of its own, or refuse) is left to node:http, so a request read here is one that
// node:http reads the same way; the cost of being strict is only that an unusual client is served
// by the slower path.

/** Where the body of a request the fast path takes starts, and its declared length. */
export interface FastHead {
  bodyStart: number;
  length: number;
}

/** Longest head read here; longer ones go to node:http (whose own limit is 16 KB by default). */
export const MAX_HEAD_BYTES = 8192;
/** Most header lines read here. */
const MAX_HEADERS = 64;

const CR = 13;
const LF = 10;
const COLON = 58;
const SP = 32;
const HTAB = 9;

/** RFC 9110 token characters (header names). */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = TCHAR[c + 32] = 1;

/** Header value characters accepted here: visible ASCII, space and tab (no obs-text, no controls). */
const VCHAR = new Uint8Array(256);
for (let c = 32; c <= 126; c++) VCHAR[c] = 1;
VCHAR[HTAB] = 1;

/** The header names that decide whether the fast path takes a request, lower case. */
const NAMES = ["host", "content-type", "content-length", "transfer-encoding", "connection", "expect", "upgrade"] as const;
const NAME_BYTES = NAMES.map((n) => Buffer.from(n, "latin1"));

export class RequestHeadReader {
  /** `POST <route> HTTP/1.1\r\n`, or null when the route cannot be matched byte for byte. */
  private readonly requestLine: Buffer | null;

  constructor(
    route: string,
    private readonly bodyLimit: number,
    private readonly jsonTypes: ReadonlySet<string>,
  ) {
    // A route of visible ASCII only: anything else is compared after Node decodes it.
    this.requestLine = /^\/[\x21-\x7e]*$/.test(route) ? Buffer.from(`POST ${route} HTTP/1.1\r\n`, "latin1") : null;
  }

  /**
   * The request starting at `start` in `buf`, when it is one the fast path takes and has arrived
   * whole (head and body); null otherwise: another request, an unusual one, or one still arriving.
   */
  read(buf: Buffer, start: number): FastHead | null {
    const line = this.requestLine;
    if (line === null || buf.length - start < line.length) return null;
    for (let i = 0; i < line.length; i++) if (buf[start + i] !== line[i]) return null;
    const end = Math.min(buf.length, start + MAX_HEAD_BYTES);
    let pos = start + line.length;
    let host = 0;
    let type: string | null = null;
    let length = -1;
    for (let headers = 0; ; headers++) {
      if (pos + 1 >= end) return null;
      if (buf[pos] === CR) {
        if (buf[pos + 1] !== LF || host !== 1 || type === null || length <= 0 || length > this.bodyLimit) return null;
        const bodyStart = pos + 2;
        return bodyStart + length <= buf.length ? { bodyStart, length } : null;
      }
      if (headers === MAX_HEADERS) return null;
      const nameStart = pos;
      while (pos < end && TCHAR[buf[pos]!] === 1) pos++;
      if (pos === nameStart || pos >= end || buf[pos] !== COLON) return null;
      const nameEnd = pos++;
      while (pos < end && (buf[pos] === SP || buf[pos] === HTAB)) pos++;
      const valueStart = pos;
      while (pos < end && VCHAR[buf[pos]!] === 1) pos++;
      if (pos + 1 >= end || buf[pos] !== CR || buf[pos + 1] !== LF) return null;
      let valueEnd = pos;
      pos += 2;
      while (valueEnd > valueStart && (buf[valueEnd - 1] === SP || buf[valueEnd - 1] === HTAB)) valueEnd--;
      switch (nameOf(buf, nameStart, nameEnd)) {
        case -1:
          break;
        case 0:
          host++;
          break;
        case 1:
          if (type !== null) return null;
          type = buf.toString("latin1", valueStart, valueEnd).toLowerCase();
          if (!this.jsonTypes.has(type)) return null;
          break;
        case 2:
          if (length >= 0) return null;
          length = digits(buf, valueStart, valueEnd);
          if (length < 0) return null;
          break;
        case 4:
          if (buf.toString("latin1", valueStart, valueEnd).toLowerCase() !== "keep-alive") return null;
          break;
        default:
          // Transfer-Encoding, Expect, Upgrade: node:http's to handle.
          return null;
      }
    }
  }
}

/** The index in NAMES of the header name at [from, to), compared without case; -1 for any other. */
function nameOf(buf: Buffer, from: number, to: number): number {
  const n = to - from;
  for (let k = 0; k < NAME_BYTES.length; k++) {
    const name = NAME_BYTES[k]!;
    if (name.length !== n) continue;
    let i = 0;
    // Token characters: OR-ing 0x20 lower-cases letters and leaves '-' as it is.
    while (i < n && (buf[from + i]! | 0x20) === name[i]) i++;
    if (i === n) return k;
  }
  return -1;
}

/** A Content-Length of 1 to 15 decimal digits as a number, else -1. */
function digits(buf: Buffer, from: number, to: number): number {
  if (to === from || to - from > 15) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
