// InvoiceDate written as text. A reader hands every row's text to DateTexts while it scans, and the
// format is decided (or checked) over all distinct values at the end: a sample could miss the one row
// that tells day-first from month-first ("13/12/2010"), and each distinct text is parsed only once.
// Where the data fits both D/M/YYYY and M/D/YYYY the reading is refused, never guessed.
import { UserError } from "../errors.js";
import { DATE_FORMATS, type DateFormat, type DateFormatChoice, fittingFormats, parseDateTime } from "./datetime.js";
import { quote } from "./excerpt.js";
import { Interner } from "./schema.js";

const ALL_FORMATS = (1 << DATE_FORMATS.length) - 1;
const DAY_FIRST = 1 << DATE_FORMATS.indexOf("D/M/YYYY");
const MONTH_FIRST = 1 << DATE_FORMATS.indexOf("M/D/YYYY");
const EXPECTED = `${DATE_FORMATS.slice(0, -1).join(", ")} or ${DATE_FORMATS.at(-1)}, then a time H:MM or H:MM:SS`;

const formatsIn = (mask: number) => DATE_FORMATS.filter((_, i) => mask & (1 << i)).join(" and ");

/** Where row r is, for an error message: "data.csv: line 12, column 5 (InvoiceDate)". */
export type DateLocator = (row: number) => string;

export class DateTexts {
  private readonly texts = new Interner();
  /** Row on which each distinct text first appears; ids are in that order. */
  private readonly firstRow: number[] = [];
  /** Text id per row; -1 where the row's date did not come as text (an Excel serial date). */
  private readonly ids: Int32Array;

  constructor(capacity: number) {
    this.ids = new Int32Array(capacity).fill(-1);
  }

  add(row: number, text: string): void {
    const id = this.texts.intern(text);
    if (id === this.firstRow.length) this.firstRow.push(row);
    this.ids[row] = id;
  }

  /**
   * Writes wall-clock milliseconds into `out` for every row given as text, in the format chosen or,
   * for "auto", the one format every value fits. `where` names the source in whole-column errors.
   * Returns the format used (undefined when no row was text).
   */
  resolve(out: Float64Array, choice: DateFormatChoice, locate: DateLocator, where: string): DateFormat | undefined {
    const values = this.texts.values;
    if (values.length === 0) return undefined;
    const format = choice === "auto" ? this.detect(locate, where) : choice;
    const ms = values.map((v, id) => {
      const t = parseDateTime(v, format);
      if (Number.isNaN(t)) {
        const fits = fittingFormats(v);
        const hint = fits ? `; it reads as ${formatsIn(fits)}` : "";
        throw new UserError(`${locate(this.firstRow[id]!)}: cannot read ${quote(v)} as a date in the format ${format} (then H:MM or H:MM:SS)${hint}`, 1, {
          input: where,
          option: "dateFormat",
        });
      }
      return t;
    });
    const { ids } = this;
    for (let r = 0; r < out.length; r++) {
      const id = ids[r]!;
      if (id >= 0) out[r] = ms[id]!;
    }
    return format;
  }

  /** The one format all values fit; an error naming the first row that breaks the pattern, or the ambiguity. */
  private detect(locate: DateLocator, where: string): DateFormat {
    const values = this.texts.values;
    let common = ALL_FORMATS;
    values.forEach((v, id) => {
      const fits = fittingFormats(v);
      if (fits === 0) throw new UserError(`${locate(this.firstRow[id]!)}: cannot read ${quote(v)} as a date (expected ${EXPECTED})`, 1, { input: where });
      if ((common & fits) === 0) {
        throw new UserError(
          `${locate(this.firstRow[id]!)}: ${quote(v)} reads as ${formatsIn(fits)}, but the dates before it as ${formatsIn(common)}; name the format`,
          1,
          { input: where, option: "dateFormat" },
        );
      }
      common &= fits;
    });
    // Days equal to their months ("1/1/2011") read the same both ways: nothing to choose then.
    const differ = () => values.some((v) => parseDateTime(v, "D/M/YYYY") !== parseDateTime(v, "M/D/YYYY"));
    if (common === (DAY_FIRST | MONTH_FIRST) && differ()) {
      throw new UserError(
        `${where}: dates are ambiguous: both D/M/YYYY and M/D/YYYY fit every row (e.g. ${quote(values[0])}); name the format`,
        1,
        { input: where, option: "dateFormat" },
      );
    }
    // Formats differ in their separators, so a value fits at most the two slash formats together.
    return DATE_FORMATS[Math.log2(common & -common)]!;
  }
}
