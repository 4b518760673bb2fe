/**
 * The in-memory contact log used by the simulator: sightings in columns of typed arrays (39 bytes per
 * sighting), no per-sighting objects, and an identifier index that costs one column plus a 4-byte hash
 * slot (at most half full) per distinct identifier.
 */
import { InvalidArgumentError } from "../errors";
import { AEM_LENGTH, KEY_LENGTH, type TemporaryExposureKey } from "../protocol/gaen";
import { LogClosedError } from "./errors";
import { IdentifierIndex } from "./identifier-index";
import { compareResults, ownKeyExpired } from "./retention";
import type { ContactLog, LogStats, ScanBatch, Sighting, StoredResult } from "./types";
import { InvalidSightingError } from "./errors";
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
  /** Rows allocated up front (default 64); columns grow by half whenever they fill up. */
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
  /** Synchronous {@link ContactLog.purge}; compacts the columns. */
  purgeSync(before: number): number;
  /** Bytes held by the sighting columns (allocated capacity). */
  columnBytes(): number;
  /** Bytes held by the identifier index's hash table. */
  indexBytes(): number;
}

/** Bytes per row over all columns: time 8, id 16, shape 1, aem 4, RSSI 1+1, packets 2, seconds 2, chain 4. */
const ROW_BYTES = 8 + KEY_LENGTH + 1 + AEM_LENGTH + 1 + 1 + 2 + 2 + 4;
/** Shape bit: the identifier is a 16-byte RPI (else a 12-byte Bluezone ID). */
const SHAPE_RPI = 1;
/** Shape bit: an AEM is present. */
const SHAPE_AEM = 2;
const NO_ROW = -1;

/** The columns; reallocated (growing by half) on growth and shrunk on compaction. */
class Columns {
  times: Float64Array;
  ids: Uint8Array;
  shape: Uint8Array;
  aems: Uint8Array;
  meanRssi: Int8Array;
  maxRssi: Int8Array;
  packets: Uint16Array;
  seconds: Uint16Array;
  /** Previous row with the same identifier, or {@link NO_ROW}: the index's per-identifier row lists. */
  prevSame: Int32Array;

  constructor(readonly capacity: number) {
    // One buffer for all columns (one allocation per growth, not nine), widest elements first so every
    // view is aligned.
    const buffer = new ArrayBuffer(capacity * ROW_BYTES);
    let at = 0;
    const take = (bytes: number) => {
      const o = at;
      at += bytes * capacity;
      return o;
    };
    this.times = new Float64Array(buffer, take(8), capacity);
    this.prevSame = new Int32Array(buffer, take(4), capacity);
    this.packets = new Uint16Array(buffer, take(2), capacity);
    this.seconds = new Uint16Array(buffer, take(2), capacity);
    this.ids = new Uint8Array(buffer, take(KEY_LENGTH), capacity * KEY_LENGTH);
    this.aems = new Uint8Array(buffer, take(AEM_LENGTH), capacity * AEM_LENGTH);
    this.shape = new Uint8Array(buffer, take(1), capacity);
    this.meanRssi = new Int8Array(buffer, take(1), capacity);
    this.maxRssi = new Int8Array(buffer, take(1), capacity);
  }

  /** A copy of the first `rows` rows in columns of `capacity` rows. */
  resized(capacity: number, rows: number): Columns {
    const c = new Columns(capacity);
    c.times.set(this.times.subarray(0, rows));
    c.ids.set(this.ids.subarray(0, rows * KEY_LENGTH));
    c.shape.set(this.shape.subarray(0, rows));
    c.aems.set(this.aems.subarray(0, rows * AEM_LENGTH));
    c.meanRssi.set(this.meanRssi.subarray(0, rows));
    c.maxRssi.set(this.maxRssi.subarray(0, rows));
    c.packets.set(this.packets.subarray(0, rows));
    c.seconds.set(this.seconds.subarray(0, rows));
    c.prevSame.set(this.prevSame.subarray(0, rows));
    return c;
  }

  /** Moves row `from` to row `to` (index chain excluded; it is rebuilt by the caller). */
  move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.ids.copyWithin(to * KEY_LENGTH, from * KEY_LENGTH, (from + 1) * KEY_LENGTH);
    this.shape[to] = this.shape[from]!;
    this.aems.copyWithin(to * AEM_LENGTH, from * AEM_LENGTH, (from + 1) * AEM_LENGTH);
    this.meanRssi[to] = this.meanRssi[from]!;
    this.maxRssi[to] = this.maxRssi[from]!;
    this.packets[to] = this.packets[from]!;
    this.seconds[to] = this.seconds[from]!;
  }

  /** Stores `s` in row `row` (index chain excluded). */
  write(row: number, s: Sighting): void {
    this.times[row] = s.time;
    this.ids.set(s.identifier, row * KEY_LENGTH);
    const hasAem = s.aem.length === AEM_LENGTH;
    if (hasAem) this.aems.set(s.aem, row * AEM_LENGTH);
    this.shape[row] = (s.identifier.length === KEY_LENGTH ? SHAPE_RPI : 0) | (hasAem ? SHAPE_AEM : 0);
    this.meanRssi[row] = s.meanRssi;
    this.maxRssi[row] = s.maxRssi;
    this.packets[row] = s.packets;
    this.seconds[row] = s.secondsSinceLastScan;
  }

  /** Stores row `i` of a scan batch in row `row` (index chain excluded). */
  writeScanRow(row: number, b: ScanBatch, i: number): void {
    this.times[row] = b.time;
    const idLength = b.idLengths[i]!;
    const o = row * KEY_LENGTH;
    const src = i * KEY_LENGTH;
    for (let k = 0; k < idLength; k++) this.ids[o + k] = b.ids[src + k]!;
    const hasAem = b.aemLengths[i] === AEM_LENGTH;
    if (hasAem) {
      const a = row * AEM_LENGTH;
      const sa = i * AEM_LENGTH;
      for (let k = 0; k < AEM_LENGTH; k++) this.aems[a + k] = b.aems[sa + k]!;
    }
    this.shape[row] = (idLength === KEY_LENGTH ? SHAPE_RPI : 0) | (hasAem ? SHAPE_AEM : 0);
    this.meanRssi[row] = b.meanRssi[i]!;
    this.maxRssi[row] = b.maxRssi[i]!;
    this.packets[row] = b.packets[i]!;
    this.seconds[row] = b.secondsSinceLastScan;
  }

  idLength(row: number): number {
    return this.shape[row]! & SHAPE_RPI ? KEY_LENGTH : 12;
  }

  /** A fresh Sighting object (with copied bytes) for row `row`. */
  read(row: number): Sighting {
    const o = row * KEY_LENGTH;
    const a = row * AEM_LENGTH;
    return {
      time: this.times[row]!,
      identifier: this.ids.slice(o, o + this.idLength(row)),
      aem: this.shape[row]! & SHAPE_AEM ? this.aems.slice(a, a + AEM_LENGTH) : new Uint8Array(0),
      meanRssi: this.meanRssi[row]!,
      maxRssi: this.maxRssi[row]!,
      packets: this.packets[row]!,
      secondsSinceLastScan: this.seconds[row]!,
    };
  }
}

class MemoryLog implements MemoryContactLog {
  readonly kind = "memory" as const;
  private cols: Columns;
  private rows = 0;
  private readonly minCapacity: number;
  /** Last row of each identifier; earlier rows chain through `prevSame`. */
  private readonly index: IdentifierIndex;
  /** True while rows are in time order, so row order is the query order. */
  private inOrder = true;
  /** Rows sorted by (time, row) when not {@link inOrder}; rebuilt lazily. */
  private order: Uint32Array | undefined;
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
    this.cols = new Columns(cap);
    // The index reads identifiers from whichever columns are current (they are replaced on growth).
    const log = this;
    this.index = new IdentifierIndex(
      {
        get ids() {
          return log.cols.ids;
        },
        idLength: (row) => log.cols.idLength(row),
      },
      KEY_LENGTH,
    );
  }

  get size(): number {
    return this.rows;
  }

  columnBytes(): number {
    return this.cols.capacity * ROW_BYTES;
  }

  indexBytes(): number {
    return this.index.bytes;
  }

  private assertOpen(): void {
    if (this.closed) throw new LogClosedError(this.kind);
  }

  recordSync(sightings: readonly Sighting[]): void {
    this.assertOpen();
    validateSightings(sightings);
    this.ensureCapacity(this.rows + sightings.length);
    const c = this.cols;
    for (const s of sightings) {
      const row = this.rows++;
      if (row > 0 && s.time < c.times[row - 1]!) this.inOrder = false;
      c.write(row, s);
    }
    if (sightings.length > 0) this.order = undefined;
  }

  recordScan(b: ScanBatch): void {
    this.assertOpen();
    const problem = scanProblem(b);
    if (problem) throw new InvalidSightingError(problem[0], problem[1]);
    const n = b.count;
    if (n === 0) return;
    this.ensureCapacity(this.rows + n);
    const c = this.cols;
    if (this.rows > 0 && b.time < c.times[this.rows - 1]!) this.inOrder = false;
    for (let i = 0; i < n; i++) {
      const row = this.rows++;
      c.writeScanRow(row, b, i);
    }
    this.order = undefined;
  }

  private ensureCapacity(need: number): void {
    if (need <= this.cols.capacity) return;
    // Growing by half, not doubling: on average ≈ 1/6 of the columns is slack rather than ≈ 1/4.
    let cap = this.cols.capacity;
    while (cap < need) cap = Math.ceil(cap * 1.5);
    this.cols = this.cols.resized(cap, this.rows);
  }

  /**
   * Rows the identifier index covers: rows are indexed when a query needs the index, not as they are
   * appended (a simulated phone appends all day and is queried at most once a day, so its rows are
   * indexed in one pass that stays in cache).
   */
  // In a holder object, not a field: a read that indexes must update the one counter even when it is
  // called through an object deriving from this log (`Object.create(log)`, as wrappers do), or a row
  // indexed twice would chain to itself.
  private readonly lazy = { indexed: 0 };

  /** Links every row not yet in the index to its identifier's row list. */
  private indexAll(): IdentifierIndex {
    const lazy = this.lazy;
    for (let row = lazy.indexed; row < this.rows; row++) this.cols.prevSame[row] = this.index.put(row);
    lazy.indexed = this.rows;
    return this.index;
  }

  /** Rows in query order (time, then insertion). */
  private ordered(): ArrayLike<number> | undefined {
    if (this.inOrder) return undefined;
    if (!this.order) {
      const t = this.cols.times;
      const rows = Array.from({ length: this.rows }, (_, i) => i);
      rows.sort((a, b) => t[a]! - t[b]! || a - b);
      this.order = Uint32Array.from(rows);
    }
    return this.order;
  }

  rangeSync(from: number, to: number): Sighting[] {
    this.assertOpen();
    validateTimeBound(from, "range start");
    validateTimeBound(to, "range end");
    const order = this.ordered();
    const rowAt = order ? (i: number) => order[i]! : (i: number) => i;
    const t = this.cols.times;
    let lo = 0;
    let hi = this.rows;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[rowAt(mid)]! < from) lo = mid + 1;
      else hi = mid;
    }
    const out: Sighting[] = [];
    for (let i = lo; i < this.rows; i++) {
      const row = rowAt(i);
      if (t[row]! >= to) break;
      out.push(this.cols.read(row));
    }
    return out;
  }

  findByIdentifiersSync(identifiers: Iterable<Uint8Array>): Sighting[] {
    this.assertOpen();
    // An identifier asked twice has the same latest row: that row stands for it.
    const seen = new Set<number>();
    const rows: number[] = [];
    for (const id of identifiers) {
      if (!(id instanceof Uint8Array)) throw new InvalidArgumentError("identifiers must be Uint8Arrays");
      const latest = this.indexAll().latest(id);
      if (latest === NO_ROW || seen.has(latest)) continue;
      seen.add(latest);
      for (let r = latest; r !== NO_ROW; r = this.cols.prevSame[r]!) rows.push(r);
    }
    const t = this.cols.times;
    rows.sort((a, b) => t[a]! - t[b]! || a - b);
    return rows.map((r) => this.cols.read(r));
  }

  purgeSync(before: number): number {
    this.assertOpen();
    validateTimeBound(before, "purge cutoff");
    for (const [start, key] of this.keys) if (ownKeyExpired(key, before)) this.keys.delete(start);
    for (const [id, r] of this.resultJson) if (r.time < before) this.resultJson.delete(id);
    const c = this.cols;
    // Rows in time order with the first at or after the cutoff: nothing to remove (the hourly purge's
    // usual case), without a pass over the rows.
    if (this.inOrder && (this.rows === 0 || c.times[0]! >= before)) return 0;
    let kept = 0;
    this.inOrder = true;
    for (let row = 0; row < this.rows; row++) {
      if (c.times[row]! < before) continue;
      if (kept !== row) c.move(row, kept);
      if (kept > 0 && c.times[kept]! < c.times[kept - 1]!) this.inOrder = false;
      kept++;
    }
    const removed = this.rows - kept;
    this.rows = kept;
    if (removed === 0) return 0;
    this.order = undefined;
    if (kept <= this.cols.capacity / 4 && this.cols.capacity > this.minCapacity) {
      let cap = this.minCapacity;
      while (cap < kept) cap = Math.ceil(cap * 1.5);
      this.cols = this.cols.resized(cap, kept);
    }
    this.index.clear();
    this.lazy.indexed = 0;
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
    const c = this.cols;
    return Array.from(this.indexAll().latestRows(), (r) =>
      c.ids.slice(r * KEY_LENGTH, r * KEY_LENGTH + c.idLength(r)),
    );
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
    const stats: LogStats = {
      sightings: this.rows,
      identifiers: this.indexAll().size,
      ownKeys: this.keys.size,
    };
    if (this.rows > 0) {
      const t = this.cols.times;
      let oldest = t[0]!;
      let newest = t[0]!;
      for (let i = 1; i < this.rows; i++) {
        if (t[i]! < oldest) oldest = t[i]!;
        if (t[i]! > newest) newest = t[i]!;
      }
      stats.oldest = oldest;
      stats.newest = newest;
    }
    return stats;
  }

  async close(): Promise<void> {
    this.assertOpen();
    this.closed = true;
    this.cols = new Columns(0);
    this.rows = 0;
    this.index.clear();
    this.lazy.indexed = 0;
    this.order = undefined;
    this.keys.clear();
    this.resultJson.clear();
    this.state.clear();
  }
}

/**
 * Creates an empty in-memory contact log. Sightings live in columnar typed arrays that grow by half when
 * full; `purge` compacts them (and shrinks them when three quarters are free).
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
