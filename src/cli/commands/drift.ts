// custseg drift: do new customers still look like the model's training customers?
// Exit status 0: no drift, 3: drift — so a scheduler or CI job can act on it.
import type { CommandModule } from "yargs";
import { artifactsFrom, type CacheArgs, cacheFrom, cacheOptions } from "../cache-options.js";
import { DEFAULT_DRIFT_SHARE } from "../../pipeline/steps/drift.js";
import type { DriftReport } from "../../pipeline/steps/drift-report.js";
import { interruptSignal } from "../interrupt.js";
import { stderrReporter } from "../progress.js";
import { STORE_DESCRIPTION } from "../store-option.js";
import { type TextFormatArgs, textFormatFrom, textFormatOptions } from "../text-format-options.js";
import { type InputLimitArgs, inputLimitOptions, inputLimits } from "../limits.js";

/** Exit status when drift is found (1 and 2 are taken by errors and usage errors). */
export const DRIFT_EXIT_CODE = 3;

interface DriftArgs extends CacheArgs, TextFormatArgs, InputLimitArgs {
  model: string;
  store?: string;
  input: string;
  reference?: string;
  threshold: number;
  out?: string;
  threads?: number;
  json: boolean;
}

const command: CommandModule<object, DriftArgs> = {
  builder: (y) =>
    textFormatOptions(cacheOptions(inputLimitOptions(y)))
      .option("model", { type: "string", demandOption: true, describe: "A run's model.json or run directory (its customers.parquet is the reference); or models:/NAME/STAGE, models:/NAME/VERSION, models:/NAME@ALIAS" })
      .option("store", { type: "string", describe: STORE_DESCRIPTION })
      .option("input", { type: "string", demandOption: true, describe: "New customers: transactions, a features table (.parquet, .arrow, .csv) or a prediction log (.jsonl)" })
      .option("reference", { type: "string", describe: "Reference customers instead of the run's customers.parquet (same kinds of file as --input)" })
      .option("threshold", { type: "number", default: DEFAULT_DRIFT_SHARE, describe: "Share of drifted features that makes the data set drift" })
      .option("out", { type: "string", describe: "Write a self-contained drift.html here" })
      .option("threads", { type: "number", describe: "Worker threads for the kernels (default: the core count)" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object with every figure on stdout" })
      .example("$0 drift --model runs/2011h1/model.json --input new.parquet --out drift.html", "exit 0: no drift, 3: drift") as never,
  handler: async (args) => {
    // Loaded here, not at start-up, so that --help and the other commands need none of it.
    const [{ engineFor }, { runDriftJob }] = await Promise.all([import("../../pipeline/jobs/engine-input.js"), import("../../pipeline/jobs/drift.js")]);
    const engine = await engineFor(args.threads, undefined, interruptSignal);
    try {
      const { report } = await runDriftJob(engine, {
        model: args.model,
        store: args.store,
        input: args.input,
        reference: args.reference,
        threshold: args.threshold,
        out: args.out,
        cacheDir: cacheFrom(args),
        limits: inputLimits(args),
        artifacts: artifactsFrom(args),
        textFormat: textFormatFrom(args),
        reporter: stderrReporter(),
        signal: interruptSignal,
      });
      process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : formatReport(report, args.out));
      if (report.verdict.drift) process.exitCode = DRIFT_EXIT_CODE;
    } finally {
      engine.close();
    }
  },
};

function formatReport(r: DriftReport, out: string | undefined): string {
  const g = (v: number) => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(3) : v.toExponential(1));
  const c = r.model.clusters;
  const opt = (v: number | null) => (v === null ? "—" : v.toFixed(3));
  const lines = [
    "",
    `custseg drift — ${r.verdict.drift ? "DRIFT" : "no drift"}`,
    `  reference   ${r.reference.source} (${r.reference.kind}, ${r.reference.customers} customers)`,
    `  new         ${r.current.source} (${r.current.kind}, ${r.current.customers} customers)`,
    "",
    "  feature                          PSI     KS   KS p      W/std  drift",
    ...r.features.map(
      (f) => `  ${f.feature.padEnd(30)} ${g(f.psi).padStart(6)} ${g(f.ks.statistic).padStart(6)} ${f.ks.pvalue.toExponential(1).padStart(8)} ${g(f.wassersteinStd).padStart(7)}  ${f.drifted ? f.reasons.join(", ") : ""}`,
    ),
    "",
    `  cluster shares  reference ${c.referenceShares.map((s) => (s * 100).toFixed(1) + "%").join(" ")}  new ${c.currentShares.map((s) => (s * 100).toFixed(1) + "%").join(" ")}`,
    `                  chi-square ${c.chi2.toFixed(2)} (dof ${c.dof}, p ${c.pvalue.toExponential(2)}), TVD ${c.tvd.toFixed(3)}${c.shifted ? " — shifted" : ""}`,
    `  centroid distance ${r.model.meanDistance.reference.toFixed(3)} → ${r.model.meanDistance.current.toFixed(3)}; silhouette ${opt(r.model.silhouette.reference)} → ${opt(r.model.silhouette.current)}; outliers ${opt(r.model.outlierShare.reference)} → ${opt(r.model.outlierShare.current)}`,
    "",
    `  ${r.verdict.drift ? `drift: ${r.verdict.reasons.join("; ")}` : `no drift: ${r.verdict.driftedFeatures.length} of ${r.features.length} features drifted (threshold ${r.verdict.threshold})`}${out ? `; report: ${out}` : ""}`,
    "",
  ];
  return lines.join("\n");
}

export default command;
