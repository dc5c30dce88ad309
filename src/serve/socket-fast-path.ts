// The /predict fast path at the socket, in front of node:http. node:http's own work per request (an
// IncomingMessage and a ServerResponse, their streams and events, the header object, the reply's
// header assembly) costs as much CPU as the rest of a one-instance request: a bare node:http server
// takes about twice the CPU per request of one that reads whole requests straight off the socket.
// So each new connection is read here first. While its requests are ones the fast path takes
// (request-head.ts: a plain `POST <route> HTTP/1.1` with a JSON body of a declared length) and each
// arrives whole in what the socket delivered, they are answered here with one write each, the same
// bytes node:http sends for them (status line, headers, Date, keep-alive). The first request that
// is not — another route, an unusual header, a body still arriving, an answer that is not a 200 —
// hands the connection to node:http for good, with the bytes from that request on: node:http then
// parses them as if it had read them itself (its listener and fastify behind it, replay included),
// so every error, limit and timeout stays node:http's and fastify's. While no request has come, a
// connection is cut at --headers-timeout with fastify's 408, as node:http does; once idle after an
// answer, at --keep-alive-timeout.
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { type FastPathOptions, JSON_TYPES, tryAnswer } from "./fast-path.js";
import { RequestHeadReader } from "./request-head.js";

export interface SocketFastPathOptions extends FastPathOptions {
  headersTimeout: number;
  keepAliveTimeout: number;
}

/** What node:http's server does with a request that timed out: its clientError handler words it (fastify's: a 408). */
const requestTimeout = () => Object.assign(new Error("Request timeout"), { code: "ERR_HTTP_REQUEST_TIMEOUT" });
/** node:http's own 408, for a server with no clientError handler. */
const REQUEST_TIMEOUT_RESPONSE = Buffer.from("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n", "latin1");

/**
 * Put the fast path in front of `server`'s connections. Call it on a server just made, before
 * anything else listens for its connections: node:http's own connection listener is the one taken
 * over, and called for a connection handed over.
 */
export function socketFastPath(server: Server, opts: SocketFastPathOptions): void {
  const httpListeners = server.listeners("connection") as ((socket: Socket) => void)[];
  for (const l of httpListeners) server.removeListener("connection", l);
  const reader = new RequestHeadReader(opts.route, opts.bodyLimit, JSON_TYPES);
  const tail = `\r\nConnection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(opts.keepAliveTimeout / 1000)}\r\n\r\n`;
  /** Connections still read here. */
  const open = new Set<Socket>();

  server.on("connection", (socket: Socket) => {
    open.add(socket);
    let answered = false;

    const detach = () => {
      socket.removeListener("data", onData);
      socket.removeListener("end", onEnd);
      socket.removeListener("timeout", onTimeout);
      socket.removeListener("close", onClose);
      socket.setTimeout(0);
      open.delete(socket);
    };
    /** node:http takes the connection, `rest` (a request's first bytes on) being what it reads first. */
    const handOver = (rest: Buffer | null) => {
      detach();
      for (const l of httpListeners) l.call(server, socket);
      if (rest !== null) socket.unshift(rest);
    };

    const onData = (chunk: Buffer) => {
      let at = 0;
      while (at < chunk.length && !opts.closing()) {
        const head = reader.read(chunk, at);
        if (head === null) break;
        const started = performance.now();
        const end = head.bodyStart + head.length;
        const answer = tryAnswer(chunk.subarray(head.bodyStart, end), opts.handle, started);
        if (answer === null) break;
        // An answer of as many bytes as code units is ASCII: Latin-1 encodes it to the same bytes, faster.
        const reply = `HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${answer.bytes}\r\nDate: ${utcDate()}${tail}${answer.text}`;
        socket.write(reply, answer.bytes === answer.text.length ? "latin1" : "utf8");
        opts.record((performance.now() - started) / 1000);
        at = end;
        if (!answered) {
          answered = true;
          socket.setTimeout(opts.keepAliveTimeout);
        }
      }
      if (at < chunk.length) {
        handOver(at === 0 ? chunk : chunk.subarray(at));
        return;
      }
      // A client that sends faster than it reads waits until the replies so far are taken.
      if (socket.writableNeedDrain) {
        socket.pause();
        socket.once("drain", () => socket.resume());
      }
    };
    // A client that half-closes is answered nothing more: node:http ends such a connection too.
    const onEnd = () => socket.end();
    const onTimeout = () => {
      if (answered) {
        socket.destroy();
        return;
      }
      detach();
      if (!server.emit("clientError", requestTimeout(), socket)) {
        socket.write(REQUEST_TIMEOUT_RESPONSE);
        socket.destroy();
      }
    };
    const onClose = () => open.delete(socket);

    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("timeout", onTimeout);
    socket.on("close", onClose);
    // A reset connection is the client's business; node:http's handler takes over on a hand-over.
    socket.on("error", () => undefined);
    socket.setTimeout(opts.headersTimeout);
  });

  // A connection read here is idle between reads (every request it takes is answered at once):
  // closing the server's idle connections closes all of them, once their replies are written.
  const closeIdle = server.closeIdleConnections.bind(server);
  server.closeIdleConnections = () => {
    closeIdle();
    for (const socket of open) {
      if (socket.writableLength === 0) socket.destroy();
      else socket.end(() => socket.destroy());
    }
  };
  const closeAll = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    closeAll();
    for (const socket of open) socket.destroy();
  };
}

// node:http's Date header: the time to the second, made once a second.
let dateText = "";
function utcDate(): string {
  if (dateText === "") {
    const now = new Date();
    dateText = now.toUTCString();
    setTimeout(() => (dateText = ""), 1000 - now.getMilliseconds()).unref();
  }
  return dateText;
}
