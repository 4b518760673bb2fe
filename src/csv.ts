/**
 * A small CSV reader for the project's inputs (beacon logs, calibration tables, data sets): comma
 * separated, optional double-quoted fields (`""` escapes a quote), LF or CRLF line ends, a header row.
 * Errors name the 1-based line number of the offending row.
 */
import { BluezoneError } from "./errors";

/** A CSV input is malformed (wrong header, wrong field count, bad value); `line` is 1-based. */
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

/** Splits one CSV line into fields, honouring double quotes. */
export function splitCsvLine(text: string, line: number): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === "") quoted = true;
    else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (quoted) throw new CsvFormatError(line, "unterminated quoted field");
  out.push(cur);
  return out;
}

/**
 * Parses CSV text with a header row. Blank lines are skipped; an empty text gives no rows.
 * @param text - the whole file
 * @param required - column names that must appear in the header (in any order)
 * @throws CsvFormatError on a missing column or a row with the wrong number of fields
 */
export function parseCsv(
  text: string,
  required: readonly string[] = [],
): { header: string[]; rows: CsvRow[] } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let headerLine = lines.findIndex((l) => l.trim() !== "");
  if (headerLine < 0) return { header: [], rows: [] };
  const header = splitCsvLine(lines[headerLine]!, headerLine + 1).map((h) => h.trim());
  for (const name of required) {
    if (!header.includes(name))
      throw new CsvFormatError(headerLine + 1, `missing column "${name}" (header: ${header.join(",")})`);
  }
  const rows: CsvRow[] = [];
  for (let i = ++headerLine; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === "") continue;
    const values = splitCsvLine(raw, i + 1);
    if (values.length !== header.length)
      throw new CsvFormatError(i + 1, `expected ${header.length} fields, got ${values.length}`);
    const fields: Record<string, string> = {};
    header.forEach((h, j) => {
      fields[h] = values[j]!.trim();
    });
    rows.push({ line: i + 1, fields });
  }
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
