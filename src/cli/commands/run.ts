// custseg run: the whole pipeline, from a transactions file to a run directory with a report.
import type { CommandModule } from "yargs";
import { type CacheArgs, cacheFrom, cacheOptions } from "../cache-options.js";
import { RUN_DEFAULTS, type RunSummary } from "../../pipeline/options.js";
import { type InputLimitArgs, inputLimitOptions, inputLimits } from "../limits.js";
import { formatMs, stderrReporter } from "../progress.js";
import { RUN_FLAGS, type RunFlagArgs } from "../run-flags.js";

interface RunArgs extends RunFlagArgs, InputLimitArgs, CacheArgs {
  k: number;
  seed: number;
  "n-init": number;
  "max-iter": number;
  init: string;
  names?: string;
  currency?: string;
  out?: string;
  threads?: number;
  experiment?: string;
  json: boolean;
}

const command: CommandModule<object, RunArgs> = {
  command: "run",
  describe: "Run the whole segmentation: clean, features, outliers, scaling, PCA, k-means, metrics, profiles, recommendations, report",
  builder: (y) =>
    cacheOptions(inputLimitOptions(y))
      .option("input", RUN_FLAGS.input)
      .option("compat", RUN_FLAGS.compat)
      .option("outliers-from", RUN_FLAGS["outliers-from"])
      .option("k", { type: "number", default: RUN_DEFAULTS.k, describe: "Number of clusters" })
      .option("seed", { type: "number", default: RUN_DEFAULTS.seed, describe: "Seed of IsolationForest and k-means" })
      .option("n-init", { type: "number", default: RUN_DEFAULTS.nInit, describe: "k-means runs; the lowest inertia is kept" })
      .option("max-iter", { type: "number", default: RUN_DEFAULTS.maxIter, describe: "Lloyd iterations per run at most" })
      .option("tol", RUN_FLAGS.tol)
      .option("init", { type: "string", default: RUN_DEFAULTS.init, describe: "k-means++, random, or a CSV of initial centres (k rows × components)" })
      .option("variance", RUN_FLAGS.variance)
      .option("names", { type: "string", describe: 'Segment names by cluster number, a JSON file: {"0": "Loyal regulars", …} (default: derived from the profiles)' })
      .option("currency", { type: "string", describe: "ISO 4217 code of the prices (GBP, EUR, …), shown with its symbol in the report; none by default" })
      .option("out", { type: "string", describe: "Run directory (default runs/<runId>)" })
      .option("data-dir", RUN_FLAGS["data-dir"])
      .option("threads", { type: "number", describe: "Worker threads for the kernels (default: the core count)" })
      .option("encoding", RUN_FLAGS.encoding)
      .option("map", RUN_FLAGS.map)
      .option("store", RUN_FLAGS.store)
      .option("experiment", { type: "string", describe: "Experiment the run is recorded under (default: default)" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON summary (with its runId) on stdout and nothing else" })
      .example("$0 run", "UCI data (downloaded if needed) → runs/<runId>/report.html, recorded in custseg.db")
      .example("$0 run --input export.parquet --k 4 --out runs/q4", "") as never,
  handler: async (args) => {
    // Loaded here, not at start-up, so that --help and the other commands need none of it.
    const [{ parseColumnMap }, { engineFor }, { runRecorded }, { defaultSource }, { closeStore, openStore, storePath }] = await Promise.all([
      import("../../io/columns.js"),
      import("../../pipeline/jobs/engine-input.js"),
      import("../../pipeline/jobs/run-record.js"),
      import("../../pipeline/jobs/source.js"),
      import("../../store/index.js"),
    ]);
    // The store is opened first, so a store that cannot be used fails before any work is done.
    const store = openStore(storePath(args.store), { create: true });
    const reporter = stderrReporter();
    const source = args.input
      ? { path: args.input, label: args.input }
      : await defaultSource(args["data-dir"], args.seed, reporter);
    const engine = await engineFor(args.threads, reporter.note);
    try {
      const { summary } = await runRecorded(engine, store, {
        input: source.path,
        inputLabel: source.label,
        compat: args.compat,
        encoding: args.encoding,
        map: parseColumnMap(args.map),
        cacheDir: cacheFrom(args),
        limits: inputLimits(args),
        outliersFrom: args["outliers-from"],
        k: args.k,
        seed: args.seed,
        nInit: args["n-init"],
        maxIter: args["max-iter"],
        tol: args.tol,
        init: args.init,
        variance: args.variance,
        names: args.names,
        currency: args.currency,
        out: args.out,
        reporter,
      }, { experiment: args.experiment });
      process.stdout.write(args.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    } finally {
      engine.close();
      closeStore(store);
    }
  },
};

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

function formatSummary(s: RunSummary): string {
  const n = (v: number) => v.toLocaleString("en-US");
  const lines = [
    "",
    `custseg run — ${s.mode} mode`,
    `  input       ${s.input}`,
    `  lines       ${n(s.rows.loaded!)} loaded, ${n(s.rows.afterZeroPrice!)} after cleaning`,
    `  customers   ${n(s.customersBeforeOutliers)} with features, ${n(s.outliers)} outliers, ${n(s.customers)} clustered`,
    `  PCA         ${s.nComponents} components, ${(s.explainedVarianceRatio.reduce((a, b) => a + b, 0) * 100).toFixed(1)}% of the variance`,
    `  k-means     k = ${s.k}, inertia ${s.inertia.toFixed(2)}, ${s.nIter} iterations`,
    `  metrics     silhouette ${s.silhouette.toFixed(4)}, Davies–Bouldin ${s.daviesBouldin.toFixed(4)}, Calinski–Harabasz ${s.calinskiHarabasz.toFixed(1)}`,
    "",
    "  cluster  customers  share  revenue  segment: profile",
    ...s.clusterSizes.map(
      (size, c) =>
        `  ${String(c).padStart(7)}  ${n(size).padStart(9)}  ${pct(size / s.customers).padStart(5)}  ${pct(s.revenueShares[c]!).padStart(7)}  ${s.clusterNames[c]}: ${s.clusterDescriptions[c]}`,
    ),
    ...(s.outliers > 0 ? [`  ${"outliers".padStart(7)}  ${n(s.outliers).padStart(9)}  ${"".padStart(5)}  ${pct(s.revenueShares[s.k] ?? 0).padStart(7)}  (not clustered)`] : []),
    "",
    `  total ${formatMs(Object.values(s.timingsMs).reduce((a, b) => a + b, 0))}; report: ${s.runDir}/report.html`,
    `  run id      ${s.runId}`,
    "",
  ];
  return lines.join("\n");
}

export default command;
