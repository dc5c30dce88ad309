// Prometheus metrics on a registry of the server's own (so several servers in one process, as in
// the tests, do not share counters). What a request updates (requests, latency, predictions by
// cluster) is held in plain counters and read by prom-client at scrape time (request-stats.ts).
// With `--workers N` every worker has one and the primary another (its log's gauges): the primary
// merges them (cluster-metrics.ts), so each metric says how it is merged (`aggregator`).
import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { LogStatus } from "./log-lines.js";
import { RequestStats, collector } from "./request-stats.js";

/** What the log's gauges read: the file's writer (PredictionLog) has all of it. */
export interface LogCounts {
  linesWritten: number;
  linesDropped: number;
  writeErrors: number;
  status(): LogStatus;
}

export class ServeMetrics {
  readonly registry = new Registry();
  private readonly requests = new RequestStats([0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
  /** Predictions per cluster index; grows when a reloaded model has more clusters, never shrinks. */
  private predicted = new Float64Array(0);

  /** `log`: the gauges of a log this process writes; a worker's own dropped lines; or none. */
  constructor(log: LogCounts | { linesDropped: number } | null, modelInfo: () => { id: string; format: string }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "custseg_" });
    this.requests.register(
      this.registry,
      { name: "custseg_http_requests_total", help: "HTTP requests by route and status code" },
      { name: "custseg_http_request_duration_seconds", help: "Time from request to response, by route" },
    );
    this.registry.registerMetric(
      collector("custseg_predictions_total", "Predictions served, by cluster", "counter", () =>
        // Clusters that have served nothing are left out, as a labelled counter never incremented is.
        Array.from(this.predicted, (value, c) => ({ labels: { cluster: String(c) }, value })).filter((s) => s.value > 0),
      ) as never,
    );
    new Gauge({
      name: "custseg_model_info",
      help: "The model being served (value 1)",
      labelNames: ["id", "format"],
      registers,
      // Every worker serves the model: merged, it is still 1.
      aggregator: "max",
      collect() {
        this.reset();
        this.set(modelInfo(), 1);
      },
    });
    if (log !== null && "linesWritten" in log) logGauges(this.registry, log);
    else if (log !== null) droppedLines(this.registry, () => log.linesDropped);
  }

  /** A model with k clusters is being served. */
  clusters(k: number): void {
    if (k <= this.predicted.length) return;
    const grown = new Float64Array(k);
    grown.set(this.predicted);
    this.predicted = grown;
  }

  countClusters(cluster: Int32Array, rows: number): void {
    const counts = this.predicted;
    for (let i = 0; i < rows; i++) counts[cluster[i]!]!++;
  }

  request(route: string, status: number, seconds: number): void {
    this.requests.record(route, status, seconds);
  }
}

/** The prediction log's health and line counts, read at scrape time. */
export function logGauges(registry: Registry, log: LogCounts): void {
  new Gauge({
    name: "custseg_prediction_log_ok",
    help: "1 while the prediction log is written, 0 after a failed write (see /ready for the reason)",
    registers: [registry],
    collect() {
      this.set(log.status().ok ? 1 : 0);
    },
  });
  readGauge(registry, "custseg_prediction_log_lines_written_total", "Prediction lines appended to the log", () => log.linesWritten);
  droppedLines(registry, () => log.linesDropped);
  readGauge(registry, "custseg_prediction_log_write_errors_total", "Failed appends to the prediction log", () => log.writeErrors);
}

/** Lines lost by this process; merged over processes, their sum. */
function droppedLines(registry: Registry, read: () => number): void {
  readGauge(registry, "custseg_prediction_log_lines_dropped_total", "Prediction lines lost to failed writes or a full queue", read);
}

const readGauge = (registry: Registry, name: string, help: string, read: () => number) =>
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
