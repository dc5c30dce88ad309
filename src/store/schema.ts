// The store's schema as an ordered list of migrations. Version N is MIGRATIONS[N - 1]; the file's
// PRAGMA user_version says how many have been applied. Migrations are append-only: a released one is
// never edited, a change is a new entry, so every store upgrades along the same path.

/** Marks the file as a custseg store ("cseg"), so a foreign SQLite file is told apart from ours. */
export const APPLICATION_ID = 0x63736567;

export const MIGRATIONS: readonly string[] = [
  // 1: experiments, runs with their parameters, metrics and tags; the model registry.
  `
  CREATE TABLE experiments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    parent_id TEXT REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'killed')),
    start_time INTEGER NOT NULL,
    end_time INTEGER,
    input_hash TEXT,
    tool_version TEXT NOT NULL,
    run_dir TEXT,
    pid INTEGER,
    host TEXT,
    error TEXT
  );
  CREATE INDEX runs_by_experiment ON runs(experiment_id, start_time);
  CREATE INDEX runs_by_parent ON runs(parent_id);
  CREATE INDEX runs_running ON runs(host) WHERE status = 'running';
  CREATE TABLE params (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    num REAL,
    PRIMARY KEY (run_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE metrics (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (run_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE tags (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE registered_models (
    name TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE model_versions (
    model TEXT NOT NULL REFERENCES registered_models(name),
    version INTEGER NOT NULL,
    run_id TEXT NOT NULL REFERENCES runs(id),
    model_path TEXT NOT NULL,
    stage TEXT NOT NULL DEFAULT 'none' CHECK (stage IN ('none', 'staging', 'production', 'archived')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (model, version)
  );
  CREATE INDEX model_versions_by_run ON model_versions(run_id);
  CREATE TABLE model_aliases (
    model TEXT NOT NULL,
    alias TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (model, alias),
    FOREIGN KEY (model, version) REFERENCES model_versions(model, version)
  );
  CREATE TABLE model_events (
    id INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('registered', 'stage', 'alias')),
    from_value TEXT,
    to_value TEXT,
    at INTEGER NOT NULL,
    reason TEXT
  );
  CREATE INDEX model_events_by_model ON model_events(model, version, id);
  `,
  // 2: when the run's process started (ms since the epoch, where the OS tells), so a pid taken
  // over by a later process is not mistaken for the run's own.
  `
  ALTER TABLE runs ADD COLUMN pid_start INTEGER;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
