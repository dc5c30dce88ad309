// custseg cache list|clear: what the source cache holds, and removing it.
import type { CommandModule } from "yargs";
import { OptionError } from "../../errors.js";
import type { CacheEntry } from "../../io/cache.js";
import { cacheDirFrom, cacheDirOption } from "../cache-options.js";

interface ListArgs {
  "cache-dir"?: string;
  json: boolean;
}

interface ClearArgs {
  "cache-dir"?: string;
  "older-than"?: number;
  json: boolean;
}

const DAY_MS = 86_400_000;

const list: CommandModule<object, ListArgs> = {
  command: "list",
  describe: "List the cached source tables: size, source hash, age",
  builder: (y) => cacheDirOption(y).option("json", { type: "boolean", default: false, describe: "Print one JSON object on stdout" }) as never,
  handler: async (args) => {
    const { listCache } = await import("../../io/cache.js");
    const dir = cacheDirFrom(args);
    const entries = await listCache(dir);
    const now = Date.now();
    const total = entries.reduce((s, e) => s + e.bytes, 0);
    if (args.json) {
      const json = entries.map((e) => ({
        file: e.file,
        bytes: e.bytes,
        sourceSha256: e.sourceSha256,
        variant: e.variant ?? null,
        modified: e.modified.toISOString(),
        ageDays: (now - e.modified.getTime()) / DAY_MS,
        verified: e.verified,
      }));
      process.stdout.write(`${JSON.stringify({ dir, entries: json, bytes: total })}\n`);
      return;
    }
    if (!entries.length) {
      process.stdout.write(`${dir}: no cached tables\n`);
      return;
    }
    const lines = [`${dir}: ${entries.length} cached table${entries.length === 1 ? "" : "s"}, ${formatBytes(total)}`];
    for (const e of entries) lines.push(`  ${formatBytes(e.bytes).padStart(10)}  ${formatAge(now - e.modified.getTime()).padStart(8)}  ${describe(e)}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  },
};

const clear: CommandModule<object, ClearArgs> = {
  command: "clear",
  describe: "Remove cached source tables: all, or those older than --older-than days",
  builder: (y) =>
    cacheDirOption(y)
      .option("older-than", { type: "number", describe: "Only entries last written more than DAYS days ago" })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object on stdout" }) as never,
  handler: async (args) => {
    const days = args["older-than"];
    if (days !== undefined && !(Number.isFinite(days) && days >= 0)) throw new OptionError("olderThan", "must be a number of days ≥ 0");
    const { clearCache } = await import("../../io/cache.js");
    const dir = cacheDirFrom(args);
    const r = await clearCache(dir, days === undefined ? undefined : new Date(Date.now() - days * DAY_MS));
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ dir, ...r })}\n`);
      return;
    }
    process.stdout.write(`${dir}: removed ${r.removed} cached table${r.removed === 1 ? "" : "s"}, freed ${formatBytes(r.bytesFreed)}; ${r.kept} kept\n`);
  },
};

const command: CommandModule = {
  builder: (y) => y.command(list).command(clear).demandCommand(1, "Name a cache command: list or clear.") as never,
  handler: () => {},
};

function describe(e: CacheEntry): string {
  return `source ${e.sourceSha256.slice(0, 12)}${e.variant ? ` (read options ${e.variant})` : ""}${e.verified ? "" : ", no checksum"}  ${e.file}`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function formatAge(ms: number): string {
  const s = Math.max(0, ms / 1000);
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86_400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

export default command;
