// User data quoted in an error message is cut to a short excerpt: a 100 MB header line or cell
// must not become a 100 MB line on stderr (or the time and memory to build one).
import { groupDigits } from "../digits.js";

/** Characters of user data an error message quotes at most. */
export const EXCERPT_CHARS = 60;
/** Names an error message lists at most (e.g. a header's columns). */
export const EXCERPT_NAMES = 20;

/** The text itself if short, else its start and how long it was. Unquoted: for names in parentheses. */
export function excerpt(value: unknown): string {
  const s = String(value);
  return s.length <= EXCERPT_CHARS ? s : `${s.slice(0, EXCERPT_CHARS)}… (${groupDigits(s.length)} characters)`;
}

/** The value quoted as a JSON string, cut to an excerpt when long. */
export function quote(value: unknown): string {
  const s = String(value);
  if (s.length <= EXCERPT_CHARS) return JSON.stringify(s);
  return `${JSON.stringify(s.slice(0, EXCERPT_CHARS))}… (${groupDigits(s.length)} characters)`;
}

/** Quoted names, comma-separated: at most EXCERPT_NAMES of them, then how many more. */
export function quoteList(names: readonly string[], none = "none"): string {
  if (names.length === 0) return none;
  const shown = names.slice(0, EXCERPT_NAMES).map(quote).join(", ");
  const more = names.length - EXCERPT_NAMES;
  return more > 0 ? `${shown} and ${groupDigits(more)} more` : shown;
}
