// Model addresses: where `--model` points and how it becomes a ServedModel. Every way a model is
// named (a model.json path, a run directory) resolves here and nowhere else, so a reload reads the
// model exactly as the start did.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { servedModelFrom } from "./model-adapter.js";
import type { ServedModel } from "./served-model.js";

/** Resolve an address to the model file it names. */
export async function resolveModelPath(address: string): Promise<string> {
  if (address.startsWith("models:/")) {
    throw new UserError(`${address}: model registry addresses need the run store, which is not available in this build; give the model.json path`);
  }
  const path = resolve(address);
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`model ${address}: ${err.code === "ENOENT" ? "no such file or directory" : err.message}`);
  });
  return info.isDirectory() ? join(path, "model.json") : path;
}

/** Read, verify and prepare the model an address names; fails with one line naming the problem. */
export async function loadServedModel(address: string): Promise<ServedModel> {
  const path = await resolveModelPath(address);
  const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`model ${path}: ${err.code === "ENOENT" ? "no such file" : err.message}`);
  });
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return servedModelFrom(path, bytes.toString("utf8"), sha256);
}
