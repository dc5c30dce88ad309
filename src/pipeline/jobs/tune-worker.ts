// One thread of the tune pool: its own single-threaded engine with the PCA scores resident, serving
// fit and metric requests from the main thread one at a time (see tune-pool.ts).
import { parentPort } from "node:worker_threads";
import type { ResidentMatrix } from "../../engine/context.js";
import { loadEngine } from "../../engine/engine.js";
import { ArgumentError } from "../../engine/validate.js";
import type { SilhouetteSampling } from "../steps/evaluate.js";
import { fitRunsNow, metricsNow } from "../steps/tune-engine.js";
import type { PoolReply, PoolRequest } from "./tune-pool.js";

const port = parentPort!;
const engine = await loadEngine({ threads: 1 });
let x: ResidentMatrix | undefined;
let sampling: SilhouetteSampling | undefined;

port.on("message", (msg: PoolRequest) => {
  try {
    if (msg.type === "data") {
      x?.free();
      x = engine.upload({ data: msg.data, rows: msg.rows, cols: msg.cols });
      sampling = msg.sampling;
      reply({ id: msg.id, type: "data" });
    } else if (msg.type === "fit") {
      const fits = fitRunsNow(engine, resident(), msg.req);
      reply({ id: msg.id, type: "fit", fits }, fits.flatMap((f) => [f.labels.buffer as ArrayBuffer, f.centers.buffer as ArrayBuffer]));
    } else {
      const metrics = metricsNow(engine, resident(), msg.labels, sampling);
      reply({ id: msg.id, type: "metrics", metrics }, [metrics.samples.buffer as ArrayBuffer]);
    }
  } catch (err) {
    const argument = err instanceof ArgumentError ? { argument: err.argument } : {};
    reply({ id: msg.id, type: "error", message: (err as Error).message, name: (err as Error).name, ...argument });
  }
});
port.postMessage({ id: -1, type: "ready" } satisfies PoolReply);

function resident(): ResidentMatrix {
  if (!x) throw new Error("tune worker: no data uploaded");
  return x;
}

function reply(message: PoolReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}
