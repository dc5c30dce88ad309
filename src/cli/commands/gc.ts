// custseg gc: frees the artefact store, run directories and rotated prediction logs of what nothing
// kept refers to, and says how many bytes that freed.
import type { CommandModule } from "yargs";
import { OptionError } from "../../errors.js";
import { DEFAULT_LOCK_FILE } from "../../pipeline/options.js";
import { artifactsFrom, cacheDirOption } from "../cache-options.js";
import { STORE_DESCRIPTION } from "../store-option.js";

interface GcArgs {
  "cache-dir"?: string;
  "keep-last"?: number;
  lock: string;
  store?: string;
  "prediction-log"?: string;
  json: boolean;
}

const command: CommandModule<object, GcArgs> = {
  builder: (y) =>
    cacheDirOption(y)
      .option("keep-last", { type: "number", describe: "Keep the newest N runs (their directories and step outputs); older ones are removed unless a registered model points at them. Default: keep every run" })
      .option("lock", { type: "string", default: DEFAULT_LOCK_FILE, describe: "The lock file whose step outputs are kept" })
      .option("store", { type: "string", describe: STORE_DESCRIPTION })
      .option("prediction-log", { type: "string", describe: "serve's --log: its rotated copies (F.1, F.2, …) past --keep-last are removed" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object on stdout" }) as never,
  handler: async (args) => {
    const keepLast = args["keep-last"];
    if (keepLast !== undefined && !(Number.isInteger(keepLast) && keepLast >= 0)) throw new OptionError("keepLast", `must be a whole number ≥ 0, got ${keepLast}`);
    const [{ gcJob, registeredRunDirs }, { storePath }] = await Promise.all([import("../../pipeline/jobs/gc-job.js"), import("../../store/index.js")]);
    const artifacts = artifactsFrom({ "cache-dir": args["cache-dir"], cache: true })!;
    const r = await gcJob({ artifacts, lock: args.lock, keepLast, registered: await registeredRunDirs(storePath(args.store)), predictionLog: args["prediction-log"] });
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ artifacts, ...r })}\n`);
      return;
    }
    process.stdout.write(
      `${artifacts}: removed ${r.artifactsRemoved} stored output${r.artifactsRemoved === 1 ? "" : "s"} (${r.artifactsKept} kept), ${r.runsRemoved.length} run director${r.runsRemoved.length === 1 ? "y" : "ies"}, ${r.logsRemoved.length} rotated log${r.logsRemoved.length === 1 ? "" : "s"}; freed ${r.bytesFreed} bytes\n`,
    );
  },
};

export default command;
