// The rule and wording of a whole number within bounds, shared by the flag rules (src/cli/flags.ts)
// and the environment variables that stand for a flag (AIP_HTTP_PORT), so both refuse a value
// with the same words.
import { groupDigits } from "./digits.js";

/** Why `value` is refused, or undefined when it is a whole number from `min` to `max`. */
export const wholeRange =
  (min: number, max: number) =>
  (value: number): string | undefined =>
    Number.isInteger(value) && value >= min && value <= max ? undefined : `must be a whole number from ${groupDigits(min)} to ${groupDigits(max)}`;
