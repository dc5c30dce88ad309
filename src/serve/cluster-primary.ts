// `custseg serve --workers N`: one primary process and N workers (node:cluster), as production
// model servers run (gunicorn's and MLflow's --workers): one Node process answers on one core, N of
// them share the listening socket. The primary answers no request; it
//   - reads and checks the model once (at start and on SIGHUP) and hands its text to every worker,
//     so deployedModelId, /metadata and the answers are the same whichever worker answers;
//   - writes the one prediction log: the workers send it their lines in batches (log-forwarder.ts),
//     and it appends them with the log's own writer (rotation, full-disk handling, /ready's reason,
//     which it sends to every worker when it changes);
//   - merges the workers' metrics and its log's gauges for a /metrics request (cluster-metrics.ts);
//   - on close, has every worker drain and hand over its last lines before it flushes the log;
//   - starts another worker when one exits unexpectedly, and gives up after a few rapid exits;
//   - keeps the server on one port: with port 0, a worker started once no worker holds the first
//     workers' socket asks for their port by number (see listenPort).
import cluster, { type Worker } from "node:cluster";
import { Registry, collectDefaultMetrics } from "prom-client";
import { UserError } from "../errors.js";
import { loadEngine } from "../engine/engine.js";
import { ClusterScrape } from "./cluster-metrics.js";
import { type FromWorker, isOurs, type ToWorker } from "./cluster-messages.js";
import { logGauges } from "./metrics.js";
import { type ModelSource, readModelSource, servedModelOf } from "./model-source.js";
import type { ServeOptions } from "./options.js";
import { PredictionLog } from "./prediction-log.js";
import type { ServedModel } from "./served-model.js";

/** This many unexpected worker exits within CRASH_WINDOW ms stop the server (a worker that cannot stay up). */
export const MAX_CRASHES = 5;
const CRASH_WINDOW = 60_000;
/** Beyond the drain timeout, how long a stopping worker may take to hand over its lines and exit, ms. */
const EXIT_GRACE = 5_000;

export interface RunningCluster {
  /** http://host:port the workers listen on. */
  url: string;
  workers: number;
  /** The model the workers serve (the primary's checked copy). */
  model(): ServedModel;
  reload(): Promise<{ ok: true; id: string } | { ok: false; reason: string }>;
  /** Stop every worker (drained, last lines handed over), then flush and close the log. */
  close(): Promise<void>;
  /** Settles when the workers keep exiting and the server has stopped: the error says so. */
  failed: Promise<UserError>;
}

export async function startCluster(opts: ServeOptions, workers: number, say: (line: string) => void): Promise<RunningCluster> {
  const engine = await loadEngine({ threads: 1 });
  let source: ModelSource = await readModelSource(opts.model, opts.store);
  let model = servedModelOf(engine, source);

  const log =
    opts.logPath === null
      ? null
      : new PredictionLog({
          path: opts.logPath,
          maxBytes: opts.logMaxBytes,
          files: opts.logFiles,
          flushInterval: opts.logFlushInterval,
          onStatus: (status) => broadcast({ type: "custseg:log-status", status }),
        });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "custseg_" });
  if (log !== null) logGauges(registry, log);
  const scrape = new ClusterScrape(registry);

  // Structured clone rather than JSON: the log's bytes travel as bytes.
  cluster.setupPrimary({ serialization: "advanced" });
  let url = "";
  let closing = false;
  /** The server's port: the one given, or with port 0 the one the first workers got. */
  let serverPort = opts.port;
  /**
   * Workers forked and not yet gone (exited, and their channel read to the end). `asked`: the port
   * its start named; `sharing`: it listens on the server's port through the socket of the port it
   * asked for, which node:cluster keeps open until the last worker holding it disconnects.
   */
  const live = new Map<Worker, { started: boolean; listening: boolean; asked: number; sharing: boolean; gone: Promise<void> }>();
  const reloads = new Map<number, { waiting: Set<Worker>; refused: string[]; done: () => void }>();
  let reloadId = 0;
  const crashes: number[] = [];

  // A worker whose channel closes as the message goes (it is exiting) has nothing more to be told;
  // without the callback the failed write would be thrown as an 'error' event.
  const sendTo = (w: Worker, message: ToWorker) => {
    if (w.isConnected()) w.send(message, undefined, () => undefined);
  };
  const broadcast = (message: ToWorker) => {
    for (const w of live.keys()) sendTo(w, message);
  };

  let started!: () => void;
  let startFailed!: (err: UserError) => void;
  const ready = new Promise<void>((resolve, reject) => {
    started = resolve;
    startFailed = reject;
  });
  let starting = true;
  let fail!: (err: UserError) => void;
  const failed = new Promise<UserError>((resolve) => (fail = resolve));

  /**
   * The port a starting worker is to ask for. node:cluster keys its listening sockets by the port
   * asked for: workers asking for 0 share one socket, whose real port is the server's, while one of
   * them holds it; once the last has disconnected the socket is closed, and a worker asking for 0
   * would listen on a new port. So the first workers (and any while one of theirs is up) ask for
   * the given port, and the others for the server's port by number.
   */
  const listenPort = () => ([...live.values()].some((s) => s.sharing && s.asked === opts.port) ? opts.port : serverPort);

  const fork = () => {
    const w = cluster.fork();
    const gone = Promise.all([new Promise((r) => w.once("exit", r)), new Promise((r) => w.once("disconnect", r))]).then(() => undefined);
    const state = { started: false, listening: false, asked: opts.port, sharing: false, gone };
    live.set(w, state);
    w.on("message", (message: unknown) => {
      if (isOurs<FromWorker>(message)) onMessage(w, message);
    });
    // node:cluster's own 'listening' and 'disconnect' (the moment it lets go of the worker's sockets).
    w.on("listening", (address: { port: number }) => {
      if (serverPort === 0) serverPort = address.port;
      state.sharing = address.port === serverPort;
      // A worker that got another port (the socket it was to share closed as it listened) is replaced.
      if (!state.sharing) {
        say(`worker ${w.process.pid} listens on port ${address.port}, not the server's ${serverPort}; replacing it`);
        sendTo(w, { type: "custseg:stop" });
      }
    });
    w.once("disconnect", () => (state.sharing = false));
    w.once("exit", (code, signal) => onExit(w, code, signal));
  };

  const onMessage = (w: Worker, m: FromWorker) => {
    switch (m.type) {
      case "custseg:hello": {
        // A worker that starts while the server stops is stopped instead (it missed the broadcast).
        if (closing) return sendTo(w, { type: "custseg:stop" });
        const state = live.get(w);
        if (state) state.started = true;
        const port = listenPort();
        if (state) state.asked = port;
        sendTo(w, { type: "custseg:start", model: source, log: log?.status() ?? { ok: true }, port });
        return;
      }
      case "custseg:listening": {
        url = m.url;
        const state = live.get(w);
        if (state) state.listening = true;
        if (starting && [...live.values()].filter((s) => s.listening).length === workers) {
          starting = false;
          started();
        }
        return;
      }
      case "custseg:start-failed":
        if (starting) startFailed(new UserError(m.reason, 1, { option: m.option }));
        else say(`a worker could not start: ${m.reason}`);
        return;
      case "custseg:log":
        log?.appendBytes(m.chunks, m.lines);
        return;
      case "custseg:metrics-request":
        void scrape.collect([...live].filter(([, s]) => s.listening).map(([wk]) => wk)).then((text) => sendTo(w, { type: "custseg:metrics", id: m.id, text }));
        return;
      case "custseg:collected":
        scrape.received(w, m.id, m.metrics);
        return;
      case "custseg:reloaded": {
        const r = reloads.get(m.id);
        if (!r) return;
        if (!m.ok) r.refused.push(`worker ${w.process.pid}: ${m.reason}`);
        r.waiting.delete(w);
        if (r.waiting.size === 0) r.done();
        return;
      }
      case "custseg:drained":
        return;
    }
  };

  const onExit = (w: Worker, code: number | null, signal: string | null) => {
    scrape.gone(w);
    for (const r of reloads.values()) if (r.waiting.delete(w) && r.waiting.size === 0) r.done();
    void live.get(w)?.gone.then(() => live.delete(w));
    if (closing) return;
    const how = signal !== null ? `signal ${signal}` : `code ${code}`;
    if (starting) {
      startFailed(new UserError(`a worker exited (${how}) before it listened`));
      return;
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes[0]! < now - CRASH_WINDOW) crashes.shift();
    if (crashes.length >= MAX_CRASHES) {
      const err = new UserError(`the server's workers exited ${crashes.length} times within ${CRASH_WINDOW / 1000} s (the last: ${how}); stopping`);
      void close().then(() => fail(err));
      return;
    }
    say(`worker ${w.process.pid} exited (${how}); starting another`);
    fork();
  };

  let stopped: Promise<void> | null = null;
  const close = () =>
    (stopped ??= (async () => {
      closing = true;
      broadcast({ type: "custseg:stop" });
      const goneAll = Promise.all([...live.values()].map((s) => s.gone));
      // A worker that outlives its drain and hand-over is killed; what it had not sent is lost.
      const deadline = setTimeout(() => {
        for (const w of live.keys()) w.process.kill("SIGKILL");
      }, opts.drainTimeout + EXIT_GRACE);
      try {
        await goneAll;
      } finally {
        clearTimeout(deadline);
        await log?.close();
      }
    })());

  for (let i = 0; i < workers; i++) fork();
  try {
    await ready;
  } catch (err) {
    await close();
    throw err;
  }

  let reloading: Promise<unknown> = Promise.resolve();
  const reloadOnce = async (): Promise<{ ok: true; id: string } | { ok: false; reason: string }> => {
    let next: ModelSource;
    try {
      next = await readModelSource(opts.model, opts.store);
      model = servedModelOf(engine, next);
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    source = next;
    const id = ++reloadId;
    // Every worker sent a start (listening or not yet: it takes the reload after its start); workers
    // that say hello from now on are sent the new model with their start.
    const targets = [...live].filter(([w, s]) => s.started && w.isConnected()).map(([w]) => w);
    const refused: string[] = [];
    await new Promise<void>((done) => {
      if (targets.length === 0) return done();
      reloads.set(id, { waiting: new Set(targets), refused, done });
      for (const w of targets) sendTo(w, { type: "custseg:reload", id, model: next });
    });
    reloads.delete(id);
    // The primary checked the model; a worker that refuses it anyway is replaced, so that all serve one model.
    if (refused.length > 0) {
      say(`replacing workers that refused the model: ${refused.join("; ")}`);
      for (const w of targets) if (refused.some((r) => r.startsWith(`worker ${w.process.pid}:`))) w.process.kill("SIGTERM");
    }
    return { ok: true, id: model.id };
  };

  return {
    url,
    workers,
    model: () => model,
    reload() {
      const result = reloading.then(reloadOnce);
      reloading = result;
      return result;
    },
    close,
    failed,
  };
}
