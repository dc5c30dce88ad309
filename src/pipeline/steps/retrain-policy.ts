// The promotion policy of retraining: when a candidate replaces the production model. A policy is
// a named preset or comma-separated conditions on the candidate's score minus production's, both
// measured on the same held-out customers:
//
//   silhouette>=+0.01,davies_bouldin<=0,calinski_harabasz>=0     (the preset "default")
//
// Each condition is METRIC OP NUMBER with METRIC one of silhouette, davies_bouldin,
// calinski_harabasz (or with '-' for '_'), OP one of >= > <= <; each metric at most once. Every
// condition must hold. "always" promotes any candidate, "never" none (register only).
import { OptionError } from "../../errors.js";
import { quote } from "../../io/excerpt.js";

export const POLICY_METRICS = ["silhouette", "davies_bouldin", "calinski_harabasz"] as const;
export type PolicyMetric = (typeof POLICY_METRICS)[number];
export type PolicyOp = ">=" | ">" | "<=" | "<";

export interface PolicyTerm {
  metric: PolicyMetric;
  op: PolicyOp;
  /** The bound on candidate − production. */
  bound: number;
}

export interface Policy {
  /** The text the policy was read from (a preset name, or the conditions). */
  text: string;
  terms: PolicyTerm[];
  /** Never promote, whatever the figures ("never"). */
  never: boolean;
}

export const POLICY_PRESETS: Readonly<Record<string, string>> = {
  default: "silhouette>=+0.01,davies_bouldin<=0,calinski_harabasz>=0",
  always: "",
  never: "",
};

/** Longest policy text read: three conditions fit many times over. */
export const MAX_POLICY_CHARS = 200;

/**
 * Differences this close to a bound (relative to the scores' size) count as equal, so that
 * 0.51 − 0.50 meets "≥ +0.01" although it is 0.0099999… in binary.
 */
export const TIE_TOLERANCE = 1e-9;

/** Reads a policy; an unreadable one is an OptionError on `policy`, naming the condition at fault. */
export function parsePolicy(text: string): Policy {
  const trimmed = text.trim();
  if (trimmed.length > MAX_POLICY_CHARS) throw new OptionError("policy", `is longer than ${MAX_POLICY_CHARS} characters (${quote(trimmed)})`);
  const name = trimmed.toLowerCase();
  if (Object.hasOwn(POLICY_PRESETS, name)) {
    if (name === "default") return { ...parsePolicy(POLICY_PRESETS.default!), text: name };
    return { text: name, terms: [], never: name === "never" };
  }
  if (trimmed === "") throw new OptionError("policy", `is empty; give conditions such as ${POLICY_PRESETS.default}, or one of ${Object.keys(POLICY_PRESETS).join(", ")}`);
  const terms: PolicyTerm[] = [];
  for (const part of trimmed.split(",")) {
    const m = part.trim().match(/^([a-z_-]+)\s*(>=|<=|>|<)\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)$/i);
    if (!m) throw new OptionError("policy", `condition ${quote(part.trim())} is not METRIC OP NUMBER (e.g. silhouette>=+0.01; OP one of >= > <= <)`);
    const metric = m[1]!.toLowerCase().replace(/-/g, "_") as PolicyMetric;
    if (!POLICY_METRICS.includes(metric)) throw new OptionError("policy", `unknown metric ${quote(m[1])}; use ${POLICY_METRICS.join(", ")}`);
    if (terms.some((t) => t.metric === metric)) throw new OptionError("policy", `names ${metric} twice`);
    terms.push({ metric, op: m[2] as PolicyOp, bound: Number(m[3]) });
  }
  return { text: trimmed, terms, never: false };
}

/** One model's scores on the held-out customers; null where a score is undefined (one cluster in use). */
export type PolicyScores = Record<PolicyMetric, number | null>;

export interface PolicyCheck extends PolicyTerm {
  candidate: number | null;
  production: number | null;
  /** candidate − production; null when either is undefined. */
  difference: number | null;
  holds: boolean;
}

export interface PolicyDecision {
  promote: boolean;
  checks: PolicyCheck[];
  /** One line: why the candidate is or is not promoted. */
  reason: string;
}

export function decidePromotion(policy: Policy, candidate: PolicyScores, production: PolicyScores): PolicyDecision {
  const checks = policy.terms.map((term): PolicyCheck => {
    const c = defined(candidate[term.metric]);
    const p = defined(production[term.metric]);
    // An undefined score means the model put every held-out customer in one cluster: it does not
    // segment them at all, so a candidate that does beats it, and one that does not cannot win.
    if (c === null || p === null) return { ...term, candidate: c, production: p, difference: null, holds: c !== null };
    const difference = c - p;
    return { ...term, candidate: c, production: p, difference, holds: meets(difference, term.op, term.bound, TIE_TOLERANCE * Math.max(1, Math.abs(c), Math.abs(p))) };
  });
  if (policy.never) return { promote: false, checks, reason: "the policy 'never' promotes no candidate" };
  if (checks.length === 0) return { promote: true, checks, reason: "the policy 'always' promotes every candidate" };
  const failed = checks.filter((c) => !c.holds);
  const promote = failed.length === 0;
  const reason = promote
    ? `the candidate meets the policy: ${checks.map(describeCheck).join("; ")}`
    : `the candidate falls short of the policy: ${failed.map(describeCheck).join("; ")}`;
  return { promote, checks, reason };
}

const defined = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null);

function meets(difference: number, op: PolicyOp, bound: number, tolerance: number): boolean {
  switch (op) {
    case ">=":
      return difference >= bound - tolerance;
    case ">":
      return difference > bound + tolerance;
    case "<=":
      return difference <= bound + tolerance;
    case "<":
      return difference < bound - tolerance;
  }
}

const signed = (v: number) => `${v >= 0 ? "+" : "−"}${fmt(Math.abs(v))}`;
const fmt = (v: number) => (v === 0 ? "0" : Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1e-4 ? v.toFixed(4) : v.toExponential(2));
const OP_TEXT: Record<PolicyOp, string> = { ">=": "≥", ">": ">", "<=": "≤", "<": "<" };

/** "silhouette 0.4123 vs 0.3891 (+0.0232, needs ≥ +0.0100)" */
export function describeCheck(c: PolicyCheck): string {
  const needs = `needs ${OP_TEXT[c.op]} ${signed(c.bound)}`;
  if (c.difference === null) {
    const which = c.candidate === null ? "candidate" : "production";
    return `${c.metric} undefined for the ${which} (its assignment uses fewer than two clusters, or one per customer)${c.holds ? "" : `, ${needs}`}`;
  }
  return `${c.metric} ${fmt(c.candidate!)} vs ${fmt(c.production!)} (${signed(c.difference)}, ${needs})`;
}
