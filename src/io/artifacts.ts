// The artefact store: one directory per step output, named by the output's key (the hash of the
// step's inputs, parameters and code), holding the output's parts and a manifest with the sha256,
// size and modification time of each part. A directory is built in a temp sibling and renamed into
// place, so one that exists is complete. Parts are sha256-checked whenever they are read; an output
// a run only relies on (it reads nothing from it) is checked by size and modification time, which
// a deletion, truncation or edit in place changes.
import { createHash } from "node:crypto";
import { copyFile, link, open, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeDirAtomic, writeFileAtomic } from "./atomic.js";

const MANIFEST = "manifest.json";
const MANIFEST_FORMAT = "custseg-artifact/1";
const KEY = /^[0-9a-f]{64}$/;

export interface PartInfo {
  sha256: string;
  bytes: number;
  mtimeMs: number;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  step: string;
  key: string;
  createdAt: string;
  /** How long the step took to compute this output. */
  computeMs: number;
  parts: Record<string, PartInfo>;
}

/** Why a stored output cannot be used: the caller words it. */
export type ArtifactProblem = "missing" | "damaged";

export type ArtifactCheck = { manifest: Manifest } | { problem: ArtifactProblem; detail?: string };

export const artifactDir = (root: string, key: string) => join(root, key);

/**
 * A part that is already a file (the source cache's entry of a loaded table), with the sha256 of its
 * bytes as checked when it was read or written: linked in (copied where the file system cannot
 * link), not read or hashed again. Such a file is never written in place (a rebuilt entry is a new
 * file renamed over it); should it change all the same, the part fails its check like any damaged part.
 */
export interface FilePart {
  file: string;
  sha256: string;
}

/**
 * A part written as it is produced (an Arrow IPC file from its writer's chunks, which are views of
 * the table's buffers): hashed on the way, never joined into one copy in memory.
 */
export interface StreamPart {
  chunks(): AsyncIterable<Uint8Array>;
}

/** Writes the parts, then the manifest, into a temp directory renamed to `<root>/<key>`. */
export async function writeArtifact(root: string, step: string, key: string, parts: Record<string, Uint8Array | FilePart | StreamPart>, computeMs: number): Promise<Manifest> {
  const dir = artifactDir(root, key);
  let manifest: Manifest | undefined;
  try {
    await writeDirAtomic(dir, async (tmp) => {
      const info: Record<string, PartInfo> = {};
      for (const [name, part] of Object.entries(parts)) {
        const path = join(tmp, name);
        let sha256: string;
        if (part instanceof Uint8Array) {
          await writeFile(path, part);
          sha256 = sha256Hex(part);
        } else if ("chunks" in part) sha256 = await writeChunks(path, part.chunks());
        else {
          await linkOrCopy(part.file, path);
          sha256 = part.sha256;
        }
        const s = await stat(path);
        info[name] = { sha256, bytes: s.size, mtimeMs: Math.trunc(s.mtimeMs) };
      }
      manifest = { format: MANIFEST_FORMAT, step, key, createdAt: new Date().toISOString(), computeMs, parts: info };
      await writeFile(join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
    });
  } catch (err) {
    // Another process stored the same key meanwhile: same inputs, parameters and code, so the same output.
    const other = await checkArtifact(root, key);
    if ("manifest" in other) return other.manifest;
    throw err;
  }
  return manifest!;
}

/** A hard link to `file` at `path`, or a copy where that is not possible (another file system, no links). */
async function linkOrCopy(file: string, path: string): Promise<void> {
  try {
    await link(file, path);
  } catch {
    await copyFile(file, path);
  }
}

/** Writes the chunks in order to a new file; their sha256. */
async function writeChunks(path: string, chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash("sha256");
  const handle = await open(path, "w");
  try {
    for await (const chunk of chunks) {
      hash.update(chunk);
      for (let at = 0; at < chunk.length; ) at += (await handle.write(chunk, at, chunk.length - at)).bytesWritten;
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

/** The manifest, if the directory is complete and every part has the size and time it was written with. */
export async function checkArtifact(root: string, key: string): Promise<ArtifactCheck> {
  const dir = artifactDir(root, key);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST), "utf8")) as Manifest;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { problem: "missing" };
    return { problem: "damaged", detail: "unreadable manifest" };
  }
  if (manifest.format !== MANIFEST_FORMAT || manifest.key !== key || typeof manifest.parts !== "object") return { problem: "damaged", detail: "unreadable manifest" };
  for (const [name, part] of Object.entries(manifest.parts)) {
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (!s) return { problem: "damaged", detail: `${name} is missing` };
    if (s.size !== part.bytes || Math.trunc(s.mtimeMs) !== part.mtimeMs) return { problem: "damaged", detail: `${name} was changed` };
  }
  return { manifest };
}

export type ArtifactRead = { manifest: Manifest; parts: Record<string, Uint8Array> } | { problem: ArtifactProblem; detail?: string };

/** Every part (or only the parts named), each checked against the sha256 in the manifest. */
export async function readArtifact(root: string, key: string, only?: readonly string[]): Promise<ArtifactRead> {
  const checked = await checkArtifact(root, key);
  if (!("manifest" in checked)) return checked;
  const parts: Record<string, Uint8Array> = {};
  for (const [name, part] of Object.entries(checked.manifest.parts)) {
    if (only && !only.includes(name)) continue;
    const bytes = await readFile(join(artifactDir(root, key), name)).catch(() => undefined);
    if (!bytes || sha256Hex(bytes) !== part.sha256) return { problem: "damaged", detail: `${name} does not match its checksum` };
    parts[name] = bytes;
  }
  return { manifest: checked.manifest, parts };
}

/** Removes a stored output (a damaged one, before it is rebuilt). */
export async function removeArtifact(root: string, key: string): Promise<void> {
  await rm(artifactDir(root, key), { recursive: true, force: true });
}

export interface StoredArtifact {
  key: string;
  bytes: number;
  modified: Date;
}

/** The stored outputs under `root` (absent root: none), with their size on disk. */
export async function listArtifacts(root: string): Promise<StoredArtifact[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const found: StoredArtifact[] = [];
  for (const key of names) {
    if (!KEY.test(key)) continue;
    const dir = artifactDir(root, key);
    const s = await stat(dir).catch(() => undefined);
    if (!s?.isDirectory()) continue;
    found.push({ key, bytes: await directoryBytes(dir), modified: s.mtime });
  }
  return found;
}

export async function directoryBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += await directoryBytes(path);
    else total += (await stat(path).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** sha256 of a whole file, or undefined when it cannot be read. */
export async function fileSha256(path: string): Promise<string | undefined> {
  return (await readHashed(path))?.sha256;
}

/** A file read and hashed: its bytes are handed over once, to their one reader, and then no longer held. */
export interface HashedFile {
  sha256: string;
  take(): Uint8Array | undefined;
}

/** A file read and hashed, or undefined where it cannot be read (its reader says why). */
export async function readHashed(path: string): Promise<HashedFile | undefined> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  const sha256 = sha256Hex(bytes);
  return {
    sha256,
    take() {
      const taken = bytes;
      bytes = undefined;
      return taken;
    },
  };
}

/** A small text file (a lock, a run record), or undefined where there is none. */
export async function readOptionalText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

export interface RunRecord {
  /** The run's id (or its directory's name). */
  run: string;
  runDir: string;
  finishedAt: string;
  /** The keys of every step output the run used. */
  keys: string[];
}

const RUNS = "runs";

/** Which stored outputs a run used: what `custseg gc --keep-last` keeps. */
export async function writeRunRecord(root: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(join(root, RUNS, `${record.run}.json`), `${JSON.stringify(record, null, 1)}\n`);
}

/** The run records, newest first; unreadable ones are skipped. */
export async function listRunRecords(root: string): Promise<(RunRecord & { path: string })[]> {
  const dir = join(root, RUNS);
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: (RunRecord & { path: string })[] = [];
  for (const name of names) {
    if (!name.endsWith(".json")) continue;
    try {
      const r = JSON.parse(await readFile(join(dir, name), "utf8")) as RunRecord;
      if (Array.isArray(r.keys) && typeof r.finishedAt === "string") out.push({ ...r, path: join(dir, name) });
    } catch {
      // a record being written or damaged: it protects nothing
    }
  }
  return out.sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
}

/** Removes a file or directory tree; returns the bytes it held (0 when absent). */
export async function removeTree(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined);
  if (!s) return 0;
  const bytes = s.isDirectory() ? await directoryBytes(path) : s.size;
  await rm(path, { recursive: true, force: true });
  return bytes;
}

/** Rotated copies of a log (`F.1`, `F.2`, …) beside it, by number. */
export async function rotatedFiles(path: string): Promise<{ path: string; n: number }[]> {
  const dir = dirname(path);
  const base = basename(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((name) => ({ name, n: name.startsWith(`${base}.`) ? Number(name.slice(base.length + 1)) : Number.NaN }))
    .filter((f) => Number.isInteger(f.n) && f.n > 0)
    .map((f) => ({ path: join(dir, f.name), n: f.n }))
    .sort((a, b) => a.n - b.n);
}
