// custseg run: the whole pipeline, from a transactions file to a run directory with a report.
import type { CommandModule } from "yargs";
import { artifactsFrom } from "../cache-options.js";
import { PIPELINE_STEPS, type RunOptions, type RunSummary } from "../../pipeline/options.js";
import { type RunFlagArgs, runFlags, runOptionsFrom, SOURCE_FLAGS } from "../run-flags.js";
import type { Engine } from "../../engine/engine.js";
import type { StepOutcome } from "../../pipeline/jobs/graph/runner.js";
import { outputsMs, stepsTotalMs } from "../../pipeline/progress.js";
import { wordForCli } from "../failure.js";
import { interruptSignal } from "../interrupt.js";
import { formatMs, stderrReporter } from "../progress.js";
import { describeMark } from "../../io/generated-mark.js";
import { groupDigits } from "../../digits.js";

interface RunArgs extends RunFlagArgs {
  out?: string;
  "data-dir": string;
  threads?: number;
  store?: string;
  experiment?: string;
  from?: string;
  to?: string;
  locked: boolean;
  json: boolean;
}

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
  handler: async (args) => {
    // Loaded here, not at start-up, so that --help and the other commands need none of it.
    const [{ runRecorded }, { closeStore, openStore, storePath }] = await Promise.all([
      import("../../pipeline/jobs/run-record.js"),
      import("../../store/index.js"),
    ]);
    // The store is opened first, so a store that cannot be used fails before any work is done.
    const store = openStore(storePath(args.store), { create: true });
    const reporter = stderrReporter();
    const source = args.input
      ? { path: args.input, label: args.input, synthetic: false }
      : await (await import("../../pipeline/jobs/source.js")).defaultSource(args["data-dir"], args.seed, reporter);
    // Started only when a step computes: a run whose steps are all stored needs no engine.
    let engine: Engine | undefined;
    const startEngine = async () => {
      const { engineFor } = await import("../../pipeline/jobs/engine-input.js");
      engine ??= await engineFor(args.threads, (m) => reporter.note(wordForCli(m)), interruptSignal);
      return engine;
    };
    try {
      const opts: RunOptions = {
        input: source.path,
        inputLabel: source.label,
        synthetic: source.synthetic,
        ...(await runOptionsFrom(args)),
        out: args.out,
        threads: args.threads,
        reporter,
        signal: interruptSignal,
      };
      const graph = { artifacts: artifactsFrom(args), lock: args.lock, from: args.from, to: args.to, locked: args.locked };
      const { summary, steps } = await runRecorded(startEngine, store, opts, { experiment: args.experiment }, graph);
      if (summary) process.stdout.write(args.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
      else process.stdout.write(args.json ? `${JSON.stringify({ to: args.to, steps: steps.map(({ name, key, cached, ms }) => ({ name, key, cached, ms })) })}\n` : formatSteps(steps));
    } finally {
      engine?.close();
      closeStore(store);
    }
  },
};

/** A run that stopped before the report: which steps ran and which were reused. */
function formatSteps(steps: readonly StepOutcome[]): string {
  return `${steps.map((s) => `  ${s.name.padEnd(10)} ${s.cached ? "stored" : "computed"}  ${s.key ? s.key.slice(0, 12) : ""}`).join("\n")}\n`;
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

/** " (sample of 20,000 of 1,000,000 customers, 95 % CI 0.6012–0.6089)" where the silhouette is sampled. */
function sampleNote(s: RunSummary): string {
  const m = s.silhouetteSample;
  if (!m) return "";
  return ` (sample of ${groupDigits(m.size)} of ${groupDigits(m.population)} customers, 95 % CI ${m.ci95[0].toFixed(4)}–${m.ci95[1].toFixed(4)})`;
}

function formatSummary(s: RunSummary): string {
  const n = groupDigits;
  const lines = [
    "",
    `custseg run — ${s.mode} mode`,
    ...(s.synthetic ? [`  SYNTHETIC   generated data: the segments describe generated customers, not real ones${s.generator ? ` (${describeMark(s.generator)})` : ""}`] : []),
    `  input       ${s.input}`,
    `  lines       ${n(s.rows.loaded!)} loaded, ${n(s.rows.afterZeroPrice!)} after cleaning`,
    `  customers   ${n(s.customersBeforeOutliers)} with features, ${n(s.outliers)} outliers, ${n(s.customers)} clustered`,
    `  PCA         ${s.nComponents} components, ${(s.explainedVarianceRatio.reduce((a, b) => a + b, 0) * 100).toFixed(1)}% of the variance`,
    `  k-means     k = ${s.k}${s.algorithm === "minibatch" ? ", mini-batch" : ""}, inertia ${s.inertia.toFixed(2)}, ${s.nSteps !== undefined ? `${n(s.nSteps)} steps (${s.nIter} ${s.nIter === 1 ? "pass" : "passes"} over the customers)` : `${s.nIter} iterations`}`,
    `  metrics     silhouette ${s.silhouette.toFixed(4)}${sampleNote(s)}, Davies–Bouldin ${s.daviesBouldin.toFixed(4)}, Calinski–Harabasz ${s.calinskiHarabasz.toFixed(1)}`,
    "",
    "  cluster  customers  share  revenue  segment: profile",
    ...s.clusterSizes.map(
      (size, c) =>
        `  ${String(c).padStart(7)}  ${n(size).padStart(9)}  ${pct(size / s.customers).padStart(5)}  ${pct(s.revenueShares[c]!).padStart(7)}  ${s.clusterNames[c]}: ${s.clusterDescriptions[c]}`,
    ),
    ...(s.outliers > 0 ? [`  ${"outliers".padStart(7)}  ${n(s.outliers).padStart(9)}  ${"".padStart(5)}  ${pct(s.revenueShares[s.k] ?? 0).padStart(7)}  (not clustered)`] : []),
    "",
    // The report's pipeline table sums the same steps; it is written before the writing ends.
    `  total ${formatMs(stepsTotalMs(s.timingsMs))} (+ ${formatMs(outputsMs(s.timingsMs))} rendering and writing the run directory); report: ${s.runDir}/report.html`,
    `  run id      ${s.runId}`,
    "",
  ];
  return lines.join("\n");
}

export default command;
