// Customer IDs listed in a CSV file (the `outliersFrom` option), read with the one CSV tokenizer.
import { readFileSync } from "node:fs";
import { UserError } from "../errors.js";
import { CsvRecords } from "./csv.js";
import { inputFileError } from "./files.js";
import { quote } from "./excerpt.js";

/** An integer, or an integer-valued decimal ("12346.0", as pandas writes float IDs). */
const INTEGER_CELL = /^[+-]?\d+(?:\.0*)?$/;

/**
 * CustomerIDs listed in a CSV file: either a header row with a `CustomerID` column (other columns
 * ignored, as in a saved outliers.csv), or one column with or without a header.
 */
export function readOutlierIds(path: string): Set<number> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw inputFileError(path, err);
  }
  const records = new CsvRecords(text.replace(/^\uFEFF/, ""), ",", path);
  const cells: string[] = [];
  const ids = new Set<number>();
  // Lines of spaces alone count as blank, as they always have.
  const next = () => {
    for (;;) {
      const n = records.next(cells);
      if (n !== 1 || cells[0]!.trim() !== "") return n;
    }
  };
  let n = next();
  if (n < 0) return ids;
  const header = cells.slice(0, n).map((c) => c.trim());
  const headerLine = records.recordLine;
  let column = header.findIndex((c) => c.toLowerCase() === "customerid");
  if (column < 0 && header.length > 1) {
    throw new UserError(`${path}, line ${headerLine}: expected a CustomerID column or a single column, got ${header.length} unnamed columns`, 1, { input: path, row: headerLine });
  }
  let pending = column < 0 && INTEGER_CELL.test(header[0]!); // a bare column: the first line is data
  if (column < 0) column = 0;
  for (;;) {
    if (!pending) n = next();
    pending = false;
    if (n < 0) return ids;
    const cell = (n > column ? cells[column]! : "").trim();
    if (!INTEGER_CELL.test(cell)) {
      throw new UserError(`${path}, line ${records.recordLine}, column ${column + 1}: CustomerID must be an integer, got ${quote(cell)}`, 1, {
        input: path,
        row: records.recordLine,
        column: column + 1,
      });
    }
    ids.add(Number.parseInt(cell, 10));
  }
}
