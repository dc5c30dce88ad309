// The one runner of the step graph. With an artefact store, a step whose key is stored is not run
// (its output is read, hash-checked, only when a later step needs it); a step that runs stores its
// output as soon as it finishes, in step order, while the next steps compute, so an interrupted run
// resumes from its last stored step. A stored output found damaged is removed and recomputed, with
// one line on stderr.
import type { Engine } from "../../../engine/engine.js";
import { type ArtifactCheck, checkArtifact, type HashedFile, type Manifest, readArtifact, readHashed, removeArtifact, writeArtifact } from "../../../io/artifacts.js";
import { round1, type StepReporter } from "../../progress.js";
import type { RunOptions } from "../../options.js";
import { collectGarbage } from "../../../collect-garbage.js";
import { type GraphKeys, graphKeys } from "./keys.js";
import { downstreamOf, GRAPH, type StepContext, type StepDef, type StepName, upstreamOf, type Values } from "./steps.js";

export interface GraphRunOptions {
  opts: RunOptions;
  engine: () => Promise<Engine>;
  reporter: StepReporter;
  /** The artefact store's directory; without one every step runs and nothing is kept. */
  store?: string;
  /** Recompute this step and every step after it. */
  from?: StepName;
  /** Run only this step and the steps it needs. */
  to?: StepName;
  /** Keys already computed (by the caller, for --locked). */
  keys?: GraphKeys;
  /** The source as read and hashed (for the keys): the load step parses its bytes rather than reading the file again. */
  source?: HashedFile;
  /**
   * Outputs the caller already holds from a run of this graph with the same options up to them:
   * taken as they are, neither checked, read nor run again, nor the steps only they need.
   */
  given?: Partial<Values>;
}

export interface StepOutcome {
  name: StepName;
  key?: string;
  /** Reused from the store: not run. */
  cached: boolean;
  /** Time spent on it by this run. */
  ms: number;
  /** How long it took when it was computed. */
  computeMs: number;
  /** The stored output's parts (with a store). */
  manifest?: Manifest;
}

export interface GraphRun {
  /** The values computed or read by this run (a stored step nobody needed is not read). */
  values: Partial<Values>;
  outcomes: StepOutcome[];
  keys?: GraphKeys;
  timingsMs: Record<string, number>;
  /** The output of a step, read from the store when this run did not need it. */
  value<N extends StepName>(name: N): Promise<Values[N]>;
  /**
   * A step's output without its tables and long arrays, for a caller after a count or a mark: what
   * this run holds, else the stored output's small JSON part alone (else the whole value).
   */
  fields<N extends StepName>(name: N): Promise<Partial<Values[N]>>;
}

export async function runGraph(g: GraphRunOptions): Promise<GraphRun> {
  const { store, reporter } = g;
  // Keys computed here read and hash the source once, for the keys and for the load step.
  const source = g.source ?? (store && !g.keys ? await readHashed(g.opts.input) : undefined);
  const keys = g.keys ?? (store ? await graphKeys(g.opts, source) : undefined);
  const values: Partial<Values> = { ...g.given };
  const targets = g.to ? upstreamOf(g.to, new Set(Object.keys(values))) : new Set(GRAPH.map((s) => s.name));
  const forced = g.from ? downstreamOf(g.from) : new Set<StepName>();
  const outcomes = new Map<StepName, StepOutcome>();
  const timingsMs: Record<string, number> = {};
  const computeMs: Record<string, number> = {};
  // Steps prepared once another has computed (prepareAfter), by that step.
  const preparedAfter = new Map<StepName, StepDef[]>();
  const ctx: StepContext = {
    opts: g.opts,
    engine: g.engine,
    note: (m) => reporter.note(m),
    sourceSha256: source?.sha256 ?? keys?.load.files.input?.sha256 ?? "",
    takeSourceBytes: () => source?.take(),
    computeMs,
  };
  const defOf = (name: StepName) => GRAPH.find((s) => s.name === name)!;
  // A step recorded again (checked, then read when a later step needs it) replaces its earlier time.
  const record = (def: StepDef, o: StepOutcome) => {
    const before = outcomes.get(def.name)?.ms ?? 0;
    outcomes.set(def.name, o);
    timingsMs[def.timing] = round1((timingsMs[def.timing] ?? 0) - before + o.ms);
    computeMs[def.timing] = round1(o.computeMs);
  };

  const compute = async (def: StepDef): Promise<unknown> => {
    for (const input of def.inputs) await value(input);
    // No step computes after a store has failed: the run fails here, with that store's error.
    if (storeFailed) await storing;
    reporter.start(def.timing);
    const t0 = performance.now();
    const out = await def.run(ctx, values, def.params(g.opts));
    const ms = performance.now() - t0;
    (values as Record<string, unknown>)[def.name] = out;
    // Before storing: encoding the output is when a large run needs the most memory.
    releaseTransient();
    // Its time is its computation, as its progress line and the report say; storing it is bookkeeping.
    const outcome: StepOutcome = { name: def.name, key: keys?.[def.name].key, cached: false, ms, computeMs: ms };
    record(def, outcome);
    for (const later of preparedAfter.get(def.name) ?? []) later.prepare!(ctx);
    preparedAfter.delete(def.name);
    // A step's line says it is done once its output is kept: interrupted after it, a run resumes after it.
    const done = () => reporter.done(def.timing, ms, def.detail?.(out as never));
    // Only a forced step: any other computes because its stored output was missing or damaged.
    const storedBefore = forced.has(def.name) ? manifestOf(def.name) : undefined;
    if (!store || !keys) done();
    else if (storedBefore) {
      // Recomputed (--from) where its key is stored already: the same inputs, parameters and code, so
      // the same output, which is not encoded and written again (a directory that exists is complete).
      afterStores(() => {
        outcome.manifest = storedBefore;
        done();
      });
      if (!overlapStores) await storing;
    } else {
      // Outputs are stored in step order, each after the one before, while the next steps compute:
      // the steps do not wait for the disk (a large table takes longer to write than the step after
      // it takes to compute). What waits holds no more memory than the run does anyway: a step's
      // output stays in `values` until its readers have theirs, and the later outputs are small.
      const { encodeValue } = await import("../../../io/artifact-codec.js");
      const onDisk = def.rawFiles ? undefined : def.onDisk?.(out as never);
      const parts = def.rawFiles ? rawParts(out as Values["report"]) : encodeValue(out, onDisk, true);
      const write = (p: typeof parts) => writeArtifact(store, def.name, keys[def.name].key, p, round1(ms));
      // A file to copy that is gone meanwhile (its cache cleared by another command): encoded instead.
      afterStores(async () => {
        outcome.manifest = await (onDisk ? write(parts).catch(() => write(encodeValue(out))) : write(parts));
        done();
      });
      if (!overlapStores) await storing;
    }
    return out;
  };
  /** The last output being stored, after those before it, if any. */
  let storing: Promise<void> = Promise.resolve();
  let storeFailed = false;
  /**
   * Runs `next` once the outputs before it are stored. A failure (the later stores are then not
   * written) is thrown before the next step computes, or at the run's end.
   */
  const afterStores = (next: () => void | Promise<void>) => {
    storing = storing.then(next);
    storing.catch(() => (storeFailed = true));
  };
  /** Whether the graph's own steps are running; a step computed later (value()) is stored before it returns. */
  let overlapStores = true;

  /** A step's output: computed by this run, else read from the store, else computed now. */
  const value = async (name: StepName): Promise<unknown> => {
    if (name in values) return values[name];
    const def = defOf(name);
    if (store && keys && !forced.has(name)) {
      const t0 = performance.now();
      const read = await readArtifact(store, keys[name].key);
      if ("parts" in read) {
        const { decodeValue } = def.rawFiles ? { decodeValue: (p: Record<string, Uint8Array>) => p } : await import("../../../io/artifact-codec.js");
        const out = decodeValue(read.parts);
        (values as Record<string, unknown>)[name] = out;
        const prior = outcomes.get(name);
        record(def, { name, key: keys[name].key, cached: true, ms: (prior?.ms ?? 0) + performance.now() - t0, computeMs: read.manifest.computeMs, manifest: read.manifest });
        return out;
      }
      if (read.problem === "damaged") await discardDamaged(def, read.detail);
    }
    return compute(def);
  };

  const fields = async (name: StepName): Promise<unknown> => {
    if (name in values) return values[name];
    if (store && keys && !forced.has(name) && !defOf(name).rawFiles) {
      const { decodeFields, VALUE_PART } = await import("../../../io/artifact-codec.js");
      const read = await readArtifact(store, keys[name].key, [VALUE_PART]);
      if ("parts" in read) return decodeFields(read.parts);
    }
    return value(name);
  };

  /**
   * Drops a transient output once every step reading it has its own output; a run that stops before
   * one of them keeps it, for its caller to read without computing it again.
   */
  const releaseTransient = () => {
    let released = false;
    for (const t of GRAPH) {
      if (!t.transient || !(t.name in values) || t.name in (g.given ?? {})) continue;
      const readers = GRAPH.filter((s) => s.inputs.includes(t.name));
      if (readers.length > 0 && readers.every((s) => s.name in values)) {
        delete values[t.name];
        released = true;
      }
    }
    if (released) collectGarbage();
  };

  const discardDamaged = async (def: StepDef, detail?: string) => {
    reporter.note(`stored output of ${def.name} is damaged (${detail}); removed, recomputing`);
    await removeArtifact(store!, keys![def.name].key);
  };

  // Every stored output is checked before any step runs, so that each step that will compute can
  // start its slow preparations (the engine's WASM and threads) now, while the first steps run.
  const pending = GRAPH.filter((def) => targets.has(def.name) && !(def.name in values));
  const checks = new Map<StepName, { check: ArtifactCheck; ms: number }>();
  if (store && keys) {
    for (const def of pending) {
      const t0 = performance.now();
      const check = await checkArtifact(store, keys[def.name].key);
      checks.set(def.name, { check, ms: performance.now() - t0 });
    }
  }
  /** The manifest of a step's output where the checks found it stored whole. */
  const manifestOf = (name: StepName): Manifest | undefined => {
    const c = checks.get(name)?.check;
    return c && "manifest" in c ? c.manifest : undefined;
  };
  /** Whether a step's output is read from the store rather than computed (--from recomputes it). */
  const stored = (def: StepDef) => manifestOf(def.name) !== undefined && !forced.has(def.name);
  // The source's bytes serve only a load this run computes: a stored or given load lets them go now,
  // not at the run's end. (A load computed later, through value(), reads the file.)
  if (!pending.some((def) => def.name === "load" && !stored(def))) source?.take();
  for (const def of pending) {
    if (stored(def) || !def.prepare) continue;
    const after = pending.find((p) => p.name === def.prepareAfter);
    if (after && !stored(after)) preparedAfter.set(after.name, [...(preparedAfter.get(after.name) ?? []), def]);
    else def.prepare(ctx);
  }

  try {
    for (const def of pending) {
      const checked = checks.get(def.name);
      const check = checked?.check;
      if (checked && stored(def)) {
        const { ms } = checked;
        const manifest = manifestOf(def.name)!;
        record(def, { name: def.name, key: keys![def.name].key, cached: true, ms, computeMs: manifest.computeMs, manifest });
        // After the line of a step before it whose output is still being stored: lines in step order.
        afterStores(() => reporter.done(def.timing, ms, "cached"));
        continue;
      }
      if (check && "problem" in check && check.problem === "damaged") await discardDamaged(def, check.detail);
      await compute(def);
    }
  } catch (err) {
    // A step failed or was interrupted: the output before it is still stored whole, so a run resumes from there.
    await storing.catch(() => {});
    throw err;
  }
  overlapStores = false;
  await storing;

  return {
    values,
    outcomes: GRAPH.filter((s) => outcomes.has(s.name)).map((s) => outcomes.get(s.name)!),
    keys,
    timingsMs,
    value: (name) => value(name) as never,
    fields: (name) => fields(name) as never,
  };
}

/** The run directory's files, stored as they are. */
function rawParts(files: Values["report"]): Record<string, Uint8Array> {
  const enc = new TextEncoder();
  return Object.fromEntries(Object.entries(files).map(([name, content]) => [name, typeof content === "string" ? enc.encode(content) : content]));
}
