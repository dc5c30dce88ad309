// The pipeline as data: each step's name, the steps it reads, its parameters, the files it reads
// and what it computes. One runner (runner.ts) executes it for `custseg run`, `tune` and the rest.
// A step's key hashes its inputs' keys, `params(opts)` as a whole, the content of its `files`, and
// its code version: the text of its `run` and `params` functions and every compiled module its
// `run` imports (so the modules a body needs are imported inside it, which also keeps a run whose
// steps are all stored from loading Arrow or the engine).
import type { Table } from "apache-arrow";
import type { Engine } from "../../../engine/engine.js";
import { blameOption, OptionError, UserError } from "../../../errors.js";
import type { FilePart } from "../../../io/artifacts.js";
import type { GeneratedMark } from "../../../io/generated-mark.js";
import { parquetThreadWanted } from "../../../io/parquet-writer.js";
import { nonDefaultFormat } from "../../../io/text-format.js";
import type { SegmentFigures } from "../../steps/business.js";
import type { CleanRows } from "../../steps/clean.js";
import type { Clustered } from "../../steps/cluster.js";
import type { ClusterQuality } from "../../steps/evaluate.js";
import type { OutlierResult } from "../../steps/outliers.js";
import type { ClusterProfiles } from "../../steps/profiles.js";
import type { Recommendations } from "../../steps/recommend.js";
import type { Reduced } from "../../steps/reduce.js";
import type { Scaled } from "../../steps/scale.js";
import { PIPELINE_STEPS, type RunOptions, SCALE_DEFAULTS } from "../../options.js";
import type { RunFiles } from "../run-files.js";
import { initIsFile } from "../run-inputs.js";

export const STEP_NAMES = PIPELINE_STEPS;
export type StepName = (typeof STEP_NAMES)[number];

/** What each step computes. */
export interface Values {
  load: { table: Table; format: string; fromCache: boolean; generated?: GeneratedMark };
  /** `generated` carried on from load, so the report can say the data is generated. */
  clean: { table: Table; rows: CleanRows; generated?: GeneratedMark };
  features: { features: Table };
  outliers: { flagged: Uint8Array; forest?: OutlierResult };
  scale: Scaled;
  pca: Reduced;
  kmeans: Clustered;
  evaluate: ClusterQuality;
  profiles: ClusterProfiles;
  recommend: { recommendations: Recommendations; segments: SegmentFigures[]; lines: LinesFacts };
  report: RunFiles;
}

/**
 * What the run directory says of the cleaned lines, taken by recommend (the last step to read them)
 * so that the lines can be released before the report: their counts, the generator's mark and the
 * day recency counts from (YYYY-MM-DD).
 */
export interface LinesFacts {
  rows: CleanRows;
  generated?: GeneratedMark;
  asOf: string;
}

export interface StepContext {
  opts: RunOptions;
  /** Started on first use: a run whose numeric steps are all stored never starts it. */
  engine(): Promise<Engine>;
  note(message: string): void;
  /** sha256 of the transactions file. */
  sourceSha256: string;
  /** The transactions file's bytes, as hashed for sourceSha256, if the caller read them: given once, then forgotten. */
  takeSourceBytes(): Uint8Array | undefined;
  /** How long each step's output took to compute (stored outputs: when they were computed), by timing name. */
  computeMs: Record<string, number>;
}

// biome-ignore lint/suspicious/noExplicitAny: the graph holds steps of every parameter type; each step is typed where it is declared
export interface StepDef<N extends StepName = StepName, P = any> {
  name: N;
  /** The name its time and progress line go by (the run's timings and report keep their established names: metrics, recommendations). */
  timing: string;
  inputs: readonly StepName[];
  params(opts: RunOptions): P;
  /** Files it reads, by role; their content enters the key, their path does not. */
  files?(opts: RunOptions): Record<string, string | undefined>;
  /** Runs WASM kernels: the compiled WASM enters its code version. */
  wasm?: boolean;
  /** Stored as the files it returns, as they are (else through the Arrow/JSON codec). */
  rawFiles?: boolean;
  /** Tables of its output that are already Arrow IPC files on disk: stored as copies of those files. */
  onDisk?(out: Values[N]): ReadonlyMap<Table, FilePart> | undefined;
  /**
   * Released by the runner once every step of the graph reading it has its output: the loaded lines
   * are the run's largest value, and holding them beside the cleaned ones would double the memory a
   * large input needs. A run that stops before its last reader (tune, predict) keeps it for the
   * caller. Asked for again, it is read from the store or computed anew.
   */
  transient?: boolean;
  /**
   * Called once, before any step runs, when this step will compute: starts what it will need and
   * what takes long to get ready (compiling WASM, starting threads) in the background, so that
   * it is ready when the step's turn comes. Its failures surface when the step asks for it.
   */
  prepare?(ctx: StepContext): void;
  /**
   * Prepared once this step (one it follows) has computed its output, rather than before the first
   * step: what the preparation starts then holds no memory beside the steps before it.
   */
  prepareAfter?: StepName;
  run(ctx: StepContext, v: Partial<Values>, params: P): Promise<Values[N]>;
  detail?(out: Values[N]): string;
}

const step = <N extends StepName, P>(def: StepDef<N, P>): StepDef<N, P> => def;

/**
 * The source cache's file of each loaded table, for storing the load step's output as a copy of it.
 * Kept beside the value rather than in it, so that the stored value names no path of this machine.
 */
const cacheEntries = new WeakMap<Table, FilePart>();

/**
 * The numeric steps' preparation: the engine starts (once) as soon as load has its output, and boots
 * while clean runs. Not before: beside a large source's decoding it would take the cores the
 * decoders use (5 M lines: the load step 5 % faster), and a cached source loads in a tenth of a second.
 */
const startsEngine = {
  prepare: (ctx: StepContext) => {
    // A failed start is reported by the step that asks for the engine.
    ctx.engine().catch(() => {});
  },
  prepareAfter: "load",
} as const;

/**
 * The report's preparation: the Parquet writer thread starts, compiles parquet-wasm and runs it once
 * while the steps before run, for customers.parquet (a failed start is reported by the write).
 */
const startParquetWriter = (ctx: StepContext) => {
  if (!parquetThreadWanted(ctx.opts.threads)) return;
  import("../../../io/write.js").then((m) => m.prepareParquetWrites()).catch(() => {});
};

export const GRAPH: readonly StepDef[] = [
  step({
    name: "load",
    timing: "load",
    inputs: [],
    // An empty column map is no map: `run` and `tune` then share the stored load.
    // Date format and decimal mark only where not the defaults, so that a run given them explicitly shares the key.
    params: (o) => ({
      encoding: o.encoding,
      map: o.map && Object.keys(o.map).length > 0 ? o.map : undefined,
      textFormat: givenFormat(o.textFormat),
    }),
    files: (o) => ({ input: o.input }),
    transient: true,
    async run(ctx, _v, p) {
      const { loadTransactions } = await import("../../../io/load.js");
      // The source was read and hashed for the keys: a cache entry under that hash serves it, else those bytes are parsed.
      const sha256 = ctx.sourceSha256 || undefined;
      const bytes = sha256 ? ctx.takeSourceBytes() : undefined;
      const loaded = await loadTransactions(ctx.opts.input, { ...p.textFormat, encoding: p.encoding, map: p.map, cacheDir: ctx.opts.cacheDir, limits: ctx.opts.limits, log: ctx.note, threads: ctx.opts.threads, signal: ctx.opts.signal, sha256, bytes });
      const { table, format, fromCache, generated, cacheEntry } = loaded;
      if (cacheEntry) cacheEntries.set(table, cacheEntry);
      return { table, format, fromCache, ...(generated ? { generated } : {}) };
    },
    // The table was just read from (or written to) the source cache: its entry is the stored table.
    onDisk: (l) => {
      const entry = cacheEntries.get(l.table);
      return entry ? new Map([[l.table, entry]]) : undefined;
    },
    detail: (l) => `${l.table.numRows} lines (${l.format}${l.fromCache ? ", cached" : ""})`,
  }),
  step({
    name: "clean",
    timing: "clean",
    inputs: ["load"],
    params: () => ({}),
    // Released once recommend, its last reader, has its output: the report needs only LinesFacts.
    transient: true,
    async run(ctx, v) {
      const [{ cleanTransactionsSteps }, { drainInterruptible }] = await Promise.all([import("../../steps/clean.js"), import("../../../engine/steps.js")]);
      const { table, rows } = await drainInterruptible(cleanTransactionsSteps(v.load!.table), ctx.opts.signal);
      const generated = v.load!.generated;
      return { table, rows, ...(generated ? { generated } : {}) };
    },
    detail: (c) => `${c.rows.afterZeroPrice} lines kept`,
  }),
  step({
    name: "features",
    timing: "features",
    inputs: ["clean"],
    // Recency counts from the input's last purchase day unless a later day is given (predict's
    // --as-of): only a given day enters the key, so `run`, `predict` and `drift` share the default.
    params: (o) => ({ compat: o.compat, asOf: o.asOf }),
    async run(ctx, v, p) {
      const [{ customerFeaturesSteps }, { drainInterruptible }] = await Promise.all([import("../../steps/features.js"), import("../../../engine/steps.js")]);
      return { features: await drainInterruptible(customerFeaturesSteps(v.clean!.table, p), ctx.opts.signal) };
    },
    detail: (f) => `${f.features.numRows} customers`,
  }),
  step({
    name: "outliers",
    timing: "outliers",
    inputs: ["features"],
    // A given outlier list replaces the forest, and with it the seed.
    params: (o) => (o.outliersFrom ? { list: true } : { seed: o.seed }),
    files: (o) => ({ outliersFrom: o.outliersFrom }),
    wasm: true,
    ...startsEngine,
    async run(ctx, v, p) {
      const [{ featureMatrix }, { isolationForestInterruptible, outlierMask }] = await Promise.all([
        import("../customer-matrix.js"),
        import("../../steps/outliers.js"),
      ]);
      const all = featureMatrix(v.features!.features);
      const from = ctx.opts.outliersFrom;
      const forest = "seed" in p ? await isolationForestInterruptible(await ctx.engine(), all.matrix, { seed: p.seed }, ctx.opts.signal) : undefined;
      let flagged: Uint8Array;
      if (forest) flagged = forest.isOutlier;
      else {
        // Loaded for a given list only: the CSV reader and its text decoders come with it.
        const { readOutlierIds } = await import("../../../io/ids.js");
        flagged = outlierMask(all.ids, blameOption("outliersFrom", () => readOutlierIds(from!)));
      }
      if (flagged.every((f) => f === 1)) {
        if (from) throw new OptionError("outliersFrom", `${from} lists every one of the ${all.ids.length} customers; nothing is left to cluster`);
        throw new UserError(`every one of the ${all.ids.length} customers was flagged as an outlier; nothing is left to cluster`);
      }
      return { flagged, forest };
    },
    detail: (o) => `${o.flagged.reduce((s, f) => s + f, 0)} flagged`,
  }),
  step({
    name: "scale",
    timing: "scale",
    inputs: ["features", "outliers"],
    params: (o) => ({ compat: o.compat }),
    wasm: true,
    ...startsEngine,
    async run(ctx, v, p) {
      const [{ featureMatrix, keepRows }, { scaleFeatures }, { FEATURE_NAMES }] = await Promise.all([
        import("../customer-matrix.js"),
        import("../../steps/scale.js"),
        import("../../steps/features.js"),
      ]);
      const kept = keepRows(featureMatrix(v.features!.features), v.outliers!.flagged);
      return scaleFeatures(await ctx.engine(), kept.matrix, FEATURE_NAMES, p.compat, ctx.opts.signal);
    },
  }),
  step({
    name: "pca",
    timing: "pca",
    inputs: ["scale"],
    params: (o) => ({ variance: o.variance, compat: o.compat }),
    wasm: true,
    ...startsEngine,
    async run(ctx, v, p) {
      const { reduceDimensions } = await import("../../steps/reduce.js");
      return reduceDimensions(await ctx.engine(), v.scale!.matrix, p.variance, p.compat, ctx.opts.signal);
    },
    detail: (r) => `${r.fit.nComponents} components`,
  }),
  step({
    name: "kmeans",
    timing: "kmeans",
    inputs: ["pca"],
    params: (o) => {
      // The seed pipeline's numbers come from Lloyd: "auto" stays Lloyd there at any size.
      const algorithm = o.compat === "seed" ? "lloyd" : (o.algorithm ?? SCALE_DEFAULTS.algorithm);
      return {
        k: o.k,
        init: initIsFile(o.init) ? "file" : o.init,
        nInit: o.nInit,
        maxIter: o.maxIter,
        tol: o.tol,
        seed: o.seed,
        algorithm,
        // Only what the chosen algorithm reads is part of the key: a new --batch-size refits no Lloyd run.
        minibatchAbove: algorithm === "auto" ? SCALE_DEFAULTS.minibatchAbove : undefined,
        batchSize: algorithm === "lloyd" ? undefined : (o.batchSize ?? SCALE_DEFAULTS.batchSize),
      };
    },
    files: (o) => ({ init: initIsFile(o.init) ? o.init : undefined }),
    wasm: true,
    ...startsEngine,
    async run(ctx, v, p) {
      const [{ clusterCustomers }, { initialCentres }] = await Promise.all([import("../../steps/cluster.js"), import("../run-inputs.js")]);
      const { scores, fit } = v.pca!;
      // The silhouette needs at least one cluster with two customers: n must exceed k.
      if (scores.rows <= p.k) {
        throw new OptionError("k", `${p.k} needs at least ${p.k + 1} customers, and ${scores.rows} remain after outlier removal; lower it or use a larger input`);
      }
      const init = await initialCentres(ctx.opts, fit.nComponents);
      const engine = await ctx.engine();
      const resident = engine.upload(scores);
      try {
        const clusters = await clusterCustomers(engine, resident, { ...p, init }, ctx.opts.signal);
        const empty = clusters.sizes.filter((size) => size === 0).length;
        if (empty > 0) {
          throw new OptionError("k", `${p.k}: k-means found only ${p.k - empty} distinct groups among the ${scores.rows} customers (too few distinct customers); lower it`);
        }
        return clusters;
      } finally {
        resident.free();
      }
    },
    detail: (c) => `${c.algorithm === "minibatch" ? "mini-batch, " : ""}inertia ${c.inertia.toFixed(2)}, ${c.nSteps !== undefined ? `${c.nSteps} steps` : `${c.nIter} iterations`}`,
  }),
  step({
    name: "evaluate",
    timing: "metrics",
    inputs: ["pca", "kmeans"],
    params: (o) => ({ k: o.k, silhouetteSample: o.silhouetteSample ?? SCALE_DEFAULTS.silhouetteSample, seed: o.seed }),
    wasm: true,
    ...startsEngine,
    async run(ctx, v, p) {
      const { evaluateClusters } = await import("../../steps/evaluate.js");
      const engine = await ctx.engine();
      const resident = engine.upload(v.pca!.scores);
      try {
        return await evaluateClusters(engine, resident, v.kmeans!.labels, p.k, ctx.opts.signal, { size: p.silhouetteSample, seed: p.seed });
      } finally {
        resident.free();
      }
    },
    detail: (q) => `silhouette ${q.silhouette.toFixed(4)}${q.silhouetteSample ? ` (sample of ${q.silhouetteSample.size})` : ""}`,
  }),
  step({
    name: "profiles",
    timing: "profiles",
    inputs: ["features", "outliers", "kmeans", "evaluate"],
    params: (o) => ({ k: o.k, named: o.names !== undefined }),
    files: (o) => ({ names: o.names }),
    async run(ctx, v, p) {
      const [{ featureMatrix, keepRows }, { clusterProfilesSteps, renameClusters }, { applyNames }, { FEATURE_NAMES }, { readNamesFile }, { drainInterruptible }] = await Promise.all([
        import("../customer-matrix.js"),
        import("../../steps/profiles.js"),
        import("../../steps/names.js"),
        import("../../steps/features.js"),
        import("../run-inputs.js"),
        import("../../../engine/steps.js"),
      ]);
      const kept = keepRows(featureMatrix(v.features!.features), v.outliers!.flagged);
      const derived = await drainInterruptible(clusterProfilesSteps(FEATURE_NAMES, kept.matrix, v.kmeans!.labels, v.evaluate!.samples, p.k), ctx.opts.signal);
      const file = ctx.opts.names;
      if (!file) return derived;
      const given = await readNamesFile(file, p.k);
      return renameClusters(derived, blameOption("names", () => applyNames(derived.clusters.map((c) => c.name), given, file)));
    },
  }),
  step({
    name: "recommend",
    timing: "recommendations",
    inputs: ["clean", "features", "outliers", "kmeans", "profiles"],
    params: (o) => ({ compat: o.compat }),
    async run(ctx, v, p) {
      const [{ featureMatrix, keepRows }, { recommendSteps }, { businessFiguresSteps }, { drainInterruptible }, { formatDay, lastPurchaseDay }] = await Promise.all([
        import("../customer-matrix.js"),
        import("../../steps/recommend.js"),
        import("../run-summary.js"),
        import("../../../engine/steps.js"),
        import("../../steps/as-of.js"),
      ]);
      const all = featureMatrix(v.features!.features);
      const kept = keepRows(all, v.outliers!.flagged);
      const clusterOf = new Map<number, number>();
      kept.ids.forEach((id, i) => {
        clusterOf.set(id, v.kmeans!.labels[i]!);
      });
      // The outliers' best sellers (for the business figures) are ranked in the same passes over the lines.
      const flagged = v.outliers!.flagged;
      const outliers = all.ids.filter((_, i) => flagged[i] === 1);
      const ranked = await drainInterruptible(recommendSteps(v.clean!.table, clusterOf, { ...p, extraGroup: outliers }), ctx.opts.signal);
      const names = v.profiles!.clusters.map((c) => c.name);
      const segments = await drainInterruptible(businessFiguresSteps(v.clean!.table, all, flagged, clusterOf, names, ranked, p), ctx.opts.signal);
      const { extraTop: _, ...recommendations } = ranked;
      const { table, rows, generated } = v.clean!;
      const lines = { rows, ...(generated ? { generated } : {}), asOf: formatDay(lastPurchaseDay(table)!) };
      return { recommendations, segments, lines };
    },
  }),
  step({
    name: "report",
    timing: "report",
    inputs: ["features", "outliers", "scale", "pca", "kmeans", "evaluate", "profiles", "recommend"],
    // Everything model.json and the report name, paths included.
    params: (o) => ({
      input: o.inputLabel ?? o.input,
      currency: o.currency,
      compat: o.compat,
      k: o.k,
      seed: o.seed,
      nInit: o.nInit,
      maxIter: o.maxIter,
      tol: o.tol,
      init: o.init,
      variance: o.variance,
      outliersFrom: o.outliersFrom,
      // An input the caller knows is generated (an unmarked file); a marked one says so itself.
      synthetic: o.synthetic === true,
    }),
    rawFiles: true,
    prepare: startParquetWriter,
    // Not beside the lines (load, clean), a run's largest values: ready well before the report still.
    prepareAfter: "features",
    async run(ctx, v, p) {
      const [{ featureMatrix, keepRows }, { summarize }, { runFileContents }, { currencyOf }] = await Promise.all([
        import("../customer-matrix.js"),
        import("../run-summary.js"),
        import("../run-output.js"),
        import("../../steps/business.js"),
      ]);
      const all = featureMatrix(v.features!.features);
      const { flagged, forest } = v.outliers!;
      const kept = keepRows(all, flagged);
      const { recommendations, segments, lines } = v.recommend!;
      const parts = { all, kept, reduced: v.pca!, clusters: v.kmeans!, quality: v.evaluate!, profiles: v.profiles!, segments };
      return runFileContents({
        ...parts,
        opts: ctx.opts,
        // The run's own time and id are filled in when its directory is written (run-files.ts).
        now: new Date(0),
        sha256: ctx.sourceSha256,
        asOf: lines.asOf,
        forest,
        flagged,
        scaled: v.scale!,
        recommendations,
        currency: p.currency ? currencyOf(p.currency) : undefined,
        summary: {
          ...summarize({ ...parts, job: { rows: lines.rows, generated: lines.generated } }, p.compat, p.k),
          ...(p.synthetic ? { synthetic: true } : {}),
          input: p.input,
          timingsMs: ctx.computeMs,
          runDir: "",
        },
      });
    },
  }),
];

/** The date format, decimal mark and delimiter given other than as the defaults; undefined if none. */
function givenFormat(f: RunOptions["textFormat"]): RunOptions["textFormat"] {
  const given = Object.entries(f ? nonDefaultFormat(f) : {}).filter(([, v]) => v !== undefined);
  return given.length > 0 ? Object.fromEntries(given) : undefined;
}

/** `name` and every step that reads it, directly or not, in graph order. */
export function downstreamOf(name: StepName): Set<StepName> {
  const out = new Set<StepName>([name]);
  for (const s of GRAPH) if (s.inputs.some((i) => out.has(i))) out.add(s.name);
  return out;
}

/** `name` and every step it reads, directly or not; the inputs of a `known` step (one whose output is at hand) are not followed. */
export function upstreamOf(name: StepName, known: ReadonlySet<string> = new Set()): Set<StepName> {
  const out = new Set<StepName>([name]);
  for (const s of [...GRAPH].reverse()) if (out.has(s.name) && !known.has(s.name)) for (const i of s.inputs) out.add(i);
  return out;
}
