// custseg generate: a synthetic transactions file with the real data's texture, fixed by a seed.
import type { CommandModule } from "yargs";
import { GENERATE_DEFAULTS } from "../../io/generate/options.js";
import { checkOutputFile } from "../../io/output.js";
import { groupDigits } from "../../digits.js";

interface GenerateArgs {
  rows: number;
  customers: number;
  seed: number;
  out: string;
  force: boolean;
  json: boolean;
}

const command: CommandModule<object, GenerateArgs> = {
  builder: (y) =>
    y
      .option("rows", { type: "number", default: GENERATE_DEFAULTS.rows, describe: "Transaction lines to write" })
      .option("customers", { type: "number", default: GENERATE_DEFAULTS.customers, describe: "Customer accounts to simulate" })
      .option("seed", { type: "number", default: GENERATE_DEFAULTS.seed, describe: "Seed of the generator (0 to 4294967295)" })
      .option("out", { type: "string", demandOption: true, describe: "Output file: .csv, .arrow (IPC stream) or .parquet" })
      .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object (path, rows, bytes, seconds) on stdout" })
      .example("$0 generate --out synthetic.parquet", "the default size: 541,909 lines, 4,372 customers")
      .example("$0 generate --rows 50000000 --out big.arrow", "a benchmark input, streamed to disk") as never,
  handler: async (args) => {
    checkOutputFile(args.out, { option: "out", force: args.force });
    const started = performance.now();
    const { generateFile } = await import("../../io/generate/generate.js");
    const result = await generateFile(args.out, { rows: args.rows, customers: args.customers, seed: args.seed });
    const seconds = Number(((performance.now() - started) / 1000).toFixed(3));
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ ...result, customers: args.customers, seed: args.seed, seconds })}\n`);
      return;
    }
    const size = `${(result.bytes / 1e6).toFixed(1)} MB`;
    process.stdout.write(`wrote ${groupDigits(result.rows)} lines to ${result.path} (${size}, ${seconds} s)\n`);
  },
};

export default command;
