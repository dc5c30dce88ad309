// `custseg gc`: removes what nothing kept refers to. Kept: the step outputs custseg.lock names, the
// newest --keep-last runs (all runs without it) and the outputs they used, every run directory a
// registered model version points at, and the newest --keep-last rotated prediction logs.
import { dirname, resolve } from "node:path";
import { listArtifacts, listRunRecords, removeTree, rotatedFiles } from "../../io/artifacts.js";
import { readLock } from "./graph/lock.js";

export interface GcOptions {
  artifacts: string;
  lock: string;
  keepLast?: number;
  /** Run directories registered model versions point at (absolute paths): never removed. */
  registered: ReadonlySet<string>;
  /** serve's --log: its rotated copies beyond --keep-last are removed. */
  predictionLog?: string;
}

export interface GcResult {
  artifactsRemoved: number;
  artifactsKept: number;
  runsRemoved: string[];
  logsRemoved: string[];
  bytesFreed: number;
}

export async function gcJob(o: GcOptions): Promise<GcResult> {
  const lock = await readLock(o.lock);
  const records = await listRunRecords(o.artifacts);
  const keep = new Set<string>(Object.values(lock?.steps ?? {}).map((s) => s!.key));
  const result: GcResult = { artifactsRemoved: 0, artifactsKept: 0, runsRemoved: [], logsRemoved: [], bytesFreed: 0 };
  for (const [i, record] of records.entries()) {
    const registered = o.registered.has(resolve(record.runDir));
    if (o.keepLast === undefined || i < o.keepLast || registered) {
      for (const key of record.keys) keep.add(key);
      continue;
    }
    result.bytesFreed += (await removeTree(record.runDir)) + (await removeTree(record.path));
    result.runsRemoved.push(record.runDir);
  }
  for (const a of await listArtifacts(o.artifacts)) {
    if (keep.has(a.key)) {
      result.artifactsKept++;
      continue;
    }
    result.bytesFreed += await removeTree(resolve(o.artifacts, a.key));
    result.artifactsRemoved++;
  }
  if (o.predictionLog && o.keepLast !== undefined) {
    for (const f of await rotatedFiles(o.predictionLog)) {
      if (f.n <= o.keepLast) continue;
      result.bytesFreed += await removeTree(f.path);
      result.logsRemoved.push(f.path);
    }
  }
  return result;
}

/** The run directories registered model versions point at, from the run store (none without one). */
export async function registeredRunDirs(storeFile: string): Promise<Set<string>> {
  const { existsSync } = await import("node:fs");
  if (!existsSync(storeFile)) return new Set();
  const { closeStore, listModels, openStore } = await import("../../store/index.js");
  const store = openStore(storeFile, { create: false });
  try {
    return new Set(listModels(store).flatMap((m) => m.versions.map((v) => resolve(dirname(v.modelPath)))));
  } finally {
    closeStore(store);
  }
}
