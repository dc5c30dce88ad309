// What `custseg drift` found, as data: the job builds it, the CLI prints it, drift.html renders it.
// In a module of its own so the page renderer does not import the job that calls it.
import type { DRIFT_RULES, DriftVerdict, FeatureDrift, ModelDrift } from "./drift.js";

export type FeatureSourceKind = "prediction log" | "features table" | "transactions";

export interface DriftSide {
  source: string;
  kind: FeatureSourceKind;
  customers: number;
  /** Customers placed in a cluster (not flagged as outliers). */
  placed: number;
}

export interface DriftReport {
  modelFile: string;
  reference: DriftSide;
  current: DriftSide;
  rules: typeof DRIFT_RULES & { psiEpsilon: number; psiBins: number };
  features: FeatureDrift[];
  model: ModelDrift;
  verdict: DriftVerdict;
  timingsMs: Record<string, number>;
}
