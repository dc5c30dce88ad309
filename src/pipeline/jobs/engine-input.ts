// Engine errors about the user's input (RangeError/TypeError: bad shape, NaN, k out of range) become
// UserErrors naming the input or option they concern; anything else stays an internal error.
import { availableParallelism } from "node:os";
import { type Engine, loadEngine } from "../../engine/index.js";
import { type Note, OptionError, UserError } from "../../errors.js";

/** Rethrow an engine input error (RangeError/TypeError) as a UserError about the input `source`. */
export function engineInputError(err: unknown, source: string): never {
  if (err instanceof RangeError || err instanceof TypeError) throw new UserError(`${source}: ${err.message}`, 1, { input: source });
  throw err;
}

/**
 * The engine for a job, a bad thread count being the user's error. More threads than cores only
 * cost memory and start-up time, so the count is capped at the cores, with a note. Once `signal`
 * is aborted the engine's worker threads are stopped (the job's computation stops at its next
 * step, between pool tasks) and the engine is not used again.
 */
export async function engineFor(threads: number | undefined, note: (msg: Note) => void = () => {}, signal?: AbortSignal): Promise<Engine> {
  const cores = availableParallelism();
  if (threads !== undefined && threads > cores) {
    note((n) => `${n("threads")} ${threads} capped at the ${cores} cores of this machine`);
    threads = cores;
  }
  try {
    const engine = await loadEngine({ threads });
    signal?.addEventListener("abort", () => engine.close(), { once: true });
    return engine;
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) throw new OptionError("threads", `is invalid: ${err.message}`);
    throw err;
  }
}
