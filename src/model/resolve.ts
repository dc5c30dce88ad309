// Where a model reference (`--model`, `loadModel`) points. Every way of naming a model goes
// through resolveModelPath, so new kinds of address are added here and nowhere else.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";

/**
 * The model.json a reference names: a model file, or a run directory holding one. Registry
 * addresses (`models:/NAME/STAGE`) are recognised and refused with a message saying so.
 */
export function resolveModelPath(ref: string): string {
  if (ref.startsWith("models:/")) {
    throw new UserError(`${ref}: registered model addresses are not supported yet; give the path of a model.json or a run directory`);
  }
  if (existsSync(ref) && statSync(ref).isDirectory()) {
    const inside = join(ref, "model.json");
    if (!existsSync(inside)) throw new UserError(`${ref} is a directory without a model.json`);
    return inside;
  }
  return ref;
}
