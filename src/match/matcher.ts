/**
 * Matching: which logged sightings carry identifiers of published keys. Two directions, one result:
 * - {@link matchLog}: derive each key's identifiers and probe them against a hash table of the log's
 *   distinct identifiers (a phone matching a downloaded key file);
 * - {@link createDerivedKeyIndex} + {@link matchLogWithIndex}: derive the keys once into a table and
 *   probe each log's identifiers against it (a simulator matching thousands of phones).
 * Both then fetch the hit identifiers' sightings through the log's identifier index and keep only those
 * heard within ±2 hours of the identifier's own slot (replay defence).
 */
import type { ContactLog, Sighting } from "../log/types";
import type { TemporaryExposureKey } from "../protocol/gaen";
import { INTERVAL_MS } from "../protocol/intervals";
import type { DerivedRun } from "./derive-runs";
import { createRpiSet, type PackedKeys, packKeys, probeGaenKeys } from "./gaen-probe";
import { IdentifierTable } from "./identifier-table";
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
  const byKey = new Map<number, MatchedSighting[]>();
  for (const s of sightings) {
    const hit = hits[table.lookup(s.identifier, 0, s.identifier.length)];
    if (!hit || !withinReplayWindow(s.time, hit.slotStart, hit.slotMs)) continue;
    let list = byKey.get(hit.keyIndex);
    if (!list) {
      list = [];
      byKey.set(hit.keyIndex, list);
    }
    list.push({ sighting: s, slotStart: hit.slotStart, slotMs: hit.slotMs });
  }
  return [...byKey.entries()]
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

/**
 * Derives and indexes all identifiers of the given runs (memory: ≈ 40 bytes per identifier).
 * @public
 */
export function createDerivedKeyIndex(runs: Iterable<DerivedRun>): DerivedKeyIndex {
  const all = [...runs];
  const total = all.reduce((n, r) => n + r.count, 0);
  const table = new IdentifierTable(total);
  // value = run index · 256 + slot (slot < 256 for both schemes)
  all.forEach((run, r) => {
    for (let i = 0; i < run.count; i++)
      table.insert(run.ids.subarray(i * run.idLength, (i + 1) * run.idLength), r * 256 + i);
  });
  return {
    identifiers: table.size,
    lookup(identifier) {
      const v = table.lookup(identifier, 0, identifier.length);
      if (v < 0) return undefined;
      const run = all[v >> 8]!;
      return {
        keyIndex: run.keyIndex,
        slotStart: run.firstSlotStart + (v & 255) * run.slotMs,
        slotMs: run.slotMs,
      };
    },
  };
}

/**
 * Matches a log against a prebuilt {@link DerivedKeyIndex} by probing the log's distinct identifiers.
 * @public
 */
export async function matchLogWithIndex(log: ContactLog, index: DerivedKeyIndex): Promise<KeyMatch[]> {
  const hits: Hit[] = [];
  for (const id of await log.distinctIdentifiers()) {
    const h = index.lookup(id);
    // Fields named, not spread: a spread per hit was the matcher's main cost on 14-day logs.
    if (h) hits.push({ keyIndex: h.keyIndex, slotStart: h.slotStart, slotMs: h.slotMs, identifier: id });
  }
  return collect(log, hits);
}
