// custseg model register|promote|alias|list|resolve: the model registry. Wording and layout only;
// the rules (finished runs only, one version per stage, alias names) live in src/store/registry.ts.
import type { Argv, CommandModule } from "yargs";
import { UserError } from "../../errors.js";
import {
  closeStore,
  listModels,
  type ModelVersion,
  modelHistory,
  openStore,
  PROMOTION_STAGES,
  parseStage,
  reapStaleRuns,
  registerModel,
  resolveModelRef,
  type Store,
  setAlias,
  storePath,
  transitionStage,
} from "../../store/index.js";
import { withStore } from "../store-option.js";
import { type Cell, formatTime, renderTable } from "../table.js";

interface Common {
  store?: string;
  json: boolean;
  reason?: string;
}

async function withOpenStore<T>(args: { store?: string }, create: boolean, fn: (store: Store) => T): Promise<T> {
  const store = openStore(storePath(args.store), { create });
  try {
    reapStaleRuns(store);
    return fn(store);
  } finally {
    closeStore(store);
  }
}

function versionNumber(text: unknown): number {
  const s = String(text);
  if (!/^\d+$/.test(s) || Number(s) < 1) throw new UserError(`a model version is a whole number ≥ 1, got '${s}'`);
  return Number(s);
}

const versionJson = (v: ModelVersion) => ({ ...v, createdAt: new Date(v.createdAt).toISOString() });

function printVersion(args: Common, v: ModelVersion, what: string): void {
  process.stdout.write(args.json ? `${JSON.stringify(versionJson(v))}\n` : `${what}: ${v.model} version ${v.version} (${v.stage}${v.aliases.length ? `; ${v.aliases.map((a) => `@${a}`).join(" ")}` : ""}) → run ${v.runId}\n`);
}

const reasonOption = { type: "string", describe: "Why; recorded in the model's history" } as const;
const jsonOption = { type: "boolean", default: false, describe: "Print one JSON object" } as const;

interface RegisterArgs extends Common {
  run: string;
  name: string;
}

const register: CommandModule<object, RegisterArgs> = {
  command: "register <run>",
  describe: "Register a finished run's model.json as the next version of a model",
  builder: (y) =>
    withStore(y)
      .positional("run", { type: "string", demandOption: true, describe: "Run id" })
      .option("name", { type: "string", demandOption: true, describe: "Model name (created on first use)" })
      .option("reason", reasonOption)
      .option("json", jsonOption) as never,
  handler: (args) => withOpenStore(args, false, (store) => printVersion(args, registerModel(store, args.run, args.name, { reason: args.reason }), "registered")),
};

// The version positional is called "number": yargs reserves "version" for --version.
interface PromoteArgs extends Common {
  name: string;
  number: string;
  stage: string;
}

const promote: CommandModule<object, PromoteArgs> = {
  command: "promote <name> <number>",
  describe: "Move a version to staging, production or archived; the version that held staging or production before is archived",
  builder: (y) =>
    withStore(y)
      .positional("name", { type: "string", demandOption: true })
      .positional("number", { type: "string", demandOption: true, describe: "Version number" })
      .option("stage", { type: "string", demandOption: true, describe: "staging, production or archived (any case)" })
      .option("reason", reasonOption)
      .option("json", jsonOption) as never,
  handler: (args) =>
    withOpenStore(args, false, (store) => {
      const stage = parseStage(args.stage, PROMOTION_STAGES);
      printVersion(args, transitionStage(store, args.name, versionNumber(args.number), stage, { reason: args.reason }), "promoted");
    }),
};

interface AliasArgs extends Common {
  name: string;
  alias: string;
  number: string;
}

const alias: CommandModule<object, AliasArgs> = {
  command: "alias <name> <alias> <number>",
  describe: "Point an alias (models:/NAME@ALIAS) at a version, moving it from any other",
  builder: (y) =>
    withStore(y)
      .positional("name", { type: "string", demandOption: true })
      .positional("alias", { type: "string", demandOption: true })
      .positional("number", { type: "string", demandOption: true, describe: "Version number" })
      .option("reason", reasonOption)
      .option("json", jsonOption) as never,
  handler: (args) => withOpenStore(args, false, (store) => printVersion(args, setAlias(store, args.name, String(args.alias), versionNumber(args.number), { reason: args.reason }), "aliased")),
};

interface ListArgs extends Common {
  name?: string;
}

const list: CommandModule<object, ListArgs> = {
  command: "list [name]",
  describe: "Registered models; with a name, its versions and their history",
  builder: (y) =>
    withStore(y)
      .positional("name", { type: "string", describe: "One model" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object { models: [...] } (with history for one model)" }) as never,
  handler: (args) =>
    withOpenStore(args, false, (store) => {
      const models = listModels(store, args.name);
      if (args.json) {
        const history = args.name !== undefined ? { history: modelHistory(store, args.name).map((e) => ({ ...e, at: new Date(e.at).toISOString() })) } : {};
        process.stdout.write(`${JSON.stringify({ models: models.map((m) => ({ ...m, createdAt: new Date(m.createdAt).toISOString(), versions: m.versions.map(versionJson) })), ...history })}\n`);
        return;
      }
      if (models.length === 0) {
        process.stdout.write(`no registered models (store ${store.path})\n`);
        return;
      }
      if (args.name === undefined) {
        const inStage = (vs: ModelVersion[], s: string) => vs.find((v) => v.stage === s)?.version ?? null;
        const rows = models.map((m): Cell[] => [m.name, m.versions.length, m.versions[0]?.version ?? null, inStage(m.versions, "staging"), inStage(m.versions, "production"), m.versions.flatMap((v) => v.aliases.map((a) => `@${a}=${v.version}`)).join(" ")]);
        process.stdout.write(renderTable(["model", "versions", "latest", "staging", "production", "aliases"], rows));
        return;
      }
      const [model] = models;
      const rows = model!.versions.map((v): Cell[] => [v.version, v.stage, v.aliases.map((a) => `@${a}`).join(" "), v.runId, formatTime(v.createdAt)]);
      const history = modelHistory(store, model!.name).map((e) => {
        const what = e.kind === "registered" ? `registered from run ${e.to}` : e.kind === "stage" ? `${e.from} → ${e.to}` : `alias @${e.to}${e.from ? ` (was ${e.from})` : ""}`;
        return `  ${formatTime(e.at)}  v${e.version}  ${what}${e.reason ? `  — ${e.reason}` : ""}`;
      });
      process.stdout.write(`${renderTable(["version", "stage", "aliases", "run", "registered (UTC)"], rows)}\nhistory\n${history.join("\n")}\n`);
    }),
};

interface ResolveArgs extends Common {
  ref: string;
}

const resolveCmd: CommandModule<object, ResolveArgs> = {
  command: "resolve <ref>",
  describe: "The model.json a reference names: models:/NAME/STAGE, models:/NAME/VERSION, models:/NAME@ALIAS or a path",
  builder: (y) =>
    withStore(y)
      .positional("ref", { type: "string", demandOption: true })
      .option("json", jsonOption) as never,
  handler: (args) => {
    // A path needs no store; only models:/ references open it.
    const resolved = resolveModelRef(storePath(args.store), args.ref);
    process.stdout.write(args.json ? `${JSON.stringify({ path: resolved.path, ...(resolved.version ? { version: versionJson(resolved.version) } : {}) })}\n` : `${resolved.path}\n`);
  },
};

const command: CommandModule = {
  builder: (y: Argv) => y.command(register).command(promote).command(alias).command(list).command(resolveCmd).demandCommand(1, "Name a model command: register, promote, alias, list or resolve."),
  handler: () => {},
};

export default command;
