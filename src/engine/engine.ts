// The engine: one WASM instance, its arena and (optionally) a worker pool, behind methods that take
// matrices and return typed arrays. Algorithms live in their own files as functions of a context;
// the methods here only make the input resident and pass it on.
import { Arena } from "./arena.js";
import { type EngineContext, isResident, type ResidentMatrix } from "./context.js";
import { distances } from "./distance.js";
import { forestPathSumsSteps, growForestSteps } from "./forest.js";
import type { Forest, ForestOptions } from "./forest-model.js";
import { type KMeansOptions, type KMeansResult, kmeans, kmeansSteps, predict } from "./kmeans.js";
import { type MiniBatchResult, minibatchKMeans, minibatchKMeansSteps } from "./minibatch.js";
import type { MiniBatchOptions } from "./minibatch-options.js";
import { drain, drainInterruptible, type Steps } from "./steps.js";
import { calinskiHarabasz, daviesBouldin } from "./metrics.js";
import { type PcaFit, type PcaModel, type PcaOptions, pcaFit, pcaFitSteps, pcaTransform } from "./pca.js";
import { type Placement, type PlacementModel, place, placeColumns } from "./score.js";
import { normalizeRows, normalizeRowsSteps, type StandardScaled, type StandardScaler, standardScale, standardScaleSteps } from "./scale.js";
import { type SampledSilhouette, type SilhouetteOptions, type SilhouetteResult, type SilhouetteSampleOptions, silhouette, silhouetteSampleSteps, silhouetteSteps } from "./silhouette.js";
import type { Matrix, NumericColumn } from "./matrix.js";
import { compileModule, type Flavour, instantiateModule, SHARED_INITIAL_PAGES, SHARED_MAXIMUM_PAGES } from "./module.js";
import { currentPlatform } from "./platform.js";
import { CTRL_BYTES, ThreadPool } from "./threads.js";
import { checkShape } from "./validate.js";

export interface LoadOptions {
  /** SIMD kernels (default true); false loads the scalar build, single-threaded. */
  simd?: boolean;
  /** Threads for chunked kernels (default: the core count); 1 runs on the calling thread only. */
  threads?: number;
}

/** Columns of equal length (Arrow vectors or typed arrays), one per matrix column. */
export interface ColumnSet {
  readonly columns: readonly (NumericColumn | ArrayLike<number>)[];
}

/** A column's values, without copying typed arrays or Arrow vectors backed by one. */
function columnValues(column: NumericColumn | ArrayLike<number>): ArrayLike<number | bigint | null | undefined> {
  if (ArrayBuffer.isView(column) || Array.isArray(column)) return column as ArrayLike<number>;
  const c = column as NumericColumn;
  return c.toArray?.() ?? Array.from({ length: c.length }, (_, i) => c.get(i));
}

export class Engine {
  constructor(
    readonly context: EngineContext,
    readonly flavour: Flavour,
  ) {}

  /** Threads the engine uses for chunked kernels. */
  get threads(): number {
    return this.context.threads;
  }

  /** Bytes of WASM linear memory; it grows to the largest call's need and is then reused. */
  get memoryBytes(): number {
    return this.context.arena.byteLength;
  }

  /** Copy a matrix (or numeric columns) into WASM memory once, for any number of calls. */
  upload(m: Matrix | ColumnSet): ResidentMatrix {
    const { arena } = this.context;
    if ("columns" in m) {
      const cols = m.columns.length;
      const rows = cols > 0 ? m.columns[0]!.length : 0;
      checkShape(rows, cols);
      m.columns.forEach((c, j) => {
        if (c.length !== rows) throw new RangeError(`column ${j + 1} has ${c.length} values, column 1 has ${rows}`);
      });
      const block = arena.allocResident(rows * cols * 8);
      const out = arena.f64(block.ptr, rows * cols);
      m.columns.forEach((column, j) => {
        const values = columnValues(column);
        for (let i = 0; i < rows; i++) {
          const v = values[i];
          out[i * cols + j] = v === null || v === undefined ? Number.NaN : Number(v);
        }
      });
      return { ptr: block.ptr, rows, cols, free: block.free };
    }
    checkShape(m.rows, m.cols);
    if (m.data.length !== m.rows * m.cols) {
      throw new RangeError(`matrix data has ${m.data.length} values, expected ${m.rows} × ${m.cols}`);
    }
    const block = arena.allocResident(m.data.length * 8);
    arena.f64(block.ptr, m.data.length).set(m.data);
    return { ptr: block.ptr, rows: m.rows, cols: m.cols, free: block.free };
  }

  /**
   * Run `fn` on x in WASM memory: a resident matrix as is, a plain one copied into scratch memory
   * that is released when `fn` returns.
   */
  withResident<T>(x: Matrix | ResidentMatrix, fn: (r: ResidentMatrix) => T): T {
    if (isResident(x)) return fn(x);
    const { arena } = this.context;
    const mark = arena.mark();
    try {
      return fn(this.scratchCopy(x));
    } finally {
      arena.release(mark);
    }
  }

  /** x copied into scratch memory, valid until the caller releases the arena to its mark. */
  private scratchCopy(x: Matrix): ResidentMatrix {
    checkShape(x.rows, x.cols);
    if (x.data.length !== x.rows * x.cols) {
      throw new RangeError(`matrix data has ${x.data.length} values, expected ${x.rows} × ${x.cols}`);
    }
    const ptr = this.context.arena.putF64(x.data);
    return { ptr, rows: x.rows, cols: x.cols, free: () => {} };
  }

  /** Squared Euclidean distances between the rows of x (n×d) and y (m×d): an n×m matrix. */
  sqDistances(x: Matrix | ResidentMatrix, y: Matrix | ResidentMatrix): Matrix {
    return this.withResident(x, (rx) => this.withResident(y, (ry) => distances(this.context, rx, ry)));
  }

  /** k-means (Lloyd) with scikit-learn's semantics; see kmeans.ts. */
  kmeans(x: Matrix | ResidentMatrix, options: KMeansOptions): KMeansResult {
    return this.withResident(x, (rx) => kmeans(this.context, rx, options));
  }

  /**
   * k-means that hands the thread back to the event loop between iterations, so that timers and
   * signal handlers run, and stops once `signal` is aborted. Interruptible calls on one engine
   * run one after another (see interruptible below).
   */
  kmeansInterruptible(x: Matrix | ResidentMatrix, options: KMeansOptions, signal?: AbortSignal): Promise<KMeansResult> {
    return this.interruptible(x, (rx) => kmeansSteps(this.context, rx, options), signal);
  }

  /** Mini-batch k-means with scikit-learn's MiniBatchKMeans semantics; see minibatch.ts. */
  minibatchKMeans(x: Matrix | ResidentMatrix, options: MiniBatchOptions): MiniBatchResult {
    return this.withResident(x, (rx) => minibatchKMeans(this.context, rx, options));
  }

  /** minibatchKMeans() that yields to the event loop between groups of steps and stops once `signal` is aborted. */
  minibatchKMeansInterruptible(x: Matrix | ResidentMatrix, options: MiniBatchOptions, signal?: AbortSignal): Promise<MiniBatchResult> {
    return this.interruptible(x, (rx) => minibatchKMeansSteps(this.context, rx, options), signal);
  }

  /** The interruptible call in progress or last started: the next one waits for it. */
  private running: Promise<unknown> = Promise.resolve();

  /**
   * Steps on x in WASM memory, driven so that the event loop runs between them (see steps.ts) and
   * an aborted `signal` stops them at the next one. Interruptible calls run one after another, in
   * the order they were made: each holds scratch memory on the arena's stack across its steps, so
   * two must not interleave (a synchronous call between two steps allocates above and releases
   * before returning, which is safe). Steps never leave a task on the worker pool in flight, so
   * after an abort the pool is idle (its workers do not keep a process alive) and the engine stays
   * usable.
   */
  private interruptible<T>(x: Matrix | ResidentMatrix, steps: (rx: ResidentMatrix) => Steps<T>, signal?: AbortSignal): Promise<T> {
    return this.serial(() => this.drainOn(x, steps, signal));
  }

  /** `call` once every interruptible call made before it has ended. */
  private serial<T>(call: () => Promise<T>): Promise<T> {
    const next = this.running.then(call);
    this.running = next.catch(() => undefined);
    return next;
  }

  private async drainOn<T>(x: Matrix | ResidentMatrix, steps: (rx: ResidentMatrix) => Steps<T>, signal?: AbortSignal): Promise<T> {
    if (isResident(x)) return drainInterruptible(steps(x), signal);
    const { arena } = this.context;
    const mark = arena.mark();
    try {
      return await drainInterruptible(steps(this.scratchCopy(x)), signal);
    } finally {
      arena.release(mark);
    }
  }

  /** The index of the nearest of `centers` (k×d) for every row of x. */
  predict(x: Matrix | ResidentMatrix, centers: Matrix): Int32Array {
    return this.withResident(x, (rx) => predict(this.context, rx, centers));
  }

  /** PCA with scikit-learn 1.2's semantics (sign rule included) and the scores of x; see pca.ts. */
  pca(x: Matrix | ResidentMatrix, options: PcaOptions): PcaFit {
    return this.withResident(x, (rx) => pcaFit(this.context, rx, options));
  }

  /** pca() that yields to the event loop between passes and stops once `signal` is aborted. */
  pcaInterruptible(x: Matrix | ResidentMatrix, options: PcaOptions, signal?: AbortSignal): Promise<PcaFit> {
    return this.interruptible(x, (rx) => pcaFitSteps(this.context, rx, options), signal);
  }

  /** Scores of new rows under a fitted PCA: (X − mean) · componentsᵀ. */
  transform(model: PcaModel, x: Matrix | ResidentMatrix): Matrix {
    return this.withResident(x, (rx) => pcaTransform(this.context, model, rx));
  }

  /** StandardScaler: fitted on x unless `scaler` is given, then applied to x. */
  standardScale(x: Matrix | ResidentMatrix, scaler?: StandardScaler): StandardScaled {
    return this.withResident(x, (rx) => standardScale(this.context, rx, scaler));
  }

  /** standardScale() that yields to the event loop between chunks of rows and stops once `signal` is aborted. */
  standardScaleInterruptible(x: Matrix | ResidentMatrix, scaler?: StandardScaler, signal?: AbortSignal): Promise<StandardScaled> {
    return this.interruptible(x, (rx) => standardScaleSteps(this.context, rx, scaler), signal);
  }

  /** normalizeRows() that yields to the event loop between chunks of rows and stops once `signal` is aborted. */
  normalizeRowsInterruptible(x: Matrix | ResidentMatrix, signal?: AbortSignal): Promise<Matrix> {
    return this.interruptible(x, (rx) => normalizeRowsSteps(this.context, rx), signal);
  }

  /** Rows over their L2 norms (a zero row stays zero). */
  normalizeRows(x: Matrix | ResidentMatrix): Matrix {
    return this.withResident(x, (rx) => normalizeRows(this.context, rx));
  }

  /** Scale, project and assign rows to the nearest centre under a fitted model, in one pass; see score.ts. */
  place(x: Matrix | ResidentMatrix, model: PlacementModel): Placement {
    return this.withResident(x, (rx) => place(this.context, rx, model));
  }

  /** place() over one array per input column (typed arrays or Arrow values), copied in without transposing. */
  placeColumns(columns: readonly ArrayLike<number>[], rows: number, model: PlacementModel): Placement {
    return placeColumns(this.context, columns, rows, model);
  }

  /** Mean silhouette (and per-sample values with `samples: true`), never forming an n×n matrix. */
  silhouette(x: Matrix | ResidentMatrix, labels: ArrayLike<number>, options?: SilhouetteOptions): SilhouetteResult {
    return this.withResident(x, (rx) => silhouette(this.context, rx, labels, options));
  }

  /** silhouette() that yields to the event loop between parts of its pass and stops once `signal` is aborted. */
  silhouetteInterruptible(x: Matrix | ResidentMatrix, labels: ArrayLike<number>, options?: SilhouetteOptions, signal?: AbortSignal): Promise<SilhouetteResult> {
    return this.interruptible(x, (rx) => silhouetteSteps(this.context, rx, labels, options), signal);
  }

  /** The silhouette of a seeded sample of rows (scikit-learn's sample_size) with a 95 % interval; see silhouette.ts. */
  silhouetteSample(x: Matrix | ResidentMatrix, labels: ArrayLike<number>, options: SilhouetteSampleOptions): SampledSilhouette {
    return this.withResident(x, (rx) => drain(silhouetteSampleSteps(this.context, rx, labels, options)));
  }

  /** silhouetteSample() that yields to the event loop between parts of its pass and stops once `signal` is aborted. */
  silhouetteSampleInterruptible(x: Matrix | ResidentMatrix, labels: ArrayLike<number>, options: SilhouetteSampleOptions, signal?: AbortSignal): Promise<SampledSilhouette> {
    return this.interruptible(x, (rx) => silhouetteSampleSteps(this.context, rx, labels, options), signal);
  }

  /** An isolation forest grown on the rows of x (rounded to float32) with scikit-learn's semantics; see forest.ts. */
  growForest(x: Matrix, options: ForestOptions): Forest {
    return drain(growForestSteps(this.context, x, options));
  }

  /** growForest() that yields to the event loop between groups of trees and stops once `signal` is aborted. */
  growForestInterruptible(x: Matrix, options: ForestOptions, signal?: AbortSignal): Promise<Forest> {
    return this.serial(() => drainInterruptible(growForestSteps(this.context, x, options), signal));
  }

  /** Each row's path lengths in the forest's trees, summed in tree order (the score's numerator). */
  forestPathSums(forest: Forest, x: Matrix): Float64Array {
    return drain(forestPathSumsSteps(this.context, forest, x));
  }

  /** forestPathSums() that yields to the event loop between groups of rows and stops once `signal` is aborted. */
  forestPathSumsInterruptible(forest: Forest, x: Matrix, signal?: AbortSignal): Promise<Float64Array> {
    return this.serial(() => drainInterruptible(forestPathSumsSteps(this.context, forest, x), signal));
  }

  daviesBouldin(x: Matrix | ResidentMatrix, labels: ArrayLike<number>): number {
    return this.withResident(x, (rx) => daviesBouldin(this.context, rx, labels));
  }

  calinskiHarabasz(x: Matrix | ResidentMatrix, labels: ArrayLike<number>): number {
    return this.withResident(x, (rx) => calinskiHarabasz(this.context, rx, labels));
  }

  /** Stop the worker threads. The engine must not be used afterwards. */
  close(): void {
    this.context.pool?.close();
    const key = cacheKeys.get(this);
    if (key !== undefined) cache.delete(key);
  }
}

const cache = new Map<string, Promise<Engine>>();
const cacheKeys = new WeakMap<Engine, string>();

/**
 * The engine for these options: the module is compiled and instantiated once, and later calls
 * with the same options return the same engine.
 */
export function loadEngine(options: LoadOptions = {}): Promise<Engine> {
  const key = `${options.simd ?? true}/${options.threads ?? "auto"}`;
  let engine = cache.get(key);
  if (!engine) {
    engine = createEngine(options);
    cache.set(key, engine);
    engine.then(
      (e) => cacheKeys.set(e, key),
      () => cache.delete(key),
    );
  }
  return engine;
}

/** The most threads an engine starts: twice the cores (oversubscription stays cheap at that). */
export function maxThreads(cores: number): number {
  return 2 * Math.max(1, cores);
}

async function createEngine(options: LoadOptions): Promise<Engine> {
  const simd = options.simd ?? true;
  const platform = await currentPlatform();
  const cores = await platform.cores();
  const asked = options.threads ?? cores;
  if (!Number.isInteger(asked) || asked < 1) throw new RangeError(`threads must be a positive integer, got ${asked}`);
  // Each worker is an isolate of its own (tens of MB); past a small multiple of the cores more
  // of them only cost memory and start-up time, so a larger request is capped (engine.threads says).
  const requested = Math.min(asked, maxThreads(cores));
  if (simd && requested > 1 && typeof SharedArrayBuffer !== "undefined") {
    const module = await compileModule("threads");
    const memory = new WebAssembly.Memory({ initial: SHARED_INITIAL_PAGES, maximum: SHARED_MAXIMUM_PAGES, shared: true });
    const { kernels } = await instantiateModule(module, memory);
    const arena = new Arena(memory, memory.buffer.byteLength);
    const ctrlPtr = arena.allocResident(CTRL_BYTES).ptr;
    // Workers that cannot start (a blocked worker script, no Worker support) leave a working
    // single-threaded engine on the same module; `engine.threads` says how many threads it got.
    const pool = await ThreadPool.start(platform, module, memory, ctrlPtr, requested - 1).catch(() => undefined);
    return new Engine({ kernels, arena, pool, threads: pool?.threads ?? 1 }, "threads");
  }
  const flavour: Flavour = simd ? "simd" : "scalar";
  const { kernels, memory } = await instantiateModule(await compileModule(flavour));
  return new Engine({ kernels, arena: new Arena(memory, memory.buffer.byteLength), threads: 1 }, flavour);
}
