// custseg serve: score customers over HTTP (Vertex AI and MLflow scoring contracts).
import { availableParallelism } from "node:os";
import type { CommandModule } from "yargs";
import { applyVertexEnvironment, SERVE_DEFAULTS, type ServeOptions, WORKERS_DEFAULT, workerCount } from "../../serve/options.js";
import { STORE_DESCRIPTION } from "../store-option.js";

interface ServeArgs {
  model: string;
  store?: string;
  host: string;
  port: number;
  "health-route": string;
  "predict-route": string;
  "body-limit": number;
  "max-instances": number;
  "request-timeout": number;
  "headers-timeout": number;
  "keep-alive-timeout": number;
  "max-connections": number;
  log: string;
  "log-max-bytes": number;
  "log-files": number;
  "log-flush-interval": number;
  "drain-timeout": number;
  workers: string;
}

const D = SERVE_DEFAULTS;

const command: CommandModule<object, ServeArgs> = {
  builder: (y) =>
    y
      .option("model", { type: "string", demandOption: true, describe: "model.json, or a run directory holding one; or models:/NAME/STAGE, models:/NAME/VERSION, models:/NAME@ALIAS" })
      .option("store", { type: "string", describe: STORE_DESCRIPTION })
      .option("host", { type: "string", default: D.host, describe: "Address to listen on (0.0.0.0 in a container)" })
      .option("port", { type: "number", default: D.port, describe: "Port; AIP_HTTP_PORT overrides it" })
      .option("health-route", { type: "string", default: D.healthRoute, describe: "Health route; AIP_HEALTH_ROUTE overrides it" })
      .option("predict-route", { type: "string", default: D.predictRoute, describe: "Vertex AI prediction route; AIP_PREDICT_ROUTE overrides it" })
      .option("body-limit", { type: "number", default: D.bodyLimit, describe: "Largest request body, bytes (413 past it)" })
      .option("max-instances", { type: "number", default: D.maxInstances, describe: "Most instances in one request (400 past it)" })
      .option("request-timeout", { type: "number", default: D.requestTimeout, describe: "A request must arrive whole within this, ms" })
      .option("headers-timeout", { type: "number", default: D.headersTimeout, describe: "Request headers must arrive within this, ms" })
      .option("keep-alive-timeout", { type: "number", default: D.keepAliveTimeout, describe: "Idle keep-alive connections close after this, ms" })
      .option("max-connections", { type: "number", default: D.maxConnections, describe: "Open connections at most; more are refused" })
      .option("log", { type: "string", default: D.logPath, describe: "Prediction log (JSON lines); 'off' disables it" })
      .option("log-max-bytes", { type: "number", default: D.logMaxBytes, describe: "Rotate the prediction log past this size, bytes" })
      .option("log-files", { type: "number", default: D.logFiles, describe: "Rotated prediction logs kept (log.1 … log.N)" })
      .option("log-flush-interval", { type: "number", default: D.logFlushInterval, describe: "Queued predictions are appended at least this often, ms" })
      .option("drain-timeout", { type: "number", default: D.drainTimeout, describe: "On SIGTERM, wait this long for in-flight requests, ms" })
      .option("workers", { type: "string", default: WORKERS_DEFAULT, describe: "Server processes sharing the port (1-64, or auto: one per usable core)" })
      .example("$0 serve --model runs/latest/model.json", "")
      .example("AIP_HTTP_PORT=8080 $0 serve --model model.json --host 0.0.0.0", "")
      .example("$0 serve --model model.json --workers auto", "") as never,
  handler: async (args) => {
    const opts: ServeOptions = applyVertexEnvironment({
      model: args.model,
      store: args.store,
      host: args.host,
      port: args.port,
      healthRoute: args["health-route"],
      predictRoute: args["predict-route"],
      bodyLimit: args["body-limit"],
      maxInstances: args["max-instances"],
      requestTimeout: args["request-timeout"],
      headersTimeout: args["headers-timeout"],
      keepAliveTimeout: args["keep-alive-timeout"],
      maxConnections: args["max-connections"],
      logPath: args.log === "off" ? null : args.log,
      logMaxBytes: args["log-max-bytes"],
      logFiles: args["log-files"],
      logFlushInterval: args["log-flush-interval"],
      drainTimeout: args["drain-timeout"],
    });
    const workers = workerCount(String(args.workers), availableParallelism());
    const { serveJob } = await import("../../pipeline/jobs/serve-job.js");
    await serveJob(opts, workers, (line) => process.stderr.write(`custseg serve: ${line}\n`));
    // Drained and stopped: exit now, whatever timers the server's libraries keep.
    process.exit(0);
  },
};

export default command;
