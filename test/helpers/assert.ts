import * as assert from "uvu/assert";

/** How an element's error is scaled: by 1, by |expected|, or by max(1, |expected|). */
export type ErrorScale = "absolute" | "relative" | "mixed";

const scales: Record<ErrorScale, (expected: number) => number> = {
  absolute: () => 1,
  relative: (b) => Math.max(1e-300, Math.abs(b)),
  mixed: (b) => Math.max(1, Math.abs(b)),
};

/** Element-wise |a − b| / scale(b) ≤ tol, naming the first element that is not (and its error); numbers compare as one element. */
export function assertClose(
  actual: number | ArrayLike<number>,
  expected: number | ArrayLike<number>,
  tol: number,
  what: string,
  scale: ErrorScale = "absolute",
): void {
  const a = typeof actual === "number" ? [actual] : actual;
  const b = typeof expected === "number" ? [expected] : expected;
  assert.is(a.length, b.length, `${what}: length`);
  const by = scales[scale];
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - b[i]!) / by(b[i]!);
    if (!(err <= tol)) assert.unreachable(`${what}[${i}]: ${a[i]} vs ${b[i]} (error ${err})`);
  }
}

/** The promise `fn` returns rejects, with a message matching `pattern`. */
export async function assertRejects(fn: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await fn();
  } catch (err) {
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}
