// custseg retrain: refit the production model's settings on new data, judge candidate and
// production on held-out customers, and promote the candidate when the policy holds.
// Exit status 0: promoted (or, with --dry-run, would be), 3: production kept.
import type { CommandModule } from "yargs";
import { type CacheArgs, cacheFrom, cacheOptions } from "../cache-options.js";
import { type InputLimitArgs, inputLimitOptions, inputLimits } from "../limits.js";
import { RETRAIN_DEFAULTS } from "../../pipeline/options.js";
import type { RetrainResult } from "../../pipeline/jobs/retrain.js";
import { wordForCli } from "../failure.js";
import { interruptSignal } from "../interrupt.js";
import { stderrReporter } from "../progress.js";
import { STORE_DESCRIPTION } from "../store-option.js";

/** Exit status when the candidate is not promoted (1 and 2 are taken by errors and usage errors). */
export const KEPT_EXIT_CODE = 3;

interface RetrainArgs extends InputLimitArgs, CacheArgs {
  input: string;
  model: string;
  policy: string;
  "split-seed": number;
  "max-eval-customers": number;
  "dry-run": boolean;
  out?: string;
  store?: string;
  experiment?: string;
  threads?: number;
  encoding?: string;
  map?: string;
  json: boolean;
}

const command: CommandModule<object, RetrainArgs> = {
  builder: (y) =>
    cacheOptions(inputLimitOptions(y))
      .option("input", { type: "string", demandOption: true, describe: "New transactions (.zip, .xlsx, .csv, .parquet, .arrow)" })
      .option("model", { type: "string", default: RETRAIN_DEFAULTS.model, describe: "The production model: models:/NAME/STAGE, models:/NAME/VERSION or models:/NAME@ALIAS; the candidate becomes the next version of NAME" })
      .option("policy", {
        type: "string",
        default: RETRAIN_DEFAULTS.policy,
        describe: "When to promote: default (silhouette>=+0.01,davies_bouldin<=0,calinski_harabasz>=0), always, never, or conditions METRIC OP NUMBER on candidate − production, comma-separated",
      })
      .option("split-seed", { type: "number", default: RETRAIN_DEFAULTS.splitSeed, describe: "Seed of the split of the new customers into a fitting and a held-out half" })
      .option("max-eval-customers", { type: "number", default: RETRAIN_DEFAULTS.maxEvalCustomers, describe: "Held-out customers scored at most (a seeded sample beyond it; the silhouette is quadratic in them)" })
      .option("dry-run", { type: "boolean", default: false, describe: "Decide only: write no run directory, record no run, register nothing" })
      .option("out", { type: "string", describe: "The candidate's run directory (default runs/<runId>)" })
      .option("store", { type: "string", describe: STORE_DESCRIPTION })
      .option("experiment", { type: "string", describe: `Experiment both evaluations are recorded under (default: ${RETRAIN_DEFAULTS.experiment})` })
      .option("threads", { type: "number", describe: "Worker threads for the kernels (default: the core count)" })
      .option("encoding", { type: "string", describe: "Text encoding of a CSV source (default: detected)" })
      .option("map", { type: "string", describe: "Rename source columns: SOURCE=TARGET,..." })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object with every figure and the decision on stdout" })
      .example("$0 retrain --input 2012q1.parquet --model models:/segments/production", "exit 0: promoted, 3: production kept")
      .example('$0 retrain --input new.csv --policy "silhouette>=+0.02,davies_bouldin<=0" --dry-run', "") as never,
  handler: async (args) => {
    // Loaded here, not at start-up, so that --help and the other commands need none of it.
    const [{ parseColumnMap }, { engineFor }, { runRetrainJob }, { closeStore, openStore, storePath }] = await Promise.all([
      import("../../io/columns.js"),
      import("../../pipeline/jobs/engine-input.js"),
      import("../../pipeline/jobs/retrain.js"),
      import("../../store/index.js"),
    ]);
    // The production model is a registry entry, so the store must exist; it is opened first, so a
    // store that cannot be used fails before any work is done.
    const store = openStore(storePath(args.store));
    const reporter = stderrReporter();
    try {
      const engine = await engineFor(args.threads, (m) => reporter.note(wordForCli(m)), interruptSignal);
      try {
        const result = await runRetrainJob(engine, store, {
          model: args.model,
          input: args.input,
          policy: args.policy,
          splitSeed: args["split-seed"],
          maxEvalCustomers: args["max-eval-customers"],
          dryRun: args["dry-run"],
          out: args.out,
          experiment: args.experiment,
          encoding: args.encoding,
          map: parseColumnMap(args.map),
          cacheDir: cacheFrom(args),
          limits: inputLimits(args),
          reporter,
          signal: interruptSignal,
        });
        process.stdout.write(args.json ? `${JSON.stringify(result)}\n` : formatResult(result));
        if (!result.decision.promote) process.exitCode = KEPT_EXIT_CODE;
      } finally {
        engine.close();
      }
    } finally {
      closeStore(store);
    }
  },
};

function formatResult(r: RetrainResult): string {
  const f = (v: number | null, digits = 4) => (v === null ? "—" : v.toFixed(digits));
  const c = r.candidate;
  const p = r.production;
  const verdict = r.decision.promote ? (r.dryRun ? "would promote the candidate" : `promoted version ${c.version}`) : r.dryRun ? "would keep production" : `kept version ${r.model.version} in production (candidate registered as version ${c.version})`;
  const lines = [
    "",
    `custseg retrain — ${r.model.name}: ${verdict}${r.dryRun ? " (dry run: nothing written)" : ""}`,
    `  production  ${r.model.reference} = version ${r.model.version}`,
    `  input       ${r.input}: ${r.split.customers} customers, ${r.split.fit} to fit, ${r.split.holdout} held out (seed ${r.split.seed}), ${r.split.evaluated} scored (${r.split.outliersLeftOut} outliers left out)`,
    ...(c.runDir ? [`  candidate   run ${c.runId} → ${c.runDir}`] : []),
    "",
    "  held out            candidate   production",
    `  silhouette          ${f(c.silhouette).padStart(9)}   ${f(p.silhouette).padStart(10)}`,
    `  Davies–Bouldin      ${f(c.davies_bouldin).padStart(9)}   ${f(p.davies_bouldin).padStart(10)}`,
    `  Calinski–Harabasz   ${f(c.calinski_harabasz, 1).padStart(9)}   ${f(p.calinski_harabasz, 1).padStart(10)}`,
    `  cluster sizes       ${c.sizes.join("/").padStart(9)}   ${p.sizes.join("/").padStart(10)}`,
    `  adjusted Rand index between the two assignments: ${r.adjustedRandIndex.toFixed(4)}`,
    "",
    `  policy ${r.policy}: ${r.decision.reason}`,
    "",
  ];
  return lines.join("\n");
}

export default command;
