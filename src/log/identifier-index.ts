/**
 * An identifier index over rows of identifiers stored in one buffer: for each distinct identifier, its
 * latest row, in an open-addressing hash table of row numbers (4 bytes a slot, at most half full).
 * Identifiers are not copied: a slot's identifier is read from the rows. The memory log builds one per
 * `findByIdentifiers` call over the identifiers asked for (it keeps no index between queries).
 */
/** Where the identifiers of the rows live (the log's columns). */
export interface IdentifierRows {
  /** Identifier bytes of all rows, `stride` bytes per row. */
  readonly ids: Uint8Array;
  /** Length of row `row`'s identifier (≤ stride). */
  idLength(row: number): number;
}

const EMPTY = -1;
const MIN_SLOTS = 16;

/** FNV-1a over `length` bytes of `bytes` from `offset`, with a final avalanche (bytes are not trusted). */
function hashBytes(bytes: Uint8Array, offset: number, length: number): number {
  let h = 0x811c9dc5 ^ length;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ bytes[offset + i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Identifier → latest row, over rows stored in {@link IdentifierRows} with `stride` bytes per row. */
export class IdentifierIndex {
  private slots = new Int32Array(MIN_SLOTS).fill(EMPTY);
  /** The largest table so far, which {@link reset} reuses. */
  private spare = this.slots;
  private count = 0;

  /**
   * @param rows - where the rows' identifiers are read from, on every call (so it may be a view of
   *   columns that get reallocated)
   * @param stride - bytes per row in `rows.ids`
   */
  constructor(
    private readonly rows: IdentifierRows,
    private readonly stride: number,
  ) {}

  /** Number of distinct identifiers. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Latest row of the identifier `bytes`, or -1 if it has no row. */
  latest(bytes: Uint8Array): number {
    return this.lookup(bytes, 0, bytes.length);
  }

  /** Latest row of the identifier `bytes[offset, offset + length)`, or -1 if it has no row. */
  lookup(bytes: Uint8Array, offset: number, length: number): number {
    const slot = this.find(bytes, offset, length);
    return slot < 0 ? EMPTY : this.slots[slot]!;
  }

  /**
   * Makes `row` the latest row of its identifier and returns the previous latest row (-1 if none), so
   * the caller can chain rows of the same identifier.
   */
  put(row: number): number {
    const { ids } = this.rows;
    const offset = row * this.stride;
    const length = this.rows.idLength(row);
    const slot = this.find(ids, offset, length);
    if (slot >= 0) {
      const previous = this.slots[slot]!;
      this.slots[slot] = row;
      return previous;
    }
    if (2 * (this.count + 1) > this.slots.length) this.grow();
    this.slots[this.freeSlot(hashBytes(ids, offset, length))] = row;
    this.count++;
    return EMPTY;
  }

  /** Removes every identifier. */
  clear(): void {
    this.slots = new Int32Array(MIN_SLOTS).fill(EMPTY);
    this.count = 0;
  }

  /**
   * Removes every identifier and sizes the table for `identifiers` of them, reusing the largest table
   * this index has had (an index kept per thread and reset per query makes no garbage).
   */
  reset(identifiers: number): void {
    let size = MIN_SLOTS;
    while (2 * identifiers > size) size *= 2;
    if (this.spare.length < size) this.spare = new Int32Array(size);
    this.slots = this.spare.subarray(0, size).fill(EMPTY);
    this.count = 0;
  }

  /** Makes the table large enough for `identifiers` without growing (call before putting them). */
  reserve(identifiers: number): void {
    let n = this.slots.length;
    while (2 * identifiers > n) n *= 2;
    if (n > this.slots.length) this.rehash(n);
  }

  /** The latest row of every identifier (in slot order). */
  *latestRows(): IterableIterator<number> {
    for (const row of this.slots) if (row !== EMPTY) yield row;
  }

  /** Slot holding the identifier `bytes[offset, offset + length)`, or -1. */
  private find(bytes: Uint8Array, offset: number, length: number): number {
    const mask = this.slots.length - 1;
    const { ids } = this.rows;
    for (let i = hashBytes(bytes, offset, length) & mask; ; i = (i + 1) & mask) {
      const row = this.slots[i]!;
      if (row === EMPTY) return -1;
      if (this.rows.idLength(row) !== length) continue;
      const o = row * this.stride;
      let same = true;
      for (let b = 0; b < length; b++) {
        if (ids[o + b] !== bytes[offset + b]) {
          same = false;
          break;
        }
      }
      if (same) return i;
    }
  }

  /** First empty slot on the probe sequence of `hash`. */
  private freeSlot(hash: number): number {
    const mask = this.slots.length - 1;
    let i = hash & mask;
    while (this.slots[i] !== EMPTY) i = (i + 1) & mask;
    return i;
  }

  /** Doubles the table and re-inserts every identifier's latest row. */
  private grow(): void {
    this.rehash(this.slots.length * 2);
  }

  /** Moves every identifier's latest row to a table of `size` slots. */
  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size).fill(EMPTY);
    if (size > this.spare.length) this.spare = this.slots;
    const { ids } = this.rows;
    for (const row of old) {
      if (row === EMPTY) continue;
      this.slots[this.freeSlot(hashBytes(ids, row * this.stride, this.rows.idLength(row)))] = row;
    }
  }
}
