// The predictions array as JSON text. Each cluster's constant part (its name and recommendations)
// is serialised once per model, so a request only formats its own numbers; at 10^5 predictions a
// second a generic serialiser walking the same nested objects costs more than the scoring.
import type { Scored, ServedModel } from "./served-model.js";

export class PredictionWriter {
  private readonly heads: string[];
  private readonly tails: string[];
  /** UTF-8 bytes beyond one per UTF-16 unit in each cluster's head and tail (0 for ASCII names). */
  private readonly extra: Int32Array;

  constructor(model: ServedModel) {
    this.heads = model.clusters.map((c, i) => `{"cluster":${i},"name":${JSON.stringify(c.name)},"distance":`);
    this.tails = model.clusters.map((c) => `,"recommendations":${JSON.stringify(c.recommendations.map((r) => ({ stockCode: r.stockCode, description: r.description })))}}`);
    this.extra = Int32Array.from(this.heads, (h, c) => extraBytes(h) + extraBytes(this.tails[c]!));
  }

  /**
   * UTF-8 length of `predictions(scored, rows)` given its text length: the numbers are ASCII, so
   * only the clusters' own texts add bytes. Counting them spares a scan (and flattening) of the text.
   */
  bytes(textLength: number, scored: Scored, rows: number): number {
    let bytes = textLength;
    for (let i = 0; i < rows; i++) bytes += this.extra[scored.cluster[i]!]!;
    return bytes;
  }

  /** `[{"cluster","name","distance","secondDistance","outlier","outlierScore","recommendations"},…]` */
  predictions(scored: Scored, rows: number): string {
    const { cluster, distance, secondDistance, outlier, outlierScore } = scored;
    let out = "[";
    for (let i = 0; i < rows; i++) {
      const c = cluster[i]!;
      if (i > 0) out += ",";
      out += this.heads[c]! + num(distance[i]!) + ',"secondDistance":' + num(secondDistance[i]!);
      out += ',"outlier":' + flag(outlier[i]!) + ',"outlierScore":' + num(outlierScore[i]!);
      out += this.tails[c]!;
    }
    return out + "]";
  }
}

/** UTF-8 bytes of a text beyond one per UTF-16 code unit. */
export const extraBytes = (text: string): number => Buffer.byteLength(text) - text.length;

/** JSON number text; no score (NaN) or no second centre (Infinity) is null. */
export const num = (x: number): string => (Number.isFinite(x) ? String(x) : "null");

/** The scoring step's outlier flag: 1, 0, or −1 where no outlier score can be computed. */
export const flag = (f: number): string => (f === 1 ? "true" : f === 0 ? "false" : "null");
