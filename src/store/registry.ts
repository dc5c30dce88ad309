// The model registry: named models, numbered versions that each point at a finished run's
// model.json, one version per stage (MLflow's archive_existing_versions), aliases, and a history
// of every registration, stage transition and alias move with its time and reason.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { read, type Store, stmt, write } from "./open.js";
import { getRun } from "./runs.js";

export type Stage = "none" | "staging" | "production" | "archived";
export const STAGES: readonly Stage[] = ["none", "staging", "production", "archived"];
/** Stages a version can be promoted to; "none" is only where a version starts. */
export const PROMOTION_STAGES: readonly Stage[] = ["staging", "production", "archived"];

export interface ModelVersion {
  model: string;
  version: number;
  runId: string;
  /** Absolute path of the version's model.json. */
  modelPath: string;
  stage: Stage;
  createdAt: number;
  aliases: string[];
}

export interface ModelEvent {
  model: string;
  version: number;
  kind: "registered" | "stage" | "alias";
  from: string | null;
  to: string | null;
  at: number;
  reason: string | null;
}

export interface RegisteredModel {
  name: string;
  createdAt: number;
  versions: ModelVersion[];
}

/** Stage names are case-insensitive (Production, PRODUCTION, production). */
export function parseStage(text: string, allowed: readonly Stage[] = STAGES): Stage {
  const stage = text.toLowerCase() as Stage;
  if (!allowed.includes(stage)) throw new UserError(`unknown stage '${text}'; use one of ${allowed.join(", ")}`);
  return stage;
}

function checkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    throw new UserError(`model name '${name}' must start with a letter or digit and use only letters, digits, '_', '.' and '-'`);
  }
}

export interface RegisterOptions {
  /** The model.json to register; default <run dir>/model.json. */
  modelPath?: string;
  reason?: string;
  now?: Date;
}

/**
 * Registers a finished run as the next version of a model (created on first use). A run that is
 * running, failed or killed, or whose model.json is missing, is refused.
 */
export function registerModel(store: Store, runRef: string, name: string, opts: RegisterOptions = {}): ModelVersion {
  checkName(name);
  const run = getRun(store, runRef);
  if (run.status !== "finished") throw new UserError(`run ${run.id} is ${run.status}; only a finished run can be registered`);
  const modelPath = resolve(opts.modelPath ?? (run.runDir ? join(run.runDir, "model.json") : ""));
  if (!opts.modelPath && !run.runDir) throw new UserError(`run ${run.id} has no run directory, so no model.json to register`);
  if (!existsSync(modelPath) || !statSync(modelPath).isFile()) throw new UserError(`run ${run.id}: ${modelPath} does not exist, so there is no model to register`);
  const at = (opts.now ?? new Date()).getTime();
  const version = write(store, () => {
    stmt(store, "INSERT INTO registered_models (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING").run(name, at);
    const { next } = stmt(store, "SELECT coalesce(max(version), 0) + 1 AS next FROM model_versions WHERE model = ?").get(name) as { next: number };
    stmt(store, "INSERT INTO model_versions (model, version, run_id, model_path, stage, created_at) VALUES (?, ?, ?, ?, 'none', ?)").run(name, next, run.id, modelPath, at);
    event(store, name, next, "registered", null, run.id, at, opts.reason);
    return next;
  });
  return getModelVersion(store, name, version);
}

export interface TransitionOptions {
  reason?: string;
  /** Move the versions now in the target stage to archived (MLflow's archive_existing_versions); default true. */
  archiveExisting?: boolean;
  now?: Date;
}

/**
 * Moves a version to a stage. Promoting to staging or production archives the version that held
 * that stage before, so each of those stages names one version; both moves are recorded.
 */
export function transitionStage(store: Store, name: string, version: number, stage: Stage, opts: TransitionOptions = {}): ModelVersion {
  const at = (opts.now ?? new Date()).getTime();
  write(store, () => {
    const current = getModelVersion(store, name, version);
    if (stage !== "archived" && stage !== "none" && opts.archiveExisting !== false) {
      const holders = stmt(store, "SELECT version FROM model_versions WHERE model = ? AND stage = ? AND version != ?").all(name, stage, version) as { version: number }[];
      for (const h of holders) {
        stmt(store, "UPDATE model_versions SET stage = 'archived' WHERE model = ? AND version = ?").run(name, h.version);
        event(store, name, h.version, "stage", stage, "archived", at, `version ${version} promoted to ${stage}`);
      }
    }
    stmt(store, "UPDATE model_versions SET stage = ? WHERE model = ? AND version = ?").run(stage, name, version);
    event(store, name, version, "stage", current.stage, stage, at, opts.reason);
  });
  return getModelVersion(store, name, version);
}

/** Points an alias (`models:/NAME@ALIAS`) at a version, moving it if it pointed elsewhere. */
export function setAlias(store: Store, name: string, alias: string, version: number, opts: { reason?: string; now?: Date } = {}): ModelVersion {
  // MLflow's rules: "latest" and v<number> would be read as versions, so they cannot be aliases.
  if (!/^[A-Za-z0-9_-]+$/.test(alias) || /^v\d+$/i.test(alias) || alias.toLowerCase() === "latest") {
    throw new UserError(`alias '${alias}' must use only letters, digits, '_' and '-', and cannot be 'latest' or v<number>`);
  }
  const at = (opts.now ?? new Date()).getTime();
  write(store, () => {
    getModelVersion(store, name, version);
    const before = stmt(store, "SELECT version FROM model_aliases WHERE model = ? AND alias = ?").get(name, alias) as { version: number } | undefined;
    stmt(store, "INSERT INTO model_aliases (model, alias, version) VALUES (?, ?, ?) ON CONFLICT(model, alias) DO UPDATE SET version = excluded.version").run(name, alias, version);
    event(store, name, version, "alias", before ? `${alias}@${before.version}` : null, alias, at, opts.reason);
  });
  return getModelVersion(store, name, version);
}

function event(store: Store, model: string, version: number, kind: ModelEvent["kind"], from: string | null, to: string | null, at: number, reason?: string): void {
  stmt(store, "INSERT INTO model_events (model, version, kind, from_value, to_value, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)").run(model, version, kind, from, to, at, reason ?? null);
}

const VERSION_COLUMNS = "v.model, v.version, v.run_id AS runId, v.model_path AS modelPath, v.stage, v.created_at AS createdAt";

type VersionRow = Omit<ModelVersion, "aliases">;

function withAliases(store: Store, rows: VersionRow[]): ModelVersion[] {
  const aliases = stmt(store, "SELECT alias FROM model_aliases WHERE model = ? AND version = ? ORDER BY alias");
  return rows.map((r) => ({ ...r, aliases: (aliases.all(r.model, r.version) as { alias: string }[]).map((a) => a.alias) }));
}

function mustHaveModel(store: Store, name: string): void {
  if (!stmt(store, "SELECT 1 FROM registered_models WHERE name = ?").get(name)) {
    throw new UserError(`no registered model '${name}' in ${store.path}`);
  }
}

export function getModelVersion(store: Store, name: string, version: number): ModelVersion {
  return read(store, () => {
    mustHaveModel(store, name);
    const row = stmt(store, `SELECT ${VERSION_COLUMNS} FROM model_versions v WHERE v.model = ? AND v.version = ?`).get(name, version) as VersionRow | undefined;
    if (!row) {
      const { n } = stmt(store, "SELECT max(version) AS n FROM model_versions WHERE model = ?").get(name) as { n: number | null };
      throw new UserError(`model '${name}' has no version ${version} (its versions are 1 to ${n ?? 0})`);
    }
    return withAliases(store, [row])[0]!;
  });
}

/** The version in a stage, or for "latest" the highest version; a clear error when there is none. */
export function versionInStage(store: Store, name: string, stage: Stage | "latest"): ModelVersion {
  return read(store, () => {
    mustHaveModel(store, name);
    const row = (
      stage === "latest"
        ? stmt(store, `SELECT ${VERSION_COLUMNS} FROM model_versions v WHERE v.model = ? ORDER BY v.version DESC LIMIT 1`).get(name)
        : stmt(store, `SELECT ${VERSION_COLUMNS} FROM model_versions v WHERE v.model = ? AND v.stage = ? ORDER BY v.version DESC LIMIT 1`).get(name, stage)
    ) as VersionRow | undefined;
    if (!row) throw new UserError(`model '${name}' has no version in ${stage}`);
    return withAliases(store, [row])[0]!;
  });
}

export function versionByAlias(store: Store, name: string, alias: string): ModelVersion {
  return read(store, () => {
    mustHaveModel(store, name);
    const hit = stmt(store, "SELECT version FROM model_aliases WHERE model = ? AND alias = ?").get(name, alias) as { version: number } | undefined;
    if (!hit) throw new UserError(`model '${name}' has no alias '${alias}'`);
    return getModelVersion(store, name, hit.version);
  });
}

/** Every registered model (or the one named) with its versions, newest version first. */
export function listModels(store: Store, name?: string): RegisteredModel[] {
  return read(store, () => {
    if (name !== undefined) mustHaveModel(store, name);
    const models = (name === undefined
      ? stmt(store, "SELECT name, created_at AS createdAt FROM registered_models ORDER BY name").all()
      : stmt(store, "SELECT name, created_at AS createdAt FROM registered_models WHERE name = ?").all(name)) as { name: string; createdAt: number }[];
    const versions = stmt(store, `SELECT ${VERSION_COLUMNS} FROM model_versions v WHERE v.model = ? ORDER BY v.version DESC`);
    return models.map((m) => ({ ...m, versions: withAliases(store, versions.all(m.name) as VersionRow[]) }));
  });
}

/** The history of a model (or one version), oldest first. */
export function modelHistory(store: Store, name: string, version?: number): ModelEvent[] {
  return read(store, () => {
    mustHaveModel(store, name);
    const cols = "model, version, kind, from_value AS \"from\", to_value AS \"to\", at, reason";
    return (version === undefined
      ? stmt(store, `SELECT ${cols} FROM model_events WHERE model = ? ORDER BY id`).all(name)
      : stmt(store, `SELECT ${cols} FROM model_events WHERE model = ? AND version = ? ORDER BY id`).all(name, version)) as ModelEvent[];
  });
}
