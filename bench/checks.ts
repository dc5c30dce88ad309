// Result checks of the benchmark's peer implementations against custseg's, so that a faster wrong
// answer shows in the table rather than passing for a win.

/** One comparison of an implementation's result with custseg's on the same input. */
export interface Check {
  /** What was compared, e.g. "inertia" or "centres, max |Δ| / max |centre|". */
  what: string;
  /** The difference that is held against `tolerance` (relative unless `what` says otherwise). */
  error: number;
  /** Absent when the result is only reported beside custseg's (different initial centres). */
  tolerance?: number;
  pass?: boolean;
  /** The implementation's and custseg's value, where the compared quantity is one number. */
  value?: number;
  ours?: number;
}

/** A scalar held to a relative tolerance; without one, reported beside ours. */
export function scalarCheck(what: string, value: number, ours: number, tolerance?: number): Check {
  const error = Math.abs(value - ours) / Math.abs(ours);
  return { what, value, ours, error, ...(tolerance === undefined ? {} : { tolerance, pass: error <= tolerance }) };
}

/** Two arrays of the same quantity: the largest difference relative to the largest of ours. */
export function arrayCheck(what: string, values: ArrayLike<number>, ours: ArrayLike<number>, tolerance: number): Check {
  if (values.length !== ours.length) return { what: `${what} (length ${values.length}, ours ${ours.length})`, error: Number.POSITIVE_INFINITY, tolerance, pass: false };
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(values[i]! - ours[i]!);
    // NaN fails the check rather than vanishing in Math.max.
    diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(ours[i]!));
  }
  const error = diff / (scale || 1);
  return { what: `${what}, max |Δ| / max |ours|`, error, tolerance, pass: error <= tolerance };
}

/** Absolute differences, for quantities already on a common scale (explained-variance ratios). */
export function absoluteCheck(what: string, values: ArrayLike<number>, ours: ArrayLike<number>, tolerance: number): Check {
  let error = values.length === ours.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < Math.min(values.length, ours.length); i++) {
    const d = Math.abs(values[i]! - ours[i]!);
    error = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(error, d);
  }
  return { what: `${what}, max |Δ| (absolute)`, error, tolerance, pass: error <= tolerance };
}

/** The table's mark beside a median: ✓ held, ✗ failed, † reported only. */
export function checkMark(check: Check | undefined): string {
  if (!check) return "";
  if (check.pass === undefined) return " †";
  return check.pass ? " ✓" : " ✗";
}
