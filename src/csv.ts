/**
 * The project's CSV reader (beacon logs, sighting exports, calibration tables, data sets), on csv-parse:
 * comma separated, RFC 4180 quoting (quoted commas, `""`, line breaks), LF or CRLF line ends, a header
 * row. Errors name the 1-based line number of the offending row. `parseCsv` and `csvNumber` are
 * internal (not exported by the package); `CsvFormatError` is public, thrown by the public parsers.
 */
import { parse } from "csv-parse/sync";
import { BluezoneError } from "./errors";

/**
 * A CSV input is malformed (wrong header, wrong field count, bad value); `line` is 1-based.
 * @public
 */
export class CsvFormatError extends BluezoneError {
  /** 1-based line number of the offending row (1 is the header). */
  readonly line: number;

  /**
   * @param line - 1-based line number
   * @param message - what was wrong on that line
   */
  constructor(line: number, message: string) {
    super("ERR_CSV_FORMAT", `line ${line}: ${message}`);
    this.line = line;
  }
}

/** One data row: its 1-based line number and its fields keyed by header name. */
export interface CsvRow {
  /** 1-based line number in the input. */
  line: number;
  /** Field values by column name (raw text, unquoted). */
  fields: Record<string, string>;
}

/**
 * Parses CSV text with a header row, with csv-parse (RFC 4180: quoted fields may hold commas, `""` and
 * line breaks). A leading BOM is dropped, blank lines are skipped, header names and values are trimmed;
 * an empty text gives no rows. A `"` inside an unquoted field is kept as text.
 * @param text - the whole file
 * @param required - column names that must appear in the header (in any order)
 * @throws CsvFormatError on a missing column, a row with the wrong number of fields, or an unterminated
 *   quoted field; `line` is where the offending row ends (1-based)
 */
export function parseCsv(
  text: string,
  required: readonly string[] = [],
): { header: string[]; rows: CsvRow[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info: true` csv-parse returns { record, info } per row (its sync typing says string[][]).
    records = parse(text, {
      bom: true,
      info: true,
      record_delimiter: ["\r\n", "\n"],
      relax_column_count: true,
      relax_quotes: true,
    }) as unknown as typeof records;
  } catch (err) {
    const e = err as { code?: string; lines?: number; message?: string };
    const line = e.lines ?? 1;
    if (e.code === "CSV_QUOTE_NOT_CLOSED") throw new CsvFormatError(line, "unterminated quoted field");
    throw new CsvFormatError(line, e.message ?? String(err));
  }
  const blank = (r: string[]) => r.every((f) => f.trim() === "");
  const data = records.filter((r) => !blank(r.record));
  const first = data[0];
  if (!first) return { header: [], rows: [] };
  const header = first.record.map((h) => h.trim());
  for (const name of required) {
    if (!header.includes(name))
      throw new CsvFormatError(first.info.lines, `missing column "${name}" (header: ${header.join(",")})`);
  }
  const rows: CsvRow[] = data.slice(1).map(({ record, info }) => {
    if (record.length !== header.length)
      throw new CsvFormatError(info.lines, `expected ${header.length} fields, got ${record.length}`);
    const fields: Record<string, string> = {};
    header.forEach((h, j) => {
      fields[h] = record[j]!.trim();
    });
    return { line: info.lines, fields };
  });
  return { header, rows };
}

/**
 * Reads a finite number from a field.
 * @param row - the row (for the line number in errors)
 * @param name - column name
 * @param optional - when true an empty field gives `undefined`
 * @throws CsvFormatError when the field is not a finite number (or empty and not optional)
 */
export function csvNumber(row: CsvRow, name: string, optional: true): number | undefined;
export function csvNumber(row: CsvRow, name: string, optional?: false): number;
export function csvNumber(row: CsvRow, name: string, optional = false): number | undefined {
  const v = row.fields[name] ?? "";
  if (v === "" && optional) return undefined;
  const n = Number(v);
  if (v === "" || !Number.isFinite(n))
    throw new CsvFormatError(row.line, `column "${name}" must be a number, got "${v}"`);
  return n;
}
