// The original pipeline's run, reproduced: `--compat seed` with the original's outliers and initial
// centres (../shared/reference/seed-pipeline), one k-means run, the run defaults otherwise. Shared by
// the benchmarks and the tests; it lives in bench/ because benchmarks never import test code.
import { join } from "node:path";
import { RUN_DEFAULTS, type RunOptions } from "../../src/pipeline/options.js";

/** The parity run's options: `parquet` the UCI data, `seedDir` the original's outputs, `out` the run directory. */
export function seedParityOptions(parquet: string, seedDir: string, out: string): RunOptions {
  return {
    ...RUN_DEFAULTS,
    input: parquet,
    compat: "seed",
    cacheDir: false,
    outliersFrom: join(seedDir, "outliers.csv"),
    init: join(seedDir, "kmeans_init_centers.csv"),
    nInit: 1,
    out,
  };
}
