// custseg export: flags only; the work is in src/pipeline/jobs/export.ts.
import type { CommandModule } from "yargs";
import type { ExportFormat } from "../../pipeline/jobs/export.js";

interface ExportArgs {
  run: string;
  format: ExportFormat;
  out?: string;
  delimiter?: string;
  decimal?: string;
  bom: boolean;
  force: boolean;
  json: boolean;
}

const command: CommandModule<object, ExportArgs> = {
  builder: (y) =>
    y
      .option("run", { type: "string", demandOption: true, describe: "The run directory" })
      .option("format", { choices: ["csv", "parquet"] as const, default: "csv" as ExportFormat, describe: "File format" })
      .option("out", { type: "string", describe: "Output file (default <run>/export.<format>)" })
      .option("delimiter", { type: "string", describe: 'CSV field separator (default ","; ";" where the decimal mark is a comma)' })
      .option("decimal", { type: "string", describe: 'CSV decimal mark: "." (default) or ","' })
      .option("bom", { type: "boolean", default: false, describe: "Start the CSV with a UTF-8 byte order mark (Excel then reads it as UTF-8)" })
      .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON summary on stdout" })
      .example("$0 export --run runs/q4 --delimiter ';' --decimal , --bom", "runs/q4/export.csv for a European Excel") as never,
  handler: async (args) => {
    // Loaded here, not at start-up: the job brings Arrow and Parquet, which no other command's start needs.
    const [{ engineFor }, { runExportJob }] = await Promise.all([import("../../pipeline/jobs/engine-input.js"), import("../../pipeline/jobs/export.js")]);
    const engine = await engineFor(1);
    try {
      const result = await runExportJob(engine, {
        run: args.run,
        format: args.format,
        out: args.out,
        delimiter: args.delimiter,
        decimal: args.decimal,
        bom: args.bom,
        force: args.force,
      });
      process.stdout.write(args.json ? `${JSON.stringify(result)}\n` : `${result.customers} customers (${result.outliers} outliers) → ${result.out}\n`);
    } finally {
      engine.close();
    }
  },
};

export default command;
