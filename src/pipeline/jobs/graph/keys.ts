// Content addresses of the steps' outputs: a step's key is the sha256 of its code version, its
// parameters (the whole object, canonically ordered, so any new option enters the key), the
// content of the files it reads and the keys of the steps it reads. Computed without running
// anything, so `custseg status` and `run --locked` see what a run would do.
import { createHash } from "node:crypto";
import { fileSha256, type HashedFile } from "../../../io/artifacts.js";
import type { RunOptions } from "../../options.js";
import { codeVersion } from "./code.js";
import { GRAPH, type StepName } from "./steps.js";

export interface StepKey {
  key: string;
  code: string;
  /** The parameters as hashed (canonical JSON value). */
  params: unknown;
  /** sha256 of each file the step reads, by role (`unreadable` when it cannot be read: the step says why). */
  files: Record<string, { path: string; sha256: string }>;
  /** The keys of the steps it reads. */
  inputs: Partial<Record<StepName, string>>;
}

export type GraphKeys = Record<StepName, StepKey>;

export const UNREADABLE = "unreadable";

/** JSON with object keys sorted and undefined members dropped: equal values, equal text. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Map) return canonical(Object.fromEntries(value));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The steps' keys; `source` is the transactions file (opts.input) if the caller has read and hashed it. */
export async function graphKeys(opts: RunOptions, source?: HashedFile): Promise<GraphKeys> {
  const keys = {} as GraphKeys;
  const fileHash = new Map(source ? [[opts.input, Promise.resolve(source.sha256)]] : []);
  const hashOf = (path: string) => {
    let h = fileHash.get(path);
    if (!h) {
      h = fileSha256(path).then((sha) => sha ?? UNREADABLE);
      fileHash.set(path, h);
    }
    return h;
  };
  for (const def of GRAPH) {
    const files: StepKey["files"] = {};
    for (const [role, path] of Object.entries(def.files?.(opts) ?? {})) {
      if (path !== undefined) files[role] = { path, sha256: await hashOf(path) };
    }
    const inputs: StepKey["inputs"] = {};
    for (const i of def.inputs) inputs[i] = keys[i].key;
    const params = canonical(def.params(opts));
    const code = codeVersion(def);
    const hashedFiles = Object.fromEntries(Object.entries(files).map(([role, f]) => [role, f.sha256]));
    const key = createHash("sha256").update(JSON.stringify({ step: def.name, code, params, files: hashedFiles, inputs })).digest("hex");
    keys[def.name] = { key, code, params, files, inputs };
  }
  return keys;
}
