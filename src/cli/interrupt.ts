// SIGINT and SIGTERM end a command within about a second. The handler aborts `interruptSignal`,
// which the commands pass to their jobs: every long computation checks it between steps (and the
// engine's worker threads are stopped on it), then the handler removes the temporary files and
// directories in flight, says so in one line and exits 130 or 143. The handler runs as soon as the
// event loop does, which the computations' steps allow every few tens of milliseconds.
import { removePendingTemps } from "../io/pending-temps.js";

const controller = new AbortController();

/** Aborted when the process receives SIGINT or SIGTERM; pass it to jobs. */
export const interruptSignal: AbortSignal = controller.signal;

/** Installs the handlers; call once, at start-up. */
export function handleInterrupts(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      controller.abort(new Error(`interrupted (${signal})`));
      removePendingTemps();
      process.stderr.write(`\ncustseg: interrupted (${signal}); unfinished output removed\n`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
}
