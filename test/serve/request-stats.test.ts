// The plain request counters read the way prom-client's own counter and histogram print: cumulative
// buckets with `le` first, +Inf, _sum and _count per route, requests by route and status.
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RequestStats } from "../../src/serve/request-stats.js";

const requests = { name: "t_requests_total", help: "requests" };
const latency = { name: "t_latency_seconds", help: "latency" };

test("latency is a cumulative histogram per route; requests count by route and status", async () => {
  const registry = new Registry();
  const stats = new RequestStats([0.001, 0.01]);
  stats.register(registry, requests, latency);
  stats.record("/predict", 200, 0.0005);
  stats.record("/predict", 200, 0.005);
  stats.record("/predict", 400, 0.5);
  stats.record("/health", 200, 0.001);
  const lines = (await registry.metrics()).split("\n");
  for (const line of [
    "# TYPE t_requests_total counter",
    't_requests_total{route="/predict",status="200"} 2',
    't_requests_total{route="/predict",status="400"} 1',
    't_requests_total{route="/health",status="200"} 1',
    "# TYPE t_latency_seconds histogram",
    't_latency_seconds_bucket{le="0.001",route="/predict"} 1',
    't_latency_seconds_bucket{le="0.01",route="/predict"} 2',
    't_latency_seconds_bucket{le="+Inf",route="/predict"} 3',
    't_latency_seconds_sum{route="/predict"} 0.5055',
    't_latency_seconds_count{route="/predict"} 3',
    // A value on a bound falls in that bucket (le = less than or equal).
    't_latency_seconds_bucket{le="0.001",route="/health"} 1',
  ]) {
    assert.ok(lines.includes(line), `missing ${line}`);
  }
});

test("nothing recorded prints no samples", async () => {
  const registry = new Registry();
  new RequestStats([0.001]).register(registry, requests, latency);
  const text = await registry.metrics();
  assert.not.match(text, /^t_requests_total\{/m);
  assert.not.match(text, /^t_latency_seconds_bucket\{/m);
});

test.run();
