// The cache flags shared by every command that loads transactions, and by `custseg cache`.
import type { Argv } from "yargs";
import { join } from "node:path";
import { ARTIFACTS_SUBDIR, CACHE_DIR_ENV, CACHE_MIN_SOURCE_BYTES, DEFAULT_CACHE_DIR } from "../pipeline/options.js";

export interface CacheArgs {
  "cache-dir"?: string;
  cache: boolean;
}

const MIB = CACHE_MIN_SOURCE_BYTES / (1024 * 1024);

export function cacheDirOption<T>(y: Argv<T>) {
  return y.option("cache-dir", { type: "string", describe: `Where parsed sources are cached (default: $${CACHE_DIR_ENV}, else ${DEFAULT_CACHE_DIR})` });
}

export function cacheOptions<T>(y: Argv<T>) {
  return cacheDirOption(y).option("cache", {
    type: "boolean",
    default: true,
    describe: `Cache the parsed source (sources under ${MIB} MiB and .arrow files never are); --no-cache reads and writes no cache`,
  });
}

/** --cache-dir, else $CUSTSEG_CACHE_DIR, else data/cache. */
export function cacheDirFrom(args: { "cache-dir"?: string }, env: NodeJS.ProcessEnv = process.env): string {
  return args["cache-dir"] || env[CACHE_DIR_ENV] || DEFAULT_CACHE_DIR;
}

/** The directory to cache in, or false under --no-cache. */
export function cacheFrom(args: CacheArgs, env: NodeJS.ProcessEnv = process.env): string | false {
  return args.cache === false ? false : cacheDirFrom(args, env);
}

/** The artefact store (step outputs by key) inside the cache directory, or none under --no-cache. */
export function artifactsFrom(args: CacheArgs, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = cacheFrom(args, env);
  return dir === false ? undefined : join(dir, ARTIFACTS_SUBDIR);
}
