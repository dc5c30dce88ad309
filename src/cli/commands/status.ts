// custseg status: each step of `custseg run` fresh or stale against custseg.lock, and why.
import type { CommandModule } from "yargs";
import { artifactsFrom } from "../cache-options.js";
import { type RunFlagArgs, runFlags, runOptionsFrom } from "../run-flags.js";

interface StatusArgs extends Partial<Omit<RunFlagArgs, "lock" | "cache" | "cache-dir">> {
  lock: string;
  cache: boolean;
  "cache-dir"?: string;
  json: boolean;
}

const command: CommandModule<object, StatusArgs> = {
  builder: (y) =>
    runFlags(y, false)
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object on stdout" })
      .example("$0 status", "what `custseg run` with the locked flags would recompute")
      .example("$0 status --k 4", "… with k = 4: kmeans and the steps after it are stale") as never,
  handler: async (args) => {
    const { statusJob } = await import("../../pipeline/jobs/status-job.js");
    const result = await statusJob(
      { input: args.input, ...(await runOptionsFrom(args as RunFlagArgs)) },
      args.lock,
      artifactsFrom(args as RunFlagArgs),
    );
    const stale = result.steps.filter((s) => !s.fresh);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ lock: result.lock, locked: result.locked, fresh: stale.length === 0, steps: result.steps })}\n`);
      return;
    }
    const lines = [
      stale.length === 0 ? `${result.lock}: every step is fresh; a run would compute nothing` : `${result.lock}: ${stale.length} of ${result.steps.length} steps stale`,
      ...result.steps.map((s) => `  ${s.step.padEnd(10)} ${s.fresh ? "fresh" : `stale  ${s.reasons.join("; ")}`}`),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  },
};

export default command;
