// The tune grid's numeric work: fit every requested k-means setting and score every labelling,
// without repeating work whose result is provably the same bit for bit.
//
// Why reuse is exact, given how the engine fits (src/engine/kmeans.ts):
// - run r of a fit draws its initial centres from Rng.derive(seed, r), whatever nInit is, and the
//   fit keeps the best run in order (lower inertia and a different partition replaces the best so
//   far). So n_init = m is the best-so-far after the first m runs of n_init = M > m: fit each run
//   once (alone, via `firstRun`) and replay the selection for every n_init.
// - a run that stops before its iteration cap (nIter < maxIter) took the same steps as it would
//   under any larger cap, so its result serves every larger max_iter. A run that reached the cap
//   is fitted again at the next cap (it may have stopped there or been cut off; we cannot tell).
// - the metrics depend only on the labels: an identical label array is scored once.
// test/pipeline/tune.test.ts holds the grid's results equal to fitting each setting alone.
import { sameClustering } from "../../engine/kmeans.js";
import type { TrialParams, TuneInit } from "./tune-grid.js";

/** One k-means run's result, as the engine's kmeans() returns it for nInit = 1. */
export interface RunFit {
  labels: Int32Array;
  centers: Float64Array;
  inertia: number;
  nIter: number;
}

/** Runs `runs` (indices into the seed's run streams) of one setting, each fitted alone. */
export interface FitRequest {
  k: number;
  init: TuneInit;
  maxIter: number;
  tol: number;
  seed: number;
  runs: number[];
}

export interface LabelMetrics {
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
  /** Per-customer silhouettes, in row order; NaN outside a silhouette sample (see evaluate.ts). */
  samples: Float64Array;
  /** Present when the silhouette is a sample's: its 95 % interval. */
  ci95?: [number, number];
}

/** Where fits and metrics run: this thread, or a pool of worker threads with one engine each. */
export interface TuneBackend {
  fitRuns(req: FitRequest): Promise<RunFit[]>;
  metrics(labels: Int32Array): Promise<LabelMetrics>;
}

export interface SettingResult {
  params: TrialParams;
  /** The kept run's fit (the same object for settings that share it). */
  fit: RunFit;
  /** Index of the kept run. */
  run: number;
  /** Distinct labellings are numbered in the order of the settings' (k, init) groups, then of their results. */
  labelling: number;
  metrics: LabelMetrics;
}

export interface TuneCounts {
  /** Single k-means runs actually fitted, and the runs fitting each setting alone would take. */
  fits: number;
  bruteForceFits: number;
  /** Silhouettes (and Davies–Bouldin, Calinski–Harabasz) actually computed, and one per setting. */
  silhouettes: number;
  bruteForceSilhouettes: number;
}

export interface FitSettingsOptions {
  seed: number;
  tol: number;
  /** Runs per backend request: small enough to spread one setting over every thread. */
  batch?: number;
}

/** Fit and score every setting; results come back in the order of `settings`. */
export async function fitSettings(
  backend: TuneBackend,
  settings: readonly TrialParams[],
  opts: FitSettingsOptions,
): Promise<{ results: SettingResult[]; counts: TuneCounts }> {
  const counts: TuneCounts = { fits: 0, bruteForceFits: 0, silhouettes: 0, bruteForceSilhouettes: 0 };
  const unique = new Map<string, TrialParams>();
  for (const s of settings) unique.set(settingKey(s), s);
  counts.bruteForceFits = [...unique.values()].reduce((sum, s) => sum + s.nInit, 0);
  counts.bruteForceSilhouettes = unique.size;

  const labellings = new LabellingCache(backend, counts);
  const groups = new Map<string, TrialParams[]>();
  for (const s of unique.values()) {
    const key = `${s.k}/${s.init}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  // Groups run concurrently so the backend's threads always have runs to fit.
  const fitted = await Promise.all([...groups.values()].map((group) => fitGroup(backend, group, opts, counts, labellings)));
  // Labellings are numbered in the groups' order, not as the threads happen to finish them.
  const byKey = new Map<string, SettingResult>();
  for (const r of fitted.flat()) {
    r.labelling = labellings.number(r.fit.labels);
    byKey.set(settingKey(r.params), r);
  }
  return { results: settings.map((s) => byKey.get(settingKey(s))!), counts };
}

const settingKey = (s: TrialParams) => `${s.k}/${s.init}/${s.nInit}/${s.maxIter}`;

/** Every setting of one (k, init): the runs once per needed cap, then the n_init selection replayed. */
async function fitGroup(
  backend: TuneBackend,
  group: TrialParams[],
  opts: FitSettingsOptions,
  counts: TuneCounts,
  labellings: LabellingCache,
): Promise<SettingResult[]> {
  const { k, init } = group[0]!;
  const caps = [...new Set(group.map((s) => s.maxIter))].sort((a, b) => a - b);
  const runs = Math.max(...group.map((s) => s.nInit));
  const batch = Math.max(1, opts.batch ?? 5);
  // perCap[c][r]: run r's result under caps[c].
  const perCap: RunFit[][] = caps.map(() => new Array<RunFit>(runs));
  let pending = Array.from({ length: runs }, (_, r) => r);
  for (let c = 0; c < caps.length && pending.length > 0; c++) {
    const cap = caps[c]!;
    const requests: number[][] = [];
    for (let i = 0; i < pending.length; i += batch) requests.push(pending.slice(i, i + batch));
    const fits = (await Promise.all(requests.map((r) => backend.fitRuns({ k, init, maxIter: cap, tol: opts.tol, seed: opts.seed, runs: r })))).flat();
    counts.fits += pending.length;
    const cut: number[] = [];
    pending.forEach((r, i) => {
      const fit = fits[i]!;
      if (fit.nIter < cap) {
        for (let later = c; later < caps.length; later++) perCap[later]![r] = fit;
      } else {
        perCap[c]![r] = fit;
        cut.push(r);
      }
    });
    pending = cut;
  }

  const out: SettingResult[] = [];
  const wanted = new Set(group.map(settingKey));
  caps.forEach((cap, c) => {
    const fits = perCap[c]!;
    let best = 0;
    for (let r = 0; r < runs; r++) {
      // The engine's rule: a later run replaces the best only with a lower inertia and a different partition.
      if (r > 0 && fits[r]!.inertia < fits[best]!.inertia && !sameClustering(fits[r]!.labels, fits[best]!.labels, k)) best = r;
      const params: TrialParams = { k, init, nInit: r + 1, maxIter: cap };
      if (wanted.has(settingKey(params))) out.push({ params, fit: fits[best]!, run: best, labelling: -1, metrics: undefined as never });
    }
  });
  await Promise.all(
    out.map(async (res) => {
      res.metrics = await labellings.metrics(res.fit.labels);
    }),
  );
  return out;
}

interface Labelling {
  labels: Int32Array;
  metrics: Promise<LabelMetrics>;
  /** Assigned once every group is done (see number). */
  id?: number;
}

/** Metrics per distinct label array: equal arrays (compared element by element) share one computation. */
class LabellingCache {
  private readonly byHash = new Map<number, Labelling[]>();
  /** Settings that keep the same run share its label array: found again without hashing. */
  private readonly byArray = new WeakMap<Int32Array, Labelling>();
  private next = 0;
  constructor(
    private readonly backend: TuneBackend,
    private readonly counts: TuneCounts,
  ) {}

  metrics(labels: Int32Array): Promise<LabelMetrics> {
    const hit = this.find(labels);
    if (hit) return hit.metrics;
    this.counts.silhouettes++;
    const entry: Labelling = { labels, metrics: this.backend.metrics(labels) };
    const h = hashLabels(labels);
    this.byHash.set(h, [...(this.byHash.get(h) ?? []), entry]);
    this.byArray.set(labels, entry);
    return entry.metrics;
  }

  /** The labelling's number: distinct labellings are numbered in the order this is first asked. */
  number(labels: Int32Array): number {
    const entry = this.find(labels)!;
    entry.id ??= this.next++;
    return entry.id;
  }

  private find(labels: Int32Array): Labelling | undefined {
    const known = this.byArray.get(labels);
    if (known) return known;
    const found = this.byHash.get(hashLabels(labels))?.find((e) => equalLabels(e.labels, labels));
    if (found) this.byArray.set(labels, found);
    return found;
  }
}

/** FNV-1a over the labels: a cheap bucket key; equality is always checked in full. */
function hashLabels(labels: Int32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < labels.length; i++) h = Math.imul(h ^ labels[i]!, 0x01000193);
  return h >>> 0;
}

function equalLabels(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
