import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdentifierIndex, type IdentifierRows } from "../../src/log/identifier-index";

const STRIDE = 16;

/** Rows of identifiers (16- or 12-byte) in one flat buffer, as the memory log's columns hold them. */
class Rows implements IdentifierRows {
  ids = new Uint8Array(0);
  lengths: number[] = [];
  add(id: Uint8Array): number {
    const row = this.lengths.length;
    const ids = new Uint8Array((row + 1) * STRIDE);
    ids.set(this.ids);
    ids.set(id, row * STRIDE);
    this.ids = ids;
    this.lengths.push(id.length);
    return row;
  }
  idLength(row: number): number {
    return this.lengths[row]!;
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("identifier index", () => {
  it("maps every identifier to its latest row and chains the previous one, like a Map (property)", () => {
    // A small pool of identifiers (some 12-byte, some sharing a 12-byte prefix with a 16-byte one) so
    // identifiers repeat, tables grow and probe sequences collide.
    const pool = fc.uniqueArray(fc.uint8Array({ minLength: 16, maxLength: 16 }), {
      minLength: 1,
      maxLength: 60,
      selector: hex,
    });
    fc.assert(
      fc.property(pool, fc.array(fc.nat(), { maxLength: 400 }), fc.nat(400), (ids, picks, clearAt) => {
        const variants = ids.flatMap((id, i) => (i % 3 === 0 ? [id, id.subarray(0, 12)] : [id]));
        const rows = new Rows();
        const index = new IdentifierIndex(rows, STRIDE);
        let model = new Map<string, number>();
        picks.forEach((pick, step) => {
          if (step === clearAt) {
            index.clear();
            model = new Map();
          }
          const id = variants[pick % variants.length]!;
          const row = rows.add(id);
          expect(index.put(row)).toBe(model.get(hex(id)) ?? -1);
          model.set(hex(id), row);
        });
        expect(index.size).toBe(model.size);
        for (const id of variants) expect(index.latest(id)).toBe(model.get(hex(id)) ?? -1);
        expect([...index.latestRows()].sort((a, b) => a - b)).toEqual(
          [...model.values()].sort((a, b) => a - b),
        );
        expect(index.bytes).toBeGreaterThanOrEqual(2 * model.size * 4);
      }),
      { numRuns: 200 },
    );
  });

  it("finds nothing for an identifier of another length or never stored", () => {
    const rows = new Rows();
    const index = new IdentifierIndex(rows, STRIDE);
    index.put(rows.add(new Uint8Array(16).fill(7)));
    expect(index.latest(new Uint8Array(12).fill(7))).toBe(-1);
    expect(index.latest(new Uint8Array(16).fill(8))).toBe(-1);
    expect(index.latest(new Uint8Array(0))).toBe(-1);
    expect(index.latest(new Uint8Array(16).fill(7))).toBe(0);
  });

  it("forgets everything on reset, and indexes again after it", () => {
    const rows = new Rows();
    const index = new IdentifierIndex(rows, STRIDE);
    // 40 identifiers grow the table; a reset for 3 reuses it, empty.
    for (let i = 0; i < 40; i++) index.put(rows.add(new Uint8Array(16).fill(i)));
    index.reset(3);
    expect(index.size).toBe(0);
    expect(index.latest(new Uint8Array(16).fill(5))).toBe(-1);
    expect(index.put(5)).toBe(-1); // row 5 holds the identifier of 16 × 5
    expect(index.put(5)).toBe(5);
    expect(index.latest(new Uint8Array(16).fill(5))).toBe(5);
    expect(index.size).toBe(1);
  });
});
