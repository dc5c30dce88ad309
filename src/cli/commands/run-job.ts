// What `custseg run` does with its flags (./run.ts): records the run in the store, runs the step
// graph and prints the summary.
import { artifactsFrom } from "../cache-options.js";
import type { RunOptions, RunSummary } from "../../pipeline/options.js";
import { type RunFlagArgs, runOptionsFrom } from "../run-flags.js";
import type { Engine } from "../../engine/engine.js";
import type { StepOutcome } from "../../pipeline/jobs/graph/runner.js";
import { outputsMs, stepsTotalMs } from "../../pipeline/progress.js";
import { wordForCli } from "../failure.js";
import { interruptSignal } from "../interrupt.js";
import { formatMs, stderrReporter } from "../progress.js";
import { describeMark } from "../../io/generated-mark.js";
import { groupDigits } from "../../digits.js";

export interface RunArgs extends RunFlagArgs {
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

export async function runJob(args: RunArgs): Promise<void> {
  // Loaded together once a run starts: no other command, and no --help, needs any of it.
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
}

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
