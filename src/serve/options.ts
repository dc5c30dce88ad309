// Settings of `custseg serve`, their defaults, and the Vertex AI environment variables that override
// the port and routes. The CLI fills ServeOptions; tests build them directly.
import { OptionError, UserError } from "../errors.js";
import { wholeRange } from "../whole-range.js";

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

/** An hour, ms: the longest wait any of serve's timers is set to. */
const HOUR = 3_600_000;

/**
 * The bounds of serve's numeric settings (whole numbers), checked with the flags before the server
 * starts: no value can make a buffer, a count or a wait unbounded.
 */
export const SERVE_LIMITS = {
  /** 0: any free port. */
  port: { min: 0, max: 65_535 },
  /** V8 holds no string past 2^29 − 24 characters, and a parsed body takes some times its text. */
  bodyLimit: { min: 1, max: 256 * 1024 * 1024 },
  maxInstances: { min: 1, max: 1_000_000 },
  /** Node reads 0 as "no timeout", so 0 is refused. */
  requestTimeout: { min: 1, max: HOUR },
  headersTimeout: { min: 1, max: HOUR },
  keepAliveTimeout: { min: 1, max: HOUR },
  maxConnections: { min: 1, max: 1_000_000 },
  logMaxBytes: { min: 1, max: 2 ** 40 },
  /** 0: the log is emptied when it is full, no rotated file kept. */
  logFiles: { min: 0, max: 1_000 },
  /** Queued lines wait at most this long; a crash loses what waits. */
  logFlushInterval: { min: 1, max: 60_000 },
  /** 0: in-flight requests lose their connections at once. */
  drainTimeout: { min: 0, max: HOUR },
} as const satisfies Partial<Record<keyof ServeOptions, { min: number; max: number }>>;

const portRule = wholeRange(SERVE_LIMITS.port.min, SERVE_LIMITS.port.max);

/**
 * Vertex AI's custom-container contract sets the port and routes through the environment; when a
 * variable is set it overrides the flag, so the same image runs there and anywhere else.
 */
export function applyVertexEnvironment(opts: ServeOptions, env: NodeJS.ProcessEnv = process.env): ServeOptions {
  const out = { ...opts };
  if (env.AIP_HTTP_PORT) {
    // Digits only: Number() would also take "0x1F90", " 80" and "8e3".
    const text = env.AIP_HTTP_PORT;
    const port = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
    const why = portRule(port);
    if (why) throw new UserError(`AIP_HTTP_PORT ${why} (got ${text})`);
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
