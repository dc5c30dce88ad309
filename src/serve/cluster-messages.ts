// What the primary and the workers of `custseg serve --workers N` say to each other over the
// cluster's IPC channel (structured-clone serialisation, so the log's bytes travel as bytes). Every
// type starts with "custseg:", apart from node:cluster's own messages and prom-client's.
import type { LogStatus } from "./log-lines.js";
import type { ModelSource } from "./model-source.js";

/** Primary → worker. */
export type ToWorker =
  /**
   * Serve this model, listening on `port`: the given port, 0 included, while a worker holds the
   * socket node:cluster opened for it (the workers asking for the same address share one socket;
   * the real port of 0 is another address); else the server's real port (cluster-primary.ts).
   */
  | { type: "custseg:start"; model: ModelSource; log: LogStatus; port: number }
  | { type: "custseg:reload"; id: number; model: ModelSource }
  | { type: "custseg:log-status"; status: LogStatus }
  /** Send this worker's metrics (registry JSON) for a scrape. */
  | { type: "custseg:collect"; id: number }
  /** The whole server's metrics text, answering this worker's request. */
  | { type: "custseg:metrics"; id: number; text: string }
  /** Stop accepting, drain, hand over the last lines, exit. */
  | { type: "custseg:stop" };

/** Worker → primary. */
export type FromWorker =
  /** Listening for messages: send the start. */
  | { type: "custseg:hello" }
  | { type: "custseg:listening"; url: string }
  /** `option`: the option at fault, when the reason is the user's to fix (an address in use). */
  | { type: "custseg:start-failed"; reason: string; option?: string }
  | { type: "custseg:log"; chunks: Buffer[]; lines: number }
  | { type: "custseg:reloaded"; id: number; ok: boolean; reason?: string }
  | { type: "custseg:metrics-request"; id: number }
  | { type: "custseg:collected"; id: number; metrics: unknown[] }
  /** The last log lines have been sent; the worker exits next. */
  | { type: "custseg:drained" };

/** A message of ours (any other is node:cluster's or prom-client's). */
export const isOurs = <T extends { type: string }>(message: unknown): message is T =>
  typeof message === "object" && message !== null && typeof (message as { type?: unknown }).type === "string" && (message as { type: string }).type.startsWith("custseg:");
