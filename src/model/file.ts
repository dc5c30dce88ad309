// model.json on disk: read (and check), and write whole-or-nothing.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { OptionHintError, UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import type { CustsegModel } from "./model.js";
import { parseModel } from "./parse.js";

/** model.json's text: one field per line at the top, arrays of numbers kept on one line each. */
export function modelJson(model: CustsegModel): string {
  return `${JSON.stringify(model, null, 1)}\n`;
}

/** Read and check a model file; throws a UserError (ModelError) naming the file and the field. */
export async function readModel(path: string): Promise<CustsegModel> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`${path}: no such model file`);
    if (code === "EISDIR") throw new UserError(`${path} is a directory without a model.json`);
    throw new UserError(`${path}: cannot read the model (${code ?? String(err)})`);
  }
  return parseModel(text, path);
}

/** Write a model file through a temp sibling; an existing file is kept unless `force`. */
export async function writeModel(path: string, model: CustsegModel, options: { force?: boolean } = {}): Promise<void> {
  if (!options.force && existsSync(path)) throw new OptionHintError((n) => `${path} already exists; pass ${n("force")} to replace it`, { input: path });
  await writeFileAtomic(path, modelJson(model));
}
