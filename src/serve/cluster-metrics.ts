// /metrics of `custseg serve --workers N`: the worker that gets the request asks the primary, which
// asks every listening worker for its registry (as JSON), adds its own (the log's gauges, its process
// metrics), and merges them with prom-client's AggregatorRegistry: counters and the latency
// histogram's buckets, sums and counts summed by label, each metric as its `aggregator` says.
// A worker that does not answer in time (or exits meanwhile) is left out of that scrape.
import type { Worker } from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

/** How long a scrape waits for the workers' registries, ms. */
const COLLECT_TIMEOUT = 5_000;

interface Pending {
  waiting: Set<Worker>;
  metrics: unknown[][];
  finish(): void;
}

export class ClusterScrape {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(private readonly own: Registry) {}

  /** The whole server's metrics text, from `workers` and the primary's own registry. */
  async collect(workers: Worker[]): Promise<string> {
    const id = ++this.nextId;
    const metrics: unknown[][] = [];
    await new Promise<void>((resolve) => {
      const waiting = new Set(workers.filter((w) => w.isConnected()));
      if (waiting.size === 0) return resolve();
      const timer = setTimeout(() => finish(), COLLECT_TIMEOUT);
      const finish = () => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve();
      };
      this.pending.set(id, { waiting, metrics, finish });
      for (const w of waiting) w.send({ type: "custseg:collect", id });
    });
    metrics.push(await this.own.getMetricsAsJSON());
    return AggregatorRegistry.aggregate(metrics as never).metrics();
  }

  /** A worker's registry, for scrape `id`. */
  received(worker: Worker, id: number, metrics: unknown[]): void {
    const p = this.pending.get(id);
    if (!p?.waiting.delete(worker)) return;
    p.metrics.push(metrics);
    if (p.waiting.size === 0) p.finish();
  }

  /** A worker exited: no scrape waits for it. */
  gone(worker: Worker): void {
    for (const p of this.pending.values()) if (p.waiting.delete(worker) && p.waiting.size === 0) p.finish();
  }
}
