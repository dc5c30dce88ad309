// custseg predict: place a batch of customers under a model — cluster, distances, outlier score,
// principal components and three recommended products per customer.
import type { CommandModule } from "yargs";
import { artifactsFrom, type CacheArgs, cacheFrom, cacheOptions } from "../cache-options.js";
import { UserError } from "../../errors.js";
import type { PredictInputKind, PredictJobResult } from "../../pipeline/jobs/predict.js";
import { interruptSignal } from "../interrupt.js";
import { stderrReporter } from "../progress.js";
import { STORE_DESCRIPTION } from "../store-option.js";
import { type TextFormatArgs, textFormatFrom, textFormatOptions } from "../text-format-options.js";
import { type InputLimitArgs, inputLimitOptions, inputLimits } from "../limits.js";
import { groupDigits } from "../../digits.js";

interface PredictArgs extends CacheArgs, TextFormatArgs, InputLimitArgs {
  model: string;
  store?: string;
  transactions?: string;
  features?: string;
  components?: string;
  "as-of"?: string;
  out?: string;
  force: boolean;
  outliers: boolean;
  json: boolean;
  threads?: number;
  encoding?: string;
  map?: string;
}

/** Rows shown on the terminal without --out. */
const SHOWN = 20;

const command: CommandModule<object, PredictArgs> = {
  builder: (y) =>
    textFormatOptions(cacheOptions(inputLimitOptions(y)))
      .option("model", { type: "string", demandOption: true, describe: "model.json, or a run directory holding one; or models:/NAME/STAGE, models:/NAME/VERSION, models:/NAME@ALIAS" })
      .option("store", { type: "string", describe: STORE_DESCRIPTION })
      .option("transactions", { type: "string", describe: "Transactions (.zip, .xlsx, .csv, .tsv, .parquet, .arrow): cleaned and turned into features" })
      .option("features", { type: "string", describe: "A table of the 15 features by name (.parquet, .arrow, .csv), CustomerID optional" })
      .option("components", { type: "string", describe: "A table of PC1..PCp (.parquet, .arrow, .csv), CustomerID optional" })
      .option("as-of", { type: "string", describe: "YYYY-MM-DD recency counts from (default: the input's last purchase day)" })
      .option("out", { type: "string", describe: "Write the predictions to .parquet, .csv or .arrow (default: a table on the terminal)" })
      .option("force", { type: "boolean", default: false, describe: "Replace an existing --out file" })
      .option("outliers", { type: "boolean", default: true, describe: "Score outliers with the model's IsolationForest (--no-outliers skips it)" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object on stdout (with every prediction unless --out is given)" })
      .option("threads", { type: "number", describe: "Engine threads (default: the core count); results do not depend on it" })
      .option("encoding", { type: "string", describe: "Text encoding of a CSV/TSV transactions file (default: detected)" })
      .option("map", { type: "string", describe: "Rename transaction columns: SOURCE=TARGET,..." })
      .example("$0 predict --model runs/latest/model.json --transactions new.csv --out scored.parquet", "")
      .example("$0 predict --model runs/latest --features customers.parquet --json", "") as never,
  handler: async (args) => {
    const given = (["transactions", "features", "components"] as const).filter((k) => args[k] !== undefined);
    if (given.length !== 1) {
      throw new UserError(given.length === 0 ? "predict needs one of --transactions, --features or --components" : `give one input, not ${given.map((g) => `--${g}`).join(" and ")}`);
    }
    const kind: PredictInputKind = given[0]!;
    // Loaded here, not at start-up, so that --help and the other commands need none of it.
    const [{ parseColumnMap }, { engineFor }, { runPredictJob }] = await Promise.all([
      import("../../io/columns.js"),
      import("../../pipeline/jobs/engine-input.js"),
      import("../../pipeline/jobs/predict.js"),
    ]);
    const engine = await engineFor(args.threads, undefined, interruptSignal);
    const result = await runPredictJob(engine, {
      model: args.model,
      store: args.store,
      input: { kind, path: args[kind]! },
      asOf: args["as-of"],
      out: args.out,
      force: args.force,
      outliers: args.outliers,
      encoding: args.encoding,
      map: parseColumnMap(args.map),
      textFormat: textFormatFrom(args),
      cacheDir: cacheFrom(args),
      limits: inputLimits(args),
      artifacts: artifactsFrom(args),
      reporter: stderrReporter(),
      signal: interruptSignal,
    });
    if (args.json) {
      process.stdout.write(`${JSON.stringify(jsonSummary(result, args.out, kind))}\n`);
      return;
    }
    process.stdout.write(`${terminalSummary(result, args.out).join("\n")}\n`);
  },
};

function jsonSummary(r: PredictJobResult, out: string | undefined, kind: PredictInputKind) {
  const summary: Record<string, unknown> = {
    model: r.modelPath,
    input: kind,
    asOf: r.asOf ?? null,
    customers: r.customers,
    clusterSizes: r.clusterSizes,
    outliers: r.outliers,
    out: out ?? null,
    timingsMs: r.timingsMs,
  };
  if (!out) summary.predictions = predictionRows(r, r.customers);
  return summary;
}

/** Predictions as plain objects, in the server's prediction shape plus CustomerID and the PCs. */
function predictionRows(r: PredictJobResult, limit: number) {
  const { predictions: t, scored: s, model } = r;
  const ids = t.getChild("CustomerID")!;
  const p = s.nComponents;
  return Array.from({ length: Math.min(limit, s.rows) }, (_, i) => ({
    customerId: ids.get(i) ?? null,
    cluster: s.cluster[i]!,
    name: model.clusters[s.cluster[i]!]?.name ?? null,
    distance: s.distance[i]!,
    secondDistance: s.secondDistance[i]!,
    outlier: s.outlier[i]! < 0 ? null : s.outlier[i] === 1,
    outlierScore: Number.isNaN(s.outlierScore[i]!) ? null : s.outlierScore[i]!,
    components: Array.from(s.components.subarray(i * p, i * p + p)),
    recommendations: recommendationsOf(r, i),
  }));
}

function recommendationsOf(r: PredictJobResult, i: number) {
  const t = r.predictions;
  const out: { stockCode: string; description: string }[] = [];
  for (let k = 1; k <= 3; k++) {
    const code = t.getChild(`Rec${k}_StockCode`)?.get(i);
    if (code !== null && code !== undefined) out.push({ stockCode: code, description: t.getChild(`Rec${k}_Description`)?.get(i) ?? "" });
  }
  return out;
}

function terminalSummary(r: PredictJobResult, out: string | undefined): string[] {
  const { model, scored: s } = r;
  const lines = [`${groupDigits(r.customers)} customers scored with ${r.modelPath} (${model.mode} mode${r.asOf ? `, as of ${r.asOf}` : ""})`];
  lines.push("  cluster  name                      customers");
  r.clusterSizes.forEach((size, c) => {
    lines.push(`  ${String(c).padStart(7)}  ${(model.clusters[c]?.name ?? "").padEnd(24)}  ${groupDigits(size).padStart(9)}`);
  });
  lines.push(r.outliers === null ? "  outliers: not scored (no IsolationForest for this input or model)" : `  outliers: ${groupDigits(r.outliers)}`);
  if (out) {
    lines.push(`  written to ${out}`);
    return lines;
  }
  lines.push("");
  lines.push(["CustomerID", "Cluster", "ClusterName", "Distance", "2nd", "Outlier", "Score", "Recommendations"].join("\t"));
  for (const row of predictionRows(r, SHOWN)) {
    lines.push(
      [
        row.customerId ?? "",
        row.cluster,
        row.name ?? "",
        row.distance.toFixed(3),
        row.secondDistance.toFixed(3),
        row.outlier === null ? "" : row.outlier ? "yes" : "no",
        row.outlierScore === null ? "" : row.outlierScore.toFixed(4),
        row.recommendations.map((x) => x.stockCode).join(" "),
      ].join("\t"),
    );
  }
  if (s.rows > SHOWN) lines.push(`… ${groupDigits(s.rows - SHOWN)} more; --out F writes them all`);
  return lines;
}

export default command;
