// From `--model` to a ServedModel: the address goes through the model module's one resolver (paths,
// run directories, models:/ addresses), and the file is read once to both hash and parse it, so the
// id always matches the bytes being served. The bytes read (a ModelSource) can be bound again by
// another process: the workers of `--workers N` serve the text the primary read and checked.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { UserError } from "../errors.js";
import type { Engine } from "../engine/engine.js";
import { parseModel, resolveModel } from "../model/index.js";
import { servedModel, type ServedModel } from "./served-model.js";

/** One read of a model file: where it came from, its text and the text's sha256. */
export interface ModelSource {
  path: string;
  /** NAME/VERSION when the address named a registry version. */
  registered?: string;
  text: string;
  sha256: string;
}

export async function readModelSource(address: string, store?: string): Promise<ModelSource> {
  // A registry address is resolved anew on every load, so a reload follows a promotion.
  const { path, registered } = await resolveModel(address, store);
  const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`${path}: ${err.code === "ENOENT" ? "no such model file" : `cannot read the model (${err.code ?? err.message})`}`);
  });
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return { path, registered, text: bytes.toString("utf8"), sha256 };
}

/** Parse and check the source's text, and bind it to the engine. */
export function servedModelOf(engine: Engine, source: ModelSource): ServedModel {
  return servedModel(engine, parseModel(source.text, source.path), source.path, source.sha256, source.registered);
}

export async function loadServedModel(engine: Engine, address: string, store?: string): Promise<ServedModel> {
  return servedModelOf(engine, await readModelSource(address, store));
}
