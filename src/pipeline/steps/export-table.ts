// The CRM export: one row per customer of a run, outliers included, with the segment, its name,
// recency/frequency/monetary and three recommendations. Pure: arrays in, an Arrow table out.
import { Bool, Float64, Int32, makeVector, Table, Utf8, vectorFromArray } from "apache-arrow";

export interface ExportRow {
  readonly customerId: number;
  /** the cluster, or for an outlier its nearest cluster */
  readonly segment: number;
  readonly outlier: boolean;
  readonly recency: number;
  readonly frequency: number;
  readonly monetary: number;
  /** up to `RECOMMENDATIONS` items; missing ones are empty cells */
  readonly recommendations: readonly { readonly stockCode: string; readonly description: string }[];
}

export const RECOMMENDATIONS = 3;

/** The export's column names, in order. */
export const EXPORT_COLUMNS = [
  "CustomerID",
  "Segment",
  "SegmentName",
  "Outlier",
  "Recency",
  "Frequency",
  "Monetary",
  ...Array.from({ length: RECOMMENDATIONS }, (_, r) => [`Rec${r + 1}_StockCode`, `Rec${r + 1}_Description`]).flat(),
];

/** Rows in CustomerID order, so the file diffs cleanly between runs. */
export function exportTable(rows: readonly ExportRow[], names: readonly string[]): Table {
  const sorted = [...rows].sort((a, b) => a.customerId - b.customerId);
  const text = (values: string[]) => vectorFromArray(values, new Utf8());
  const columns: Record<string, ReturnType<typeof makeVector> | ReturnType<typeof vectorFromArray>> = {
    CustomerID: makeVector(Int32Array.from(sorted, (r) => r.customerId)),
    Segment: makeVector(Int32Array.from(sorted, (r) => r.segment)),
    SegmentName: text(sorted.map((r) => names[r.segment] ?? `Cluster ${r.segment}`)),
    Outlier: vectorFromArray(sorted.map((r) => r.outlier), new Bool()),
    Recency: vectorFromArray(sorted.map((r) => r.recency), new Float64()),
    Frequency: vectorFromArray(sorted.map((r) => r.frequency), new Int32()),
    Monetary: vectorFromArray(sorted.map((r) => r.monetary), new Float64()),
  };
  for (let i = 0; i < RECOMMENDATIONS; i++) {
    columns[`Rec${i + 1}_StockCode`] = text(sorted.map((r) => r.recommendations[i]?.stockCode ?? ""));
    columns[`Rec${i + 1}_Description`] = text(sorted.map((r) => r.recommendations[i]?.description ?? ""));
  }
  return new Table(columns);
}

export interface DelimitedOptions {
  /** field separator; default "," */
  delimiter?: string;
  /** decimal mark of numbers; default "." */
  decimal?: string;
  /** start with a UTF-8 byte order mark, so Excel reads the file as UTF-8 */
  bom?: boolean;
}

/**
 * The table as delimited text with CRLF line ends (what spreadsheet and CRM importers expect);
 * fields holding the delimiter, a quote or a line break are quoted. Numbers are written in full
 * precision with the chosen decimal mark and no grouping.
 */
export function delimitedText(table: Table, options: DelimitedOptions = {}): string {
  const { delimiter = ",", decimal = ".", bom = false } = options;
  if (delimiter === decimal) throw new RangeError(`the delimiter and the decimal mark are both "${delimiter}"`);
  const special = new RegExp(`[${escapeClass(delimiter)}"\\r\\n]`);
  const field = (s: string) => (special.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const names = table.schema.fields.map((f) => f.name);
  const cols = names.map((n) => table.getChild(n)!);
  const lines = [names.map(field).join(delimiter)];
  for (let i = 0; i < table.numRows; i++) {
    lines.push(
      cols
        .map((c) => {
          const v = c.get(i);
          if (v === null || v === undefined) return "";
          if (typeof v === "number") return decimal === "." ? String(v) : String(v).replace(".", decimal);
          if (typeof v === "boolean") return v ? "true" : "false";
          return field(String(v));
        })
        .join(delimiter),
    );
  }
  return `${bom ? "\uFEFF" : ""}${lines.join("\r\n")}\r\n`;
}

const escapeClass = (s: string) => s.replace(/[\\\]^-]/g, "\\$&");
