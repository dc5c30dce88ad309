// InvoiceDate written as text. A reader hands every row's text to DateTexts while it scans, and the
// format is decided (or checked) over all distinct values at the end: a sample could miss the one row
// that tells day-first from month-first ("13/12/2010"), and each distinct text is parsed only once.
// Where the slashed dates fit both D/M/YYYY and M/D/YYYY the reading is refused, never guessed.
import { UserError } from "../errors.js";
import { DATE_FORMATS, type DateFormat, type DateFormatChoice, fittingFormats, parseDateTime } from "./datetime.js";
import { quote } from "./excerpt.js";
import { Interner } from "./schema.js";

const DAY_FIRST = 1 << DATE_FORMATS.indexOf("D/M/YYYY");
const MONTH_FIRST = 1 << DATE_FORMATS.indexOf("M/D/YYYY");
const SLASHED = DAY_FIRST | MONTH_FIRST;
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
   * Writes wall-clock milliseconds into `out` for every row given as text. A format chosen is applied
   * to every value. Under "auto" each value is read in the format its shape names — year first
   * (YYYY-MM-DD) and dotted (D.M.YYYY) dates say so themselves — and slashed dates in the one order
   * that every slashed value fits. `where` names the source in whole-column errors.
   */
  resolve(out: Float64Array, choice: DateFormatChoice, locate: DateLocator, where: string): void {
    this.resolveEach((r, ms) => {
      out[r] = ms;
    }, choice, locate, where);
  }

  /** As resolve, handing each row given as text and its milliseconds to `set`. */
  resolveEach(set: (row: number, ms: number) => void, choice: DateFormatChoice, locate: DateLocator, where: string): void {
    const values = this.texts.values;
    if (values.length === 0) return;
    const ms = choice === "auto" ? this.readDetected(locate, where) : this.readAs(choice, locate, where);
    const { ids } = this;
    for (let r = 0; r < ids.length; r++) {
      const id = ids[r]!;
      if (id >= 0) set(r, ms[id]!);
    }
  }

  private readAs(format: DateFormat, locate: DateLocator, where: string): number[] {
    return this.texts.values.map((v, id) => {
      const t = parseDateTime(v, format);
      if (!Number.isNaN(t)) return t;
      const fits = fittingFormats(v);
      const hint = fits ? `; it reads as ${formatsIn(fits)}` : "";
      throw new UserError(`${locate(this.firstRow[id]!)}: cannot read ${quote(v)} as a date in the format ${format} (then H:MM or H:MM:SS)${hint}`, 1, {
        input: where,
        option: "dateFormat",
      });
    });
  }

  private readDetected(locate: DateLocator, where: string): number[] {
    const values = this.texts.values;
    const masks = values.map(fittingFormats);
    // The order of slashed dates: the one every slashed value fits; the first value that breaks it is named.
    let slash = SLASHED;
    masks.forEach((fits, id) => {
      if (fits === 0) throw new UserError(`${locate(this.firstRow[id]!)}: cannot read ${quote(values[id])} as a date (expected ${EXPECTED})`, 1, { input: where });
      if ((fits & SLASHED) === 0) return;
      if ((slash & fits) === 0) {
        throw new UserError(
          `${locate(this.firstRow[id]!)}: ${quote(values[id])} reads only as ${formatsIn(fits)}, but an earlier date only as ${formatsIn(slash)}; name the format`,
          1,
          { input: where, option: "dateFormat" },
        );
      }
      slash &= fits;
    });
    const slashed = values.filter((_, id) => masks[id]! & SLASHED);
    // Days equal to their months ("1/1/2011") read the same both ways: nothing to choose then.
    const differ = () => slashed.some((v) => parseDateTime(v, "D/M/YYYY") !== parseDateTime(v, "M/D/YYYY"));
    if (slash === SLASHED && differ()) {
      throw new UserError(
        `${where}: dates are ambiguous: both D/M/YYYY and M/D/YYYY fit every row (e.g. ${quote(slashed[0])}); name the format`,
        1,
        { input: where, option: "dateFormat" },
      );
    }
    const slashFormat = slash & MONTH_FIRST ? "M/D/YYYY" : "D/M/YYYY";
    return values.map((v, id) => {
      const fits = masks[id]!;
      // Formats differ in their separators, so a value fits one format, or the two slashed ones.
      const format = fits & SLASHED ? slashFormat : DATE_FORMATS[Math.log2(fits)]!;
      return parseDateTime(v, format);
    });
  }
}
