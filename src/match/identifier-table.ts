/**
 * An open-addressing hash table from 16-byte identifiers (RPIs; 12-byte Bluezone IDs are zero-padded)
 * to integer values. Identifiers are pseudo-random, so their first word is the hash. No per-entry
 * objects and no string conversion: matching probes millions of derived identifiers per second.
 */

const EMPTY = -1;

/** Reads 4 bytes little-endian at `o` (0 past the end, so 12-byte IDs pad with zeros). */
function word(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24);
}

/** A fixed-capacity identifier → value table. */
export class IdentifierTable {
  private readonly words: Int32Array;
  private readonly values: Int32Array;
  private readonly mask: number;
  private count = 0;

  /** @param expected - how many identifiers will be inserted (sizes the table at ≤ 50% load) */
  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.mask = cap - 1;
    this.words = new Int32Array(cap * 4);
    this.values = new Int32Array(cap).fill(EMPTY);
  }

  /** Number of identifiers stored. */
  get size(): number {
    return this.count;
  }

  private find(b: Uint8Array, o: number, len: number): number {
    const w0 = word(b, o);
    const w1 = word(b, o + 4);
    const w2 = word(b, o + 8);
    const w3 = len > 12 ? word(b, o + 12) : 0;
    let i = w0 & this.mask;
    for (;;) {
      if (this.values[i] === EMPTY) return ~i;
      const k = i * 4;
      if (
        this.words[k] === w0 &&
        this.words[k + 1] === w1 &&
        this.words[k + 2] === w2 &&
        this.words[k + 3] === w3
      ) {
        return i;
      }
      i = (i + 1) & this.mask;
    }
  }

  /**
   * Inserts `identifier` with `value` (≥ 0) unless already present.
   * @returns the value now stored for the identifier (the existing one if it was present)
   */
  insert(identifier: Uint8Array, value: number): number {
    const i = this.find(identifier, 0, identifier.length);
    if (i >= 0) return this.values[i]!;
    if ((this.count + 1) * 2 > this.values.length) throw new RangeError("IdentifierTable is full");
    const slot = ~i;
    const k = slot * 4;
    this.words[k] = word(identifier, 0);
    this.words[k + 1] = word(identifier, 4);
    this.words[k + 2] = word(identifier, 8);
    this.words[k + 3] = identifier.length > 12 ? word(identifier, 12) : 0;
    this.values[slot] = value;
    this.count++;
    return value;
  }

  /**
   * Looks up the identifier of `length` bytes at `offset` in `bytes`.
   * @returns its value, or -1 when absent
   */
  lookup(bytes: Uint8Array, offset = 0, length = 16): number {
    const i = this.find(bytes, offset, length);
    return i >= 0 ? this.values[i]! : EMPTY;
  }
}

/** Tables of at least this many bytes are reused (see {@link takeTable}). */
export const REUSED_TABLE_BYTES = 1 << 20;

/** Spare tables, for the next table of the same length (at most two kept per thread). */
const spareTables: Int32Array[] = [];

/**
 * A zeroed table of `length` words: a spare one of that length (given back by {@link giveBackTable})
 * when there is one, else a new one. Fresh memory costs a page fault per 4 KiB page on first touch — on
 * this machine ≈ 80 ms for the 16 MiB table of the detection measure's 864,000 identifiers, most of a
 * day's index build — while zeroing a spare table costs a few milliseconds.
 */
export function takeTable(length: number): Int32Array {
  const i = spareTables.findIndex((t) => t.length === length);
  if (i < 0) return new Int32Array(length);
  const [table] = spareTables.splice(i, 1);
  return table!.fill(0);
}

/** Keeps `table` (no longer used by anyone) for {@link takeTable}; the oldest spare goes beyond two. */
export function giveBackTable(table: Int32Array): void {
  if (table.byteLength < REUSED_TABLE_BYTES) return;
  if (spareTables.length >= 2) spareTables.shift();
  spareTables.push(table);
}
