// What an interrupted command leaves to remove: the temporary siblings being written and the output
// directories it created. Kept apart from the writers (atomic.ts) so that the signal handlers,
// installed at start-up, load none of them.
import { rmdirSync, rmSync } from "node:fs";

/** Temp paths being written right now. */
export const pendingTemps = new Set<string>();

/** Directories this process created for its output: removed on interrupt if they are still empty. */
export const createdDirs = new Set<string>();

/** Remove every temp file or directory still being written (for SIGINT/SIGTERM handlers). */
export function removePendingTemps(): void {
  for (const path of pendingTemps) rmSync(path, { recursive: true, force: true });
  pendingTemps.clear();
  for (const dir of createdDirs) {
    try {
      rmdirSync(dir);
    } catch {
      // not empty (or already gone): someone else's files are never touched
    }
  }
  createdDirs.clear();
}
