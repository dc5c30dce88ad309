// Which transactions `custseg run` uses when no --input is given: the UCI data under data/,
// downloaded if absent; where that fails (offline), a generated data set of the real size.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type DownloadOptions, ensureUciData } from "../../io/download.js";
import type { StepReporter } from "../progress.js";

export interface ResolvedSource {
  path: string;
  /** How the summary and model.json name it. */
  label: string;
  synthetic: boolean;
}

export async function defaultSource(dataDir: string, seed: number, reporter: StepReporter, download: DownloadOptions = {}): Promise<ResolvedSource> {
  try {
    const path = await ensureUciData(dataDir, download);
    return { path, label: path, synthetic: false };
  } catch (err) {
    // The generator (and the Parquet writer it loads) only on this path, not on every tune or run.
    const { GENERATE_DEFAULTS, generateFile } = await import("../../io/generate/generate.js");
    const path = join(dataDir, `synthetic-online-retail-seed${seed}.parquet`);
    reporter.note(`UCI data unavailable (${(err as Error).message.split("\n")[0]}); using generated data: ${path}`);
    if (!existsSync(path)) await generateFile(path, { ...GENERATE_DEFAULTS, seed });
    return { path, label: `synthetic: ${path} (generated, ${GENERATE_DEFAULTS.rows} lines, seed ${seed})`, synthetic: true };
  }
}
