// The run directory's files as a run writes them: the stored files with the run's id, time, timings
// and directory filled in, written into a temp directory renamed into place only when complete, so
// a failed or interrupted run leaves nothing behind. Needs neither Arrow nor the report code, so a
// run whose steps are all stored starts none of them.
import { accessSync, constants, existsSync, readdirSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { OptionError, UserError } from "../../errors.js";
import { writeDirAtomic } from "../../io/atomic.js";
import { esc } from "../../report/svg.js";
import type { RunSummary } from "../options.js";

/**
 * Fails before any work is done when the run directory cannot be created: `dir` (the run directory,
 * or the folder it will be created in) must not be a file or a non-empty directory, and its nearest
 * existing ancestor must be a writable directory.
 */
export function checkRunDirectory(dir: string, isRunDir: boolean, option: string): void {
  if (isRunDir && existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new OptionError(option, `${dir} already exists; name a new run directory`);
  }
  let parent = resolve(isRunDir ? dirname(dir) : dir);
  while (!existsSync(parent)) parent = dirname(parent);
  if (!statSync(parent).isDirectory()) throw new OptionError(option, `${dir}: ${parent} is a file, not a directory`);
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    throw new OptionError(option, `${dir}: ${parent} is not writable`);
  }
}

/** Where a run's id and time go in the stored run files, filled in when a run directory is written. */
export const RUN_ID_SLOT = "{{custseg:runId}}";
export const TIME_SLOT = "{{custseg:time}}";

/** The files of a run directory, with slots for the run's id and time (see fillRunFiles). */
export type RunFiles = Record<string, string | Uint8Array>;

export interface RunIdentity {
  runDir: string;
  runId?: string;
  now: Date;
  timingsMs: Record<string, number>;
}

/** The files as this run writes them: its id, time, timings and directory in place. */
export function fillRunFiles(files: Readonly<RunFiles>, run: RunIdentity): { files: RunFiles; summary: RunSummary } {
  const text = (name: string) => {
    const v = files[name]!;
    return typeof v === "string" ? v : new TextDecoder().decode(v);
  };
  const time = run.now.toISOString();
  const runId = run.runId ?? run.runDir.split("/").pop() ?? run.runDir;
  const summary: RunSummary = {
    ...(JSON.parse(text("summary.json")) as Omit<RunSummary, "timingsMs" | "runDir" | "runId">),
    timingsMs: run.timingsMs,
    runDir: run.runDir,
    ...(run.runId ? { runId: run.runId } : {}),
  };
  return {
    summary,
    files: {
      ...files,
      "model.json": text("model.json").replace(JSON.stringify(TIME_SLOT), JSON.stringify(time)),
      "report.html": text("report.html").replaceAll(RUN_ID_SLOT, esc(runId)).replaceAll(TIME_SLOT, esc(time)),
      "summary.json": `${JSON.stringify(summary, null, 1)}\n`,
    },
  };
}

/** Writes the run directory atomically: complete, or not at all. */
export async function writeRunFiles(dir: string, files: Readonly<RunFiles>): Promise<void> {
  try {
    await writeDirAtomic(dir, async (tmp) => {
      for (const [name, content] of Object.entries(files)) await writeFile(join(tmp, name), content);
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new UserError(`cannot write the run directory ${dir}: ${(err as Error).message}`);
    throw err;
  }
}
