/**
 * The in-memory contact log used by the simulator, in typed arrays without per-sighting objects and
 * without an index kept between queries. A rotating identifier is heard in about two consecutive scans
 * (an RPI lives 10 minutes, a phone scans every ≈ 5), and every row of a scan shares its time, so the
 * log keeps three tables, all in one region of a slab that the thread's logs share (`./slab.ts`):
 *
 * - identifier records, one per run of consecutive scans that heard an identifier (with one AEM): its
 *   bytes (16, or 12) and its AEM (4): 20 bytes, and its shape in 2 bits of another table;
 * - scan entries, one per batch of rows with one time and `secondsSinceLastScan` (at most 255 rows):
 *   the time as an offset from its checkpoint's (23 bits), the seconds, the row count and how many
 *   records it created (6 bytes); a checkpoint (time, first entry, first row, first record: 32 bytes)
 *   every 32 entries, or sooner when an offset would not fit;
 * - rows, 4 bytes a sighting: which record (0 = the entry's next new one, 1…254 = that many records
 *   before the entry's first new one), packets, mean and max RSSI. The rare values that do not fit a
 *   byte (a record 255 or more back, packets ≥ 255) go to side columns sorted by row.
 *
 * A row's identifier is looked up only among the previous entry's records (a scan's ≈ 4 rows compared
 * with the previous scan's ≈ 4), else it gets a new record; so an identifier heard again after a gap
 * has several records, and the queries (`findByIdentifiers`, `distinctIdentifiers`, `stats`) merge them
 * with a hash table made per call. On hanoi-ward (adoption 1) a phone-day is ≈ 1,010 rows, 570 records
 * and 250 entries: 17.4 KB of content, 18.0–18.1 KB with the growth slack (tables grow by a sixteenth), where
 * rows of 39 bytes (time 8, identifier 16, AEM 4, shape and RSSIs 3, packets 2, seconds 2, index chain 4)
 * and a kept index took 52.7 KiB (hanoi-ward, 1,000 people × 1 day).
 *
 * A growth moves the tables to a new region of at least their new capacity (rounded up to 8 bytes) and
 * frees the old one; a purge that shrinks them, and `close`, free theirs; a log dropped unclosed frees
 * its region once it is garbage collected. So `columnBytes` is the log's region (and side columns); the
 * slabs' free space between regions is no log's (on hanoi-ward, 1,000 and 2,000 people × 1 day, 9.6%
 * and 5.3% of the slabs, the newest slab's unused end included). A new ArrayBuffer per growth, as
 * before, cost 10–40 µs each on Node 20 (backing store and external-memory accounting, not the bytes).
 */
import { InvalidArgumentError } from "../errors";
import { AEM_LENGTH, KEY_LENGTH, type TemporaryExposureKey } from "../protocol/gaen";
import { InvalidSightingError, LogClosedError } from "./errors";
import { IdentifierIndex } from "./identifier-index";
import { compareResults, ownKeyEndMs, ownKeyExpired } from "./retention";
import { logAllocator, type Region, type RegionAllocator } from "./slab";
import type { ContactLog, LogStats, ScanBatch, Sighting, StoredResult } from "./types";
import {
  isStorableRssi,
  MAX_PACKETS,
  MAX_SECONDS_SINCE_LAST_SCAN,
  resultToJson,
  validateOwnKeys,
  validateSightings,
  validateStateName,
  validateStateValue,
  validateTimeBound,
} from "./validate";

/**
 * Maps an identifier — `length` bytes (16 for an RPI, 12 for a Bluezone ID) of `bytes` from `offset` —
 * to a value ≥ 0 when it is wanted, or to a negative number. `bytes` is the log's own storage: read
 * it during the call, never keep or write it.
 * @public
 */
export type IdentifierProbe = (bytes: Uint8Array, offset: number, length: number) => number;

/**
 * Sightings found by {@link MemoryContactLog.probeIdentifiersSync}.
 * @public
 */
export interface ProbedSightings {
  /** The sightings, by time. */
  sightings: Sighting[];
  /** The probe's value for each sighting's identifier (`values[i]` for `sightings[i]`). */
  values: number[];
}

/**
 * Options of {@link createMemoryLog}.
 * @public
 */
export interface MemoryLogOptions {
  /**
   * Sightings allocated up front (default 64), with room for 9/16 as many identifiers and 1/4 as many
   * scans (the simulator's mix); every table grows by a sixteenth whenever it fills up.
   */
  initialCapacity?: number;
}

/**
 * The memory store: a {@link ContactLog} plus synchronous variants for the simulator's hot loop
 * (the asynchronous methods wrap these).
 * @public
 */
export interface MemoryContactLog extends ContactLog {
  /** Always `"memory"`. */
  readonly kind: "memory";
  /** Number of sightings stored. */
  readonly size: number;
  /** Synchronous {@link ContactLog.record}: validates the whole batch, then appends it. */
  recordSync(sightings: readonly Sighting[]): void;
  /**
   * Appends one scan's sightings given in columns (a scan aggregator's `endScanInto`), without a
   * {@link Sighting} object per row: the same rows {@link MemoryContactLog.recordSync} would store for the same
   * sightings. Validates every row first (nothing is stored from a bad batch).
   * @throws InvalidSightingError naming the first offending row; LogClosedError after close
   */
  recordScan(batch: ScanBatch): void;
  /** Synchronous {@link ContactLog.range}. */
  rangeSync(from: number, to: number): Sighting[];
  /** Synchronous {@link ContactLog.findByIdentifiers}. */
  findByIdentifiersSync(identifiers: Iterable<Uint8Array>): Sighting[];
  /**
   * The sightings whose identifier `probe` maps to a value ≥ 0, with those values, by time (then in
   * the order recorded), as `findByIdentifiersSync` orders them: the log's identifier records are
   * handed to `probe` one by one, without a merged set of distinct identifiers (a matcher probing a
   * table of published identifiers). With `from` and `to`, only sightings heard in `[from, to)` (unix
   * ms), in the order {@link MemoryContactLog.rangeSync} returns them, and `probe` sees the identifiers
   * of those rows only.
   * @throws InvalidArgumentError if a bound is not a number; LogClosedError after close
   */
  probeIdentifiersSync(probe: IdentifierProbe, from?: number, to?: number): ProbedSightings;
  /** Synchronous {@link ContactLog.purge}; compacts the tables. */
  purgeSync(before: number): number;
  /**
   * Bytes held by the log's tables at their allocated capacity: its region of the thread's slabs
   * (identifiers, scan entries and checkpoints, rows, rounded up to 8 bytes) and its side columns.
   * 0 after `close`.
   */
  columnBytes(): number;
  /**
   * Bytes held between queries by query structures: the scans' time order when they were appended out
   * of order (0 otherwise). Queries build their hash tables per call and drop them.
   */
  indexBytes(): number;
}

/**
 * Bytes of an identifier record: the identifier (16, or 12 then 4 unused), the AEM (4, or unused); its
 * shape is in a table of 2 bits a record.
 */
const ID_STRIDE = KEY_LENGTH + AEM_LENGTH;
/** Bytes of a row: identifier reference, packets, mean RSSI, max RSSI. */
const ROW_STRIDE = 4;
/** 16-bit words of an entry: time offset (low 16 bits); offset's high 7 bits | seconds << 7; rows | new << 8. */
const ENTRY_STRIDE = 3;
/** Numbers of a checkpoint: base time, first entry, first row, first identifier. */
const CP_STRIDE = 4;
/** Rows an entry holds at most (its counts are bytes). */
const MAX_ENTRY_ROWS = 255;
/** Entries between checkpoints at most. */
const ENTRIES_PER_CHECKPOINT = 32;
/** Largest time offset from a checkpoint an entry can hold (23 bits, ≈ 2.3 h); beyond, a new checkpoint. */
const MAX_OFFSET = 0x7fffff;
/** A row byte whose value is in a side column. */
const ESCAPE = 255;
/** Shape bit: the identifier is a 16-byte RPI (else a 12-byte Bluezone ID). */
const SHAPE_RPI = 1;
/** Shape bit: an AEM is present. */
const SHAPE_AEM = 2;
const NONE = new Uint32Array(0);
/**
 * Tables grow to have a sixteenth of their use to spare (≈ 3 % slack on average; an eighth gave 8 % on
 * hanoi-ward, as tables that are not full grow with the one that is).
 */
const GROWTH_SHIFT = 4;
/**
 * The least a table grows by: a sixteenth of a phone-day in a city setting (64 sightings, 36 identifier
 * records, 16 scans), so a log that starts small does not grow twice as often as one a day large (each
 * growth takes a new region and copies the tables).
 */
const STEP: Capacity = { ids: 36, rows: 64, entries: 16, cps: 1 };

/** Capacity reached from `cap` by growing a sixteenth at a time (at least `step`) until `need` fits. */
function grown(cap: number, need: number, step: number): number {
  let c = cap;
  while (c < need) c += Math.max(step, c >>> GROWTH_SHIFT);
  return c;
}

/** A sorted side column: values of the few rows whose byte says {@link ESCAPE}, keyed by row. */
/**
 * Fresh copies of a query's identifiers and AEMs, carved from shared 4 KiB buffers: one allocation of
 * backing memory per ≈ 200 sightings instead of two per sighting (a simulated day matches thousands).
 * Each copy is its own view; no two overlap, and none aliases the log.
 */
class CopyArena {
  private chunk = new Uint8Array(0);
  private at = 0;

  /** A copy of `length` bytes of `src` from `from`. */
  copy(src: Uint8Array, from: number, length: number): Uint8Array {
    if (this.at + length > this.chunk.length) {
      this.chunk = new Uint8Array(Math.max(4096, length));
      this.at = 0;
    }
    const o = this.at;
    const chunk = this.chunk;
    for (let k = 0; k < length; k++) chunk[o + k] = src[from + k]!;
    this.at = o + length;
    return chunk.subarray(o, o + length);
  }
}

class Escapes {
  keys = NONE;
  values = NONE;
  count = 0;

  get bytes(): number {
    return this.keys.byteLength + this.values.byteLength;
  }

  /** Appends `key → value`; keys must come in increasing order. */
  push(key: number, value: number): void {
    if (this.count === this.keys.length) {
      const cap = grown(this.keys.length, this.count + 1, 4);
      const k = new Uint32Array(cap);
      const v = new Uint32Array(cap);
      k.set(this.keys.subarray(0, this.count));
      v.set(this.values.subarray(0, this.count));
      this.keys = k;
      this.values = v;
    }
    this.keys[this.count] = key;
    this.values[this.count] = value;
    this.count++;
  }

  clear(): void {
    this.keys = NONE;
    this.values = NONE;
    this.count = 0;
  }

  /** The value stored for `key` (which must be present). */
  get(key: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return this.values[lo]!;
  }
}

/** Where an entry starts: its checkpoint, first row and first new identifier. */
class Cursor {
  entry = 0;
  cp = 0;
  firstRow = 0;
  idBase = 0;
}

// Identifiers of the previous entry's rows and of the open entry's rows while a batch is appended
// (an entry has at most 255 rows). Shared by every log: an append runs to its end without yielding.
const prevIds = new Int32Array(MAX_ENTRY_ROWS);
const openIds = new Int32Array(MAX_ENTRY_ROWS);
const scratchCursor = new Cursor();
const queryIds = new Int32Array(MAX_ENTRY_ROWS);
/** An entry's identifiers while a purge walks the kept entries (a typed array per purge cost a backing store). */
const purgeIds = new Int32Array(MAX_ENTRY_ROWS);
const NO_BYTES = new Uint8Array(0);
/** The identifiers of the log being queried, for {@link distinctRecords} (pointed at it per call). */
const distinctSource: { ids: Uint8Array; idLength: (id: number) => number } = {
  ids: NO_BYTES,
  idLength: () => 0,
};
// The index the queries that merge an identifier's records use, reset for each call (its table grows
// to the largest log queried, per thread): no table per log, no garbage per query.
const distinctRecords = new IdentifierIndex(distinctSource, ID_STRIDE);

/** Capacities of the tables, in records, rows, entries and checkpoints. */
interface Capacity {
  ids: number;
  rows: number;
  entries: number;
  cps: number;
}

/** A closed log's capacities (an empty region, in no slab). */
const NO_TABLES: Capacity = { ids: 0, rows: 0, entries: 0, cps: 0 };

/** Capacities for `rows` sightings of the simulator's mix (9/16 as many identifiers, 1/4 as many scans). */
function capacityFor(rows: number): Capacity {
  const entries = Math.max(4, Math.ceil(rows / 4));
  return {
    ids: Math.max(4, Math.ceil((rows * 9) / 16)),
    rows,
    entries,
    cps: Math.ceil(entries / ENTRIES_PER_CHECKPOINT) + 1,
  };
}

/** `used + more` plus a sixteenth of it to spare (at least `step`). */
function withSpare(used: number, more: number, step: number): number {
  const need = used + more;
  return need + Math.max(step, need >>> GROWTH_SHIFT);
}

/**
 * A store's region, apart from the store, so that a store dropped without being released (a log left
 * to the garbage collector unclosed) gives its region back: the finalizer holds this, not the store.
 */
class Holding {
  region: Region | undefined;
  constructor(readonly allocator: RegionAllocator) {}

  release(): void {
    const r = this.region;
    this.region = undefined;
    if (r) this.allocator.free(r);
  }
}

const unreleased = new FinalizationRegistry<Holding>((holding) => holding.release());

/** Bytes of the tables at capacities `cap`, a multiple of 8 (regions are). */
function tableBytes(cap: Capacity): number {
  return Math.ceil(packedBytes(cap.ids, cap.rows, cap.entries, cap.cps) / 8) * 8;
}

/** Bytes of `ids` identifier records (and their shapes), `rows` rows, `entries` entries and `cps` checkpoints. */
function packedBytes(ids: number, rows: number, entries: number, cps: number): number {
  return (
    cps * CP_STRIDE * 8 +
    entries * ENTRY_STRIDE * 2 +
    rows * ROW_STRIDE +
    ids * ID_STRIDE +
    Math.ceil(ids / 4)
  );
}

/**
 * The tables, in one region of a slab shared with other logs (`src/log/slab.ts`); a growth moves them
 * to a new region and frees the old one, without a new ArrayBuffer.
 */
class Store {
  cap: Capacity;
  /** Bytes of the region (the tables at capacity, rounded up to 8). */
  regionBytes = 0;
  private readonly holding = new Holding(logAllocator());
  cps!: Float64Array;
  entries!: Uint16Array;
  rows!: Uint8Array;
  ids!: Uint8Array;
  /** Shape of each record, 2 bits: {@link SHAPE_RPI} | {@link SHAPE_AEM}. */
  shapes!: Uint8Array;
  /**
   * Record `id`'s shape is slot `id + shapeBias` of {@link shapes} (0–3: a dropped prefix moves the
   * tables' start by whole records, the packed shapes by whole bytes).
   */
  shapeBias = 0;
  /** Capacities the region was allocated for ({@link cap} shrinks as dropped prefixes move the tables' start). */
  private regionCap: Capacity;
  idCount = 0;
  rowCount = 0;
  entryCount = 0;
  cpCount = 0;
  readonly refEscapes = new Escapes();
  readonly packetEscapes = new Escapes();
  /** True while entries are in time order, so storage order is the query order. */
  inOrder = true;
  /** Entries sorted by (time, entry) when not {@link inOrder}; rebuilt lazily. */
  order: Uint32Array | undefined;
  /** The last entry: time, seconds, first row, first new identifier, rows, new identifiers. */
  private lastTime = 0;
  private lastSeconds = 0;
  private lastFirstRow = 0;
  private lastIdBase = 0;
  private openRows = 0;
  private openNew = 0;
  /** Identifiers of the previous entry's rows (in `prevIds`) and of the open entry's (in `openIds`). */
  private prevCount = 0;
  private openCount = 0;

  constructor(cap: Capacity) {
    this.cap = cap;
    this.regionCap = cap;
    this.allocate(cap);
    unreleased.register(this, this.holding, this.holding);
  }

  /** Gives the region back; the store must not be used afterwards. */
  release(): void {
    unreleased.unregister(this.holding);
    this.holding.release();
    this.regionBytes = 0;
  }

  /**
   * Moves the tables to a new region with capacities `cap` (each at least what it holds), then frees
   * the old one. The space beyond what the tables hold is zeroed (a reused region keeps old bytes).
   */
  private allocate(cap: Capacity): void {
    const region = this.holding.allocator.allocate(tableBytes(cap));
    const old = this.holding.region;
    const cps = this.cps;
    const entries = this.entries;
    const rows = this.rows;
    const ids = this.ids;
    const shapes = this.shapes;
    const bias = this.shapeBias;
    this.holding.region = region;
    this.viewRegion(cap);
    if (old) {
      this.cps.set(cps.subarray(0, this.cpCount * CP_STRIDE));
      this.entries.set(entries.subarray(0, this.entryCount * ENTRY_STRIDE));
      this.rows.set(rows.subarray(0, this.rowCount * ROW_STRIDE));
      this.ids.set(ids.subarray(0, this.idCount * ID_STRIDE));
      // Shapes realigned to the region's start (a dropped prefix may have left them `bias` slots in).
      const n = Math.ceil(this.idCount / 4);
      if (bias === 0) this.shapes.set(shapes.subarray(0, n));
      else {
        const lo = bias << 1;
        const hi = 8 - lo;
        for (let j = 0; j < n; j++) this.shapes[j] = ((shapes[j]! >>> lo) | (shapes[j + 1]! << hi)) & 0xff;
      }
    }
    this.cps.fill(0, this.cpCount * CP_STRIDE);
    this.entries.fill(0, this.entryCount * ENTRY_STRIDE);
    this.rows.fill(0, this.rowCount * ROW_STRIDE);
    this.ids.fill(0, this.idCount * ID_STRIDE);
    this.shapes.fill(0, Math.ceil(this.idCount / 4));
    if (old) this.holding.allocator.free(old);
  }

  /** Points the tables at the start of the region, with capacities `cap` (those it was allocated for). */
  private viewRegion(cap: Capacity): void {
    const region = this.holding.region!;
    const { buffer } = region;
    // Widest elements first, so every view is aligned (a region starts at a multiple of 8).
    let at = region.offset;
    this.cps = new Float64Array(buffer, at, cap.cps * CP_STRIDE);
    at += this.cps.byteLength;
    this.entries = new Uint16Array(buffer, at, cap.entries * ENTRY_STRIDE);
    at += this.entries.byteLength;
    this.rows = new Uint8Array(buffer, at, cap.rows * ROW_STRIDE);
    at += this.rows.byteLength;
    this.ids = new Uint8Array(buffer, at, cap.ids * ID_STRIDE);
    at += this.ids.byteLength;
    this.shapes = new Uint8Array(buffer, at, Math.ceil(cap.ids / 4));
    this.shapeBias = 0;
    this.cap = cap;
    this.regionCap = cap;
    this.regionBytes = region.size;
  }

  /**
   * Makes room for `ids`, `rows`, `entries` and `cps` more: every table that would have less than half
   * its spare (a sixteenth of its use, at least its {@link STEP}) grows to have all of it, so the tables,
   * which fill at similar rates, grow together (one allocation, not one per table).
   */
  private grow(ids: number, rows: number, entries: number, cps: number): void {
    const c = this.cap;
    const next = (cap: number, used: number, more: number, step: number) =>
      cap >= used + more + (Math.max(step, (used + more) >>> GROWTH_SHIFT) >>> 1)
        ? cap
        : withSpare(used, more, step);
    this.allocate({
      ids: next(c.ids, this.idCount, ids, STEP.ids),
      rows: next(c.rows, this.rowCount, rows, STEP.rows),
      entries: next(c.entries, this.entryCount, entries, STEP.entries),
      cps: next(c.cps, this.cpCount, cps, STEP.cps),
    });
  }

  /**
   * Shrinks the tables to what they hold plus their spare when they hold a quarter of the buffer or
   * less, not below `min`.
   */
  shrink(min: Capacity): void {
    if (4 * this.usedBytes() > this.regionBytes) return;
    const held = (used: number, floor: number, step: number) => Math.max(floor, withSpare(used, 0, step));
    const cap = {
      ids: held(this.idCount, min.ids, STEP.ids),
      rows: held(this.rowCount, min.rows, STEP.rows),
      entries: held(this.entryCount, min.entries, STEP.entries),
      cps: held(this.cpCount, min.cps, STEP.cps),
    };
    const was = this.regionCap;
    if (cap.ids < was.ids || cap.rows < was.rows || cap.entries < was.entries) this.allocate(cap);
  }

  private usedBytes(): number {
    return packedBytes(this.idCount, this.rowCount, this.entryCount, this.cpCount);
  }

  get bytes(): number {
    return this.regionBytes + this.refEscapes.bytes + this.packetEscapes.bytes;
  }

  shape(id: number): number {
    const x = id + this.shapeBias;
    return (this.shapes[x >> 2]! >>> ((x & 3) << 1)) & 3;
  }

  private setShape(id: number, shape: number): void {
    const x = id + this.shapeBias;
    const bit = (x & 3) << 1;
    this.shapes[x >> 2] = (this.shapes[x >> 2]! & ~(3 << bit)) | (shape << bit);
  }

  idLength(id: number): number {
    return this.shape(id) & SHAPE_RPI ? KEY_LENGTH : 12;
  }

  entryOffset(e: number): number {
    const en = this.entries;
    return en[e * ENTRY_STRIDE]! | ((en[e * ENTRY_STRIDE + 1]! & 0x7f) << 16);
  }

  entrySeconds(e: number): number {
    return this.entries[e * ENTRY_STRIDE + 1]! >>> 7;
  }

  entryRows(e: number): number {
    return this.entries[e * ENTRY_STRIDE + 2]! & 0xff;
  }

  entryNew(e: number): number {
    return this.entries[e * ENTRY_STRIDE + 2]! >>> 8;
  }

  /** The last checkpoint whose number `field` (1: first entry, 3: first identifier) is at most `value`. */
  private lastCheckpointAtMost(field: number, value: number): number {
    const cps = this.cps;
    let lo = 0;
    let hi = this.cpCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (cps[mid * CP_STRIDE + field]! <= value) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The checkpoint entry `e` belongs to. */
  checkpointOf(e: number): number {
    return this.lastCheckpointAtMost(1, e);
  }

  entryTime(e: number): number {
    return this.cps[this.checkpointOf(e) * CP_STRIDE]! + this.entryOffset(e);
  }

  /** Points `c` at entry `e` (a walk of at most 31 entries from its checkpoint). */
  locate(e: number, c: Cursor): Cursor {
    const cp = this.checkpointOf(e);
    const cps = this.cps;
    let row = cps[cp * CP_STRIDE + 2]!;
    let id = cps[cp * CP_STRIDE + 3]!;
    for (let x = cps[cp * CP_STRIDE + 1]!; x < e; x++) {
      row += this.entryRows(x);
      id += this.entryNew(x);
    }
    c.entry = e;
    c.cp = cp;
    c.firstRow = row;
    c.idBase = id;
    return c;
  }

  /** Points `c` at the entry that created identifier record `id`. */
  locateIdentifier(id: number, c: Cursor): Cursor {
    const cps = this.cps;
    const lo = this.lastCheckpointAtMost(3, id);
    c.cp = lo;
    c.entry = cps[lo * CP_STRIDE + 1]!;
    c.firstRow = cps[lo * CP_STRIDE + 2]!;
    c.idBase = cps[lo * CP_STRIDE + 3]!;
    while (c.idBase + this.entryNew(c.entry) <= id) this.next(c);
    return c;
  }

  /** Moves `c` to the next entry. */
  next(c: Cursor): void {
    c.firstRow += this.entryRows(c.entry);
    c.idBase += this.entryNew(c.entry);
    c.entry++;
    if (c.cp + 1 < this.cpCount && this.cps[(c.cp + 1) * CP_STRIDE + 1] === c.entry) c.cp++;
  }

  cursorTime(c: Cursor): number {
    return this.cps[c.cp * CP_STRIDE]! + this.entryOffset(c.entry);
  }

  /** Writes the identifiers of the rows of the entry at `c` into `out`; returns their number. */
  entryIds(c: Cursor, out: Int32Array): number {
    const n = this.entryRows(c.entry);
    const rows = this.rows;
    let fresh = c.idBase;
    for (let i = 0; i < n; i++) {
      const r = c.firstRow + i;
      const v = rows[r * ROW_STRIDE]!;
      out[i] = v === 0 ? fresh++ : v !== ESCAPE ? c.idBase - v : this.refEscapes.get(r);
    }
    return n;
  }

  /** A fresh Sighting (with bytes copied into `arena`) for row `r`, identifier `id`. */
  sighting(r: number, id: number, time: number, seconds: number, arena: CopyArena): Sighting {
    const o = id * ID_STRIDE;
    const shape = this.shape(id);
    const rows = this.rows;
    const p = rows[r * ROW_STRIDE + 1]!;
    return {
      time,
      identifier: arena.copy(this.ids, o, shape & SHAPE_RPI ? KEY_LENGTH : 12),
      aem: shape & SHAPE_AEM ? arena.copy(this.ids, o + KEY_LENGTH, AEM_LENGTH) : new Uint8Array(0),
      meanRssi: (rows[r * ROW_STRIDE + 2]! << 24) >> 24,
      maxRssi: (rows[r * ROW_STRIDE + 3]! << 24) >> 24,
      packets: p === ESCAPE ? this.packetEscapes.get(r) : p,
      secondsSinceLastScan: seconds,
    };
  }

  /** Appends the Sightings of the entry at `c` to `out`. */
  readEntry(c: Cursor, out: Sighting[], arena: CopyArena): void {
    const time = this.cursorTime(c);
    const seconds = this.entrySeconds(c.entry);
    const n = this.entryIds(c, openIds);
    for (let i = 0; i < n; i++) out.push(this.sighting(c.firstRow + i, openIds[i]!, time, seconds, arena));
  }

  /** Room for `n` more rows. */
  reserveRows(n: number): void {
    if (this.rowCount + n > this.cap.rows) this.grow(0, n, 0, 0);
  }

  /** Opens a new entry at `time` (the rows appended next belong to it). */
  beginEntry(time: number, seconds: number): void {
    const e = this.entryCount;
    if (e > 0) {
      if (time < this.lastTime) this.inOrder = false;
      // The entry closed now is the one the new entry's rows are compared with.
      const c = scratchCursor;
      c.entry = e - 1;
      c.firstRow = this.lastFirstRow;
      c.idBase = this.lastIdBase;
      this.prevCount = this.entryIds(c, prevIds);
    } else {
      // No previous entry (a new or emptied log): nothing to share a record with.
      this.prevCount = 0;
    }
    if (e === this.cap.entries) this.grow(0, 0, 1, 0);
    let cp = this.cpCount - 1;
    let offset = cp < 0 ? -1 : time - this.cps[cp * CP_STRIDE]!;
    if (
      cp < 0 ||
      e - this.cps[cp * CP_STRIDE + 1]! >= ENTRIES_PER_CHECKPOINT ||
      offset < 0 ||
      offset > MAX_OFFSET
    ) {
      if (this.cpCount === this.cap.cps) this.grow(0, 0, 0, 1);
      cp = this.cpCount++;
      const o = cp * CP_STRIDE;
      this.cps[o] = time;
      this.cps[o + 1] = e;
      this.cps[o + 2] = this.rowCount;
      this.cps[o + 3] = this.idCount;
      offset = 0;
    }
    const o = e * ENTRY_STRIDE;
    this.entries[o] = offset & 0xffff;
    this.entries[o + 1] = (offset >>> 16) | (seconds << 7);
    this.entries[o + 2] = 0;
    this.entryCount = e + 1;
    this.lastTime = time;
    this.lastSeconds = seconds;
    this.lastFirstRow = this.rowCount;
    this.lastIdBase = this.idCount;
    this.openRows = 0;
    this.openNew = 0;
    this.openCount = 0;
    this.order = undefined;
  }

  /** Index in `list` of the identifier record equal to the given bytes and shape, or -1. */
  private indexIn(
    list: Int32Array,
    n: number,
    src: Uint8Array,
    idOffset: number,
    idLength: number,
    aem: Uint8Array,
    aemOffset: number,
    shape: number,
  ): number {
    const ids = this.ids;
    for (let i = 0; i < n; i++) {
      const id = list[i]!;
      if (this.shape(id) !== shape) continue;
      const o = id * ID_STRIDE;
      let k = 0;
      while (k < idLength && ids[o + k] === src[idOffset + k]) k++;
      if (k < idLength) continue;
      if (shape & SHAPE_AEM) {
        k = 0;
        while (k < AEM_LENGTH && ids[o + KEY_LENGTH + k] === aem[aemOffset + k]) k++;
        if (k < AEM_LENGTH) continue;
      }
      return i;
    }
    return -1;
  }

  /**
   * Appends a row to the open entry (rows must have been reserved): identifier
   * `src[idOffset, idOffset + idLength)`, AEM `aem[aemOffset, aemOffset + aemLength)`.
   */
  appendRow(
    src: Uint8Array,
    idOffset: number,
    idLength: number,
    aem: Uint8Array,
    aemOffset: number,
    aemLength: number,
    meanRssi: number,
    maxRssi: number,
    packets: number,
  ): void {
    const shape = (idLength === KEY_LENGTH ? SHAPE_RPI : 0) | (aemLength === AEM_LENGTH ? SHAPE_AEM : 0);
    // A full entry, or an identifier already in this entry, continues in a new entry of the same scan:
    // then every row refers to an identifier new in its entry or to one of the previous entry's.
    if (
      this.openRows === MAX_ENTRY_ROWS ||
      this.indexIn(openIds, this.openCount, src, idOffset, idLength, aem, aemOffset, shape) >= 0
    ) {
      this.beginEntry(this.lastTime, this.lastSeconds);
    }
    const r = this.rowCount;
    const found = this.indexIn(prevIds, this.prevCount, src, idOffset, idLength, aem, aemOffset, shape);
    let id: number;
    let ref: number;
    if (found < 0) {
      id = this.newIdentifier(src, idOffset, idLength, aem, aemOffset, shape);
      ref = 0;
      this.openNew++;
    } else {
      id = prevIds[found]!;
      ref = this.lastIdBase - id;
      if (ref >= ESCAPE) {
        ref = ESCAPE;
        this.refEscapes.push(r, id);
      }
    }
    openIds[this.openCount++] = id;
    // Read after the identifier: a new one may have moved the tables to a larger buffer.
    const rows = this.rows;
    rows[r * ROW_STRIDE] = ref;
    if (packets < ESCAPE) rows[r * ROW_STRIDE + 1] = packets;
    else {
      rows[r * ROW_STRIDE + 1] = ESCAPE;
      this.packetEscapes.push(r, packets);
    }
    rows[r * ROW_STRIDE + 2] = meanRssi;
    rows[r * ROW_STRIDE + 3] = maxRssi;
    this.rowCount = r + 1;
    this.openRows++;
    this.entries[(this.entryCount - 1) * ENTRY_STRIDE + 2] = this.openRows | (this.openNew << 8);
  }

  private newIdentifier(
    src: Uint8Array,
    idOffset: number,
    idLength: number,
    aem: Uint8Array,
    aemOffset: number,
    shape: number,
  ): number {
    const id = this.idCount;
    if (id === this.cap.ids) this.grow(1, 0, 0, 0);
    const o = id * ID_STRIDE;
    const ids = this.ids;
    for (let k = 0; k < idLength; k++) ids[o + k] = src[idOffset + k]!;
    if (shape & SHAPE_AEM) for (let k = 0; k < AEM_LENGTH; k++) ids[o + KEY_LENGTH + k] = aem[aemOffset + k]!;
    this.setShape(id, shape);
    this.idCount = id + 1;
    return id;
  }

  /** Removes every entry. */
  clear(): void {
    this.idCount = 0;
    this.rowCount = 0;
    this.entryCount = 0;
    this.cpCount = 0;
    this.refEscapes.clear();
    this.packetEscapes.clear();
    this.inOrder = true;
    this.order = undefined;
    this.lastFirstRow = 0;
    this.lastIdBase = 0;
    // Tables moved in by dropped prefixes start at the region's start again.
    if (this.holding.region && this.cap !== this.regionCap) this.viewRegion(this.regionCap);
  }

  /**
   * Removes entries `[0, k)` in place, for entries in time order (0 < k < entryCount), and returns the
   * rows removed. The records of identifiers created before entry k that later rows still refer to
   * (those of entry k, and of each following entry while it refers to one) move to just before the
   * kept records, the tables then start at them, at the kept rows and at entry k (nothing else moves),
   * the checkpoints move down, and the references of the carried rows are rewritten; every other
   * reference is relative to its entry and stays valid.
   */
  dropPrefix(k: number): number {
    const start = this.locate(k, new Cursor());
    const removedRows = start.firstRow;
    const base = start.idBase;
    const carried: number[] = [];
    const carriedIndex = new Map<number, number>();
    const chainRows: number[] = [];
    const chainIds: number[] = [];
    const chainBase: number[] = [];
    const ids = purgeIds;
    const c = this.locate(k, new Cursor());
    for (; c.entry < this.entryCount; this.next(c)) {
      const n = this.entryIds(c, ids);
      let refers = false;
      for (let i = 0; i < n; i++) {
        const id = ids[i]!;
        if (id >= base) continue;
        refers = true;
        if (!carriedIndex.has(id)) {
          carriedIndex.set(id, carried.length);
          carried.push(id);
        }
        chainRows.push(c.firstRow + i);
        chainIds.push(id);
        chainBase.push(c.idBase);
      }
      if (!refers) break;
    }
    const m = carried.length;
    const shift = m - base;
    // The tables' start moves past the dropped prefix instead of their contents moving down (a purge
    // costs what it removes, not what the log holds; the next growth or shrink moves the tables to a
    // region's start). The carried records go just before record `base`: the slots of `m` dropped ones.
    const records = new Uint8Array(m * ID_STRIDE);
    const shapes = carried.map((id) => this.shape(id));
    carried.forEach((id, i) => {
      records.set(this.ids.subarray(id * ID_STRIDE, (id + 1) * ID_STRIDE), i * ID_STRIDE);
    });
    const from = base - m;
    const slot = from + this.shapeBias;
    this.ids = this.ids.subarray(from * ID_STRIDE);
    this.ids.set(records);
    this.shapes = this.shapes.subarray(slot >> 2);
    this.shapeBias = slot & 3;
    shapes.forEach((shape, i) => {
      this.setShape(i, shape);
    });
    this.rows = this.rows.subarray(removedRows * ROW_STRIDE);
    this.entries = this.entries.subarray(k * ENTRY_STRIDE);
    this.cap = {
      ids: this.cap.ids - from,
      rows: this.cap.rows - removedRows,
      entries: this.cap.entries - k,
      cps: this.cap.cps,
    };
    // Side columns: keys move down with the rows; escaped references move with their records.
    const chain = new Set(chainRows);
    const refs: [number, number][] = [];
    const old = this.refEscapes;
    for (let i = 0; i < old.count; i++) {
      const row = old.keys[i]!;
      if (row >= removedRows && !chain.has(row)) refs.push([row - removedRows, old.values[i]! + shift]);
    }
    chainRows.forEach((row, i) => {
      const to = carriedIndex.get(chainIds[i]!)!;
      const back = chainBase[i]! + shift - to;
      const r = row - removedRows;
      if (back < ESCAPE) this.rows[r * ROW_STRIDE] = back;
      else {
        this.rows[r * ROW_STRIDE] = ESCAPE;
        refs.push([r, to]);
      }
    });
    refs.sort((a, b) => a[0] - b[0]);
    old.clear();
    for (const [row, id] of refs) old.push(row, id);
    const packets = this.packetEscapes;
    const kept: [number, number][] = [];
    for (let i = 0; i < packets.count; i++)
      if (packets.keys[i]! >= removedRows) kept.push([packets.keys[i]! - removedRows, packets.values[i]!]);
    packets.clear();
    for (const [row, p] of kept) packets.push(row, p);
    // The checkpoint of entry k keeps its base time (the offsets of its entries stay valid).
    const cp = start.cp;
    const cps = this.cps;
    cps.copyWithin(0, cp * CP_STRIDE, this.cpCount * CP_STRIDE);
    this.cpCount -= cp;
    cps[1] = k;
    cps[2] = removedRows;
    cps[3] = base;
    for (let i = 0; i < this.cpCount; i++) {
      cps[i * CP_STRIDE + 1]! -= k;
      cps[i * CP_STRIDE + 2]! -= removedRows;
      cps[i * CP_STRIDE + 3]! += shift;
    }
    this.entryCount -= k;
    this.rowCount -= removedRows;
    this.idCount += shift;
    this.lastFirstRow -= removedRows;
    this.lastIdBase += shift;
    return removedRows;
  }
}

class MemoryLog implements MemoryContactLog {
  readonly kind = "memory" as const;
  /**
   * The tables, in a holder: purge and close replace them, and a wrapper deriving from the log
   * (`Object.create(log)`, as the feed tests' crash injectors are) must see the replacement.
   */
  private readonly box: { store: Store };
  private readonly minCapacity: number;
  private readonly keys = new Map<number, TemporaryExposureKey>();
  /** No own key ends before this (unix ms; at most the earliest end): the hourly purge skips them till then. */
  private keysEndFrom = Number.POSITIVE_INFINITY;
  private readonly resultJson = new Map<string, { time: number; id: string; json: string }>();
  private readonly state = new Map<string, Uint8Array>();
  private closed = false;

  constructor(options: MemoryLogOptions) {
    const cap = options.initialCapacity ?? 64;
    if (!Number.isInteger(cap) || cap < 1) {
      throw new InvalidArgumentError(`initialCapacity must be a positive integer, got ${cap}`);
    }
    this.minCapacity = cap;
    this.box = { store: new Store(capacityFor(cap)) };
  }

  get size(): number {
    return this.box.store.rowCount;
  }

  columnBytes(): number {
    return this.box.store.bytes;
  }

  indexBytes(): number {
    return this.box.store.order?.byteLength ?? 0;
  }

  private assertOpen(): void {
    if (this.closed) throw new LogClosedError(this.kind);
  }

  recordSync(sightings: readonly Sighting[]): void {
    this.assertOpen();
    validateSightings(sightings);
    if (sightings.length === 0) return;
    const st = this.box.store;
    st.reserveRows(sightings.length);
    let time = Number.NaN;
    let seconds = Number.NaN;
    for (const s of sightings) {
      if (s.time !== time || s.secondsSinceLastScan !== seconds) {
        time = s.time;
        seconds = s.secondsSinceLastScan;
        st.beginEntry(time, seconds);
      }
      const { identifier, aem } = s;
      st.appendRow(identifier, 0, identifier.length, aem, 0, aem.length, s.meanRssi, s.maxRssi, s.packets);
    }
  }

  recordScan(b: ScanBatch): void {
    this.assertOpen();
    const problem = scanProblem(b);
    if (problem) throw new InvalidSightingError(problem[0], problem[1]);
    const n = b.count;
    if (n === 0) return;
    const st = this.box.store;
    st.reserveRows(n);
    st.beginEntry(b.time, b.secondsSinceLastScan);
    const { ids, idLengths, aems, aemLengths, meanRssi, maxRssi, packets } = b;
    for (let i = 0; i < n; i++) {
      st.appendRow(
        ids,
        i * KEY_LENGTH,
        idLengths[i]!,
        aems,
        i * AEM_LENGTH,
        aemLengths[i]!,
        meanRssi[i]!,
        maxRssi[i]!,
        packets[i]!,
      );
    }
  }

  /** Entries in query order (time, then insertion) when storage order is not it. */
  private ordered(st: Store): Uint32Array | undefined {
    if (st.inOrder) return undefined;
    if (!st.order) {
      const n = st.entryCount;
      const times = new Float64Array(n);
      const c = st.locate(0, new Cursor());
      for (let e = 0; e < n; e++, st.next(c)) times[e] = st.cursorTime(c);
      const entries = Array.from({ length: n }, (_, i) => i);
      entries.sort((a, b) => times[a]! - times[b]! || a - b);
      st.order = Uint32Array.from(entries);
    }
    return st.order;
  }

  rangeSync(from: number, to: number): Sighting[] {
    this.assertOpen();
    validateTimeBound(from, "range start");
    validateTimeBound(to, "range end");
    const st = this.box.store;
    const n = st.entryCount;
    const out: Sighting[] = [];
    if (n === 0) return out;
    const order = this.ordered(st);
    const entryAt = order ? (i: number) => order[i]! : (i: number) => i;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (st.entryTime(entryAt(mid)) < from) lo = mid + 1;
      else hi = mid;
    }
    const c = new Cursor();
    const arena = new CopyArena();
    if (!order) {
      if (lo < n) st.locate(lo, c);
      for (let e = lo; e < n && st.cursorTime(c) < to; e++, st.next(c)) st.readEntry(c, out, arena);
      return out;
    }
    for (let i = lo; i < n; i++) {
      st.locate(order[i]!, c);
      if (st.cursorTime(c) >= to) break;
      st.readEntry(c, out, arena);
    }
    return out;
  }

  findByIdentifiersSync(identifiers: Iterable<Uint8Array>): Sighting[] {
    this.assertOpen();
    const wanted: Uint8Array[] = [];
    for (const id of identifiers) {
      if (!(id instanceof Uint8Array)) throw new InvalidArgumentError("identifiers must be Uint8Arrays");
      if (id.length === KEY_LENGTH || id.length === 12) wanted.push(id);
    }
    const st = this.box.store;
    if (wanted.length === 0 || st.rowCount === 0) return [];
    // The identifiers asked for, in a hash table made for this call; every identifier record is
    // looked up in it (records of one identifier heard again after a gap are all found).
    const packed = new Uint8Array(wanted.length * KEY_LENGTH);
    for (let i = 0; i < wanted.length; i++) packed.set(wanted[i]!, i * KEY_LENGTH);
    const asked = new IdentifierIndex({ ids: packed, idLength: (i) => wanted[i]!.length }, KEY_LENGTH);
    asked.reserve(wanted.length);
    for (let i = 0; i < wanted.length; i++) asked.put(i);
    return this.probeIdentifiersSync((bytes, offset, length) => asked.lookup(bytes, offset, length))
      .sightings;
  }

  probeIdentifiersSync(probe: IdentifierProbe, from?: number, to?: number): ProbedSightings {
    this.assertOpen();
    if (from !== undefined || to !== undefined)
      return this.probeRange(probe, from ?? Number.NEGATIVE_INFINITY, to ?? Number.POSITIVE_INFINITY);
    const st = this.box.store;
    const sightings: Sighting[] = [];
    const values: number[] = [];
    if (st.rowCount === 0) return { sightings, values };
    // Every record probed once; a hit record's rows found as findByIdentifiersSync finds them.
    const rows: number[] = [];
    const times: number[] = [];
    const records: number[] = [];
    const seconds: number[] = [];
    const hitValues: number[] = [];
    const c = new Cursor();
    const ids = queryIds;
    const stIds = st.ids;
    for (let id = 0; id < st.idCount; id++) {
      const v = probe(stIds, id * ID_STRIDE, st.idLength(id));
      if (v < 0) continue;
      // The record's rows: one or more in the entry that created it, then in each following entry
      // until one has none (a row refers only to its own entry's or the previous entry's records;
      // records of one identifier heard again after a gap are each probed).
      st.locateIdentifier(id, c);
      for (let first = true; c.entry < st.entryCount; first = false, st.next(c)) {
        const n = st.entryIds(c, ids);
        let found = false;
        for (let i = 0; i < n; i++) {
          if (ids[i] !== id) continue;
          found = true;
          rows.push(c.firstRow + i);
          times.push(st.cursorTime(c));
          records.push(id);
          seconds.push(st.entrySeconds(c.entry));
          hitValues.push(v);
        }
        if (!found && !first) break;
      }
    }
    if (rows.length === 0) return { sightings, values };
    const hits = Array.from({ length: rows.length }, (_, i) => i);
    hits.sort((a, b) => times[a]! - times[b]! || rows[a]! - rows[b]!);
    const arena = new CopyArena();
    for (const h of hits) {
      sightings.push(st.sighting(rows[h]!, records[h]!, times[h]!, seconds[h]!, arena));
      values.push(hitValues[h]!);
    }
    return { sightings, values };
  }

  /** {@link probeIdentifiersSync} over the rows heard in `[from, to)`, in {@link rangeSync}'s order. */
  private probeRange(probe: IdentifierProbe, from: number, to: number): ProbedSightings {
    validateTimeBound(from, "range start");
    validateTimeBound(to, "range end");
    const st = this.box.store;
    const n = st.entryCount;
    const sightings: Sighting[] = [];
    const values: number[] = [];
    if (n === 0) return { sightings, values };
    const order = this.ordered(st);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (st.entryTime(order ? order[mid]! : mid) < from) lo = mid + 1;
      else hi = mid;
    }
    const c = new Cursor();
    const arena = new CopyArena();
    const ids = queryIds;
    const stIds = st.ids;
    if (!order && lo < n) st.locate(lo, c);
    for (let e = lo; e < n; e++) {
      if (order) st.locate(order[e]!, c);
      else if (e > lo) st.next(c);
      const time = st.cursorTime(c);
      if (time >= to) break;
      const rows = st.entryIds(c, ids);
      for (let i = 0; i < rows; i++) {
        const id = ids[i]!;
        const v = probe(stIds, id * ID_STRIDE, st.idLength(id));
        if (v < 0) continue;
        sightings.push(st.sighting(c.firstRow + i, id, time, st.entrySeconds(c.entry), arena));
        values.push(v);
      }
    }
    return { sightings, values };
  }

  /** Visits the first record of every distinct identifier (records of one identifier are merged). */
  private forEachDistinct(st: Store, visit: (id: number) => void): void {
    distinctSource.ids = st.ids;
    distinctSource.idLength = (id) => st.idLength(id);
    distinctRecords.reset(st.idCount);
    for (let id = 0; id < st.idCount; id++) if (distinctRecords.put(id) < 0) visit(id);
    // Not kept pointing at the log (its region may be freed and reused by another log).
    distinctSource.ids = NO_BYTES;
    distinctSource.idLength = () => 0;
  }

  purgeSync(before: number): number {
    this.assertOpen();
    validateTimeBound(before, "purge cutoff");
    if (before >= this.keysEndFrom) {
      let end = Number.POSITIVE_INFINITY;
      for (const [start, key] of this.keys) {
        if (ownKeyExpired(key, before)) this.keys.delete(start);
        else end = Math.min(end, ownKeyEndMs(key));
      }
      this.keysEndFrom = end;
    }
    if (this.resultJson.size > 0)
      for (const [id, r] of this.resultJson) if (r.time < before) this.resultJson.delete(id);
    const st = this.box.store;
    const n = st.entryCount;
    // Entries in time order with the first at or after the cutoff: nothing to remove (the hourly purge's
    // usual case), without a pass over the entries.
    if (n === 0 || (st.inOrder && st.entryTime(0) >= before)) return 0;
    const min = capacityFor(this.minCapacity);
    if (st.inOrder) {
      // The entries to remove are the first ones: moved out in place.
      let k = 0;
      let hi = n;
      while (k < hi) {
        const mid = (k + hi) >>> 1;
        if (st.entryTime(mid) < before) k = mid + 1;
        else hi = mid;
      }
      const removed = k === n ? st.rowCount : st.dropPrefix(k);
      if (k === n) st.clear();
      st.shrink(min);
      return removed;
    }
    // Out of time order: the kept rows appended again, in insertion order, to new tables (the same
    // records, references and entries as if only they had been recorded).
    const next = new Store(min);
    const ids = purgeIds;
    const c = st.locate(0, new Cursor());
    for (let e = 0; e < n; e++, st.next(c)) {
      const time = st.cursorTime(c);
      if (time < before) continue;
      const rows = st.entryIds(c, ids);
      next.reserveRows(rows);
      next.beginEntry(time, st.entrySeconds(e));
      for (let i = 0; i < rows; i++) {
        const r = c.firstRow + i;
        const id = ids[i]!;
        const shape = st.shape(id);
        const p = st.rows[r * ROW_STRIDE + 1]!;
        next.appendRow(
          st.ids,
          id * ID_STRIDE,
          shape & SHAPE_RPI ? KEY_LENGTH : 12,
          st.ids,
          id * ID_STRIDE + KEY_LENGTH,
          shape & SHAPE_AEM ? AEM_LENGTH : 0,
          st.rows[r * ROW_STRIDE + 2]!,
          st.rows[r * ROW_STRIDE + 3]!,
          p === ESCAPE ? st.packetEscapes.get(r) : p,
        );
      }
    }
    const removed = st.rowCount - next.rowCount;
    if (removed > 0) {
      st.release();
      this.box.store = next;
    } else next.release();
    return removed;
  }

  async record(sightings: readonly Sighting[]): Promise<void> {
    this.recordSync(sightings);
  }

  async range(from: number, to: number): Promise<Sighting[]> {
    return this.rangeSync(from, to);
  }

  async findByIdentifiers(identifiers: Iterable<Uint8Array>): Promise<Sighting[]> {
    return this.findByIdentifiersSync(identifiers);
  }

  async distinctIdentifiers(): Promise<Uint8Array[]> {
    this.assertOpen();
    const st = this.box.store;
    // Copies in one new buffer, one view per identifier (a matcher asks for thousands a day: one
    // allocation of backing memory instead of one per identifier).
    const records: number[] = [];
    let bytes = 0;
    this.forEachDistinct(st, (id) => {
      records.push(id);
      bytes += st.idLength(id);
    });
    const copy = new Uint8Array(bytes);
    const out: Uint8Array[] = new Array(records.length);
    let o = 0;
    for (let i = 0; i < records.length; i++) {
      const id = records[i]!;
      const length = st.idLength(id);
      const from = id * ID_STRIDE;
      for (let k = 0; k < length; k++) copy[o + k] = st.ids[from + k]!;
      out[i] = copy.subarray(o, o + length);
      o += length;
    }
    return out;
  }

  async purge(before: number): Promise<number> {
    return this.purgeSync(before);
  }

  async putOwnKeys(keys: readonly TemporaryExposureKey[]): Promise<void> {
    this.assertOpen();
    validateOwnKeys(keys);
    for (const k of keys) {
      this.keys.set(k.rollingStartIntervalNumber, {
        keyData: k.keyData.slice(),
        rollingStartIntervalNumber: k.rollingStartIntervalNumber,
        rollingPeriod: k.rollingPeriod,
      });
      this.keysEndFrom = Math.min(this.keysEndFrom, ownKeyEndMs(k));
    }
  }

  async ownKeys(): Promise<TemporaryExposureKey[]> {
    this.assertOpen();
    return [...this.keys.values()]
      .sort((a, b) => a.rollingStartIntervalNumber - b.rollingStartIntervalNumber)
      .map((k) => ({ ...k, keyData: k.keyData.slice() }));
  }

  async putResult(result: StoredResult): Promise<void> {
    this.assertOpen();
    const json = resultToJson(result);
    this.resultJson.set(result.id, { time: result.time, id: result.id, json });
  }

  async results(): Promise<StoredResult[]> {
    this.assertOpen();
    return [...this.resultJson.values()]
      .map((r) => ({ time: r.time, id: r.id, value: JSON.parse(r.json) as unknown }))
      .sort(compareResults);
  }

  async putState(name: string, value: Uint8Array | undefined): Promise<void> {
    this.assertOpen();
    validateStateName(name);
    validateStateValue(value);
    if (value === undefined) this.state.delete(name);
    else this.state.set(name, value.slice());
  }

  async getState(name: string): Promise<Uint8Array | undefined> {
    this.assertOpen();
    validateStateName(name);
    return this.state.get(name)?.slice();
  }

  async stats(): Promise<LogStats> {
    this.assertOpen();
    const st = this.box.store;
    let identifiers = 0;
    this.forEachDistinct(st, () => identifiers++);
    const stats: LogStats = { sightings: st.rowCount, identifiers, ownKeys: this.keys.size };
    const n = st.entryCount;
    if (n > 0) {
      let oldest = Number.POSITIVE_INFINITY;
      let newest = Number.NEGATIVE_INFINITY;
      const c = st.locate(0, new Cursor());
      for (let e = 0; e < n; e++, st.next(c)) {
        const t = st.cursorTime(c);
        if (t < oldest) oldest = t;
        if (t > newest) newest = t;
      }
      stats.oldest = oldest;
      stats.newest = newest;
    }
    return stats;
  }

  async close(): Promise<void> {
    this.assertOpen();
    this.closed = true;
    this.box.store.release();
    this.box.store = new Store(NO_TABLES);
    this.keys.clear();
    this.resultJson.clear();
    this.state.clear();
  }
}

/**
 * Creates an empty in-memory contact log (see the file header for its tables). `purge` compacts the
 * tables and shrinks them to what they hold (not below the initial capacity). The tables take a region
 * of slabs shared by the thread's memory logs (the first slab is 16 KiB); `close` gives it back (a log
 * dropped unclosed gives it back when garbage collected).
 * @public
 */
export function createMemoryLog(options: MemoryLogOptions = {}): MemoryContactLog {
  return new MemoryLog(options);
}

/** The first bad row of a scan batch and why (as `validateSightings` words it), or undefined. */
function scanProblem(b: ScanBatch): [number, string] | undefined {
  if (!Number.isSafeInteger(b.time) || b.time < 0)
    return [0, `time must be a non-negative integer (unix ms), got ${b.time}`];
  const secs = b.secondsSinceLastScan;
  if (!Number.isInteger(secs) || secs < 0 || secs > MAX_SECONDS_SINCE_LAST_SCAN)
    return [0, `secondsSinceLastScan must be an integer in 0…${MAX_SECONDS_SINCE_LAST_SCAN}, got ${secs}`];
  for (let i = 0; i < b.count; i++) {
    const id = b.idLengths[i];
    if (id !== KEY_LENGTH && id !== 12) return [i, `identifier must be ${KEY_LENGTH} or 12 bytes, got ${id}`];
    const aem = b.aemLengths[i];
    if (aem !== 0 && aem !== AEM_LENGTH) return [i, `aem must be empty or ${AEM_LENGTH} bytes, got ${aem}`];
    if (!isStorableRssi(b.meanRssi[i]!))
      return [i, `meanRssi must be an integer in -128…126 dBm, got ${b.meanRssi[i]}`];
    if (!isStorableRssi(b.maxRssi[i]!))
      return [i, `maxRssi must be an integer in -128…126 dBm, got ${b.maxRssi[i]}`];
    if (b.meanRssi[i]! > b.maxRssi[i]!)
      return [i, `meanRssi ${b.meanRssi[i]} is above maxRssi ${b.maxRssi[i]}`];
    const p = b.packets[i]!;
    if (p < 1 || p > MAX_PACKETS) return [i, `packets must be an integer in 1…${MAX_PACKETS}, got ${p}`];
  }
  return undefined;
}
