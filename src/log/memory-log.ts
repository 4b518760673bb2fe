/**
 * The in-memory contact log used by the simulator, in typed arrays without per-sighting objects and
 * without a retained index. A rotating identifier is heard in about two consecutive scans (an RPI
 * lives 10 minutes, a phone scans every ≈ 5), and every row of a scan shares its time, so the log
 * keeps three tables:
 *
 * - identifiers, each stored once per run of consecutive scans that heard it: its bytes and AEM
 *   (20 bytes) and its shape (2 bits: 16- or 12-byte identifier, AEM or none);
 * - entries, one per scan (a batch's rows with one time and `secondsSinceLastScan`, at most 255 rows):
 *   its time as an offset from a checkpoint's, its seconds, its row count and how many identifiers it
 *   added (6 bytes), and every 32 entries a checkpoint (time, first entry, first row, first identifier:
 *   32 bytes);
 * - rows, 4 bytes a sighting: which identifier (0 = the entry's next new one, 1…254 = that many
 *   before the entry's first new one), packets, mean and max RSSI. The rare values that do not fit a
 *   byte (a reference 255 or more back, packets ≥ 255) go to sorted side columns keyed by row.
 *
 * A new row's identifier is looked up only among the previous entry's identifiers (a scan's rows are
 * compared with the previous scan's, ≈ 4 × 4 comparisons); otherwise it gets a new identifier record,
 * so an identifier heard again after a gap has several records, and the queries (`findByIdentifiers`,
 * `distinctIdentifiers`, `stats`) merge them. On hanoi-ward (adoption 1) a phone-day is ≈ 1,010 rows,
 * 570 identifier records and 250 entries: ≈ 17.5 KB, against 39 bytes a row before.
 */
import { InvalidArgumentError } from "../errors";
import { AEM_LENGTH, KEY_LENGTH, type TemporaryExposureKey } from "../protocol/gaen";
import { InvalidSightingError, LogClosedError } from "./errors";
import { IdentifierIndex } from "./identifier-index";
import { compareResults, ownKeyExpired } from "./retention";
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
   * {@link Sighting} object per row: the same rows {@link recordSync} would store for the same
   * sightings. Validates every row first (nothing is stored from a bad batch).
   * @throws InvalidSightingError naming the first offending row; LogClosedError after close
   */
  recordScan(batch: ScanBatch): void;
  /** Synchronous {@link ContactLog.range}. */
  rangeSync(from: number, to: number): Sighting[];
  /** Synchronous {@link ContactLog.findByIdentifiers}. */
  findByIdentifiersSync(identifiers: Iterable<Uint8Array>): Sighting[];
  /** Synchronous {@link ContactLog.purge}; compacts the tables. */
  purgeSync(before: number): number;
  /**
   * Bytes held by the log's tables at their allocated capacity: identifiers, scan entries and
   * checkpoints, rows and side columns.
   */
  columnBytes(): number;
  /**
   * Bytes held between queries by query structures: the scans' time order when they were appended out
   * of order (0 otherwise). Queries build their hash tables per call and drop them.
   */
  indexBytes(): number;
}

/** Bytes of an identifier record: the identifier (16, or 12 then 4 unused) then the AEM (4, or unused). */
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
const NO_AEM = new Uint8Array(0);
const NONE = new Uint32Array(0);

/** Capacity reached from `cap` by growing a sixteenth at a time (at least `step`) until `need` fits. */
function grown(cap: number, need: number, step: number): number {
  let c = cap;
  while (c < need) c += Math.max(step, c >>> 4);
  return c;
}

/** A sorted side column: values of the few rows whose byte says {@link ESCAPE}, keyed by row. */
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

/** The tables. */
class Store {
  ids: Uint8Array;
  shapes: Uint8Array;
  idCount = 0;
  rows: Uint8Array;
  rowCount = 0;
  entries: Uint16Array;
  entryCount = 0;
  cps: Float64Array;
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

  constructor(rows: number, ids: number, entries: number, cps: number) {
    this.rows = new Uint8Array(rows * ROW_STRIDE);
    this.ids = new Uint8Array(ids * ID_STRIDE);
    this.shapes = new Uint8Array(Math.ceil(ids / 4));
    this.entries = new Uint16Array(entries * ENTRY_STRIDE);
    this.cps = new Float64Array(cps * CP_STRIDE);
  }

  /** A store sized for `rows` sightings of the simulator's mix. */
  static forRows(rows: number): Store {
    const entries = Math.ceil(rows / 4);
    return new Store(rows, Math.ceil((rows * 9) / 16), entries, Math.ceil(entries / ENTRIES_PER_CHECKPOINT) + 1);
  }

  get bytes(): number {
    return (
      this.ids.byteLength +
      this.shapes.byteLength +
      this.rows.byteLength +
      this.entries.byteLength +
      this.cps.byteLength +
      this.refEscapes.bytes +
      this.packetEscapes.bytes
    );
  }

  shape(id: number): number {
    return (this.shapes[id >> 2]! >>> ((id & 3) << 1)) & 3;
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

  /** The checkpoint entry `e` belongs to. */
  checkpointOf(e: number): number {
    const cps = this.cps;
    let lo = 0;
    let hi = this.cpCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (cps[mid * CP_STRIDE + 1]! <= e) lo = mid;
      else hi = mid - 1;
    }
    return lo;
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

  /** A fresh Sighting (with copied bytes) for row `r`, identifier `id`. */
  sighting(r: number, id: number, time: number, seconds: number): Sighting {
    const o = id * ID_STRIDE;
    const shape = this.shape(id);
    const rows = this.rows;
    const p = rows[r * ROW_STRIDE + 1]!;
    return {
      time,
      identifier: this.ids.slice(o, o + (shape & SHAPE_RPI ? KEY_LENGTH : 12)),
      aem: shape & SHAPE_AEM ? this.ids.slice(o + KEY_LENGTH, o + ID_STRIDE) : NO_AEM.slice(),
      meanRssi: (rows[r * ROW_STRIDE + 2]! << 24) >> 24,
      maxRssi: (rows[r * ROW_STRIDE + 3]! << 24) >> 24,
      packets: p === ESCAPE ? this.packetEscapes.get(r) : p,
      secondsSinceLastScan: seconds,
    };
  }

  /** Appends the Sightings of the entry at `c` to `out`. */
  readEntry(c: Cursor, out: Sighting[]): void {
    const time = this.cursorTime(c);
    const seconds = this.entrySeconds(c.entry);
    const n = this.entryIds(c, openIds);
    for (let i = 0; i < n; i++) out.push(this.sighting(c.firstRow + i, openIds[i]!, time, seconds));
  }

  /** Points `c` at the entry that created identifier record `id`. */
  locateIdentifier(id: number, c: Cursor): Cursor {
    const cps = this.cps;
    let lo = 0;
    let hi = this.cpCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (cps[mid * CP_STRIDE + 3]! <= id) lo = mid;
      else hi = mid - 1;
    }
    c.cp = lo;
    c.entry = cps[lo * CP_STRIDE + 1]!;
    c.firstRow = cps[lo * CP_STRIDE + 2]!;
    c.idBase = cps[lo * CP_STRIDE + 3]!;
    while (c.idBase + this.entryNew(c.entry) <= id) this.next(c);
    return c;
  }

  /** Shrinks every table to what it holds, but not below the capacities of `min`. */
  trim(min: Store): void {
    const fit = <T extends Uint8Array | Uint16Array | Float64Array>(a: T, used: number, floor: number): T =>
      a.length > Math.max(used, floor) ? (a.slice(0, Math.max(used, floor)) as T) : a;
    this.rows = fit(this.rows, this.rowCount * ROW_STRIDE, min.rows.length);
    this.ids = fit(this.ids, this.idCount * ID_STRIDE, min.ids.length);
    this.shapes = fit(this.shapes, Math.ceil(this.ids.length / ID_STRIDE / 4), min.shapes.length);
    this.entries = fit(this.entries, this.entryCount * ENTRY_STRIDE, min.entries.length);
    this.cps = fit(this.cps, this.cpCount * CP_STRIDE, min.cps.length);
  }

  /** Room for `n` more rows. */
  reserveRows(n: number): void {
    const need = (this.rowCount + n) * ROW_STRIDE;
    if (need <= this.rows.length) return;
    const cap = grown(this.rows.length / ROW_STRIDE, this.rowCount + n, 16);
    const rows = new Uint8Array(cap * ROW_STRIDE);
    rows.set(this.rows.subarray(0, this.rowCount * ROW_STRIDE));
    this.rows = rows;
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
    }
    let cp = this.cpCount - 1;
    let offset = cp < 0 ? -1 : time - this.cps[cp * CP_STRIDE]!;
    if (cp < 0 || e - this.cps[cp * CP_STRIDE + 1]! >= ENTRIES_PER_CHECKPOINT || offset < 0 || offset > MAX_OFFSET) {
      if (this.cpCount * CP_STRIDE === this.cps.length) {
        const cps = new Float64Array(grown(this.cpCount, this.cpCount + 1, 2) * CP_STRIDE);
        cps.set(this.cps);
        this.cps = cps;
      }
      cp = this.cpCount++;
      const o = cp * CP_STRIDE;
      this.cps[o] = time;
      this.cps[o + 1] = e;
      this.cps[o + 2] = this.rowCount;
      this.cps[o + 3] = this.idCount;
      offset = 0;
    }
    if ((e + 1) * ENTRY_STRIDE > this.entries.length) {
      const entries = new Uint16Array(grown(this.entries.length / ENTRY_STRIDE, e + 1, 8) * ENTRY_STRIDE);
      entries.set(this.entries.subarray(0, e * ENTRY_STRIDE));
      this.entries = entries;
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
    // then every row refers to an identifier new in its entry or one of the previous entry's.
    if (
      this.openRows === MAX_ENTRY_ROWS ||
      this.indexIn(openIds, this.openCount, src, idOffset, idLength, aem, aemOffset, shape) >= 0
    ) {
      this.beginEntry(this.lastTime, this.lastSeconds);
    }
    const r = this.rowCount;
    const rows = this.rows;
    const found = this.indexIn(prevIds, this.prevCount, src, idOffset, idLength, aem, aemOffset, shape);
    let id: number;
    if (found < 0) {
      id = this.newIdentifier(src, idOffset, idLength, aem, aemOffset, shape);
      rows[r * ROW_STRIDE] = 0;
      this.openNew++;
    } else {
      id = prevIds[found]!;
      const back = this.lastIdBase - id;
      if (back < ESCAPE) rows[r * ROW_STRIDE] = back;
      else {
        rows[r * ROW_STRIDE] = ESCAPE;
        this.refEscapes.push(r, id);
      }
    }
    openIds[this.openCount++] = id;
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
    if ((id + 1) * ID_STRIDE > this.ids.length) {
      const cap = grown(this.ids.length / ID_STRIDE, id + 1, 16);
      const ids = new Uint8Array(cap * ID_STRIDE);
      ids.set(this.ids.subarray(0, id * ID_STRIDE));
      this.ids = ids;
      const shapes = new Uint8Array(Math.ceil(cap / 4));
      shapes.set(this.shapes.subarray(0, Math.ceil(id / 4)));
      this.shapes = shapes;
    }
    const o = id * ID_STRIDE;
    const ids = this.ids;
    for (let k = 0; k < idLength; k++) ids[o + k] = src[idOffset + k]!;
    if (shape & SHAPE_AEM) for (let k = 0; k < AEM_LENGTH; k++) ids[o + KEY_LENGTH + k] = aem[aemOffset + k]!;
    const bit = (id & 3) << 1;
    this.shapes[id >> 2] = (this.shapes[id >> 2]! & ~(3 << bit)) | (shape << bit);
    this.idCount = id + 1;
    return id;
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
  private readonly resultJson = new Map<string, { time: number; id: string; json: string }>();
  private readonly state = new Map<string, Uint8Array>();
  private closed = false;

  constructor(options: MemoryLogOptions) {
    const cap = options.initialCapacity ?? 64;
    if (!Number.isInteger(cap) || cap < 1) {
      throw new InvalidArgumentError(`initialCapacity must be a positive integer, got ${cap}`);
    }
    this.minCapacity = cap;
    this.box = { store: Store.forRows(cap) };
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
    if (!order) {
      if (lo < n) st.locate(lo, c);
      for (let e = lo; e < n && st.cursorTime(c) < to; e++, st.next(c)) st.readEntry(c, out);
      return out;
    }
    for (let i = lo; i < n; i++) {
      st.locate(order[i]!, c);
      if (st.cursorTime(c) >= to) break;
      st.readEntry(c, out);
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
    wanted.forEach((id, i) => packed.set(id, i * KEY_LENGTH));
    const asked = new IdentifierIndex({ ids: packed, idLength: (i) => wanted[i]!.length }, KEY_LENGTH);
    asked.reserve(wanted.length);
    for (let i = 0; i < wanted.length; i++) asked.put(i);
    const rows: number[] = [];
    const times: number[] = [];
    const records: number[] = [];
    const seconds: number[] = [];
    const c = new Cursor();
    const ids = new Int32Array(MAX_ENTRY_ROWS);
    for (let id = 0; id < st.idCount; id++) {
      if (asked.lookup(st.ids, id * ID_STRIDE, st.idLength(id)) < 0) continue;
      // The record's rows: one or more in the entry that created it, then in each following entry
      // until one has none (a row refers only to its own entry's or the previous entry's records).
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
        }
        if (!found && !first) break;
      }
    }
    const hits = Array.from({ length: rows.length }, (_, i) => i);
    hits.sort((a, b) => times[a]! - times[b]! || rows[a]! - rows[b]!);
    return hits.map((h) => st.sighting(rows[h]!, records[h]!, times[h]!, seconds[h]!));
  }

  /** Visits the first record of every distinct identifier (a hash table made for this call). */
  private forEachDistinct(st: Store, visit: (id: number) => void): void {
    const seen = new IdentifierIndex({ ids: st.ids, idLength: (id) => st.idLength(id) }, ID_STRIDE);
    seen.reserve(st.idCount);
    for (let id = 0; id < st.idCount; id++) if (seen.put(id) < 0) visit(id);
  }

  purgeSync(before: number): number {
    this.assertOpen();
    validateTimeBound(before, "purge cutoff");
    for (const [start, key] of this.keys) if (ownKeyExpired(key, before)) this.keys.delete(start);
    for (const [id, r] of this.resultJson) if (r.time < before) this.resultJson.delete(id);
    const st = this.box.store;
    const n = st.entryCount;
    // Entries in time order with the first at or after the cutoff: nothing to remove (the hourly purge's
    // usual case), without a pass over the entries.
    if (n === 0 || (st.inOrder && st.entryTime(0) >= before)) return 0;
    let keptRows = 0;
    let keptEntries = 0;
    const c = st.locate(0, new Cursor());
    for (let e = 0; e < n; e++, st.next(c)) {
      if (st.cursorTime(c) < before) continue;
      keptRows += st.entryRows(e);
      keptEntries++;
    }
    const removed = st.rowCount - keptRows;
    if (removed === 0) return 0;
    // The kept rows appended again in insertion order to new tables: the same records, references and
    // entries as if only they had been recorded.
    const next = new Store(
      keptRows,
      Math.min(st.idCount, keptRows),
      keptEntries,
      Math.ceil(keptEntries / ENTRIES_PER_CHECKPOINT) + 1,
    );
    const ids = new Int32Array(MAX_ENTRY_ROWS);
    st.locate(0, c);
    for (let e = 0; e < n; e++, st.next(c)) {
      const time = st.cursorTime(c);
      if (time < before) continue;
      next.beginEntry(time, st.entrySeconds(e));
      const rows = st.entryIds(c, ids);
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
    next.trim(Store.forRows(this.minCapacity));
    this.box.store = next;
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
    const out: Uint8Array[] = [];
    this.forEachDistinct(st, (id) =>
      out.push(st.ids.slice(id * ID_STRIDE, id * ID_STRIDE + st.idLength(id))),
    );
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
    this.box.store = new Store(0, 0, 0, 0);
    this.keys.clear();
    this.resultJson.clear();
    this.state.clear();
  }
}

/**
 * Creates an empty in-memory contact log (see the file header for its tables). `purge` compacts the
 * tables and shrinks them to what they hold (not below the initial capacity).
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
    const p = b.packets[i]!;
    if (p < 1 || p > MAX_PACKETS) return [i, `packets must be an integer in 1…${MAX_PACKETS}, got ${p}`];
  }
  return undefined;
}
