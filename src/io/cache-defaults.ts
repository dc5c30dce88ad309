// The source cache's defaults, apart from the cache itself so that the CLI's flag definitions read
// them without loading Arrow at start-up.
import { join } from "node:path";

export const DEFAULT_CACHE_DIR = join("data", "cache");

/** The environment variable naming the cache directory when --cache-dir is not given. */
export const CACHE_DIR_ENV = "CUSTSEG_CACHE_DIR";

/**
 * Sources smaller than this (2 MiB) are not cached: every reader parses them in well under a
 * second, so an entry would only cost disk space and a verification read.
 */
export const CACHE_MIN_SOURCE_BYTES = 2 * 1024 * 1024;
