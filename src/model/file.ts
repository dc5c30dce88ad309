// model.json on disk: read (and check), and write whole-or-nothing.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { OptionHintError, UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import type { CustsegModel } from "./model.js";
import { parseModel } from "./parse.js";

/**
 * model.json's text: JSON.stringify(model, null, 1), except that an array of numbers (or of other
 * values that are not objects) is written on one line, so that the forest's nodes and the centres'
 * rows do not take a line per number (a million bytes and a hundred thousand lines on the UCI data).
 */
export function modelJson(model: CustsegModel): string {
  return `${layout(model, "")}\n`;
}

function layout(value: unknown, indent: string): string {
  const v = typeof (value as { toJSON?: unknown } | null)?.toJSON === "function" ? (value as { toJSON(): unknown }).toJSON() : value;
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  const inner = `${indent} `;
  if (Array.isArray(v)) {
    if (v.every((e) => e === null || typeof e !== "object")) return JSON.stringify(v);
    return `[\n${v.map((e) => inner + layout(e, inner)).join(",\n")}\n${indent}]`;
  }
  const fields = Object.entries(v).filter(([, e]) => e !== undefined && typeof e !== "function" && typeof e !== "symbol");
  if (fields.length === 0) return "{}";
  return `{\n${fields.map(([k, e]) => `${inner}${JSON.stringify(k)}: ${layout(e, inner)}`).join(",\n")}\n${indent}}`;
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
