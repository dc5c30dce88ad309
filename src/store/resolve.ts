// One place where a model reference becomes a model.json path: predict, serve and anything else
// that takes a model call resolveModelRef, so `models:/…` means the same everywhere.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { closeStore, openStore, type Store } from "./open.js";
import { type ModelVersion, parseStage, STAGES, getModelVersion, versionByAlias, versionInStage } from "./registry.js";

export interface ResolvedModel {
  /** Absolute path of the model.json. */
  path: string;
  /** Set when the reference went through the registry. */
  version?: ModelVersion;
}

/**
 * Resolves `models:/NAME/STAGE` (stage case-insensitive, or `latest`), `models:/NAME/VERSION`,
 * `models:/NAME@ALIAS`, or a path (a model.json, or a run directory holding one). `store` is only
 * opened for `models:/` references; pass an open Store or its file name.
 */
export function resolveModelRef(store: Store | string, ref: string): ResolvedModel {
  if (!ref.startsWith("models:/")) return { path: modelFile(ref, ref) };
  const version = lookUp(store, ref);
  return { path: modelFile(version.modelPath, ref), version };
}

function lookUp(storeOrPath: Store | string, ref: string): ModelVersion {
  const body = ref.slice("models:/".length);
  const at = body.match(/^([^/@]+)@([^/@]+)$/);
  const slash = body.match(/^([^/@]+)\/([^/@]+)$/);
  if (!at && !slash) {
    throw new UserError(`${ref}: a model reference is models:/NAME/STAGE, models:/NAME/VERSION or models:/NAME@ALIAS`);
  }
  if (typeof storeOrPath === "string") {
    const store = openStore(storeOrPath);
    try {
      return lookUp(store, ref);
    } finally {
      closeStore(store);
    }
  }
  const store = storeOrPath;
  if (at) return versionByAlias(store, at[1]!, at[2]!);
  const [, name, which] = slash!;
  if (/^\d+$/.test(which!)) return getModelVersion(store, name!, Number(which));
  if (which!.toLowerCase() === "latest") return versionInStage(store, name!, "latest");
  const stages = STAGES.filter((s) => s !== "none");
  return versionInStage(store, name!, parseStage(which!, stages));
}

function modelFile(path: string, ref: string): string {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new UserError(`${ref}: ${abs} does not exist`);
  if (statSync(abs).isDirectory()) {
    const inside = join(abs, "model.json");
    if (!existsSync(inside)) throw new UserError(`${ref}: ${abs} holds no model.json`);
    return inside;
  }
  return abs;
}
