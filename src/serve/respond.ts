// The predictions array as JSON text. Each cluster's constant part (its name and recommendations)
// is serialised once per model, so a request only formats its own numbers; at 10^5 predictions a
// second a generic serialiser walking the same nested objects costs more than the scoring.
import type { Scored, ServedModel } from "./served-model.js";

export class PredictionWriter {
  private readonly heads: string[];
  private readonly tails: string[];

  constructor(model: ServedModel) {
    this.heads = model.clusters.map((c, i) => `{"cluster":${i},"name":${JSON.stringify(c.name)},"distance":`);
    this.tails = model.clusters.map((c) => `,"recommendations":${JSON.stringify(c.recommendations.map((r) => ({ stockCode: r.stockCode, description: r.description })))}}`);
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

/** JSON number text; no score (NaN) or no second centre (Infinity) is null. */
export const num = (x: number): string => (Number.isFinite(x) ? String(x) : "null");

/** The scoring step's outlier flag: 1, 0, or −1 where no outlier score can be computed. */
export const flag = (f: number): string => (f === 1 ? "true" : f === 0 ? "false" : "null");
