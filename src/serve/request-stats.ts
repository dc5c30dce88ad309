// Requests by route and status, and their latency histogram by route, kept in plain counters and
// exposed to prom-client as collectors read at scrape time. prom-client's labelled `inc` and
// `observe` validate and hash their labels on every call, a measurable share of a request that
// costs tens of microseconds; here a request costs one map lookup and a few increments.
import type { Registry } from "prom-client";

interface RouteCounts {
  route: string;
  byStatus: Map<number, number>;
  /** Observations per bucket (not cumulative); the +Inf bucket is `count`. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

export interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** What prom-client's registry reads from a metric: its description and its samples. */
interface Collector {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  get(): Promise<{ name: string; help: string; type: string; values: Sample[]; aggregator: "sum" }>;
}

/** A metric prom-client's registry reads through `get()`, from samples made at scrape time. */
export function collector(name: string, help: string, type: "counter" | "histogram", samples: () => Sample[]): Collector {
  return { name, help, type, aggregator: "sum", get: async () => ({ name, help, type, values: samples(), aggregator: "sum" }) };
}

export class RequestStats {
  private readonly routes = new Map<string, RouteCounts>();

  constructor(private readonly bounds: readonly number[]) {}

  record(route: string, status: number, seconds: number): void {
    let r = this.routes.get(route);
    if (r === undefined) {
      r = { route, byStatus: new Map(), buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 };
      this.routes.set(route, r);
    }
    r.byStatus.set(status, (r.byStatus.get(status) ?? 0) + 1);
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (seconds <= b[i]!) {
        r.buckets[i]!++;
        break;
      }
    }
    r.sum += seconds;
    r.count++;
  }

  /** Register `requests` (a counter by route and status) and `latency` (a histogram by route). */
  register(registry: Registry, requests: { name: string; help: string }, latency: { name: string; help: string }): void {
    registry.registerMetric(collector(requests.name, requests.help, "counter", () => this.requestSamples()) as never);
    registry.registerMetric(collector(latency.name, latency.help, "histogram", () => this.latencySamples(latency.name)) as never);
  }

  private requestSamples(): Sample[] {
    const out: Sample[] = [];
    for (const r of this.routes.values()) for (const [status, n] of r.byStatus) out.push({ labels: { route: r.route, status: String(status) }, value: n });
    return out;
  }

  /** prom-client's histogram layout: cumulative `_bucket{le,route}`, then `+Inf`, `_sum`, `_count`. */
  private latencySamples(name: string): Sample[] {
    const out: Sample[] = [];
    for (const r of this.routes.values()) {
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += r.buckets[i]!;
        out.push({ labels: { le, route: r.route }, value: acc, metricName: `${name}_bucket` });
      });
      out.push({ labels: { le: "+Inf", route: r.route }, value: r.count, metricName: `${name}_bucket` });
      out.push({ labels: { route: r.route }, value: r.sum, metricName: `${name}_sum` });
      out.push({ labels: { route: r.route }, value: r.count, metricName: `${name}_count` });
    }
    return out;
  }
}
