// Handing fastify a request whose body the fast path has already read (fast-path.ts). The stream
// cannot be read twice, so the bytes are kept beside the request and fastify's preParsing hook
// gives its parser a stream of them instead: fastify then reads, limits, parses and routes the
// request exactly as if it had come to it first.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";

/** Bodies read by the fast path, by request, until fastify's parser takes them. */
export type ReplayBodies = WeakMap<IncomingMessage, Buffer>;

export function replay(bodies: ReplayBodies, req: IncomingMessage, body: Buffer, res: ServerResponse, fallback: (req: IncomingMessage, res: ServerResponse) => void): void {
  bodies.set(req, body);
  fallback(req, res);
}

/** The preParsing hook that swaps a replayed request's spent stream for its bytes. */
export function replayHook(app: FastifyInstance, bodies: ReplayBodies): void {
  app.addHook("preParsing", (request, _reply, payload, done) => {
    const body = bodies.get(request.raw);
    if (body === undefined) {
      done(null, payload);
      return;
    }
    bodies.delete(request.raw);
    done(null, Readable.from([body], { objectMode: false }));
  });
}
