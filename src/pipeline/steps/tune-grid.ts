// The tune grid: which k-means settings to try, parsed from one grid string, bounded so that a
// typo (n-init=10000) fails at once instead of running for hours.
import { OptionError } from "../../errors.js";

export type TuneInit = "k-means++" | "random";
export const TUNE_INITS: readonly TuneInit[] = ["k-means++", "random"];

export interface TuneGrid {
  k: number[];
  init: TuneInit[];
  nInit: number[];
  maxIter: number[];
}

/** One trial: a point of the grid. */
export interface TrialParams {
  k: number;
  init: TuneInit;
  nInit: number;
  maxIter: number;
}

/** The original's MLflow grid: 3 × 2 × 6 × 4 = 144 trials. */
export const DEFAULT_GRID: TuneGrid = {
  k: [3, 4, 8],
  init: ["k-means++", "random"],
  nInit: [1, 2, 5, 10, 20, 50],
  maxIter: [100, 250, 500, 1000],
};

export interface GridLimits {
  /** Trials in the grid at most (the max-trials option). */
  maxTrials: number;
  /** Largest n-init value (each trial of that n-init fits that many runs). */
  maxNInit: number;
  /** Largest max-iter value. */
  maxMaxIter: number;
  /** Largest k. */
  maxK: number;
}

export const GRID_LIMITS: GridLimits = { maxTrials: 1000, maxNInit: 1000, maxMaxIter: 100_000, maxK: 100 };

const KEYS = { k: "k", init: "init", "n-init": "nInit", "max-iter": "maxIter" } as const;

/**
 * "k=3,4,8 init=k-means++,random n-init=1,2,5 max-iter=100,300": space-separated key=list pairs;
 * a key left out keeps the original's values. Lists are de-duplicated and sorted (init keeps its order).
 */
export function parseGrid(spec: string | undefined, limits: GridLimits = GRID_LIMITS): TuneGrid {
  const grid: TuneGrid = { ...DEFAULT_GRID };
  const seen = new Set<string>();
  for (const part of (spec ?? "").trim().split(/\s+/).filter(Boolean)) {
    const eq = part.indexOf("=");
    const key = eq > 0 ? part.slice(0, eq) : part;
    if (!(key in KEYS)) throw new OptionError("grid", `has an unknown key '${key}' in '${part}'; use k=…, init=…, n-init=…, max-iter=…`);
    if (eq < 0 || eq === part.length - 1) throw new OptionError("grid", `'${part}' has no values; write ${key}=v1,v2,…`);
    if (seen.has(key)) throw new OptionError("grid", `gives ${key} twice`);
    seen.add(key);
    const values = part.slice(eq + 1).split(",");
    const field = KEYS[key as keyof typeof KEYS];
    if (field === "init") {
      for (const v of values) {
        if (!TUNE_INITS.includes(v as TuneInit)) throw new OptionError("grid", `init '${v}' is not one of ${TUNE_INITS.join(", ")}`);
      }
      grid.init = [...new Set(values as TuneInit[])];
    } else {
      const [min, max] = field === "k" ? [2, limits.maxK] : field === "nInit" ? [1, limits.maxNInit] : [1, limits.maxMaxIter];
      grid[field] = [...new Set(values.map((v) => wholeNumber(v, key, min, max)))].sort((a, b) => a - b);
    }
  }
  const trials = gridSize(grid);
  if (trials > limits.maxTrials) {
    throw new OptionError("maxTrials", `is ${limits.maxTrials}, and the grid has ${trials} trials; shrink the grid or raise the limit`);
  }
  return grid;
}

function wholeNumber(text: string, key: string, min: number, max: number): number {
  const v = Number(text);
  if (text.trim() === "" || !Number.isInteger(v) || v < min || v > max) {
    throw new OptionError("grid", `${key} value '${text}' must be a whole number from ${min} to ${max}`);
  }
  return v;
}

export function gridSize(g: TuneGrid): number {
  return g.k.length * g.init.length * g.nInit.length * g.maxIter.length;
}

/** Every trial, in the order k × init × n-init × max-iter (the table's order before ranking). */
export function gridTrials(g: TuneGrid): TrialParams[] {
  const out: TrialParams[] = [];
  for (const k of g.k) for (const init of g.init) for (const nInit of g.nInit) for (const maxIter of g.maxIter) out.push({ k, init, nInit, maxIter });
  return out;
}

/** "2..10" → [2, 3, …, 10]. */
export function parseKRange(spec: string, maxK = GRID_LIMITS.maxK): number[] {
  const m = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new OptionError("kRange", `'${spec}' must look like 2..10`);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo < 2 || hi < lo || hi > maxK) throw new OptionError("kRange", `${spec}: need 2 ≤ first ≤ last ≤ ${maxK}`);
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

/** The grid back in the grid option's syntax (for the summary and the page). */
export function formatGrid(g: TuneGrid): string {
  return `k=${g.k.join(",")} init=${g.init.join(",")} n-init=${g.nInit.join(",")} max-iter=${g.maxIter.join(",")}`;
}
