// The Vertex AI route served on node:http directly, in front of fastify. fastify's routing, hooks
// and reply cost more per request than the whole of custseg's own work at one instance per
// request, so the requests that succeed — nearly all of them under load — skip it. The fast path
// answers a request only when the answer is a 200; every other request goes to fastify, which
// words every error as before:
//   - before its body is read, when the headers decide (another route or method, another content
//     type, no declared length or one past the body limit, a server closing), untouched;
//   - after, when the body fails to parse or validate or to score: the bytes read are replayed to
//     fastify's parser (replay.ts), so the 400 a client reads is the one the route words.
// A body the fast path accepts is one fastify's route accepts too: the same reader, the same
// scoring, and JSON.parse on the same text — except that fastify's parser also refuses
// `__proto__` and `constructor` keys, so a body that may hold one (or any escape that could spell
// one) is handed over rather than checked here.
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { type ReplayBodies, replay } from "./replay.js";

/** What a request that succeeds is answered with: the status is 200. */
export interface FastAnswer {
  /** The reply's text. */
  text: string;
  /** Its UTF-8 length, known from the pieces it was made of (a scan would also flatten the text). */
  bytes: number;
}

/** The route's own work on a parsed body: an answer, or null to let fastify answer the request. */
export type FastHandler = (body: unknown, started: number) => FastAnswer | null;

export interface FastPathOptions {
  route: string;
  bodyLimit: number;
  handle: FastHandler;
  /** Counts a request the fast path answered (route, status 200, seconds). */
  record(seconds: number): void;
  /** True once the server is closing: fastify answers 503 from then on. */
  closing(): boolean;
}

/** Content types fastify's JSON parser reads and the route accepts, as clients send them. */
const JSON_TYPES = new Set(["application/json", "application/json; charset=utf-8", "application/json;charset=utf-8"]);

/**
 * A node:http request listener that answers the fast path's requests and passes the rest to
 * `fallback` (fastify's own listener), with `bodies` holding what was read of a request handed over.
 */
export function fastPathListener(opts: FastPathOptions, bodies: ReplayBodies, fallback: (req: IncomingMessage, res: ServerResponse) => void) {
  const { route, bodyLimit } = opts;
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (!takes(req, route, bodyLimit) || opts.closing()) {
      fallback(req, res);
      return;
    }
    const started = performance.now();
    const length = Number(req.headers["content-length"]);
    let first: Buffer | null = null;
    let chunks: Buffer[] | null = null;
    req.on("data", (chunk: Buffer) => {
      if (first === null) first = chunk;
      else (chunks ??= [first]).push(chunk);
    });
    req.on("end", () => {
      // Node frames the body by its declared length: what arrived is exactly `length` bytes.
      const body = chunks !== null ? Buffer.concat(chunks, length) : (first ?? EMPTY);
      const answer = opts.closing() ? null : tryAnswer(body, opts.handle, started);
      if (answer === null) {
        replay(bodies, req, body, res, fallback);
        return;
      }
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": answer.bytes });
      // An answer of as many bytes as code units is ASCII: Latin-1 encodes it to the same bytes, faster.
      res.end(answer.text, answer.bytes === answer.text.length ? "latin1" : "utf8");
      opts.record((performance.now() - started) / 1000);
    });
  };
}

const EMPTY = Buffer.alloc(0);

/** A JSON POST to the route whose declared length is within the limit (so no 413 can arise here). */
function takes(req: IncomingMessage, route: string, bodyLimit: number): boolean {
  if (req.method !== "POST" || req.url !== route) return false;
  const type = req.headers["content-type"];
  if (type === undefined || !JSON_TYPES.has(type.toLowerCase())) return false;
  if (req.headers["transfer-encoding"] !== undefined) return false;
  const declared = req.headers["content-length"];
  if (declared === undefined) return false;
  const length = Number(declared);
  return length > 0 && length <= bodyLimit;
}

/** The answer to a body read whole, or null when fastify is to answer it (after a replay of its bytes). */
function tryAnswer(bytes: Buffer, handle: FastHandler, started: number): FastAnswer | null {
  const text = bytes.toString("utf8");
  if (mayNeedProtoCheck(text)) return null;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  try {
    return handle(body, started);
  } catch {
    // fastify runs the route again on the same bytes and words the error; nothing was counted yet.
    return null;
  }
}

/** Could fastify's parser refuse this text for a `__proto__` or `constructor` key? (a superset) */
const mayNeedProtoCheck = (text: string): boolean => text.includes("\\") || text.includes("__proto__") || text.includes("constructor");
