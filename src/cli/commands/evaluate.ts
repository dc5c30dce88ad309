// custseg evaluate: cluster quality scores of a labelling of a numeric matrix.
import type { CommandModule } from "yargs";
import { interruptSignal } from "../interrupt.js";
import { type MatrixLimitArgs, matrixLimitOptions } from "../limits.js";
import { wordForCli } from "../failure.js";
import { stderrReporter } from "../progress.js";

interface EvaluateArgs extends MatrixLimitArgs {
  input: string;
  columns?: string;
  labels: string;
  threads?: number;
  json: boolean;
}

const command: CommandModule<object, EvaluateArgs> = {
  builder: (y) =>
    matrixLimitOptions(y)
      .option("input", { type: "string", demandOption: true, describe: "Matrix: .csv (header row), .arrow or .parquet" })
      .option("columns", { type: "string", describe: "Use these columns, comma-separated (default: all)" })
      .option("labels", {
        type: "string",
        demandOption: true,
        describe: "CSV with a header row and one integer column: the cluster of each input row",
      })
      .option("threads", { type: "number", describe: "Worker threads (default: the core count); results do not depend on it" })
      .option("json", { type: "boolean", default: false, describe: 'Print one JSON object {"silhouette","daviesBouldin","calinskiHarabasz"}' })
      .example("$0 evaluate --input pca.csv --labels labels.csv --json", "") as never,
  handler: async (args) => {
    const reporter = stderrReporter();
    const { runEvaluateJob } = await import("../../pipeline/jobs/evaluate.js");
    const s = await runEvaluateJob({
      input: args.input,
      columns: args.columns?.split(",").map((c) => c.trim()),
      maxColumns: args["max-columns"],
      labels: args.labels,
      threads: args.threads,
      note: (m) => reporter.note(wordForCli(m)),
      signal: interruptSignal,
    });
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ silhouette: s.silhouette, daviesBouldin: s.daviesBouldin, calinskiHarabasz: s.calinskiHarabasz })}\n`);
      return;
    }
    process.stdout.write(
      `silhouette         ${s.silhouette}\ndavies-bouldin     ${s.daviesBouldin}\ncalinski-harabasz  ${s.calinskiHarabasz}\n`,
    );
  },
};

export default command;
