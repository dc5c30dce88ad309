// The prediction log's line format, shared by the process that writes the file and by the workers
// that hand their lines to it: `{"time","model","latencyMs","features"|"components":[…],"cluster",
// "outlier"}` per prediction, the values in the model's feature order (or PC1..PCp), as /metadata
// lists them.
import { extraBytes, flag, num } from "./respond.js";
import type { Batch, Scored } from "./served-model.js";

/** Whether the log is being written, and if not, why (for /ready and /metrics). */
export interface LogStatus {
  ok: boolean;
  reason?: string;
}

/** Where a server puts its predictions' lines: the log file's writer, or a worker's hand-off to it. */
export interface PredictionSink {
  /** Lines lost by this process (failed writes, a full queue). */
  linesDropped: number;
  /** Queue one request's predictions; never waits on the disk. */
  append(time: number, latencyMs: number, model: string, batch: Batch, scored: Scored): void;
  status(): LogStatus;
  /** Hand over or write everything queued; later appends are dropped. */
  close(): Promise<void>;
}

export class LineFormat {
  // Thousands of requests share a millisecond and a model: their text is made once.
  private lastTime = Number.NaN;
  private timeText = "";
  private lastModel: string | null = null;
  private modelText = "";
  /** UTF-8 bytes of the model's text beyond its length: the rest of a line is ASCII. */
  modelExtraBytes = 0;

  format(time: number, latencyMs: number, model: string, batch: Batch, scored: Scored): string {
    if (time !== this.lastTime) this.timeText = new Date((this.lastTime = time)).toISOString();
    if (model !== this.lastModel) {
      this.modelText = JSON.stringify((this.lastModel = model));
      this.modelExtraBytes = extraBytes(this.modelText);
    }
    const head = `{"time":"${this.timeText}","model":${this.modelText},"latencyMs":${latencyMs.toFixed(3)},"${batch.kind}":[`;
    const { data, rows } = batch;
    const cols = data.length / rows;
    let out = "";
    for (let i = 0; i < rows; i++) {
      let line = head + num(data[i * cols]!);
      for (let j = 1; j < cols; j++) line += "," + num(data[i * cols + j]!);
      out += line + '],"cluster":' + scored.cluster[i]! + ',"outlier":' + flag(scored.outlier[i]!) + "}\n";
    }
    return out;
  }
}
