// loadTransactions: any supported source → the transactions table (see schema.ts), choosing the
// reader by file extension, applying column aliases and the user's map, and caching the result.
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { extname } from "node:path";
import type { Table } from "apache-arrow";
import { UserError } from "../errors.js";
import { sha256Hex } from "./artifacts.js";
import { readInputFile } from "./files.js";
import type { CacheProblem } from "./cache.js";
import { CACHE_MIN_SOURCE_BYTES, DEFAULT_CACHE_DIR } from "./cache-defaults.js";
import { cachePath, readEntryBytes } from "./cache-entry.js";
import type { ColumnMap } from "./columns.js";
import { type GeneratedMark, markOf } from "./generated-mark.js";
import { checkTextFormat, nonDefaultFormat, type TextFormat } from "./text-format.js";
import type { Decoders } from "./parquet-pool.js";

export type SourceFormat = "zip" | "xlsx" | "csv" | "tsv" | "parquet" | "arrow";

const FORMATS: Record<string, SourceFormat> = {
  ".zip": "zip",
  ".xlsx": "xlsx",
  ".csv": "csv",
  ".tsv": "tsv",
  ".parquet": "parquet",
  ".arrow": "arrow",
  ".feather": "arrow",
  ".ipc": "arrow",
};

export interface LoadOptions extends TextFormat {
  /** Text encoding of a CSV/TSV source (e.g. utf8, windows-1252); detected when absent. */
  encoding?: string;
  /** Source column → transactions column, on top of the known aliases. */
  map?: ColumnMap;
  /** Where parsed sources are cached as Arrow IPC; false disables the cache. Default data/cache. */
  cacheDir?: string | false;
  /** Sources smaller than this many bytes are not cached; default CACHE_MIN_SOURCE_BYTES (2 MiB). */
  cacheMinBytes?: number;
  /** Progress notes (cache hits); the CLI sends them to stderr. */
  log?: (msg: string) => void;
  limits?: InputLimits;
  /** Threads reading a Parquet source (default: the cores): its row groups decode on threads − 1 workers, at least one. */
  threads?: number;
  /** Stops a Parquet read between batches; the load then throws the signal's reason. */
  signal?: AbortSignal;
  /**
   * The source's sha256 where the caller has just hashed it (a run's step keys): a cache entry
   * under it serves the table without the source being read and hashed again. A source read all
   * the same must still have it: one changed in between is an error, not a table under another hash.
   */
  sha256?: string;
  /** With sha256: the source's bytes as the caller read and hashed them, parsed as they are rather than read again. */
  bytes?: Uint8Array;
}

/** Resource bounds on reading a source; each defaults where it is enforced (zip.ts, xlsx.ts). */
export interface InputLimits {
  /** Bound on the workbook inflated out of a .zip source. */
  maxInflatedBytes?: number;
  /** Time and memory limits of the workbook reader (.xlsx, .zip). */
  xlsxTimeoutMs?: number;
  xlsxMaxMemoryMb?: number;
  /** Bound on the lines of a Parquet or Arrow source (default DEFAULT_MAX_ROWS). */
  maxRows?: number;
}

export interface LoadedTransactions {
  table: Table;
  /** sha256 (hex) of the source file's bytes. */
  sha256: string;
  fromCache: boolean;
  path: string;
  format: SourceFormat;
  /** Present when the source was written by `custseg generate` (its mark: see generated-mark.ts). */
  generated?: GeneratedMark;
  /** The cache entry the table was read from or written to (an Arrow IPC file of it), with its sha256. */
  cacheEntry?: { file: string; sha256: string };
}

export function sourceFormat(path: string): SourceFormat {
  const ext = extname(path).toLowerCase();
  const format = FORMATS[ext];
  if (!format) {
    throw new UserError(
      `${path}: unsupported file type "${ext || "(none)"}"; expected one of ${Object.keys(FORMATS).join(", ")}`,
    );
  }
  return format;
}

export async function loadTransactions(input: string, opts: LoadOptions = {}): Promise<LoadedTransactions> {
  const format = sourceFormat(input);
  checkTextFormat(opts);
  const known = opts.sha256 !== undefined && /^[0-9a-f]{64}$/.test(opts.sha256) ? opts.sha256 : undefined;
  const given = known ? opts.bytes : undefined;
  if (known) {
    const hit = await fromKnownEntry(input, format, known, opts, given?.length);
    if (hit) return hit;
  }
  // A Parquet source's decoder threads start while the file is read and hashed (see parquet-pool.ts),
  // unless a cache entry may serve it (known once the hash is), or the file cannot be read at all
  // (said before anything else loads).
  const bootDecoders = () => import("./parquet.js").then((p) => p.bootParquetDecoders(input, { threads: opts.threads, signal: opts.signal }));
  let decoders = format === "parquet" && opts.cacheDir === false && (given || readable(input)) ? bootDecoders() : undefined;
  try {
    // The cache and the readers load once the bytes are in (or, for the decoders above, once the file
    // is known to be readable): an input that cannot be read is said in a blink.
    const bytes = given ?? (await readInputFile(input));
    const sha256 = given ? known! : sha256Hex(bytes);
    if (known && sha256 !== known) throw new UserError(`${input} changed while the command was starting; run it again`, 1, { input });
    const cached = entryPath(format, bytes.length, sha256, opts);
    if (format === "parquet" && !(cached && existsSync(cached))) decoders ??= bootDecoders();
    if (cached) {
      const hit = await fromEntry(cached, readEntryBytes(cached), input, format, sha256, opts);
      if (hit) return hit;
    }
    // The read owns the decoders from here, and ends them whichever way it ends.
    const started = decoders;
    decoders = undefined;
    const table = await parseSource(bytes, input, format, opts, started);
    const loaded: LoadedTransactions = { table, sha256, fromCache: false, path: input, format, generated: markOf(table) };
    if (cached) {
      const { writeCached } = await import("./cache.js");
      loaded.cacheEntry = { file: cached, sha256: await writeCached(cached, table) };
      opts.log?.(`cached the parsed table as ${cached}`);
    }
    return loaded;
  } finally {
    // Started and not used: the source failed to read, or the cache served it.
    decoders?.then(
      (d) => d.close(),
      () => {},
    );
  }
}

/**
 * The cache entry of a source of `bytes` bytes with this sha256, or undefined where it is not
 * cached: Arrow IPC sources are read as fast as a cache entry would be, and small sources parse
 * faster than an entry is verified.
 */
function entryPath(format: SourceFormat, bytes: number, sha256: string, opts: LoadOptions): string | undefined {
  const small = bytes < (opts.cacheMinBytes ?? CACHE_MIN_SOURCE_BYTES);
  const cacheDir = format === "arrow" || small ? false : (opts.cacheDir ?? DEFAULT_CACHE_DIR);
  return cacheDir === false ? undefined : cachePath(cacheDir, sha256, { map: opts.map, encoding: opts.encoding, ...nonDefaultFormat(opts) });
}

/**
 * The table of a verified entry (its bytes being read while Arrow loads); undefined, and the entry
 * removed with a note, where it does not verify.
 */
async function fromEntry(
  cached: string,
  entry: ReturnType<typeof readEntryBytes>,
  input: string,
  format: SourceFormat,
  sha256: string,
  opts: LoadOptions,
): Promise<LoadedTransactions | undefined> {
  const { readCached } = await import("./cache.js");
  const read = await readCached(cached, entry);
  if ("table" in read) {
    opts.log?.(`using cached Arrow table ${cached}`);
    return { table: read.table, sha256, fromCache: true, path: input, format, generated: markOf(read.table), cacheEntry: { file: cached, sha256: read.sha256 } };
  }
  if ("problem" in read) opts.log?.(`cached table ${cached} ${PROBLEMS[read.problem]}; removed it and re-parsing ${input}`);
  return undefined;
}

/** The entry of a source whose sha256 (and size, if given) is known, read without reading the source; undefined where there is none. */
async function fromKnownEntry(input: string, format: SourceFormat, sha256: string, opts: LoadOptions, knownSize?: number): Promise<LoadedTransactions | undefined> {
  let size: number;
  try {
    size = knownSize ?? statSync(input).size;
  } catch {
    return undefined; // said as the read below says it
  }
  const cached = entryPath(format, size, sha256, opts);
  if (!cached || !existsSync(cached)) return undefined;
  return fromEntry(cached, readEntryBytes(cached), input, format, sha256, opts);
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

const PROBLEMS: Record<CacheProblem, string> = {
  unverified: "has no checksum",
  checksum: "does not match its checksum (changed or truncated)",
  unreadable: "is not a readable transactions table",
  dictionary: "has dictionary indices out of range",
};

// Each reader is imported on first use: a Parquet run never loads the CSV or xlsx reader, nor a CSV run parquet-wasm.
async function parseSource(bytes: Uint8Array, file: string, format: SourceFormat, opts: LoadOptions, decoders?: Promise<Decoders>): Promise<Table> {
  const map = opts.map ?? {};
  const text: TextFormat = { dateFormat: opts.dateFormat, decimal: opts.decimal };
  switch (format) {
    case "parquet": {
      const { readParquetTransactions } = await import("./parquet.js");
      return readParquetTransactions(bytes, file, { map, format: text, maxRows: opts.limits?.maxRows, threads: opts.threads, signal: opts.signal, decoders });
    }
    case "arrow": {
      const { readArrowTransactions } = await import("./arrow.js");
      return readArrowTransactions(bytes, file, map, text, opts.limits?.maxRows);
    }
    case "csv":
    case "tsv": {
      const { readCsvTransactions } = await import("./csv.js");
      return readCsvTransactions(bytes, file, { encoding: opts.encoding, map, ...text, delimiter: opts.delimiter }, format === "tsv");
    }
    case "xlsx":
    case "zip": {
      const { readXlsxTransactions } = await import("./xlsx.js");
      const { workbookFromZip } = await import("./zip.js");
      const limits = {
        map,
        format: text,
        timeoutMs: opts.limits?.xlsxTimeoutMs,
        maxMemoryMb: opts.limits?.xlsxMaxMemoryMb,
        maxInflatedBytes: opts.limits?.maxInflatedBytes,
      };
      if (format === "xlsx") return readXlsxTransactions(bytes, file, limits);
      const workbook = await workbookFromZip(bytes, file, { maxInflatedBytes: opts.limits?.maxInflatedBytes });
      return readXlsxTransactions(workbook.bytes, `${file} → ${workbook.name}`, limits);
    }
  }
}
