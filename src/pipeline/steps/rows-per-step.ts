/**
 * Lines a pass over the transactions handles between two yields to the event loop (see
 * engine/steps.ts): a few milliseconds of work, so cleaning and features on tens of millions of
 * lines stay interruptible.
 */
export const ROWS_PER_STEP = 1 << 18;
