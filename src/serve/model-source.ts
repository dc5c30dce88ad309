// From `--model` to a ServedModel: the address goes through the model module's one resolver (paths,
// run directories, models:/ addresses), and the file is read once to both hash and parse it, so the
// id always matches the bytes being served.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { UserError } from "../errors.js";
import type { Engine } from "../engine/engine.js";
import { parseModel, resolveModel } from "../model/index.js";
import { servedModel, type ServedModel } from "./served-model.js";

export async function loadServedModel(engine: Engine, address: string, store?: string): Promise<ServedModel> {
  // A registry address is resolved anew on every load, so a reload follows a promotion.
  const { path, registered } = await resolveModel(address, store);
  const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`${path}: ${err.code === "ENOENT" ? "no such model file" : `cannot read the model (${err.code ?? err.message})`}`);
  });
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return servedModel(engine, parseModel(bytes.toString("utf8"), path), path, sha256, registered);
}
