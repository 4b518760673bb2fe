/**
 * Matching: which logged sightings carry identifiers of published keys. Two directions, one result:
 * - {@link matchLog}: derive each key's identifiers and probe them against a hash table of the log's
 *   distinct identifiers (a phone matching a downloaded key file);
 * - {@link createDerivedKeyIndex} + {@link matchLogWithIndex}: derive the keys once into a table and
 *   probe each log's identifiers against it (a simulator matching thousands of phones).
 * Both then fetch the hit identifiers' sightings through the log's identifier index and keep only those
 * heard within ±2 hours of the identifier's own slot (replay defence).
 */
import type { MemoryContactLog } from "../log/memory-log";
import type { ContactLog, Sighting } from "../log/types";
import type { TemporaryExposureKey } from "../protocol/gaen";
import { INTERVAL_MS } from "../protocol/intervals";
import type { DerivedRun } from "./derive-runs";
import { createRpiSet, type PackedKeys, packKeys, probeGaenKeys } from "./gaen-probe";
import { giveBackTable, IdentifierTable, REUSED_TABLE_BYTES, takeTable } from "./identifier-table";
import { defaultMatchWorkers, probeParts } from "./match-workers";

/**
 * Replay tolerance: a sighting counts only within this many ms of its identifier's slot.
 * @public
 */
export const REPLAY_TOLERANCE_MS = 2 * 3600_000;

/**
 * One logged sighting attributed to a published key.
 * @public
 */
export interface MatchedSighting {
  /** The sighting as logged. */
  sighting: Sighting;
  /** Unix ms at which the identifier's slot starts. */
  slotStart: number;
  /** Slot length in ms. */
  slotMs: number;
}

/**
 * All sightings attributed to one key.
 * @public
 */
export interface KeyMatch {
  /** Index of the key in the caller's list. */
  keyIndex: number;
  /** Its sightings, by time. */
  sightings: MatchedSighting[];
}

/** A hit of one identifier: which key and slot it belongs to. */
interface Hit {
  keyIndex: number;
  slotStart: number;
  slotMs: number;
  identifier: Uint8Array;
}

/**
 * True when a sighting at `time` is within the replay tolerance of its identifier's slot.
 * @public
 */
export function withinReplayWindow(time: number, slotStart: number, slotMs: number): boolean {
  return time >= slotStart - REPLAY_TOLERANCE_MS && time < slotStart + slotMs + REPLAY_TOLERANCE_MS;
}

async function collect(log: ContactLog, hits: Hit[]): Promise<KeyMatch[]> {
  if (hits.length === 0) return [];
  const sightings = await log.findByIdentifiers(hits.map((h) => h.identifier));
  const table = new IdentifierTable(hits.length);
  for (let i = 0; i < hits.length; i++) table.insert(hits[i]!.identifier, i);
  const found: Sighting[] = [];
  const hitOf: Hit[] = [];
  for (const s of sightings) {
    const hit = hits[table.lookup(s.identifier, 0, s.identifier.length)];
    if (!hit) continue;
    found.push(s);
    hitOf.push(hit);
  }
  return byKey(
    found.length,
    (i) => found[i]!,
    (i) => hitOf[i]!,
    (i) => hitOf[i]!.slotStart,
  );
}

/**
 * Groups `n` sightings (by time) by key, keeping those within the replay window of their identifier's
 * slot; keys in ascending order.
 */
function byKey(
  n: number,
  sighting: (i: number) => Sighting,
  key: (i: number) => { keyIndex: number; slotMs: number },
  slotStart: (i: number) => number,
): KeyMatch[] {
  const lists = new Map<number, MatchedSighting[]>();
  for (let i = 0; i < n; i++) {
    const s = sighting(i);
    const k = key(i);
    const start = slotStart(i);
    if (!withinReplayWindow(s.time, start, k.slotMs)) continue;
    let list = lists.get(k.keyIndex);
    if (!list) {
      list = [];
      lists.set(k.keyIndex, list);
    }
    list.push({ sighting: s, slotStart: start, slotMs: k.slotMs });
  }
  return [...lists.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([keyIndex, list]) => ({ keyIndex, sightings: list }));
}

/**
 * Matches a log against published keys' identifier runs by probing every derived identifier against
 * a hash table of the log's distinct identifiers.
 * @public
 */
export async function matchLog(log: ContactLog, runs: Iterable<DerivedRun>): Promise<KeyMatch[]> {
  const ids = await log.distinctIdentifiers();
  const table = new IdentifierTable(ids.length);
  for (let i = 0; i < ids.length; i++) table.insert(ids[i]!, i);
  const hits: Hit[] = [];
  if (ids.length > 0) {
    for (const run of runs) {
      for (let i = 0; i < run.count; i++) {
        const o = i * run.idLength;
        if (table.lookup(run.ids, o, run.idLength) < 0) continue;
        hits.push({
          keyIndex: run.keyIndex,
          slotStart: run.firstSlotStart + i * run.slotMs,
          slotMs: run.slotMs,
          identifier: run.ids.slice(o, o + run.idLength),
        });
      }
    }
  }
  return collect(log, hits);
}

/**
 * Options of {@link matchGaenKeys}.
 * @public
 */
export interface MatchKeysOptions {
  /**
   * Worker threads besides the calling one. Default: none below `PARALLEL_MIN_KEYS` keys or inside a
   * worker thread, otherwise one fewer than `os.availableParallelism()`. 0 matches on this thread only.
   */
  workers?: number;
}

/**
 * Matches a log against Exposure Notification keys: the same result as
 * `matchLog(log, deriveGaenRuns(keys))`, on the fast path — each key's RPIs derived and probed against
 * the log's identifiers without intermediate objects (see `gaen-probe`), the keys spread over worker
 * threads when there are many (see {@link MatchKeysOptions.workers}); hits and results in key order
 * whatever the number of threads.
 * @throws InvalidArgumentError if a key's data is not 16 bytes
 * @public
 */
export async function matchGaenKeys(
  log: ContactLog,
  keys: readonly TemporaryExposureKey[],
  options: MatchKeysOptions = {},
): Promise<KeyMatch[]> {
  const workers = Math.max(0, Math.floor(options.workers ?? defaultMatchWorkers(keys.length)));
  const threads = Math.min(workers + 1, Math.max(1, keys.length));
  const parts: PackedKeys[] = [];
  const offsets: number[] = [];
  for (let t = 0; t < threads; t++) {
    const from = Math.floor((t * keys.length) / threads);
    offsets.push(from);
    parts.push(packKeys(keys, from, Math.floor(((t + 1) * keys.length) / threads)));
  }
  const ids = await log.distinctIdentifiers();
  const hits: Hit[] = [];
  if (ids.length > 0) {
    const set = createRpiSet(ids);
    const found = threads > 1 ? await probeParts(parts, set) : [probeGaenKeys(parts[0]!, set)];
    found.forEach((h, p) => {
      for (let i = 0; i < h.keys.length; i++) {
        const keyIndex = offsets[p]! + h.keys[i]!;
        hits.push({
          keyIndex,
          slotStart: (keys[keyIndex]!.rollingStartIntervalNumber + h.slots[i]!) * INTERVAL_MS,
          slotMs: INTERVAL_MS,
          identifier: h.ids[i]!,
        });
      }
    });
  }
  return collect(log, hits);
}

/**
 * Published keys derived once, for matching many logs.
 * @public
 */
export interface DerivedKeyIndex {
  /** Number of identifiers indexed. */
  readonly identifiers: number;
  /** Looks an identifier up: its key and slot, or undefined. */
  lookup(identifier: Uint8Array): { keyIndex: number; slotStart: number; slotMs: number } | undefined;
}

/** Little-endian word of the identifier bytes `[o, o + 4)`, bytes at or past `end` read as 0. */
function paddedWord(b: Uint8Array, o: number, end: number): number {
  if (o + 4 <= end) return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
  let w = 0;
  for (let k = 0; k < 4 && o + k < end; k++) w |= b[o + k]! << (8 * k);
  return w;
}

/** Tables of collected indexes go back to the thread's spares (see {@link takeTable}). */
const collectedTables = new FinalizationRegistry<Int32Array>(giveBackTable);

/**
 * The identifiers of published keys' runs, indexed in place: an open-addressing table at ≤ 50% load of
 * slot pairs (the identifier's first little-endian word; its run and slot, packed, + 1), the
 * identifiers themselves read from the runs' own buffers (12-byte IDs compare as if padded with zeros
 * to 16, as `IdentifierTable` pads them). A probe that misses — nearly every probe of a phone's log
 * against a day's file — reads one slot pair; the rest of an identifier is compared only when its
 * first word matches. No object and no copy per identifier: building costs one table insertion each.
 */
class KeyIndex implements DerivedKeyIndex {
  readonly identifiers: number;
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly runs: DerivedRun[];
  /** Bits of a packed value that hold the slot (the rest hold the run). */
  private readonly shift: number;
  /**
   * A bit per value of the first word's top bits, set for the identifiers indexed (≈ 16 bits per
   * identifier): a probe of an identifier not indexed stops here 15 times in 16, in a filter small enough
   * for the processor's cache where the table is not (a phone's log against a day's file).
   */
  private readonly filter: Int32Array;
  private readonly filterShift: number;

  constructor(runs: Iterable<DerivedRun>) {
    const all = [...runs];
    let total = 0;
    let longest = 1;
    for (const run of all) {
      total += run.count;
      longest = Math.max(longest, run.count);
    }
    let shift = 0;
    while (2 ** shift < longest) shift++;
    if (all.length * 2 ** shift >= 2 ** 31 - 1) throw new RangeError("too many identifiers for one index");
    let cap = 16;
    while (cap < total * 2) cap *= 2;
    const mask = cap - 1;
    let filterBits = 10;
    while (filterBits < 27 && 2 ** filterBits < total * 16) filterBits++;
    // Table and filter in one buffer, reused from a collected index when one of its size is spare.
    const buffer = takeTable(cap * 2 + 2 ** (filterBits - 5));
    const table = buffer.subarray(0, cap * 2);
    const filter = buffer.subarray(cap * 2);
    const filterShift = 32 - filterBits;
    this.table = table;
    this.mask = mask;
    this.runs = all;
    this.shift = shift;
    this.filter = filter;
    this.filterShift = filterShift;
    let n = 0;
    for (let r = 0; r < all.length; r++) {
      const { ids, idLength, count } = all[r]!;
      for (let i = 0; i < count; i++) {
        const o = i * idLength;
        const w0 = paddedWord(ids, o, o + idLength);
        let s = w0 & mask;
        // The first run's identifier stays when one repeats (as IdentifierTable.insert keeps it).
        let present = false;
        for (let v = table[2 * s + 1]!; v !== 0; s = (s + 1) & mask, v = table[2 * s + 1]!) {
          if (table[2 * s] === w0 && this.same(v - 1, ids, o, idLength)) {
            present = true;
            break;
          }
        }
        if (present) continue;
        table[2 * s] = w0;
        table[2 * s + 1] = ((r << shift) | i) + 1;
        const bit = w0 >>> filterShift;
        filter[bit >>> 5]! |= 1 << (bit & 31);
        n++;
      }
    }
    this.identifiers = n;
    // Given back for the next index once this one is collected.
    if (buffer.byteLength >= REUSED_TABLE_BYTES) collectedTables.register(this, buffer);
  }

  /** Whether identifier `v` (run and slot, packed) equals `bytes[offset, offset + length)`, both zero-padded. */
  private same(v: number, bytes: Uint8Array, offset: number, length: number): boolean {
    const run = this.runs[v >>> this.shift]!;
    const idLength = run.idLength;
    const o = (v & ((1 << this.shift) - 1)) * idLength;
    const end = o + idLength;
    const ids = run.ids;
    const bEnd = offset + length;
    return (
      paddedWord(ids, o + 4, end) === paddedWord(bytes, offset + 4, bEnd) &&
      paddedWord(ids, o + 8, end) === paddedWord(bytes, offset + 8, bEnd) &&
      (idLength > 12 ? paddedWord(ids, o + 12, end) : 0) ===
        (length > 12 ? paddedWord(bytes, offset + 12, bEnd) : 0)
    );
  }

  /**
   * The identifier `bytes[offset, offset + length)` (zero-padded past `length`, bytes past 12 ignored
   * unless longer) as its run and slot, packed, or -1 when absent.
   */
  probe(bytes: Uint8Array, offset: number, length: number): number {
    const { table, mask } = this;
    const w0 = paddedWord(bytes, offset, offset + length);
    const bit = w0 >>> this.filterShift;
    if ((this.filter[bit >>> 5]! & (1 << (bit & 31))) === 0) return -1;
    for (let s = w0 & mask; ; s = (s + 1) & mask) {
      const v = table[2 * s + 1]!;
      if (v === 0) return -1;
      if (table[2 * s] === w0 && this.same(v - 1, bytes, offset, length)) return v - 1;
    }
  }

  /** The run of identifier `v` (as {@link probe} returns it). */
  run(v: number): DerivedRun {
    return this.runs[v >>> this.shift]!;
  }

  /** Unix ms at which the slot of identifier `v` starts. */
  slotStart(v: number): number {
    const run = this.runs[v >>> this.shift]!;
    return run.firstSlotStart + (v & ((1 << this.shift) - 1)) * run.slotMs;
  }

  lookup(identifier: Uint8Array): { keyIndex: number; slotStart: number; slotMs: number } | undefined {
    const v = this.probe(identifier, 0, identifier.length);
    if (v < 0) return undefined;
    const run = this.run(v);
    return { keyIndex: run.keyIndex, slotStart: this.slotStart(v), slotMs: run.slotMs };
  }
}

/**
 * Derives and indexes all identifiers of the given runs (memory: ≈ 40–56 bytes per identifier: its
 * words, run and slot, and the table's slot pairs).
 * @public
 */
export function createDerivedKeyIndex(runs: Iterable<DerivedRun>): DerivedKeyIndex {
  return new KeyIndex(runs);
}

/**
 * Sightings heard in a time range.
 * @public
 */
export interface HeardRange {
  /** Unix ms, inclusive. */
  from: number;
  /** Unix ms, exclusive. */
  to: number;
}

/** A memory log's probe of its identifier records, when `log` is one. */
function probingLog(log: ContactLog): MemoryContactLog | undefined {
  return log.kind === "memory" && typeof (log as MemoryContactLog).probeIdentifiersSync === "function"
    ? (log as MemoryContactLog)
    : undefined;
}

/**
 * Matches a log against a prebuilt {@link DerivedKeyIndex}. A memory log built by `createMemoryLog` hands
 * each identifier record to the index ({@link MemoryContactLog.probeIdentifiersSync}); any other log's
 * distinct identifiers are looked up one by one. With `range`, only sightings heard in
 * `[range.from, range.to)` are matched: the same result as matching a log holding only those.
 * @public
 */
export async function matchLogWithIndex(
  log: ContactLog,
  index: DerivedKeyIndex,
  range?: HeardRange,
): Promise<KeyMatch[]> {
  const memory = probingLog(log);
  if (memory && index instanceof KeyIndex) {
    const { sightings, values } = range
      ? memory.probeIdentifiersSync((b, o, l) => index.probe(b, o, l), range.from, range.to)
      : memory.probeIdentifiersSync((b, o, l) => index.probe(b, o, l));
    return byKey(
      sightings.length,
      (i) => sightings[i]!,
      (i) => index.run(values[i]!),
      (i) => index.slotStart(values[i]!),
    );
  }
  const hits: Hit[] = [];
  for (const id of await log.distinctIdentifiers()) {
    const h = index.lookup(id);
    // Fields named, not spread: a spread per hit was the matcher's main cost on 14-day logs.
    if (h) hits.push({ keyIndex: h.keyIndex, slotStart: h.slotStart, slotMs: h.slotMs, identifier: id });
  }
  const matches = await collect(log, hits);
  if (!range) return matches;
  const out: KeyMatch[] = [];
  for (const m of matches) {
    const kept = m.sightings.filter((x) => x.sighting.time >= range.from && x.sighting.time < range.to);
    if (kept.length > 0) out.push({ keyIndex: m.keyIndex, sightings: kept });
  }
  return out;
}
