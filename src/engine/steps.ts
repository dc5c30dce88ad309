// Long computations are written as generators that yield between iterations (or passes over the
// data), so that one definition serves both a synchronous call and an interruptible one. The
// interruptible driver hands the thread back to the event loop now and then: signal handlers and
// timers run, and an aborted signal stops the computation at the next step.

/**
 * Multiply-adds (or comparable units of work) per step of a long computation: tens of
 * milliseconds, so an interruption takes effect promptly and yielding costs nothing measurable.
 */
export const STEP_WORK = 1 << 25;

/** A computation that yields between its steps and returns T. */
export type Steps<T> = Generator<void, T, void>;

/** Run every step on the calling thread, without interruption. */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** How long the driver computes before yielding to the event loop. */
const SLICE_MS = 20;

/**
 * Run the steps, yielding to the event loop about every SLICE_MS; once `signal` is aborted, stop
 * at the next step with its reason. The generator's cleanup (finally blocks) runs either way.
 */
export async function drainInterruptible<T>(steps: Steps<T>, signal?: AbortSignal): Promise<T> {
  try {
    let sliceStart = Date.now();
    for (;;) {
      signal?.throwIfAborted();
      const r = steps.next();
      if (r.done) return r.value;
      if (Date.now() - sliceStart >= SLICE_MS) {
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        sliceStart = Date.now();
      }
    }
  } finally {
    steps.return(undefined as never);
  }
}
