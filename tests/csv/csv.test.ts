/**
 * The CSV reader (src/csv.ts, on csv-parse) against the simulator's CSV writer (sim/report/report-csv.ts): what
 * the writer quotes — commas, quotes, line breaks — reads back cell for cell; and hand-written inputs
 * with their expected rows and error lines.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toCsv } from "../../sim/report/report-csv";
import { CsvFormatError, parseCsv } from "../../src/csv";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 200 });

// Cells as parseCsv returns them: trimmed (it trims values), at least one visible character.
const cell = fc
  .string({ unit: fc.constantFrom("a", "b", " ", ",", '"', "\n", "\r\n", "é", "1") })
  .map((s) => s.trim())
  .filter((s) => s !== "");

describe("parseCsv", () => {
  it("reads back what the report writer writes, quoted commas, quotes and line breaks included", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(cell, { minLength: 1, maxLength: 4 }),
        fc.array(fc.array(cell, { minLength: 4, maxLength: 4 }), { maxLength: 6 }),
        (header, cells) => {
          const rows = cells.map((r) => r.slice(0, header.length));
          const parsed = parseCsv(toCsv(header, rows));
          expect(parsed.header).toEqual(header);
          expect(parsed.rows.map((r) => header.map((h) => r.fields[h]))).toEqual(rows);
        },
      ),
    );
  });

  it("drops a BOM, skips blank lines, takes LF and CRLF in one file, and numbers rows by line", () => {
    const text = '\uFEFFa, b\r\n1,2\n\n  \n"x\ny",3\n4,"5""z"\n';
    expect(parseCsv(text)).toEqual({
      header: ["a", "b"],
      rows: [
        { line: 2, fields: { a: "1", b: "2" } },
        { line: 6, fields: { a: "x\ny", b: "3" } }, // the row ends on line 6
        { line: 7, fields: { a: "4", b: '5"z' } },
      ],
    });
    expect(parseCsv("")).toEqual({ header: [], rows: [] });
    expect(parseCsv('a,b\n1,x"y"\n').rows[0]!.fields.b).toBe('x"y"'); // a quote inside a field is text
  });

  it("names the line of a missing column, a short row and an unterminated quote", () => {
    const error = (text: string, required: string[] = []) => {
      try {
        parseCsv(text, required);
      } catch (e) {
        expect(e).toBeInstanceOf(CsvFormatError);
        return [(e as CsvFormatError).line, (e as CsvFormatError).message];
      }
      throw new Error("no error");
    };
    expect(error("\nx,y\n", ["a"])).toEqual([2, 'line 2: missing column "a" (header: x,y)']);
    expect(error("a,b\n1,2\n3\n")).toEqual([3, "line 3: expected 2 fields, got 1"]);
    expect(error('a,b\n1,"2\n')).toEqual([2, "line 2: unterminated quoted field"]);
  });
});
