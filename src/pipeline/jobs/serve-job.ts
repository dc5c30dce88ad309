// `custseg serve`: one server process, or with workers the cluster's primary (and, in a process the
// primary forked, one of its workers); then the signals a server answers: SIGHUP reloads the model,
// SIGTERM and SIGINT drain the server and stop it. The server's modules (fastify among them) load
// here, when a server starts, never for --help or another command.
import cluster from "node:cluster";
import type { UserError } from "../../errors.js";
import type { ServeOptions } from "../../serve/options.js";

type Reload = { ok: true; id: string } | { ok: false; reason: string };

/** What the job needs of a running server, one process or a cluster. */
interface Running {
  url: string;
  model(): { id: string; path: string };
  reload(): Promise<Reload>;
  close(): Promise<void>;
}

/**
 * Serve until SIGTERM or SIGINT has drained the server (then resolve); `say` takes its progress
 * lines. Rejects when the server cannot start, or when its workers keep exiting.
 */
export async function serveJob(opts: ServeOptions, workers: number, say: (line: string) => void): Promise<void> {
  // A SIGHUP ends a process that has no handler for it, and starting takes a while (the model, the
  // engine, fastify), so the handler comes first. In a worker a hang-up is the primary's to handle.
  // Before the server has started, a reload is remembered and done once it has: the model file may
  // have changed after it was read.
  let reload: (() => void) | null = null;
  let reloadWanted = false;
  process.on("SIGHUP", () => {
    if (reload) reload();
    else reloadWanted = true;
  });
  if (cluster.isWorker) {
    const { runWorker } = await import("../../serve/cluster-worker.js");
    return runWorker(opts);
  }

  let server: Running;
  let failed: Promise<UserError> | null = null;
  if (workers > 1) {
    const { startCluster } = await import("../../serve/cluster-primary.js");
    const running = await startCluster(opts, workers, say);
    server = running;
    failed = running.failed;
  } else {
    const { startServer } = await import("../../serve/server.js");
    server = await startServer(opts);
  }
  const processes = workers > 1 ? `; ${workers} workers` : "";
  say(`model ${server.model().id} (${server.model().path}) on ${server.url}; POST ${opts.predictRoute}, POST /invocations${processes}`);

  reload = () => {
    void server.reload().then((r) => say(r.ok ? `reloaded: now serving model ${r.id}` : `reload refused, still serving ${server.model().id}: ${r.reason}`));
  };
  if (reloadWanted) reload();

  // The command line's SIGTERM/SIGINT handling (src/cli/interrupt.ts) exits at once, which suits a
  // server that is starting; a server that is serving drains first.
  process.removeAllListeners("SIGTERM");
  process.removeAllListeners("SIGINT");
  return new Promise<void>((resolve, reject) => {
    const stop = (signal: string) => {
      say(`${signal}: draining in-flight requests and flushing the prediction log`);
      void server.close().then(() => {
        say("stopped");
        resolve();
      }, reject);
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
    // Workers that keep exiting stop the server (it has closed by then): a failure like any other.
    void failed?.then(reject);
  });
}
