// Source column names → transactions columns: known variants, the user's --map, and the
// "missing column" error. Every reader resolves its header through resolveColumns.
import { OptionError, UserError } from "../errors.js";
import { TRANSACTION_COLUMNS, type TransactionColumn } from "./schema.js";
import { quote, quoteList } from "./excerpt.js";

/** A user's renaming of source columns onto transactions columns: source name → target name. */
export type ColumnMap = Record<string, string>;

/** Names used by known variants of the data (Online Retail II), beyond the canonical names. */
const ALIASES: Record<string, TransactionColumn> = {
  Invoice: "InvoiceNo",
  Price: "UnitPrice",
  "Customer ID": "CustomerID",
};

/** Case, spaces and underscores do not distinguish column names ("Customer ID" = "customer_id"). */
const fold = (name: string) => name.replace(/[\s_]+/g, "").toLowerCase();

const FOLDED = new Map<string, TransactionColumn>([
  ...TRANSACTION_COLUMNS.map((c) => [fold(c), c] as const),
  ...Object.entries(ALIASES).map(([alias, c]) => [fold(alias), c] as const),
]);

/**
 * Parses a --map value "Invoice=InvoiceNo,Price=UnitPrice" (source=target pairs, comma separated).
 * Targets must be transactions columns.
 */
export function parseColumnMap(spec: string | undefined): ColumnMap {
  const map: ColumnMap = {};
  if (!spec?.trim()) return map;
  for (const pair of spec.split(",")) {
    const eq = pair.indexOf("=");
    const source = pair.slice(0, eq).trim();
    const target = pair.slice(eq + 1).trim();
    if (eq < 0 || !source || !target) {
      throw new OptionError("map", `entry ${quote(pair.trim())} is not SOURCE=TARGET (example: Invoice=InvoiceNo,Price=UnitPrice)`);
    }
    checkTarget(target);
    // Names an object treats specially would be dropped or change the map itself.
    if (RESERVED.has(source)) throw new OptionError("map", `source ${quote(source)} is a reserved name and cannot name a column`);
    map[source] = target;
  }
  return map;
}

const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

function checkTarget(target: string): asserts target is TransactionColumn {
  if (!(TRANSACTION_COLUMNS as readonly string[]).includes(target)) {
    throw new OptionError("map", `target ${quote(target)} is not a transactions column (one of ${TRANSACTION_COLUMNS.join(", ")})`);
  }
}

/**
 * For each transactions column, the index of the source column that supplies it.
 * The user's map wins over exact names, which win over known aliases and case/space variants.
 * A missing column is a UserError naming it and listing the columns the file has.
 */
export function resolveColumns(header: readonly string[], map: ColumnMap, file: string): Record<TransactionColumn, number> {
  const found = new Map<TransactionColumn, number>();
  const names = header.map((h) => h.trim());
  for (const [source, target] of Object.entries(map)) {
    checkTarget(target);
    const at = names.indexOf(source.trim());
    if (at < 0) {
      throw new UserError(`${file}: the column map names column ${quote(source)}, which the file does not have (it has: ${listNames(names)})`, 1, { input: file, column: source, option: "map" });
    }
    found.set(target, at);
  }
  const mapped = new Set(found.values());
  const claim = (i: number, target: TransactionColumn | undefined) => {
    if (target && !found.has(target) && !mapped.has(i)) found.set(target, i);
  };
  for (const [i, name] of names.entries()) {
    claim(i, (TRANSACTION_COLUMNS as readonly string[]).includes(name) ? (name as TransactionColumn) : undefined);
  }
  for (const [i, name] of names.entries()) claim(i, FOLDED.get(fold(name)));
  const missing = TRANSACTION_COLUMNS.filter((c) => !found.has(c));
  if (missing.length) {
    const what = missing.length === 1 ? `column ${missing[0]}` : `columns ${missing.join(", ")}`;
    throw new UserError(
      `${file}: missing ${what} (the file has: ${listNames(names)}); rename with a column map SOURCE=TARGET`,
      1,
      { input: file, column: missing[0], option: "map" },
    );
  }
  return Object.fromEntries(found) as Record<TransactionColumn, number>;
}

const listNames = (names: readonly string[]) => quoteList(names, "no columns");
