/**
 * The contact log: what a phone remembers of the identifiers it heard (aggregated per scan), its own
 * keys, and its results. One interface, several stores (LevelDB on a device, columnar memory in the
 * simulator); every store passes the same conformance suite (`contactLogConformance` in `bluezone/testing`).
 */
import type { TemporaryExposureKey } from "../protocol/gaen";

/**
 * One identifier heard during one scan: an Exposure Notification v2 "scan instance" with the sender's
 * identity. RSSI is kept (not attenuation) because the sender's tx power is only known once its key is
 * published and its metadata decrypted.
 * @public
 */
export interface Sighting {
  /** Unix ms of the scan's start (an integer). */
  time: number;
  /** The rotating identifier heard: 16-byte RPI or 12-byte Bluezone ID. */
  identifier: Uint8Array;
  /** The 4-byte Associated Encrypted Metadata that came with an RPI; empty for Bluezone IDs. */
  aem: Uint8Array;
  /** Rounded mean RSSI of this identifier's packets in the scan, dBm. */
  meanRssi: number;
  /** Strongest RSSI of this identifier's packets in the scan, dBm (gives the minimum attenuation). */
  maxRssi: number;
  /** Number of packets heard in the scan (≥ 1). */
  packets: number;
  /** Seconds since the previous scan of this phone, capped at 300 (how long this instance stands for). */
  secondsSinceLastScan: number;
}

/**
 * One scan's sightings in columns, as a scan aggregator hands them to a store without making a
 * {@link Sighting} object per identifier (the simulator's hot path). Row `i` is the sighting of
 * identifier `i`: its bytes are `ids[i·16 … i·16 + idLengths[i])` (16-byte RPI or 12-byte Bluezone ID),
 * its AEM `aems[i·4 … i·4 + 4)` when `aemLengths[i]` is 4 (else none). Every row shares the scan's
 * `time` and `secondsSinceLastScan`. The arrays are the aggregator's own and are reused: valid only
 * during the call they are passed to.
 * @public
 */
export interface ScanBatch {
  /** Rows (identifiers heard with an RSSI). */
  readonly count: number;
  /** Unix ms of the scan's start. */
  readonly time: number;
  /** Seconds since the previous scan (capped at 300), for every row. */
  readonly secondsSinceLastScan: number;
  /** Identifier bytes, 16 per row. */
  readonly ids: Uint8Array;
  /** Identifier length of each row: 16 or 12. */
  readonly idLengths: Uint8Array;
  /** AEM bytes, 4 per row. */
  readonly aems: Uint8Array;
  /** AEM length of each row: 4 or 0. */
  readonly aemLengths: Uint8Array;
  /** Rounded mean RSSI of each row (dBm). */
  readonly meanRssi: Int16Array;
  /** Maximum RSSI of each row (dBm). */
  readonly maxRssi: Int16Array;
  /** Packets of each row (≥ 1). */
  readonly packets: Int32Array;
}

/**
 * A stored result, e.g. an exposure notification, kept until retention removes it.
 * @public
 */
export interface StoredResult {
  /** Unix ms the result refers to (used by retention). */
  time: number;
  /** Caller-chosen id; storing the same id again replaces the result. */
  id: string;
  /** Any JSON-serialisable value. */
  value: unknown;
}

/**
 * Counts describing a log's content.
 * @public
 */
export interface LogStats {
  /** Number of sightings stored. */
  sightings: number;
  /** Number of distinct identifiers among them. */
  identifiers: number;
  /** Number of own keys stored. */
  ownKeys: number;
  /** Unix ms of the oldest sighting, or undefined when empty. */
  oldest?: number;
  /** Unix ms of the newest sighting, or undefined when empty. */
  newest?: number;
}

/**
 * The contact log every store implements. All methods reject with a typed error on failure.
 * @public
 */
export interface ContactLog {
  /** Which store this is, e.g. `"memory"` or `"level"`. */
  readonly kind: string;
  /**
   * Appends sightings atomically: after the promise resolves all are stored (and, with synced writes,
   * on disk); if it rejects none are.
   */
  record(sightings: readonly Sighting[]): Promise<void>;
  /** Sightings with `from ≤ time < to`, ordered by time, then by insertion order. */
  range(from: number, to: number): Promise<Sighting[]>;
  /**
   * Sightings whose identifier equals one of `identifiers`, found through the identifier index,
   * ordered by time, then by insertion order.
   */
  findByIdentifiers(identifiers: Iterable<Uint8Array>): Promise<Sighting[]>;
  /** Every distinct identifier stored (in no particular order), for building a match index. */
  distinctIdentifiers(): Promise<Uint8Array[]>;
  /**
   * Retention: removes sightings with `time < before`, own keys whose validity ended at or before
   * `before` (it ends at (rollingStartIntervalNumber + rollingPeriod) × 10 min, unix ms), and results
   * with `time < before`. Resolves to the number of sightings removed.
   */
  purge(before: number): Promise<number>;
  /** Stores own TEKs (replacing any with the same rollingStartIntervalNumber). */
  putOwnKeys(keys: readonly TemporaryExposureKey[]): Promise<void>;
  /** Own TEKs, ordered by rollingStartIntervalNumber. */
  ownKeys(): Promise<TemporaryExposureKey[]>;
  /** Stores a result. */
  putResult(result: StoredResult): Promise<void>;
  /** All stored results ordered by time, then id by Unicode code point (= UTF-8 byte order, not UTF-16). */
  results(): Promise<StoredResult[]>;
  /** Small named state (e.g. a base key, a key-feed cursor); `undefined` deletes it. */
  putState(name: string, value: Uint8Array | undefined): Promise<void>;
  /** Named state, or undefined. */
  getState(name: string): Promise<Uint8Array | undefined>;
  /** Counts of what is stored. */
  stats(): Promise<LogStats>;
  /** Releases the store (a LevelDB lock, memory). Further calls reject. */
  close(): Promise<void>;
}
