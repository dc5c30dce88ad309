// custseg runs list|show|compare|delete: read and prune the run store. Wording and layout only;
// the search, the refusal to delete a registered run and the staleness check live in src/store.
import { rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { isAbsolute, relative, sep } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { UserError } from "../../errors.js";
import { childRunIds, closeStore, deleteRun, getRun, listModels, openStore, reapStaleRuns, type RunRecord, type Store, searchRuns, storePath } from "../../store/index.js";
import { withStore } from "../store-option.js";
import { type Cell, formatDuration, formatNumber, formatTime, renderTable } from "../table.js";

interface Common {
  store?: string;
  json: boolean;
}

/** Opens an existing store and marks the runs of processes that died as killed, so listings tell the truth. */
function openForReading(args: Common): Store {
  // `runs compare` collects repeated flags into lists (see there); the last --store wins, as elsewhere.
  const flag = Array.isArray(args.store) ? (args.store.at(-1) as string | undefined) : args.store;
  const store = openStore(storePath(flag));
  reapStaleRuns(store);
  return store;
}

async function withOpenStore<T>(args: Common, fn: (store: Store) => T | Promise<T>): Promise<T> {
  const store = openForReading(args);
  try {
    return await fn(store);
  } finally {
    closeStore(store);
  }
}

/** Runs in JSON: times as ISO 8601 strings. */
function runJson(r: RunRecord) {
  return { ...r, startTime: new Date(r.startTime).toISOString(), endTime: r.endTime === null ? null : new Date(r.endTime).toISOString() };
}

const PREFERRED_METRICS = ["silhouette", "davies_bouldin", "calinski_harabasz", "inertia"];

/** The metric columns of a listing: the clustering metrics first, at most six in all. */
function metricColumns(runs: RunRecord[]): string[] {
  const keys = new Set(runs.flatMap((r) => Object.keys(r.metrics)));
  return [...PREFERRED_METRICS.filter((k) => keys.has(k)), ...[...keys].filter((k) => !PREFERRED_METRICS.includes(k)).sort()].slice(0, 6);
}

/** The parameters worth a column: those whose value is not the same in every listed run. */
function varyingParams(runs: RunRecord[]): string[] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  return keys.filter((k) => new Set(runs.map((r) => r.params[k])).size > 1).slice(0, 6);
}

/** Parameters are shown exactly as recorded (0.8 stays 0.8), unlike metrics, which are rounded for reading. */
const asCell = (v: string | undefined): Cell => v;

interface ListArgs extends Common {
  experiment?: string;
  where?: string;
  "order-by"?: string;
  parent?: string;
  nested: boolean;
  limit?: number;
}

const list: CommandModule<object, ListArgs> = {
  command: "list",
  describe: "List runs, newest first; filter with --where in MLflow's search syntax",
  builder: (y) =>
    withStore(y)
      .option("experiment", { type: "string", describe: "Only runs of this experiment" })
      .option("where", { type: "string", describe: "Filter, e.g. \"metrics.silhouette > 0.2 and params.k = 3\" (metrics., params., tags., attributes.; AND only)" })
      .option("order-by", { type: "string", describe: "e.g. \"metrics.silhouette DESC, params.k\" (default: newest first)" })
      .option("parent", { type: "string", describe: "Only the child runs (grid trials) of this run" })
      .option("nested", { type: "boolean", default: false, describe: "Include child runs (grid trials); by default only top-level runs are listed" })
      .option("limit", { type: "number", describe: "At most this many runs" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object { runs: [...] }" })
      .example("$0 runs list --where \"metrics.silhouette > 0.3 and params.k >= 4\" --order-by \"metrics.silhouette DESC\"", "") as never,
  handler: (args) =>
    withOpenStore(args, (store) => {
      if (args.limit !== undefined && !(Number.isInteger(args.limit) && args.limit > 0)) throw new UserError(`--limit must be a whole number ≥ 1, got ${args.limit}`);
      const parentId = args.parent === undefined ? undefined : getRun(store, args.parent).id;
      const runs = searchRuns(store, { experiment: args.experiment, where: args.where, orderBy: args["order-by"], parentId, nested: args.nested, limit: args.limit });
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ store: store.path, runs: runs.map(runJson) })}\n`);
        return;
      }
      if (runs.length === 0) {
        process.stdout.write(`no runs match (store ${store.path})\n`);
        return;
      }
      const params = varyingParams(runs);
      const metrics = metricColumns(runs);
      const header = ["run", "experiment", "status", "started (UTC)", "duration", ...params, ...metrics];
      const rows = runs.map((r): Cell[] => [
        r.parentId ? `  ${r.id}` : r.id,
        r.experiment,
        r.status,
        formatTime(r.startTime),
        formatDuration(r.startTime, r.endTime),
        ...params.map((k) => asCell(r.params[k])),
        ...metrics.map((k) => r.metrics[k]),
      ]);
      process.stdout.write(renderTable(header, rows));
    }),
};

interface ShowArgs extends Common {
  run: string;
}

const show: CommandModule<object, ShowArgs> = {
  command: "show <run>",
  describe: "Everything recorded about one run (its id, or the last 8 characters of it)",
  builder: (y) =>
    withStore(y)
      .positional("run", { type: "string", demandOption: true, describe: "Run id" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object" }) as never,
  handler: (args) =>
    withOpenStore(args, (store) => {
      const run = getRun(store, args.run);
      const children = childRunIds(store, run.id);
      const versions = listModels(store).flatMap((m) => m.versions.filter((v) => v.runId === run.id));
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ ...runJson(run), children, registeredAs: versions.map((v) => ({ model: v.model, version: v.version, stage: v.stage })) })}\n`);
        return;
      }
      const kv = (k: string, v: string | null | undefined) => `  ${k.padEnd(14)}${v ?? "–"}`;
      const block = (title: string, entries: [string, string][]) =>
        entries.length === 0 ? [] : ["", title, ...entries.map(([k, v]) => `  ${k.padEnd(Math.max(14, ...entries.map(([key]) => key.length + 2)))}${v}`)];
      const lines = [
        `run ${run.id}`,
        kv("experiment", run.experiment),
        kv("status", run.status),
        ...(run.error ? [kv("error", run.error)] : []),
        ...(run.parentId ? [kv("parent", run.parentId)] : []),
        ...(children.length ? [kv("child runs", String(children.length))] : []),
        kv("started", `${formatTime(run.startTime)} UTC`),
        kv("ended", run.endTime === null ? "–" : `${formatTime(run.endTime)} UTC (${formatDuration(run.startTime, run.endTime)})`),
        kv("run dir", run.runDir),
        kv("input hash", run.inputHash),
        kv("tool", `custseg ${run.toolVersion}`),
        kv("process", run.pid === null ? null : `${run.pid} on ${run.host}`),
        ...(versions.length ? [kv("registered", versions.map((v) => `${v.model} v${v.version} (${v.stage})`).join(", "))] : []),
        ...block("params", Object.entries(run.params)),
        ...block("metrics", Object.entries(run.metrics).map(([k, v]) => [k, formatNumber(v)] as [string, string])),
        ...block("tags", Object.entries(run.tags)),
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    }),
};

interface CompareArgs extends Common {
  runs: string[];
}

const compare: CommandModule<object, CompareArgs> = {
  command: "compare <runs..>",
  describe: "Two or more runs' parameters and metrics side by side; rows that differ are marked with *",
  builder: (y) =>
    withStore(y)
      // The CLI makes a repeated flag take its last value, which would also collapse this list to its last id.
      .parserConfiguration({ "duplicate-arguments-array": true })
      .positional("runs", { type: "string", array: true, demandOption: true, describe: "Run ids" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object { runs, rows: [{ key, values, differs }] }" }) as never,
  handler: (args) =>
    withOpenStore(args, (store) => {
      const ids = args.runs.map(String);
      if (ids.length < 2) throw new UserError("runs compare needs two or more run ids");
      const runs = ids.map((id) => getRun(store, id));
      const keys = (pick: (r: RunRecord) => Record<string, unknown>) => [...new Set(runs.flatMap((r) => Object.keys(pick(r))))].sort();
      const rows: { key: string; values: (string | number | null)[] }[] = [
        { key: "experiment", values: runs.map((r) => r.experiment) },
        { key: "status", values: runs.map((r) => r.status) },
        { key: "input_hash", values: runs.map((r) => r.inputHash) },
        { key: "tool_version", values: runs.map((r) => r.toolVersion) },
        ...keys((r) => r.params).map((k) => ({ key: `params.${k}`, values: runs.map((r) => r.params[k] ?? null) })),
        ...keys((r) => r.metrics).map((k) => ({ key: `metrics.${k}`, values: runs.map((r) => r.metrics[k] ?? null) })),
      ];
      const marked = rows.map((row) => ({ ...row, differs: new Set(row.values.map((v) => JSON.stringify(v))).size > 1 }));
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ runs: runs.map((r) => r.id), rows: marked })}\n`);
        return;
      }
      const header = ["", "", ...runs.map((r) => r.id)];
      const table = marked.map((row): Cell[] => [row.differs ? "*" : "", row.key, ...row.values.map((v) => (typeof v === "string" ? asCell(v) : v))]);
      const differing = marked.filter((r) => r.differs).length;
      process.stdout.write(`${renderTable(header, table)}\n${differing} of ${marked.length} rows differ (marked *)\n`);
    }),
};

interface DeleteArgs extends Common {
  run: string;
  purge: boolean;
}

const del: CommandModule<object, DeleteArgs> = {
  command: "delete <run>",
  describe: "Delete a run (and its child runs) from the store; --purge also removes its run directory. Refused while a model version points at it",
  builder: (y) =>
    withStore(y)
      .positional("run", { type: "string", demandOption: true, describe: "Run id" })
      .option("purge", { type: "boolean", default: false, describe: "Also remove the run directory (and those of child runs)" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object { deleted, removedDirs }" }) as never,
  handler: (args) =>
    withOpenStore(args, async (store) => {
      const target = getRun(store, args.run);
      // Check every directory before deleting anything, so a refusal leaves the store as it was.
      const dirs = args.purge ? purgeableDirs(store, target) : [];
      const deleted = deleteRun(store, target.id);
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ deleted: deleted.map((r) => r.id), removedDirs: dirs })}\n`);
        return;
      }
      const children = deleted.length - 1;
      const kept = deleted.map((r) => r.runDir).filter((d): d is string => d !== null);
      process.stdout.write(
        `deleted run ${target.id}${children ? ` and its ${children} child run${children > 1 ? "s" : ""}` : ""}` +
          (args.purge ? (dirs.length ? `; removed ${dirs.join(", ")}` : "; no run directory to remove") : kept.length ? `; run directory kept: ${kept.join(", ")} (--purge removes it)` : "") +
          "\n",
      );
    }),
};

/**
 * The run directories --purge may remove: existing ones only, and never one that contains the
 * working directory or the store itself (a run recorded with --out . must not take the project with it).
 */
function purgeableDirs(store: Store, run: RunRecord): string[] {
  const family = [run, ...childRunIds(store, run.id).map((id) => getRun(store, id))];
  const dirs = [...new Set(family.map((r) => r.runDir).filter((d): d is string => d !== null && existsSync(d)))];
  const contains = (dir: string, path: string) => {
    const rel = relative(dir, path);
    return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
  };
  for (const dir of dirs) {
    if (contains(dir, process.cwd()) || contains(dir, store.path)) {
      throw new UserError(`--purge: the run directory ${dir} contains the working directory or the run store; remove it by hand`);
    }
  }
  return dirs;
}

const command: CommandModule = {
  builder: (y: Argv) => y.command(list).command(show).command(compare).command(del).demandCommand(1, "Name a runs command: list, show, compare or delete."),
  handler: () => {},
};

export default command;
