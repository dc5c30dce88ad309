// Opening the run store: where it lives, telling a custseg store from any other file, migrating it,
// and turning SQLite's lock and format errors into one line the user can act on.
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import type Database from "better-sqlite3";
import { OptionHintError, UserError } from "../errors.js";
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from "./schema.js";

export const DEFAULT_STORE = "custseg.db";

// The native addon is loaded on the first open, not on import: most commands never touch the store.
const requireAddon = createRequire(import.meta.url);

/**
 * The addon where better-sqlite3's install puts it (build/Release), handed to it directly: its own
 * lookup (the `bindings` package) finds its package from a stack trace and tries a dozen paths,
 * some milliseconds of every command that opens the store. Where a build the lookup would prefer
 * exists (build/ or build/Debug/), or none is in build/Release, the lookup decides as before.
 */
function addonFile(): string | undefined {
  try {
    const file = requireAddon.resolve("better-sqlite3/build/Release/better_sqlite3.node");
    const build = dirname(dirname(file));
    if (existsSync(join(build, "better_sqlite3.node")) || existsSync(join(build, "Debug", "better_sqlite3.node"))) return undefined;
    return file;
  } catch {
    return undefined;
  }
}

/** Writers wait this long for another process's write to finish before giving up with one line. */
const DEFAULT_BUSY_MS = 5000;

export interface Store {
  readonly db: Database.Database;
  /** Absolute path of the database file. */
  readonly path: string;
  readonly busyMs: number;
  /** Runs this process started and has not ended yet; marked ended if the process exits first. */
  readonly openRuns: Set<string>;
  /** Prepared statements by SQL text (see stmt). */
  readonly statements: Map<string, Database.Statement>;
}

export interface OpenOptions {
  /** Create the file when absent (writers); readers report a missing store instead. */
  create?: boolean;
  busyMs?: number;
}

/** The store path: `--store`, else CUSTSEG_STORE, else custseg.db in the working directory, beside runs/. */
export function storePath(flag?: string): string {
  return flag || process.env.CUSTSEG_STORE || DEFAULT_STORE;
}

/**
 * Opens (creating if asked) and migrates the store. A file that is not SQLite, an SQLite file of
 * another application, or a store written by a newer custseg is refused before anything is written.
 */
export function openStore(file: string, opts: OpenOptions = {}): Store {
  const path = resolve(file);
  const busyMs = opts.busyMs ?? busyFromEnv() ?? DEFAULT_BUSY_MS;
  const exists = existsSync(path);
  if (!exists && !opts.create) {
    throw new OptionHintError((n) => `no run store at ${path} (custseg run creates it; ${n("store")} or CUSTSEG_STORE name another file)`, { input: path });
  }
  if (exists) checkHeader(path);
  const store = guard({ path, busyMs } as Store, () => {
    const Sqlite = requireAddon("better-sqlite3") as typeof Database;
    const nativeBinding = addonFile();
    const db = new Sqlite(path, { timeout: busyMs, ...(nativeBinding ? { nativeBinding } : {}) });
    try {
      prepare(db, path);
    } catch (err) {
      db.close();
      throw err;
    }
    return { db, path, busyMs, openRuns: new Set<string>(), statements: new Map() };
  });
  return store;
}

function busyFromEnv(): number | undefined {
  const v = Number(process.env.CUSTSEG_STORE_BUSY_MS);
  return Number.isFinite(v) && v >= 0 && process.env.CUSTSEG_STORE_BUSY_MS !== "" ? v : undefined;
}

/** SQLite files begin with these 16 bytes; anything else is refused without opening it for writing. */
function checkHeader(path: string): void {
  if (!statSync(path).isFile()) throw new UserError(`${path} is not a custseg run store (it is a directory)`);
  const head = Buffer.alloc(16);
  const fd = openSync(path, "r");
  let n: number;
  try {
    n = readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  // An empty file is what SQLite itself creates before the first write: accept it.
  if (n > 0 && head.toString("latin1") !== "SQLite format 3\0") {
    throw new OptionHintError((n) => `${path} is not a custseg run store (not an SQLite database); name another file with ${n("store")}`, { input: path });
  }
}

function prepare(db: Database.Database, path: string): void {
  // Read in one transaction, so from one snapshot: another process creating the store meanwhile
  // commits its tables and its application id together, and is seen with both or neither.
  const { version, appId, tables } = db.transaction(() => ({
    version: db.pragma("user_version", { simple: true }) as number,
    appId: db.pragma("application_id", { simple: true }) as number,
    tables: (db.prepare("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number }).n,
  }))();
  if (appId !== APPLICATION_ID && (appId !== 0 || tables > 0)) {
    throw new OptionHintError((n) => `${path} is an SQLite database of another application, not a custseg run store; name another file with ${n("store")}`, { input: path });
  }
  if (version > SCHEMA_VERSION) {
    throw new UserError(`${path} was written by a newer custseg (store schema ${version}; this custseg reads up to ${SCHEMA_VERSION}); upgrade custseg`);
  }
  // WAL lets readers proceed while one process writes; NORMAL sync is durable enough in WAL mode.
  if (db.pragma("journal_mode", { simple: true }) !== "wal") db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  if (version < SCHEMA_VERSION) migrate(db, path);
}

function migrate(db: Database.Database, path: string): void {
  db.transaction(() => {
    // Read again inside the write lock: another process may have migrated since we looked.
    const current = db.pragma("user_version", { simple: true }) as number;
    if (current > SCHEMA_VERSION) throw new UserError(`${path} was written by a newer custseg (store schema ${current}); upgrade custseg`);
    for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/**
 * Runs `fn` and words SQLite's errors: a lock held past the busy timeout, a file that is not a
 * database, a read-only or unopenable file. Anything else is a fault and passes through.
 */
export function guard<T>(store: Pick<Store, "path" | "busyMs">, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    const where = store.path;
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
      throw new UserError(`the run store ${where} stayed locked by another custseg process for ${(store.busyMs / 1000).toFixed(1)} s; try again when it has finished`);
    }
    if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) {
      throw new OptionHintError((n) => `${where} is not a custseg run store (not a valid SQLite database); name another file with ${n("store")}`, { input: where });
    }
    if (code.startsWith("SQLITE_READONLY")) throw new OptionHintError((n) => `the run store ${where} is read-only; name a writable file with ${n("store")}`, { input: where });
    if (code.startsWith("SQLITE_CANTOPEN")) throw new OptionHintError((n) => `cannot open the run store ${where}; name another file with ${n("store")}`, { input: where });
    throw err;
  }
}

/** One write transaction that takes the write lock up front (BEGIN IMMEDIATE), so the busy timeout applies. */
export function write<T>(store: Store, fn: () => T): T {
  return guard(store, () => store.db.transaction(fn).immediate());
}

/** Reads; in WAL mode they never wait for a writer, but the file may still turn out to be damaged. */
export function read<T>(store: Store, fn: () => T): T {
  return guard(store, fn);
}

/** Distinct statements kept per store; past it the cache starts afresh (search SQL varies with its filter). */
const MAX_STATEMENTS = 256;

/**
 * The prepared statement for `sql`, compiled once per store: preparing costs more than running a
 * short statement, and a grid records thousands of rows. Statements are run with get/all/run only,
 * never iterated, so one shared statement cannot be busy when it is needed again.
 */
export function stmt(store: Store, sql: string): Database.Statement {
  let s = store.statements.get(sql);
  if (!s) {
    if (store.statements.size >= MAX_STATEMENTS) store.statements.clear();
    s = store.db.prepare(sql);
    store.statements.set(sql, s);
  }
  return s;
}

export function closeStore(store: Store): void {
  if (store.db.open) store.db.close();
}
