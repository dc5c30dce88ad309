// Run search: the filter AST (filter.ts) becomes a WHERE clause whose every key and constant is a
// bound parameter. Only fixed SQL fragments chosen from whitelists below are ever concatenated.
import { ATTRIBUTES, type Clause, type Comparator, type Identifier, type OrderTerm, parseFilter, parseOrderBy } from "./filter.js";
import { read, type Store, stmt } from "./open.js";
import { RUN_COLUMNS, type RunRecord, withDetails } from "./runs.js";

export interface SearchOptions {
  /** Experiment name. */
  experiment?: string;
  /** MLflow filter syntax, e.g. `metrics.silhouette > 0.2 and params.k = 3`. */
  where?: string;
  /** e.g. `metrics.silhouette DESC, params.k`; default newest first. */
  orderBy?: string;
  /** Only the child runs of this run. */
  parentId?: string;
  /** Include child runs (grid trials); by default only top-level runs are listed. */
  nested?: boolean;
  limit?: number;
}

const SQL_OPS: Record<Exclude<Comparator, "LIKE" | "ILIKE" | "IN" | "NOT IN">, string> = {
  "=": "=",
  "!=": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

const TABLES = { metric: "metrics", param: "params", tag: "tags" } as const;

/** MLflow's LIKE is case-sensitive and SQLite's is not: LIKE becomes GLOB with its specials escaped. */
export function likeToGlob(pattern: string): string {
  let out = "";
  for (const ch of pattern) {
    if (ch === "%") out += "*";
    else if (ch === "_") out += "?";
    else if (ch === "*" || ch === "?" || ch === "[" || ch === "]") out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

/** `column OP ?` for one comparator, pushing the bound value(s) onto `args`. */
function compare(column: string, c: Clause, args: unknown[]): string {
  switch (c.op) {
    case "LIKE":
      args.push(likeToGlob(String(c.value)));
      return `${column} GLOB ?`;
    case "ILIKE":
      args.push(String(c.value));
      return `lower(${column}) LIKE lower(?)`;
    case "IN":
    case "NOT IN":
      args.push(JSON.stringify(c.value));
      return `${column} ${c.op === "IN" ? "IN" : "NOT IN"} (SELECT value FROM json_each(?))`;
    default:
      args.push(c.value);
      return `${column} ${SQL_OPS[c.op]} ?`;
  }
}

function clauseSql(c: Clause, args: unknown[]): string {
  if (c.kind === "attribute") {
    const { column } = ATTRIBUTES[c.key]!;
    // Statuses are stored in lower case; MLflow writes them in upper case ("FINISHED").
    if (c.key === "status") {
      const lowered = { ...c, value: Array.isArray(c.value) ? c.value.map((v) => String(v).toLowerCase()) : String(c.value).toLowerCase() };
      return compare(column, lowered, args);
    }
    return compare(column, c, args);
  }
  const table = TABLES[c.kind];
  // A parameter compared with a number compares its numeric value; text compares the text.
  const column = c.kind === "param" && typeof c.value === "number" && c.op !== "LIKE" && c.op !== "ILIKE" ? "x.num" : "x.value";
  args.push(c.key);
  const test = compare(column, c, args);
  return `EXISTS (SELECT 1 FROM ${table} x WHERE x.run_id = r.id AND x.key = ? AND ${test})`;
}

function orderSql(term: OrderTerm, args: unknown[]): string {
  const dir = term.descending ? "DESC" : "ASC";
  // Runs without the value come last either way, as in MLflow.
  return `${valueSql(term, args)} ${dir} NULLS LAST`;
}

function valueSql(id: Identifier, args: unknown[]): string {
  if (id.kind === "attribute") return ATTRIBUTES[id.key]!.column;
  args.push(id.key);
  const value = id.kind === "param" ? "coalesce(x.num, x.value)" : "x.value";
  return `(SELECT ${value} FROM ${TABLES[id.kind]} x WHERE x.run_id = r.id AND x.key = ?)`;
}

/** Runs matching the options, with their parameters, metrics and tags. */
export function searchRuns(store: Store, opts: SearchOptions = {}): RunRecord[] {
  const clauses = parseFilter(opts.where ?? "");
  const order = parseOrderBy(opts.orderBy ?? "");
  const whereArgs: unknown[] = [];
  const conditions: string[] = [];
  if (opts.experiment !== undefined) {
    conditions.push("e.name = ?");
    whereArgs.push(opts.experiment);
  }
  if (opts.parentId !== undefined) {
    conditions.push("r.parent_id = ?");
    whereArgs.push(opts.parentId);
  } else if (!opts.nested) {
    conditions.push("r.parent_id IS NULL");
  }
  for (const c of clauses) conditions.push(clauseSql(c, whereArgs));
  const orderArgs: unknown[] = [];
  const orderBy = [...order.map((t) => orderSql(t, orderArgs)), "r.start_time DESC", "r.id DESC"].join(", ");
  const limit = opts.limit !== undefined ? " LIMIT ?" : "";
  const sql = `SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id${conditions.length ? ` WHERE ${conditions.join(" AND ")}` : ""} ORDER BY ${orderBy}${limit}`;
  const args = [...whereArgs, ...orderArgs, ...(opts.limit !== undefined ? [opts.limit] : [])];
  return read(store, () => withDetails(store, stmt(store, sql).all(...args) as Parameters<typeof withDetails>[1]));
}
