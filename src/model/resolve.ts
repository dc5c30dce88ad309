// Where a model reference (`--model`, `loadModel`) points. Every command and the library go through
// resolveModel, so a path, a run directory and a registry address mean the same everywhere.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";

export interface ResolvedModelRef {
  /** Absolute path of the model.json. */
  path: string;
  /** `NAME/VERSION` when the reference went through the registry. */
  registered?: string;
}

/**
 * The model.json a reference names: `models:/NAME/STAGE`, `models:/NAME/VERSION` or
 * `models:/NAME@ALIAS` through the registry in `store` (default: CUSTSEG_STORE, then custseg.db),
 * or a path to a model.json or a run directory holding one.
 */
export async function resolveModel(ref: string, store?: string): Promise<ResolvedModelRef> {
  if (ref.startsWith("models:/")) {
    // Loaded only for registry addresses: a path needs no database.
    const { resolveModelRef, storePath } = await import("../store/index.js");
    const found = resolveModelRef(storePath(store), ref);
    return { path: found.path, registered: found.version ? `${found.version.model}/${found.version.version}` : undefined };
  }
  return { path: modelFilePath(ref) };
}

/** A model.json path, or the model.json inside a run directory. */
export function modelFilePath(ref: string): string {
  const abs = resolve(ref);
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    const inside = join(abs, "model.json");
    if (!existsSync(inside)) throw new UserError(`${ref} is a directory without a model.json`);
    return inside;
  }
  return abs;
}
