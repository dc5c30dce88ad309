// custseg run: the whole pipeline, from a transactions file to a run directory with a report.
// Its flags are here; what it does is in ./run-job.ts, loaded when it runs, so that `run --help`
// loads none of it.
import type { CommandModule } from "yargs";
import { PIPELINE_STEPS } from "../../pipeline/options.js";
import { runFlags, SOURCE_FLAGS } from "../run-flags.js";
import type { RunArgs } from "./run-job.js";

const command: CommandModule<object, RunArgs> = {
  builder: (y) =>
    runFlags(y, true)
      .option("out", { type: "string", describe: "Run directory (default runs/<runId>)" })
      .option("data-dir", SOURCE_FLAGS["data-dir"])
      .option("threads", { type: "number", describe: "Worker threads for the kernels and for decoding a Parquet source (default: the core count)" })
      .option("store", SOURCE_FLAGS.store)
      .option("experiment", { type: "string", describe: "Experiment the run is recorded under (default: default)" })
      .option("from", { type: "string", choices: PIPELINE_STEPS, describe: "Recompute this step and every step after it, stored or not" })
      .option("to", { type: "string", choices: PIPELINE_STEPS, describe: "Run only this step and the steps it needs (before report: no run directory, no run record)" })
      .option("locked", { type: "boolean", default: false, describe: "Refuse to run when the inputs, parameters or code no longer match the lock file" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON summary (with its runId) on stdout and nothing else" })
      .example("$0 run", "UCI data (downloaded if needed) → runs/<runId>/report.html, recorded in custseg.db")
      .example("$0 run --input export.parquet --k 4 --out runs/q4", "") as never,
  handler: async (args) => (await import("./run-job.js")).runJob(args),
};

export default command;
