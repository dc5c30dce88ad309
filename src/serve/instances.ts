// Instances in any of the accepted shapes → one row-major Batch the scoring step takes.
// An instance is either the original's components object {"PC1":…,"PCp":…}, an object of the named
// features, or a plain array (length = number of features → features, = p → components). Every
// problem is raised as an InputError naming the instance index and the field, worded at the edge.
import type { Batch, InputKind, ServedModel } from "./served-model.js";

/** A client's input is wrong: which instance (row), which field (column), and why. */
export class InputError extends Error {
  override name = "InputError";
  constructor(
    readonly index: number | null,
    readonly field: string | null,
    readonly reason: string,
    readonly where = "instances",
  ) {
    super(`${where}${index === null ? "" : `[${index}]`}${field === null ? "" : `.${field}`}: ${reason}`);
  }
}

/** The input columns of a model, looked up by name; built once per model, not per request. */
export interface InputSchema {
  features: readonly string[];
  components: readonly string[];
  featureIndex: ReadonlyMap<string, number>;
  componentIndex: ReadonlyMap<string, number>;
}

export function inputSchema(model: Pick<ServedModel, "features" | "nComponents">): InputSchema {
  const components = Array.from({ length: model.nComponents }, (_, i) => `PC${i + 1}`);
  return {
    features: model.features,
    components,
    featureIndex: new Map(model.features.map((f, i) => [f, i])),
    componentIndex: new Map(components.map((c, i) => [c, i])),
  };
}

const width = (schema: InputSchema, kind: InputKind) => (kind === "features" ? schema.features.length : schema.components.length);

function numberAt(v: unknown, index: number, field: string, where: string): number {
  if (typeof v !== "number") throw new InputError(index, field, `must be a number, got ${describeValue(v)}`, where);
  // JSON has no NaN or Infinity; a literal such as 1e400 parses to Infinity and lands here.
  if (!Number.isFinite(v)) throw new InputError(index, field, "must be a finite number (out of the double range)", where);
  return v;
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  return `a value of type ${typeof v}`;
}

function kindOfArray(length: number, schema: InputSchema, index: number, where: string): InputKind {
  // A model with as many components as features reads a plain array as features, as documented.
  if (length === schema.features.length) return "features";
  if (length === schema.components.length) return "components";
  throw new InputError(
    index,
    null,
    `has ${length} values; expected ${schema.features.length} (the features, in model order) or ${schema.components.length} (PC1..PC${schema.components.length})`,
    where,
  );
}

// The original's format names its components PC1..PCp; any other object is the named features.
// The first key decides, so a missing PC1 is reported as missing rather than as unknown names.
function kindOfObject(obj: Record<string, unknown>): InputKind {
  for (const key in obj) return isComponentName(key) ? "components" : "features";
  return "features";
}

/** `PC` and digits (/^PC\d+$/ without a regular expression: this runs once per instance). */
function isComponentName(key: string): boolean {
  if (key.length < 3 || key.charCodeAt(0) !== 80 || key.charCodeAt(1) !== 67) return false;
  for (let i = 2; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A list of instances (Vertex AI `instances`, MLflow `instances`/`inputs`/`dataframe_records`). */
export function batchFromInstances(instances: readonly unknown[], schema: InputSchema, where = "instances"): Batch {
  const rows = instances.length;
  if (rows === 0) throw new InputError(null, null, "must hold at least one instance", where);
  let kind: InputKind | undefined;
  let data = new Float64Array(0);
  let cols = 0;
  for (let i = 0; i < rows; i++) {
    const inst = instances[i];
    let k: InputKind;
    if (Array.isArray(inst)) k = kindOfArray(inst.length, schema, i, where);
    else if (inst !== null && typeof inst === "object") k = kindOfObject(inst as Record<string, unknown>);
    else throw new InputError(i, null, `must be an object or an array, got ${describeValue(inst)}`, where);
    if (kind === undefined) {
      kind = k;
      cols = width(schema, k);
      data = new Float64Array(rows * cols);
    } else if (k !== kind) {
      throw new InputError(i, null, `holds ${k} but instance 0 holds ${kind}; send one kind per request`, where);
    }
    const off = i * cols;
    if (Array.isArray(inst)) {
      const names = kind === "features" ? schema.features : schema.components;
      for (let j = 0; j < cols; j++) data[off + j] = numberAt(inst[j], i, names[j]!, where);
    } else {
      readObject(inst as Record<string, unknown>, kind, schema, data, off, i, where);
    }
  }
  return { kind: kind!, rows, data, where };
}

function readObject(obj: Record<string, unknown>, kind: InputKind, schema: InputSchema, data: Float64Array, off: number, i: number, where: string) {
  // Fast path: instances of one request share a shape, so reading the expected names in order hits
  // the engine's inline caches; any surprise falls through to the checking reader below.
  const names = kind === "features" ? schema.features : schema.components;
  let ok = true;
  for (let j = 0; j < names.length; j++) {
    const v = obj[names[j]!];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      ok = false;
      break;
    }
    data[off + j] = v;
  }
  if (ok) {
    let keys = 0;
    for (const _ in obj) keys++;
    if (keys === names.length) return;
  }
  readObjectChecked(obj, kind, schema, data, off, i, where);
}

function readObjectChecked(obj: Record<string, unknown>, kind: InputKind, schema: InputSchema, data: Float64Array, off: number, i: number, where: string) {
  const index = kind === "features" ? schema.featureIndex : schema.componentIndex;
  const names = kind === "features" ? schema.features : schema.components;
  let seen = 0;
  for (const key in obj) {
    const j = index.get(key);
    if (j === undefined) {
      const expected = kind === "features" ? "the model's feature names" : `PC1..PC${names.length}`;
      throw new InputError(i, key, `is not an input of this model (expected ${expected})`, where);
    }
    data[off + j] = numberAt(obj[key], i, key, where);
    seen++;
  }
  if (seen !== names.length) {
    const missing = names.find((n) => !(n in obj))!;
    throw new InputError(i, missing, "is missing", where);
  }
}

/** Named columns and rows of values (MLflow `dataframe_split`, CSV). */
export function batchFromSplit(columns: readonly unknown[], data: readonly unknown[], schema: InputSchema, where: string): Batch {
  const kind = kindOfColumns(columns, schema, where);
  const index = kind === "features" ? schema.featureIndex : schema.componentIndex;
  const cols = width(schema, kind);
  const rows = data.length;
  if (rows === 0) throw new InputError(null, null, "holds no rows", where);
  const order = columns.map((c) => index.get(c as string)!);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = data[i];
    if (!Array.isArray(row)) throw new InputError(i, null, `must be an array of ${columns.length} values, got ${describeValue(row)}`, where);
    if (row.length !== columns.length) throw new InputError(i, null, `has ${row.length} values for ${columns.length} columns`, where);
    for (let j = 0; j < order.length; j++) out[i * cols + order[j]!] = numberAt(row[j], i, columns[j] as string, where);
  }
  return { kind, rows, data: out, where };
}

/** A dictionary of columns {name: [values…]} (MLflow `inputs` / `instances` in columnar form). */
export function batchFromColumnar(obj: Record<string, unknown>, schema: InputSchema, where: string): Batch {
  const columns = Object.keys(obj);
  let rows = -1;
  for (const c of columns) {
    const v = obj[c];
    if (!Array.isArray(v)) throw new InputError(null, c, `must be an array of values, got ${describeValue(v)}`, where);
    if (rows >= 0 && v.length !== rows) throw new InputError(null, c, `has ${v.length} values but ${columns[0]} has ${rows}`, where);
    rows = v.length;
  }
  const data = Array.from({ length: rows }, (_, i) => columns.map((c) => (obj[c] as unknown[])[i]));
  return batchFromSplit(columns, data, schema, where);
}

function kindOfColumns(columns: readonly unknown[], schema: InputSchema, where: string): InputKind {
  const kind: InputKind = columns.length > 0 && isComponentName(String(columns[0])) ? "components" : "features";
  const index = kind === "features" ? schema.featureIndex : schema.componentIndex;
  const names = kind === "features" ? schema.features : schema.components;
  const seen = new Set<string>();
  for (const c of columns) {
    if (typeof c !== "string" || !index.has(c)) throw new InputError(null, String(c), "is not an input of this model", where);
    if (seen.has(c)) throw new InputError(null, c, "appears twice", where);
    seen.add(c);
  }
  const missing = names.find((n) => !seen.has(n));
  if (missing !== undefined) throw new InputError(null, missing, "is missing", where);
  return kind;
}
