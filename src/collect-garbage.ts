// A full garbage collection, on demand. The step runner asks for one where it drops a run's largest
// values (the loaded and the cleaned lines, tens of MB of arrays): V8 would collect them only once
// its old generation grows again, which is the report (and, beside it, the Parquet writer thread),
// so their memory and the report's would add up to the run's peak. One collection there costs
// about ten milliseconds.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (!gc) {
    // The collector is reachable from a context created while --expose-gc is set; the flag is unset
    // again at once, so no later context (a worker's) has it.
    const given = (globalThis as { gc?: () => void }).gc;
    if (given) gc = given;
    else {
      setFlagsFromString("--expose-gc");
      gc = runInNewContext("gc") as () => void;
      setFlagsFromString("--no-expose-gc");
    }
  }
  gc();
}
