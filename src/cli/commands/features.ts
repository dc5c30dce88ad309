// custseg features: transactions → one row of features per customer.
import type { CommandModule } from "yargs";
import { type CacheArgs, cacheFrom, cacheOptions } from "../cache-options.js";
import { COMPAT_MODES, type Compat } from "../../pipeline/options.js";
import { type InputLimitArgs, inputLimitOptions, inputLimits } from "../limits.js";
import { interruptSignal } from "../interrupt.js";
import { stderrReporter } from "../progress.js";
import { describeMark } from "../../io/generated-mark.js";
import { type TextFormatArgs, textFormatFrom, textFormatOptions } from "../text-format-options.js";
import { groupDigits } from "../../digits.js";

interface FeaturesArgs extends InputLimitArgs, CacheArgs, TextFormatArgs {
  input: string;
  compat: Compat;
  out?: string;
  force: boolean;
  json: boolean;
  encoding?: string;
  map?: string;
}

const command: CommandModule<object, FeaturesArgs> = {
  builder: (y) =>
    textFormatOptions(cacheOptions(inputLimitOptions(y)))
      .option("input", { type: "string", demandOption: true, describe: "Transactions: .zip, .xlsx, .csv, .tsv, .parquet or .arrow" })
      .option("compat", {
        choices: COMPAT_MODES,
        default: "none" as Compat,
        describe: "seed: reproduce the original pipeline's numbers, quirks included; none: corrected semantics",
      })
      .option("out", { type: "string", describe: "Write the customer table to .arrow, .parquet or .csv" })
      .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object (row counts, customers, timings) on stdout" })
      .option("encoding", { type: "string", describe: "Text encoding of a CSV/TSV source (default: detected)" })
      .option("map", { type: "string", describe: "Rename source columns: SOURCE=TARGET,... (e.g. Invoice=InvoiceNo)" })
      .example("$0 features --input data.parquet --out customers.parquet", "")
      .example("$0 features --input data.zip --compat seed --json", "") as never,
  handler: async (args) => {
    const { parseColumnMap } = await import("../../io/columns.js");
    const { runFeaturesJob } = await import("../../pipeline/jobs/features.js");
    const { FEATURE_NAMES } = await import("../../pipeline/steps/features.js");
    const result = await runFeaturesJob({
      input: args.input,
      compat: args.compat,
      out: args.out,
      force: args.force,
      encoding: args.encoding,
      map: parseColumnMap(args.map),
      textFormat: textFormatFrom(args),
      cacheDir: cacheFrom(args),
      limits: inputLimits(args),
      reporter: stderrReporter(),
      signal: interruptSignal,
    });
    const { rows, customers, timingsMs, generated } = result;
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ rows, customers, synthetic: generated !== undefined, ...(generated ? { generator: generated } : {}), timingsMs })}\n`);
      return;
    }
    const steps: [string, number][] = [
      ["loaded", rows.loaded],
      ["with CustomerID and Description", rows.afterMissing],
      ["without duplicates", rows.afterDuplicates],
      ["without non-product stock codes", rows.afterAnomalousCodes],
      ["without service descriptions", rows.afterServiceDescriptions],
      ["with UnitPrice > 0", rows.afterZeroPrice],
    ];
    const lines = steps.map(([what, n]) => `  ${groupDigits(n).padStart(9)}  lines ${what}`);
    if (generated) lines.unshift(`  SYNTHETIC  generated data, not real customers (${describeMark(generated)})`);
    lines.push(`  ${groupDigits(customers).padStart(9)}  customers × ${FEATURE_NAMES.length} features (compat ${args.compat})`);
    if (args.out) lines.push(`  written to ${args.out}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  },
};

export default command;
