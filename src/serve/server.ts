// `custseg serve`: the HTTP adapter. Routes parse and validate (JSON Schema, then the instance
// readers), call the model's scoring step, format, and hand the predictions to the log queue.
// No scoring happens here; no request waits on the disk.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { UserError } from "../errors.js";
import { VERSION } from "../version.js";
import { type InputSchema, InputError, inputSchema } from "./instances.js";
import { batchFromCsv, batchFromMlflowJson } from "./mlflow.js";
import type { PredictionSink } from "./log-lines.js";
import { ServeMetrics } from "./metrics.js";
import { loadServedModel } from "./model-source.js";
import { type Engine, loadEngine } from "../engine/engine.js";
import { ScoreInputError } from "../pipeline/steps/score.js";
import type { ServeOptions } from "./options.js";
import { type FastAnswer, type FastHandler, fastPathListener } from "./fast-path.js";
import { PredictionLog } from "./prediction-log.js";
import { type ReplayBodies, replayHook } from "./replay.js";
import { extraBytes, PredictionWriter } from "./respond.js";
import { mlflowBodySchema, vertexBodySchema } from "./schemas.js";
import type { Batch, ServedModel } from "./served-model.js";
import { batchFromVertexBody } from "./vertex-body.js";

/** Everything that changes together when the model is reloaded; swapped in one assignment. */
interface Loaded {
  model: ServedModel;
  schema: InputSchema;
  writer: PredictionWriter;
  deployedModelId: string;
  /** deployedModelId as JSON text, made once, and its UTF-8 bytes beyond its length. */
  deployedModelIdJson: string;
  deployedModelIdExtraBytes: number;
}

export interface RunningServer {
  app: FastifyInstance;
  /** http://host:port the server listens on. */
  url: string;
  log: PredictionLog | null;
  /** This process's metrics (with `--workers N`, one worker's share). */
  metrics: ServeMetrics;
  model(): ServedModel;
  /** Serve a model already loaded and checked, from the next request on. */
  use(model: ServedModel): void;
  /** Load the model again from its address; a model that fails to load is refused and the old one kept. */
  reload(): Promise<{ ok: true; id: string } | { ok: false; reason: string }>;
  /** Stop accepting, finish in-flight requests (up to the drain timeout), flush the log. */
  close(): Promise<void>;
}

/**
 * How a worker of `custseg serve --workers N` differs from a server of its own: its predictions'
 * lines go to the one process that writes the log, and /metrics answers for the whole server.
 */
export interface WorkerRole {
  /** null: the log is off. */
  log: PredictionSink | null;
  /** The whole server's metrics, as Prometheus text. */
  metricsText(): Promise<string>;
}

const MLFLOW_ROUTE = "/invocations";

export async function startServer(opts: ServeOptions, initial?: ServedModel, role?: WorkerRole): Promise<RunningServer> {
  const fileLog =
    opts.logPath === null || role !== undefined
      ? null
      : new PredictionLog({ path: opts.logPath, maxBytes: opts.logMaxBytes, files: opts.logFiles, flushInterval: opts.logFlushInterval });
  const log: PredictionSink | null = role === undefined ? fileLog : role.log;
  const prepare = (model: ServedModel): Loaded => ({
    model,
    schema: inputSchema(model),
    writer: new PredictionWriter(model),
    deployedModelId: opts.deployedModelId ?? model.id,
    deployedModelIdJson: JSON.stringify(opts.deployedModelId ?? model.id),
    deployedModelIdExtraBytes: extraBytes(JSON.stringify(opts.deployedModelId ?? model.id)),
  });
  // One thread: a request's batch is far below the size where worker threads pay for their hand-off.
  let engine: Engine | null = null;
  const load = async () => loadServedModel((engine ??= await loadEngine({ threads: 1 })), opts.model, opts.store);
  let loaded = prepare(initial ?? (await load()));
  const metrics = new ServeMetrics(log, () => ({ id: loaded.model.id, format: loaded.model.model.format }));
  metrics.clusters(loaded.model.clusters.length);

  // The node:http server is made here, not by fastify, so that the fast path (fast-path.ts) sees
  // every request first; fastify gets the ones it does not answer, and applies no server options of
  // its own to a server it did not make: the timeouts and the connection cap are set here.
  const bodies: ReplayBodies = new WeakMap();
  let closing = false;
  const fastPredict: FastHandler = (body, started) => {
    const current = loaded;
    const batch = batchFromVertexBody(body, current.schema, opts.maxInstances, handOver);
    const predictions = predict(batch, current, performance.now() - started);
    const text = vertexAnswer(predictions.text, current);
    return { text, bytes: text.length + predictions.bytes - predictions.text.length + current.deployedModelIdExtraBytes };
  };
  const serverFactory = (fastifyListener: (req: IncomingMessage, res: ServerResponse) => void): Server => {
    const server = createServer(
      // Node checks the header and request deadlines on this interval (30 s by default), so a slow
      // client would otherwise hold its connection long past --headers-timeout.
      { connectionsCheckingInterval: Math.max(100, Math.min(1000, opts.headersTimeout / 2)) },
      fastPathListener(
        {
          route: opts.predictRoute,
          bodyLimit: opts.bodyLimit,
          handle: fastPredict,
          record: (seconds) => metrics.request(opts.predictRoute, 200, seconds),
          closing: () => closing,
        },
        bodies,
        fastifyListener,
      ),
    );
    server.requestTimeout = opts.requestTimeout;
    server.headersTimeout = opts.headersTimeout;
    server.keepAliveTimeout = opts.keepAliveTimeout;
    server.maxConnections = opts.maxConnections;
    return server;
  };

  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit,
    // Checked by fastify's validator only for shape and type; coercion would turn "Infinity" into a number.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, allowUnionTypes: true } },
    return503OnClosing: true,
    serverFactory,
  });
  replayHook(app, bodies);

  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser("text/csv", { parseAs: "string" }, (_req, body, done) => done(null, body));

  app.addHook("onResponse", (request, reply, done) => {
    metrics.request(request.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown[] }, request, reply) => {
    const { status, message } = describeError(err);
    if (status >= 500) process.stderr.write(`custseg serve: internal error on ${request.method} ${request.url}: ${err.stack ?? err.message}\n`);
    sendError(request, reply, status, message);
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, 404, `no route ${request.method} ${request.url.slice(0, 200)}`));

  const health = async () => ({ status: "healthy" });
  app.get(opts.healthRoute, health);
  if (opts.healthRoute !== "/health") app.get("/health", health);
  app.get("/ready", async (_req, reply) => {
    const status = log?.status() ?? { ok: true };
    if (!status.ok) return reply.code(503).send({ ready: false, reason: status.reason, model: loaded.model.id });
    return { ready: true, model: loaded.model.id };
  });
  app.get("/metadata", async () => metadata(loaded));
  app.get("/ping", async (_req, reply) => reply.type("text/plain").send("\n"));
  app.get("/version", async (_req, reply) => reply.type("text/plain").send(VERSION));
  app.get("/metrics", async (_req, reply) => reply.type(metrics.registry.contentType).send(await (role?.metricsText() ?? metrics.registry.metrics())));

  // The answer stays a string: Node sends a string body in the same write as the headers, a Buffer
  // in a second one (at one instance per request, answering a Buffer measured slower).
  const predict = (batch: Batch, current: Loaded, elapsedMs: number): FastAnswer => {
    const scored = scoreOrExplain(current.model, batch);
    metrics.countClusters(scored.cluster, batch.rows);
    const text = current.writer.predictions(scored, batch.rows);
    log?.append(Date.now(), elapsedMs, current.model.id, batch, scored);
    return { text, bytes: current.writer.bytes(text.length, scored, batch.rows) };
  };

  // No schema on the route: the body is read by a reader that checks every value as it copies it,
  // and the same schema, compiled by fastify's validator on first use, words the error of a body
  // the reader refuses (vertex-body.ts). The CSV parser serves /invocations; this route takes JSON
  // only, refused before anything is read.
  const vertexSchema = vertexBodySchema(opts.maxInstances);
  app.post(opts.predictRoute, (request, reply) => {
    if (!isJson(request)) {
      sendError(request, reply, 415, "send the instances as application/json");
      return;
    }
    const current = loaded;
    const batch = batchFromVertexBody(request.body, current.schema, opts.maxInstances, (body) => {
      const validate = request.compileValidationSchema(vertexSchema, "body");
      if (!validate(body)) throw Object.assign(new Error("the body does not match the schema"), { statusCode: 400, validation: validate.errors });
    });
    reply.type("application/json").send(vertexAnswer(predict(batch, current, reply.elapsedTime).text, current));
  });

  const mlflowBody = { content: { "application/json": { schema: mlflowBodySchema(opts.maxInstances) }, "text/csv": { schema: { type: "string" } } } };
  app.post(MLFLOW_ROUTE, { schema: { body: mlflowBody } }, (request, reply) => {
    const current = loaded;
    const batch = isJson(request)
      ? batchFromMlflowJson(request.body as Record<string, unknown>, current.schema, opts.maxInstances)
      : batchFromCsv(request.body as string, current.schema, opts.maxInstances);
    reply.type("application/json").send(`{"predictions":${predict(batch, current, reply.elapsedTime).text}}`);
  });

  await app.listen({ host: opts.host, port: opts.port }).catch((err: NodeJS.ErrnoException) => {
    throw listenError(err, opts);
  });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : opts.port;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;

  const use = (model: ServedModel) => {
    loaded = prepare(model);
    metrics.clusters(model.clusters.length);
  };
  let stopped: Promise<void> | null = null;
  return {
    app,
    url: `http://${host}:${port}`,
    log: fileLog,
    metrics,
    model: () => loaded.model,
    use,
    async reload() {
      try {
        const next = await load();
        use(next);
        return { ok: true, id: next.id };
      } catch (err) {
        return { ok: false, reason: (err as Error).message };
      }
    },
    close() {
      closing = true;
      stopped ??= (async () => {
        // Requests still running at the deadline lose their connections; the log is flushed either way.
        const deadline = setTimeout(() => app.server.closeAllConnections(), opts.drainTimeout);
        try {
          await app.close();
        } finally {
          clearTimeout(deadline);
          await log?.close();
        }
      })();
      return stopped;
    },
  };
}

/** An address that cannot be listened on is the user's to fix: one line naming it and the flag. */
function listenError(err: NodeJS.ErrnoException, opts: ServeOptions): Error {
  const at = `${opts.host}:${opts.port}`;
  if (err.code === "EADDRINUSE") return new UserError(`cannot listen on ${at}: the address is in use`, 1, { option: "port" });
  if (err.code === "EACCES") return new UserError(`cannot listen on ${at}: permission denied`, 1, { option: "port" });
  if (err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND") return new UserError(`cannot listen on ${at}: not an address of this machine`, 1, { option: "host" });
  return err;
}

/** The scoring step's own checks (e.g. the float32 range of the outlier trees) are the client's error too. */
function scoreOrExplain(model: ServedModel, batch: Batch) {
  try {
    return model.score(batch);
  } catch (err) {
    if (err instanceof ScoreInputError) throw new InputError(err.row, err.field, err.message.slice(err.message.indexOf(": ") + 2), batch.where);
    throw err;
  }
}

/** Thrown by the fast path's reader when the body needs the schema's wording: fastify answers it. */
const HAND_OVER = new Error("handed over to the route");
const handOver = (): never => {
  throw HAND_OVER;
};

const vertexAnswer = (predictions: string, current: Loaded) => `{"predictions":${predictions},"deployedModelId":${current.deployedModelIdJson}}`;

const isJson = (request: FastifyRequest) => (request.headers["content-type"] ?? "").toLowerCase().includes("json");

function metadata(loaded: Loaded) {
  const { model, schema, deployedModelId } = loaded;
  return {
    id: model.id,
    deployedModelId,
    sha256: model.sha256,
    format: model.model.format,
    mode: model.model.mode,
    asOf: model.model.asOf,
    createdAt: model.model.createdAt,
    trainedWith: model.model.tool,
    server: { name: "custseg", version: VERSION },
    inputs: { features: schema.features, components: schema.components },
    outlierScores: model.model.outliers.forest !== null,
    clusters: model.model.clusters.map((c) => ({ cluster: c.id, name: c.name, description: c.description, size: c.size })),
    parameters: model.model.parameters,
    metrics: model.model.metrics,
  };
}

/** Status and wording of an error: client errors keep their 4xx and say what to fix; anything else is a 500. */
function describeError(err: Error & { statusCode?: number; validation?: unknown[]; code?: string }): { status: number; message: string } {
  if (err instanceof InputError) return { status: 400, message: err.message };
  if (Array.isArray(err.validation)) return { status: 400, message: validationMessage(err.validation as AjvError[]) };
  const status = err.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return { status, message: clientMessage(err, status) };
  return { status: 500, message: "internal error" };
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** "/instances/3/PC1" → "instances[3].PC1", so the message names the instance index and field. */
function validationMessage(errors: AjvError[]): string {
  const e = errors[0]!;
  let path = "";
  for (const part of e.instancePath.split("/").slice(1)) path += /^\d+$/.test(part) ? `[${part}]` : path === "" ? part : `.${part}`;
  const at = (field: unknown) => (path === "" ? String(field) : `${path}.${String(field)}`);
  if (e.keyword === "additionalProperties") return `${at(e.params.additionalProperty)}: is not accepted here`;
  if (e.keyword === "required") return `${at(e.params.missingProperty)}: is missing`;
  // The validator's number type excludes Infinity (a literal such as 1e400); say so.
  if (e.keyword === "type" && e.params.type === "number") return `${path || "body"}: must be a finite number`;
  return `${path || "body"}: ${e.message ?? "is not valid"}`;
}

function clientMessage(err: Error & { code?: string }, status: number): string {
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "request body is larger than the server's limit (--body-limit)";
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "unsupported content type; send application/json (or text/csv to /invocations)";
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "the body is empty; send a JSON object";
    default:
      return status === 400 && err instanceof SyntaxError ? `the body is not valid JSON (${err.message})` : err.message;
  }
}

function sendError(request: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  // MLflow clients read {error_code, message}; Vertex AI and the rest read {error}.
  const body =
    request.url === MLFLOW_ROUTE || request.url.startsWith(`${MLFLOW_ROUTE}?`)
      ? { error_code: status === 400 ? "BAD_REQUEST" : status === 413 ? "REQUEST_LIMIT_EXCEEDED" : status >= 500 ? "INTERNAL_ERROR" : "INVALID_REQUEST", message }
      : { error: message };
  return reply.code(status).type("application/json").send(body);
}
