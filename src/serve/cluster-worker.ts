// A worker of `custseg serve --workers N`: the same server as a single process (server.ts), on the
// port node:cluster shares among the workers, serving the model text the primary read and checked.
// Its predictions' lines go to the primary (log-forwarder.ts), /metrics asks the primary for the
// whole server's counts, /ready reports the primary's log status. It does what the primary says:
// reload, stop; a signal to the process group (Ctrl-C, a hang-up) is the primary's to handle.
import { loadEngine } from "../engine/engine.js";
import { UserError } from "../errors.js";
import type { FromWorker, ToWorker } from "./cluster-messages.js";
import { isOurs } from "./cluster-messages.js";
import { LogForwarder } from "./log-forwarder.js";
import { servedModelOf } from "./model-source.js";
import type { ServeOptions } from "./options.js";
import { type RunningServer, startServer } from "./server.js";

/** Lines are handed to the primary at least this often, ms: one message per interval, not per request. */
const HANDOFF_INTERVAL = 20;
/** Lines queued in a worker at most (as in the log's own queue). */
const MAX_PENDING_LINES = 2_000_000;
/** Bytes of lines sent and not yet taken by the channel, at most (a primary that has stopped reading). */
const MAX_UNSENT_BYTES = 64 * 1024 * 1024;
/** How long /metrics waits for the primary's merged counts, ms. */
const METRICS_TIMEOUT = 10_000;

const send = (message: FromWorker, sent?: (err: Error | null) => void) => process.send!(message, undefined, {}, sent);

/** Runs until the primary says stop (or SIGTERM); then drains, hands over the last lines and exits 0. */
export async function runWorker(opts: ServeOptions): Promise<never> {
  process.removeAllListeners("SIGTERM");
  process.removeAllListeners("SIGINT");
  process.on("SIGINT", () => undefined);
  process.on("SIGHUP", () => undefined);
  process.on("SIGTERM", () => void stop());

  const engine = await loadEngine({ threads: 1 });
  // With the log off, nothing is formatted or sent.
  const forwarder = new LogForwarder({
    send: (batch, sent) => send({ type: "custseg:log", chunks: batch.chunks, lines: batch.lines }, (err) => sent(err !== null && err !== undefined)),
    interval: Math.min(HANDOFF_INTERVAL, opts.logFlushInterval),
    maxPending: MAX_PENDING_LINES,
    maxUnsent: MAX_UNSENT_BYTES,
  });
  const log = opts.logPath === null ? null : forwarder;
  let server: RunningServer | null = null;
  const scrapes = new Map<number, (text: string) => void>();
  let scrapeId = 0;
  const metricsText = () =>
    new Promise<string>((resolve, reject) => {
      const id = ++scrapeId;
      const timer = setTimeout(() => {
        scrapes.delete(id);
        reject(new Error("the primary process did not answer for the metrics"));
      }, METRICS_TIMEOUT);
      scrapes.set(id, (text) => {
        clearTimeout(timer);
        scrapes.delete(id);
        resolve(text);
      });
      send({ type: "custseg:metrics-request", id });
    });

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      // Closing the server drains its requests and hands over the log's last lines.
      await (server?.close() ?? forwarder.close());
      await new Promise((resolve) => send({ type: "custseg:drained" }, resolve));
      process.exit(0);
    })());

  // Start, reloads and stop are taken in order (a reload sent during the start waits for it);
  // metrics are answered at once, so that a scrape never waits behind a drain.
  let queue: Promise<void> = Promise.resolve();
  process.on("message", (message: unknown) => {
    if (!isOurs<ToWorker>(message)) return;
    switch (message.type) {
      case "custseg:collect":
        void (server?.metrics.registry.getMetricsAsJSON() ?? Promise.resolve([])).then((metrics) => send({ type: "custseg:collected", id: message.id, metrics }));
        return;
      case "custseg:metrics":
        scrapes.get(message.id)?.(message.text);
        return;
      case "custseg:log-status":
        forwarder.setStatus(message.status);
        return;
      case "custseg:start":
        // Taken as it arrives, so that a status sent after it is not overwritten by it.
        forwarder.setStatus(message.log);
        break;
    }
    queue = queue.then(async () => {
      switch (message.type) {
        case "custseg:start":
          try {
            server = await startServer({ ...opts, port: message.port }, servedModelOf(engine, message.model), { log, metricsText });
          } catch (err) {
            const option = err instanceof UserError ? err.fields.option : undefined;
            await new Promise((resolve) => send({ type: "custseg:start-failed", reason: (err as Error).message, option }, resolve));
            process.exit(1);
          }
          send({ type: "custseg:listening", url: server.url });
          return;
        case "custseg:reload":
          try {
            server?.use(servedModelOf(engine, message.model));
            send({ type: "custseg:reloaded", id: message.id, ok: true });
          } catch (err) {
            send({ type: "custseg:reloaded", id: message.id, ok: false, reason: (err as Error).message });
          }
          return;
        case "custseg:stop":
          await stop();
          return;
      }
    });
  });
  send({ type: "custseg:hello" });
  return new Promise<never>(() => undefined);
}
