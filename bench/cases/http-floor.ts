// The HTTP stack's own floor for bench/serve.ts, run as its own process:
//   node dist/bench/cases/http-floor.js node|fastify|net REPLIES.json
// `node`: a bare node:http server; `fastify`: one minimal fastify route; `net`: whole requests read
// straight off the socket (node:net, framed by Content-Length, no other HTTP): what node:http's own
// request and response handling costs above the socket. Each reads the POST body, JSON.parses it and answers a fixed JSON text: custseg's own answer to the same body, taken
// from REPLIES.json by the request's number of instances, so that the same bytes go in and out and
// the difference to custseg is its validation, scoring, metrics and prediction log.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import Fastify from "fastify";

const [kind, repliesPath] = process.argv.slice(2);
const replies = new Map(Object.entries(JSON.parse(readFileSync(repliesPath!, "utf8")) as Record<string, string>).map(([n, text]) => [Number(n), Buffer.from(text)]));
const fallback = Buffer.from('{"predictions":[]}');
const replyFor = (body: unknown) => replies.get((body as { instances?: unknown[] } | null)?.instances?.length ?? 0) ?? fallback;

async function listen(): Promise<AddressInfo> {
  if (kind === "node") {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        let reply: Buffer;
        try {
          reply = replyFor(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch {
          res.writeHead(400).end();
          return;
        }
        res.writeHead(200, { "content-type": "application/json", "content-length": reply.length }).end(reply);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server.address() as AddressInfo;
  }
  if (kind === "net") {
    const server = createNetServer((socket) => {
      socket.on("error", () => undefined);
      let pending: Buffer | null = null;
      socket.on("data", (chunk: Buffer) => {
        let buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
        for (;;) {
          const headEnd = buf.indexOf("\r\n\r\n");
          if (headEnd < 0) break;
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buf.toString("latin1", 0, headEnd))?.[1] ?? 0);
          const end = headEnd + 4 + length;
          if (buf.length < end) break;
          const reply = replyFor(JSON.parse(buf.toString("utf8", headEnd + 4, end)));
          const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${reply.length}\r\nDate: ${new Date().toUTCString()}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n`;
          socket.write(head + reply.toString("latin1"), "latin1");
          buf = buf.subarray(end);
        }
        pending = buf.length > 0 ? buf : null;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server.address() as AddressInfo;
  }
  if (kind === "fastify") {
    const app = Fastify({ logger: false });
    app.post("/predict", (request, reply) => {
      reply.type("application/json").send(replyFor(request.body));
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    return app.server.address() as AddressInfo;
  }
  throw new Error(`http-floor: unknown server kind ${kind}; expected node, fastify or net`);
}

const address = await listen();
process.stderr.write(`http-floor ${kind} on http://127.0.0.1:${address.port}\n`);
process.on("SIGTERM", () => process.exit(0));
