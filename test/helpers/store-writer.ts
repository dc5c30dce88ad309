// A separate process that records `count` runs in a store as fast as it can, for the concurrency
// test: node store-writer.js STORE COUNT LABEL. Exits non-zero with the message on any failure.
import { closeStore, finishRun, logMetrics, logParams, openStore, startRun } from "../../src/store/index.js";

const [path, count, label] = process.argv.slice(2);
try {
  const store = openStore(path!, { create: true });
  for (let i = 0; i < Number(count); i++) {
    const run = startRun(store, { experiment: "stress", params: { writer: label!, i } });
    logParams(store, run.id, { k: 3 });
    logMetrics(store, run.id, { silhouette: i / 100 });
    finishRun(store, run.id);
  }
  closeStore(store);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
