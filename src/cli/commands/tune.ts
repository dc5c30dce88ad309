// custseg tune: the k-means grid (the original's 144 trials by default), ranked, with a k analysis
// and tune.html. Flags are parsed and checked here; the work is the tune job's.
import type { CommandModule } from "yargs";
import { artifactsFrom, type CacheArgs, cacheFrom, cacheOptions } from "../cache-options.js";
import { UserError } from "../../errors.js";
import { TUNE_DEFAULTS } from "../../pipeline/options.js";
import type { RecordedTuneSummary } from "../../pipeline/jobs/tune-record.js";
import type { TunePool } from "../../pipeline/jobs/tune-pool.js";
import { closeStore, openStore, type Store, storePath } from "../../store/index.js";
import { SILHOUETTE_SAMPLE_FLAG, SOURCE_FLAGS, type SourceFlagArgs } from "../run-flags.js";
import { GRID_LIMITS, gridSize, parseGrid, parseKRange } from "../../pipeline/steps/tune-grid.js";
import { TUNE_METRICS, type TuneMetric } from "../../pipeline/steps/tune-rank.js";
import { interruptSignal } from "../interrupt.js";
import { formatMs, stderrReporter } from "../progress.js";
import { describeMark } from "../../io/generated-mark.js";
import { type TextFormatArgs, textFormatFrom, textFormatOptions } from "../text-format-options.js";
import { type InputLimitArgs, inputLimitOptions, inputLimits } from "../limits.js";
import { groupDigits } from "../../digits.js";

interface TuneArgs extends SourceFlagArgs, TextFormatArgs, CacheArgs, InputLimitArgs {
  grid?: string;
  metric: TuneMetric;
  "k-range": string;
  seed: number;
  "max-trials": number;
  "silhouette-sample": number;
  "best-run": boolean;
  out?: string;
  threads?: number;
  experiment: string;
  register?: string;
  json: boolean;
}

const command: CommandModule<object, TuneArgs> = {
  builder: (y) =>
    textFormatOptions(cacheOptions(inputLimitOptions(y)))
      .option("input", SOURCE_FLAGS.input)
      .option("compat", SOURCE_FLAGS.compat)
      .option("outliers-from", SOURCE_FLAGS["outliers-from"])
      .option("grid", {
        type: "string",
        describe: 'Settings to try, e.g. "k=3,4,8 init=k-means++,random n-init=1,2,5,10,20,50 max-iter=100,250,500,1000" (the default); a key left out keeps its default',
      })
      .option("metric", { choices: TUNE_METRICS, default: TUNE_DEFAULTS.metric as TuneMetric, describe: "Ranks the trials (ties: the other two metrics, smaller k, fewer n_init)" })
      .option("k-range", { type: "string", default: TUNE_DEFAULTS.kRange, describe: "k values of the k analysis (elbow, metrics and silhouette plots per k)" })
      .option("seed", { type: "number", default: TUNE_DEFAULTS.seed, describe: "Seed of IsolationForest and of every k-means fit (the original's random_state)" })
      .option("tol", SOURCE_FLAGS.tol)
      .option("variance", SOURCE_FLAGS.variance)
      .option("max-trials", { type: "number", default: GRID_LIMITS.maxTrials, describe: "Refuse a grid with more trials than this" })
      .option("silhouette-sample", { ...SILHOUETTE_SAMPLE_FLAG, describe: `${SILHOUETTE_SAMPLE_FLAG.describe}; the same sample for every trial` })
      .option("best-run", { type: "boolean", default: false, describe: "Also write the best trial's run directory (as custseg run would) under the tune directory" })
      .option("out", { type: "string", describe: "Tune directory (default runs/<runId>); must not exist" })
      .option("data-dir", SOURCE_FLAGS["data-dir"])
      .option("threads", { type: "number", describe: "Threads fitting the grid (default: the core count)" })
      .option("encoding", SOURCE_FLAGS.encoding)
      .option("map", SOURCE_FLAGS.map)
      .option("store", SOURCE_FLAGS.store)
      .option("experiment", { type: "string", default: TUNE_DEFAULTS.experiment, describe: "Experiment the tune and its trials are recorded under" })
      .option("register", { type: "string", describe: "Register the best trial as a new version of this model (writes its run directory, best/)" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON summary (with its runId and a trials array) on stdout and nothing else" })
      .example("$0 tune --compat seed", "the original's 144-trial grid → runs/<runId>/tune.html, each trial a child run in custseg.db")
      .example('$0 tune --grid "k=3,4,5 n-init=10" --metric davies-bouldin --out tunes/q4', "") as never,
  handler: async (args) => {
    const whole = (name: string, v: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER) => {
      if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) throw new UserError(`--${name} must be a whole number from ${min} to ${max}, got ${v}`);
    };
    whole("seed", args.seed, 0, 0xffffffff);
    whole("max-trials", args["max-trials"], 1, 100_000);
    whole("threads", args.threads, 1, 256);
    if (!(args.tol >= 0)) throw new UserError(`--tol must be ≥ 0, got ${args.tol}`);
    const grid = parseGrid(args.grid, { ...GRID_LIMITS, maxTrials: args["max-trials"] });
    const kRange = parseKRange(args["k-range"]);
    const threads = args.threads ?? (await import("node:os")).availableParallelism();
    // The grid's workers boot (Node, the engine's modules and WASM) while this thread loads the rest.
    const pool = threads > 1 ? (await import("../../pipeline/jobs/tune-pool.js")).TunePool.start(threads) : undefined;
    try {
      // The store is opened first, so a store that cannot be used fails before any work is done.
      const store = openStore(storePath(args.store), { create: true });
      try {
        await tune(args, grid, kRange, store, threads, pool);
      } finally {
        closeStore(store);
      }
    } finally {
      await pool?.close();
    }
  },
};

async function tune(args: TuneArgs, grid: ReturnType<typeof parseGrid>, kRange: number[], store: Store, threads: number, pool?: TunePool): Promise<void> {
  // Loaded here, not at start-up, so that --help and the other commands need none of it.
  const [{ parseColumnMap }, { loadEngine }, { tuneRecorded }, { defaultSource }] = await Promise.all([
    import("../../io/columns.js"),
    import("../../engine/engine.js"),
    import("../../pipeline/jobs/tune-record.js"),
    import("../../pipeline/jobs/source.js"),
  ]);
  const reporter = stderrReporter();
  const source = args.input ? { path: args.input, label: args.input, synthetic: false } : await defaultSource(args["data-dir"], args.seed, reporter);
  // The main thread's engine only scales and reduces 15 columns: one thread; the grid has its own workers.
  const engine = await loadEngine({ threads: 1 });
  const { summary } = await tuneRecorded(engine, store, {
    input: source.path,
    inputLabel: source.label,
    synthetic: source.synthetic,
    compat: args.compat,
    encoding: args.encoding,
    map: parseColumnMap(args.map),
    textFormat: textFormatFrom(args),
    // Load to PCA are the steps of `custseg run`: stored outputs of either serve both.
    cacheDir: cacheFrom(args),
    limits: inputLimits(args),
    artifacts: artifactsFrom(args),
    outliersFrom: args["outliers-from"],
    seed: args.seed,
    variance: args.variance,
    grid,
    metric: args.metric,
    kRange,
    tol: args.tol,
    silhouetteSample: args["silhouette-sample"],
    threads,
    pool,
    out: args.out,
    bestRun: args["best-run"],
    reporter,
    signal: interruptSignal,
  }, { experiment: args.experiment, register: args.register });
  process.stdout.write(args.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary, gridSize(grid)));
}

/** " (95 % CI 0.3012–0.3101)" where the silhouette is a sample's. */
const ci = (t: { silhouetteCi95?: [number, number] }) => (t.silhouetteCi95 ? ` (95 % CI ${t.silhouetteCi95[0].toFixed(4)}–${t.silhouetteCi95[1].toFixed(4)})` : "");

function formatSummary(s: RecordedTuneSummary, trials: number): string {
  const b = s.best;
  const top = s.trials.slice(0, 5).map(
    (t) =>
      `  ${String(t.rank).padStart(4)}  ${String(t.k).padStart(2)}  ${t.init.padEnd(9)}  ${String(t.nInit).padStart(6)}  ${String(t.maxIter).padStart(8)}  ${t.silhouette.toFixed(4)}${t.overlapsBest ? "≈" : " "} ${t.daviesBouldin.toFixed(4).padStart(7)}  ${t.calinskiHarabasz.toFixed(1).padStart(8)}`,
  );
  return [
    "",
    `custseg tune — ${s.mode} mode, ${trials} trials, ranked by ${s.metric}${s.metric === "silhouette" && s.silhouetteSample ? ` (of a sample of ${groupDigits(s.silhouetteSample.size)})` : ""}`,
    `  run id      ${s.runId} (${s.trials.length} trials recorded as its child runs)`,
    ...(s.synthetic ? [`  SYNTHETIC   generated data: the trials describe generated customers, not real ones${s.generator ? ` (${describeMark(s.generator)})` : ""}`] : []),
    `  input       ${s.input}`,
    `  customers   ${groupDigits(s.customers)} clustered on ${s.nComponents} principal components`,
    `  work        ${s.counts.fits} of ${s.counts.bruteForceFits} k-means runs fitted, ${s.counts.silhouettes} of ${s.counts.bruteForceSilhouettes} silhouettes computed, ${s.threads} thread${s.threads === 1 ? "" : "s"}`,
    ...(s.silhouetteSample
      ? [`  silhouette  of a seeded sample of ${groupDigits(s.silhouetteSample.size)} of ${groupDigits(s.silhouetteSample.population)} customers, the same for every trial`]
      : []),
    `  best        k = ${b.k}, ${b.init}, n_init ${b.nInit}, max_iter ${b.maxIter}: silhouette ${b.silhouette.toFixed(4)}${ci(b)}, Davies–Bouldin ${b.daviesBouldin.toFixed(4)}, Calinski–Harabasz ${b.calinskiHarabasz.toFixed(1)}`,
    ...(s.rankingNote ? [`  ranking     ${s.rankingNote}`] : []),
    `  recommended ${s.recommendation.line}`,
    ...(s.registered ? [`  registered  ${s.registered.name} version ${s.registered.version} (run ${s.registered.runId})`] : []),
    "",
    "  rank   k  init       n_init  max_iter  silh.   DB       CH",
    ...top,
    ...(s.trials.slice(0, 5).some((t) => t.overlapsBest) ? ["  ≈: its silhouette's 95 % interval overlaps the best's"] : []),
    "",
    `  total ${formatMs(Object.values(s.timingsMs).reduce((a, v) => a + v, 0))}; report: ${s.tuneDir}/tune.html${s.bestRunDir ? `; best trial: ${s.bestRunDir}` : ""}`,
    "",
  ].join("\n");
}

export default command;
