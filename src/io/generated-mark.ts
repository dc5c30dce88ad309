// The mark `custseg generate` leaves in its outputs, so a generated file passed back with --input is
// never taken for real customers: key-value metadata in Parquet and Arrow IPC, a leading comment
// line in CSV (which the CSV reader recognises and skips). Readers carry the mark on the
// transactions table's schema metadata, where the source cache keeps it too.
import type { Table } from "apache-arrow";
import { VERSION } from "../version.js";
import { groupDigits } from "../digits.js";

/** What the generator was asked for. */
export interface GeneratedMark {
  rows: number;
  customers: number;
  seed: number;
  /** The custseg version that wrote the file. */
  version: string;
}

/**
 * One key, its value the generator's parameters as JSON. One key rather than several: the Parquet
 * writer keeps key-value metadata in a hash map, so several keys would come out in a different order
 * from run to run, and the same seed must give the same bytes.
 */
export const SYNTHETIC_KEY = "custseg.synthetic";

export function generatedMark(opts: { rows: number; customers: number; seed: number }): GeneratedMark {
  return { rows: opts.rows, customers: opts.customers, seed: opts.seed, version: VERSION };
}

/** The mark as key-value metadata (Parquet footer, Arrow schema). */
export function markMetadata(mark: GeneratedMark): Map<string, string> {
  const { rows, customers, seed, version } = mark;
  return new Map([[SYNTHETIC_KEY, JSON.stringify({ generator: "custseg generate", rows, customers, seed, version })]]);
}

/** The mark in key-value metadata, if there is one. Parameters that do not read back are -1 (or "unknown"), never a hidden mark. */
export function markFromMetadata(metadata: ReadonlyMap<string, string> | undefined): GeneratedMark | undefined {
  const text = metadata?.get(SYNTHETIC_KEY);
  if (text === undefined) return undefined;
  let v: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") v = parsed as Record<string, unknown>;
  } catch {
    // an unreadable value still marks the data as generated
  }
  const whole = (x: unknown) => (Number.isSafeInteger(x) ? (x as number) : -1);
  return { rows: whole(v.rows), customers: whole(v.customers), seed: whole(v.seed), version: typeof v.version === "string" ? v.version.slice(0, 60) : "unknown" };
}

/** "seed 3, 3,000 lines, 60 customers, custseg 0.1.0": how the data was generated, in a phrase. */
export function describeMark(mark: GeneratedMark): string {
  const n = (v: number) => (v < 0 ? "?" : groupDigits(v));
  return `custseg generate: seed ${n(mark.seed)}, ${n(mark.rows)} lines, ${n(mark.customers)} customers, custseg ${mark.version}`;
}

export const markOf = (table: Table): GeneratedMark | undefined => markFromMetadata(table.schema.metadata);

const CSV_MARK = /^# custseg generate --rows (\d+) --customers (\d+) --seed (\d+) \(synthetic data, custseg ([^)\r\n]{1,60})\)\r?\n/;

/** The comment line a generated CSV starts with. */
export function csvMarkLine(mark: GeneratedMark): string {
  return `# custseg generate --rows ${mark.rows} --customers ${mark.customers} --seed ${mark.seed} (synthetic data, custseg ${mark.version})\n`;
}

/** A generated CSV's leading comment: the mark and the length of the line to skip. */
export function csvMark(text: string): { mark: GeneratedMark; length: number } | undefined {
  const m = CSV_MARK.exec(text.slice(0, 256));
  if (!m) return undefined;
  return { mark: { rows: Number(m[1]), customers: Number(m[2]), seed: Number(m[3]), version: m[4]! }, length: m[0].length };
}
