// Settings of `custseg serve`, their defaults, and the Vertex AI environment variables that override
// the port and routes. The CLI fills ServeOptions; tests build them directly.
import { OptionError } from "../errors.js";

export interface ServeOptions {
  /** Model address: a model.json path, a run directory holding one, or models:/… in the registry. */
  model: string;
  /** The run store that resolves models:/ addresses. */
  store?: string;
  host: string;
  /** 0 picks a free port (tests); AIP_HTTP_PORT wins over the flag, as Vertex AI requires. */
  port: number;
  healthRoute: string;
  predictRoute: string;
  /** Reported as deployedModelId; when absent the model's own id is used. */
  deployedModelId?: string;
  /** Largest request body accepted, bytes; past it a 413. */
  bodyLimit: number;
  /** Largest number of instances in one request; past it a 400. */
  maxInstances: number;
  /** A request whose body has not fully arrived by then is answered 408 and closed, ms. */
  requestTimeout: number;
  /** Time allowed for the request headers to arrive, ms (slow-header clients). */
  headersTimeout: number;
  /** Idle keep-alive connections are closed after this, ms. */
  keepAliveTimeout: number;
  /** Connections beyond this are refused, so that no crowd of idle clients exhausts the server. */
  maxConnections: number;
  /** Prediction log: JSON lines; null turns it off. */
  logPath: string | null;
  /** Rotate the log when it would grow past this many bytes. */
  logMaxBytes: number;
  /** Rotated files kept beside the live one (path.1 … path.N). */
  logFiles: number;
  /** Lines are appended at least this often, ms. */
  logFlushInterval: number;
  /** SIGTERM waits at most this long for in-flight requests before closing, ms. */
  drainTimeout: number;
}

export const SERVE_DEFAULTS = {
  host: "127.0.0.1",
  port: 8080,
  healthRoute: "/health",
  predictRoute: "/predict",
  bodyLimit: 8 * 1024 * 1024,
  maxInstances: 10_000,
  requestTimeout: 30_000,
  headersTimeout: 10_000,
  keepAliveTimeout: 65_000,
  maxConnections: 1024,
  logPath: "predictions.jsonl",
  logMaxBytes: 100 * 1024 * 1024,
  logFiles: 5,
  logFlushInterval: 200,
  drainTimeout: 10_000,
} as const;

/**
 * Vertex AI's custom-container contract sets the port and routes through the environment; when a
 * variable is set it overrides the flag, so the same image runs there and anywhere else.
 */
export function applyVertexEnvironment(opts: ServeOptions, env: NodeJS.ProcessEnv = process.env): ServeOptions {
  const out = { ...opts };
  if (env.AIP_HTTP_PORT) {
    const port = Number(env.AIP_HTTP_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`AIP_HTTP_PORT=${env.AIP_HTTP_PORT} is not a port number`);
    out.port = port;
  }
  if (env.AIP_HEALTH_ROUTE) out.healthRoute = env.AIP_HEALTH_ROUTE;
  if (env.AIP_PREDICT_ROUTE) out.predictRoute = env.AIP_PREDICT_ROUTE;
  if (env.AIP_DEPLOYED_MODEL_ID) out.deployedModelId = env.AIP_DEPLOYED_MODEL_ID;
  return out;
}

/** `--workers`: one process unless asked; see the README for why `auto` is not the default. */
export const WORKERS_DEFAULT = "1";
/** Most worker processes: each holds a model, an engine and an HTTP stack (some 60 MB). */
export const MAX_WORKERS = 64;

/** The number of server processes: a whole number from 1 to MAX_WORKERS, or `auto` (the usable cores). */
export function workerCount(value: string, usableCores: number): number {
  const n = value === "auto" ? Math.min(usableCores, MAX_WORKERS) : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new OptionError("workers", `must be a whole number from 1 to ${MAX_WORKERS}, or auto (got ${value})`);
  return n;
}
