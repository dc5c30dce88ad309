// Engine errors about the user's input (RangeError/TypeError: bad shape, NaN, k out of range) become
// UserErrors naming the file or flag they concern; anything else stays an internal error.
import { availableParallelism } from "node:os";
import { type Engine, loadEngine } from "../engine/index.js";
import { UserError } from "../errors.js";

/** Rethrow an engine input error (RangeError/TypeError) as a UserError about `source`. */
export function engineInputError(err: unknown, source: string): never {
  if (err instanceof RangeError || err instanceof TypeError) throw new UserError(`${source}: ${err.message}`);
  throw err;
}

/**
 * The engine for a command, a bad --threads value being the user's error. More threads than cores
 * only cost memory and start-up time, so --threads is capped at the core count, with a note.
 */
export async function engineFor(threads: number | undefined, note: (msg: string) => void = () => {}): Promise<Engine> {
  const cores = availableParallelism();
  if (threads !== undefined && threads > cores) {
    note(`--threads ${threads} capped at the ${cores} cores of this machine`);
    threads = cores;
  }
  try {
    return await loadEngine({ threads });
  } catch (err) {
    engineInputError(err, "--threads");
  }
}
