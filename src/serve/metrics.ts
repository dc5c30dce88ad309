// Prometheus metrics on a registry of the server's own (so several servers in one process, as in
// the tests, do not share counters). Label children are cached: a request increments a counter it
// already holds instead of hashing its labels again.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { PredictionLog } from "./prediction-log.js";

export class ServeMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"route" | "status">;
  private readonly latency: Histogram<"route">;
  private readonly predictions: Counter<"cluster">;
  private readonly requestChildren = new Map<string, Counter.Internal>();
  private readonly latencyChildren = new Map<string, Histogram.Internal<"route">>();
  private clusterChildren: Counter.Internal[] = [];

  constructor(log: PredictionLog | null, modelInfo: () => { id: string; format: string }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "custseg_" });
    this.requests = new Counter({ name: "custseg_http_requests_total", help: "HTTP requests by route and status code", labelNames: ["route", "status"], registers });
    this.latency = new Histogram({
      name: "custseg_http_request_duration_seconds",
      help: "Time from request to response, by route",
      labelNames: ["route"],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.predictions = new Counter({ name: "custseg_predictions_total", help: "Predictions served, by cluster", labelNames: ["cluster"], registers });
    new Gauge({
      name: "custseg_model_info",
      help: "The model being served (value 1)",
      labelNames: ["id", "format"],
      registers,
      collect() {
        this.reset();
        this.set(modelInfo(), 1);
      },
    });
    if (log !== null) {
      new Gauge({
        name: "custseg_prediction_log_ok",
        help: "1 while the prediction log is written, 0 after a failed write (see /ready for the reason)",
        registers,
        collect() {
          this.set(log.status().ok ? 1 : 0);
        },
      });
      const counter = (name: string, help: string, read: () => number) =>
        new Gauge({
          name,
          help,
          registers,
          collect() {
            this.set(read());
          },
        });
      counter("custseg_prediction_log_lines_written_total", "Prediction lines appended to the log", () => log.linesWritten);
      counter("custseg_prediction_log_lines_dropped_total", "Prediction lines lost to failed writes or a full queue", () => log.linesDropped);
      counter("custseg_prediction_log_write_errors_total", "Failed appends to the prediction log", () => log.writeErrors);
    }
  }

  /** A model with k clusters is being served: hold a counter child per cluster. */
  clusters(k: number): void {
    this.clusterChildren = Array.from({ length: k }, (_, c) => this.predictions.labels(String(c)));
  }

  countClusters(cluster: Int32Array, rows: number): void {
    if (rows === 1) {
      this.clusterChildren[cluster[0]!]?.inc();
      return;
    }
    const counts = new Array<number>(this.clusterChildren.length).fill(0);
    for (let i = 0; i < rows; i++) counts[cluster[i]!]!++;
    for (let c = 0; c < counts.length; c++) if (counts[c]! > 0) this.clusterChildren[c]!.inc(counts[c]!);
  }

  request(route: string, status: number, seconds: number): void {
    const key = `${route} ${status}`;
    let child = this.requestChildren.get(key);
    if (child === undefined) this.requestChildren.set(key, (child = this.requests.labels(route, String(status))));
    child.inc();
    let hist = this.latencyChildren.get(route);
    if (hist === undefined) this.latencyChildren.set(route, (hist = this.latency.labels(route)));
    hist.observe(seconds);
  }
}
