// custseg kmeans: k-means on a numeric matrix (CSV with a header row, Arrow IPC or Parquet).
import type { CommandModule } from "yargs";
import { interruptSignal } from "../interrupt.js";
import { type MatrixLimitArgs, matrixLimitOptions } from "../limits.js";
import { wordForCli } from "../failure.js";
import { stderrReporter } from "../progress.js";
import { CLUSTER_ALGORITHMS, type ClusterAlgorithm, KMEANS_DEFAULTS, SCALE_DEFAULTS } from "../../pipeline/options.js";
import { groupDigits } from "../../digits.js";

interface KMeansArgs extends MatrixLimitArgs {
  input: string;
  columns?: string;
  k: number;
  "n-init": number;
  "max-iter": number;
  tol: number;
  init: string;
  seed: number;
  algorithm: ClusterAlgorithm;
  "batch-size": number;
  threads?: number;
  "labels-out"?: string;
  force: boolean;
  json: boolean;
}

const command: CommandModule<object, KMeansArgs> = {
  builder: (y) =>
    matrixLimitOptions(y)
      .option("input", { type: "string", demandOption: true, describe: "Matrix: .csv (header row), .arrow or .parquet" })
      .option("columns", { type: "string", describe: "Use these columns, comma-separated (default: all)" })
      .option("k", { type: "number", demandOption: true, describe: "Number of clusters" })
      .option("n-init", { type: "number", default: KMEANS_DEFAULTS.nInit, describe: "Runs with different seeds; the lowest inertia wins" })
      .option("max-iter", { type: "number", default: KMEANS_DEFAULTS.maxIter, describe: "Lloyd iterations per run at most" })
      .option("tol", { type: "number", default: KMEANS_DEFAULTS.tol, describe: "Centre-shift tolerance, relative to the mean column variance" })
      .option("init", {
        type: "string",
        default: KMEANS_DEFAULTS.init,
        describe: "k-means++, random, or a file of k initial centres (then one run)",
      })
      .option("seed", { type: "number", default: KMEANS_DEFAULTS.seed, describe: "Seed of the random initialisation" })
      .option("algorithm", {
        choices: CLUSTER_ALGORITHMS,
        default: SCALE_DEFAULTS.algorithm,
        describe: `lloyd, minibatch (scikit-learn's MiniBatchKMeans), or auto: Lloyd up to ${groupDigits(SCALE_DEFAULTS.minibatchAbove)} rows, mini-batch beyond`,
      })
      .option("batch-size", { type: "number", default: SCALE_DEFAULTS.batchSize, describe: "Rows per mini-batch step" })
      .option("threads", { type: "number", describe: "Worker threads (default: the core count); results do not depend on it" })
      .option("labels-out", { type: "string", describe: "Write a CSV with the header 'label' and one cluster per input row" })
      .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" })
      .option("json", { type: "boolean", default: false, describe: 'Print one JSON object {"k","algorithm","inertia","nIter","sizes","centers"}' })
      .example("$0 kmeans --input pca.csv --k 3 --json", "")
      .example("$0 kmeans --input x.parquet --columns PC1,PC2 --k 4 --labels-out labels.csv", "") as never,
  handler: async (args) => {
    const reporter = stderrReporter();
    const { runKMeansJob } = await import("../../pipeline/jobs/kmeans.js");
    const summary = await runKMeansJob({
      input: args.input,
      columns: args.columns?.split(",").map((c) => c.trim()),
      maxColumns: args["max-columns"],
      k: args.k,
      nInit: args["n-init"],
      maxIter: args["max-iter"],
      tol: args.tol,
      init: args.init,
      seed: args.seed,
      algorithm: args.algorithm,
      batchSize: args["batch-size"],
      threads: args.threads,
      note: (m) => reporter.note(wordForCli(m)),
      labelsOut: args["labels-out"],
      force: args.force,
      signal: interruptSignal,
    });
    const { k, algorithm, inertia, nIter, sizes, centers } = summary;
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ k, algorithm, inertia, nIter, sizes, centers })}\n`);
      return;
    }
    const lines = [`k-means${algorithm === "minibatch" ? " (mini-batch)" : ""}: k = ${k}, inertia ${inertia}, ${nIter} iterations`];
    lines.push(`  cluster      size  centre (${summary.columnNames.join(", ")})`);
    sizes.forEach((size, c) => {
      lines.push(`  ${String(c).padStart(7)}  ${String(size).padStart(8)}  ${centers[c]!.map((v) => v.toPrecision(6)).join(", ")}`);
    });
    if (args["labels-out"]) lines.push(`  labels written to ${args["labels-out"]}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  },
};

export default command;
