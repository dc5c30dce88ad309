// custseg pca: principal components of a numeric matrix (CSV with a header row, Arrow IPC or Parquet).
import type { CommandModule } from "yargs";
import { interruptSignal } from "../interrupt.js";
import { type MatrixLimitArgs, matrixLimitOptions } from "../limits.js";
import { wordForCli } from "../failure.js";
import { stderrReporter } from "../progress.js";
import { UserError } from "../../errors.js";

interface PcaArgs extends MatrixLimitArgs {
  input: string;
  columns?: string;
  components?: number;
  variance?: number;
  threads?: number;
  out?: string;
  force: boolean;
  json: boolean;
}

const command: CommandModule<object, PcaArgs> = {
  builder: (y) =>
    matrixLimitOptions(y)
      .option("input", { type: "string", demandOption: true, describe: "Matrix: .csv (header row), .arrow or .parquet" })
      .option("columns", { type: "string", describe: "Use these columns, comma-separated (default: all)" })
      .option("components", { type: "number", describe: "Number of components to keep" })
      .option("variance", { type: "number", describe: "Keep the fewest components whose cumulative explained variance ratio reaches this (0, 1]" })
      .conflicts("components", "variance")
      .check((a) => {
        if (a.components === undefined && a.variance === undefined) throw new UserError("pca: give --components P or --variance V");
        return true;
      })
      .option("threads", { type: "number", describe: "Worker threads (default: the core count); results do not depend on it" })
      .option("out", { type: "string", describe: "Write the scores PC1…PCp per input row: .csv, .arrow or .parquet" })
      .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" })
      .option("json", {
        type: "boolean",
        default: false,
        describe: 'Print one JSON object {"nComponents","explainedVariance","explainedVarianceRatio","components","mean"}',
      })
      .example("$0 pca --input scaled.csv --variance 0.8 --json", "")
      .example("$0 pca --input x.parquet --components 6 --out scores.parquet", "") as never,
  handler: async (args) => {
    const reporter = stderrReporter();
    const { runPcaJob } = await import("../../pipeline/jobs/pca.js");
    const s = await runPcaJob({
      input: args.input,
      columns: args.columns?.split(",").map((c) => c.trim()),
      maxColumns: args["max-columns"],
      components: args.components,
      variance: args.variance,
      threads: args.threads,
      note: (m) => reporter.note(wordForCli(m)),
      out: args.out,
      force: args.force,
      signal: interruptSignal,
    });
    if (args.json) {
      const { nComponents, explainedVariance, explainedVarianceRatio, components, mean } = s;
      process.stdout.write(`${JSON.stringify({ nComponents, explainedVariance, explainedVarianceRatio, components, mean })}\n`);
      return;
    }
    const lines = [`PCA: ${s.nComponents} components of ${s.columnNames.length} columns`];
    lines.push("  component  variance      ratio  cumulative");
    let cumulative = 0;
    s.explainedVariance.forEach((v, c) => {
      cumulative += s.explainedVarianceRatio[c]!;
      lines.push(
        `  ${`PC${c + 1}`.padStart(9)}  ${v.toPrecision(6).padStart(8)}  ${s.explainedVarianceRatio[c]!.toFixed(4).padStart(9)}  ${cumulative.toFixed(4).padStart(10)}`,
      );
    });
    if (args.out) lines.push(`  scores written to ${args.out}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  },
};

export default command;
