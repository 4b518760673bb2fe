/**
 * Exposure Notification v2 scan aggregation: the packets heard during one scan are folded in memory
 * into one {@link Sighting} per identifier (a "scan instance"), so the log is written once per scan,
 * never once per packet.
 */
import { InvalidArgumentError } from "../errors";
import { AEM_LENGTH, KEY_LENGTH } from "../protocol/gaen";
import { BLUEZONE_ID_LENGTH } from "../protocol/bluezone-compat";
import { ScanStateError } from "./errors";
import type { ScanBatch, Sighting } from "./types";
import { isStorableRssi, MAX_PACKETS, MAX_SECONDS_SINCE_LAST_SCAN } from "./validate";

/**
 * Options of {@link createScanAggregator}.
 * @public
 */
export interface ScanAggregatorOptions {
  /**
   * `secondsSinceLastScan` of the sightings of the very first scan, when there is no previous scan to
   * measure from. Default 300 (the cap): Exposure Notification scans about every 5 minutes, so a
   * first scan is taken to stand for one full scan period, like every later scan at that cadence.
   */
  firstScanSeconds?: number;
}

/**
 * Folds one scan's packets into sightings. Create one per phone.
 * @public
 */
export interface ScanAggregator {
  /**
   * Starts a scan at `timeMs` (integer unix ms, not before the previous scan's start).
   * @throws ScanStateError if a scan is already in progress
   */
  beginScan(timeMs: number): void;
  /**
   * Adds one received packet. The identifier and AEM bytes are copied when first seen in the scan
   * (the caller may reuse its buffers). Packets with an RSSI that is not a finite number in
   * -128…126 dBm are ignored (RSSI is rounded to an integer first), 127 among them: HCI's and noble's
   * "RSSI not available", which carries no signal strength. Such packets are not counted, so
   * packets of [−70, 127, −72, 127] give mean −71, max −70, 2 packets, and an identifier heard only
   * with RSSI 127 gives no sighting at all (a sighting without RSSI has no attenuation to judge).
   * For an identifier heard several times, the AEM of its first counted packet is kept.
   * @throws ScanStateError outside a scan; InvalidArgumentError on a wrong identifier or AEM length
   */
  addPacket(identifier: Uint8Array, aem: Uint8Array, rssi: number): void;
  /** Adds several packets of one identifier at once (a batch transport's report); as {@link ScanAggregator.addPacket}. */
  addPackets(identifier: Uint8Array, aem: Uint8Array, rssi: readonly number[]): void;
  /**
   * Adds `packets` packets of one identifier known only by their summary: integer RSSI whose sum is
   * `packets · meanRssi` and whose maximum is `maxRssi` (a simulated radio that draws a scan's summary
   * instead of its packets). The same as {@link ScanAggregator.addPackets} with any such packets: an integer mean of
   * packets sums exactly, so the sighting's mean, maximum and count are the ones
   * {@link ScanAggregator.addPackets} would give.
   * @throws ScanStateError outside a scan; InvalidArgumentError on a wrong identifier or AEM length,
   *   a count that is not a positive integer, or RSSI values that are not storable integers (−128…126)
   *   with meanRssi ≤ maxRssi
   */
  addSummary(
    identifier: Uint8Array,
    aem: Uint8Array,
    packets: number,
    meanRssi: number,
    maxRssi: number,
  ): void;
  /**
   * {@link ScanAggregator.addSummary} with the identifier read from `bytes` and the AEM from `aemBytes`:
   * `identifierLength` bytes (16: an RPI, or 12: a Bluezone ID) at `identifierOffset`, and `aemLength`
   * bytes (4, or 0: none) at `aemOffset` — for a host that keeps many phones' identifiers in a few
   * buffers (the simulator's batched fleet reads them where the key schedules derived them) and would
   * otherwise make two views per sighting. The bytes are copied.
   * @throws as {@link ScanAggregator.addSummary}; InvalidArgumentError also when a range is not inside its buffer
   */
  addSummaryAt(
    bytes: Uint8Array,
    identifierOffset: number,
    identifierLength: number,
    aemBytes: Uint8Array,
    aemOffset: number,
    aemLength: number,
    packets: number,
    meanRssi: number,
    maxRssi: number,
  ): void;
  /**
   * Ends the scan and returns one sighting per identifier heard with an RSSI (in order of first such
   * packet), with
   * meanRssi = Math.round(mean), maxRssi, packets, and secondsSinceLastScan =
   * min(300, round((this scan's start − previous scan's start) / 1000)).
   * @throws ScanStateError if no scan is in progress
   */
  endScan(): Sighting[];
  /**
   * Ends the scan like {@link ScanAggregator.endScan}, handing its sightings to `sink` in columns (one call, also when
   * there are none) instead of as objects; returns how many there were.
   * @throws ScanStateError if no scan is in progress
   */
  endScanInto(sink: (batch: ScanBatch) => void): number;
  /** True between {@link ScanAggregator.beginScan} and {@link ScanAggregator.endScan}. */
  readonly scanning: boolean;
}

function checkShape(identifier: Uint8Array, aem: Uint8Array): void {
  checkLengths(identifier.length, aem.length);
}

function checkLengths(identifierLength: number, aemLength: number): void {
  if (identifierLength !== KEY_LENGTH && identifierLength !== BLUEZONE_ID_LENGTH) {
    throw new InvalidArgumentError(`identifier must be ${KEY_LENGTH} or ${BLUEZONE_ID_LENGTH} bytes`);
  }
  if (aemLength !== 0 && aemLength !== AEM_LENGTH) {
    throw new InvalidArgumentError(`aem must be empty or ${AEM_LENGTH} bytes`);
  }
}

/** Rows above which identifiers are found through a map instead of a linear scan of the keys. */
const LINEAR_ROWS = 24;

/** First four bytes of an identifier as a 32-bit key (identifiers are pseudo-random). */
const key32 = (id: Uint8Array, o: number): number =>
  ((id[o]! << 24) | (id[o + 1]! << 16) | (id[o + 2]! << 8) | id[o + 3]!) >>> 0;

/**
 * The open scan's identifiers in reused columns (no object per identifier or packet): found by their
 * first four bytes, then compared in full.
 */
class ScanRows implements ScanBatch {
  count = 0;
  time = 0;
  secondsSinceLastScan = 0;
  ids = new Uint8Array(16 * KEY_LENGTH);
  idLengths = new Uint8Array(16);
  aems = new Uint8Array(16 * AEM_LENGTH);
  aemLengths = new Uint8Array(16);
  meanRssi = new Int16Array(16);
  maxRssi = new Int16Array(16);
  packets = new Int32Array(16);
  /** Sum of the rows' RSSI (integers: at most 65,535 packets of |RSSI| ≤ 128). */
  sums = new Int32Array(16);
  keys = new Uint32Array(16);
  /** key → first row with it, and the next row with the same key (or -1), beyond {@link LINEAR_ROWS}. */
  private byKey: Map<number, number> | undefined;
  private nextSameKey = new Int32Array(16);

  private grow(): void {
    const cap = this.keys.length * 2;
    const g = <T extends Uint8Array | Int16Array | Int32Array | Uint32Array>(a: T, width = 1): T => {
      const b = new (a.constructor as new (n: number) => T)(cap * width);
      b.set(a);
      return b;
    };
    this.ids = g(this.ids, KEY_LENGTH);
    this.idLengths = g(this.idLengths);
    this.aems = g(this.aems, AEM_LENGTH);
    this.aemLengths = g(this.aemLengths);
    this.meanRssi = g(this.meanRssi);
    this.maxRssi = g(this.maxRssi);
    this.packets = g(this.packets);
    this.sums = g(this.sums);
    this.keys = g(this.keys);
    this.nextSameKey = g(this.nextSameKey);
  }

  private same(row: number, src: Uint8Array, off: number, len: number): boolean {
    if (this.idLengths[row] !== len) return false;
    const o = row * KEY_LENGTH;
    for (let i = 4; i < len; i++) if (this.ids[o + i] !== src[off + i]) return false;
    return true;
  }

  /** The row of the identifier in `src` at `off` (`len` bytes), or -1. */
  find(src: Uint8Array, off: number, len: number): number {
    const k = key32(src, off);
    if (this.byKey) {
      for (let r = this.byKey.get(k) ?? -1; r >= 0; r = this.nextSameKey[r]!)
        if (this.same(r, src, off, len)) return r;
      return -1;
    }
    const keys = this.keys;
    for (let r = 0; r < this.count; r++) if (keys[r] === k && this.same(r, src, off, len)) return r;
    return -1;
  }

  /**
   * Adds a row for the identifier in `src` at `off` (`len` bytes; not present) and the AEM in `aem` at
   * `aemOff` (`aemLen` bytes) with its first packets; returns it.
   */
  add(
    src: Uint8Array,
    off: number,
    len: number,
    aem: Uint8Array,
    aemOff: number,
    aemLen: number,
    packets: number,
    sum: number,
    max: number,
  ): number {
    const r = this.count;
    if (r === this.keys.length) this.grow();
    // Byte loops, not TypedArray#set: for 16 and 4 bytes the builtin's call costs more than the copy.
    const ids = this.ids;
    const o = r * KEY_LENGTH;
    for (let i = 0; i < len; i++) ids[o + i] = src[off + i]!;
    this.idLengths[r] = len;
    if (aemLen === AEM_LENGTH) {
      const aems = this.aems;
      const a = r * AEM_LENGTH;
      for (let i = 0; i < AEM_LENGTH; i++) aems[a + i] = aem[aemOff + i]!;
    }
    this.aemLengths[r] = aemLen;
    this.packets[r] = packets;
    this.sums[r] = sum;
    this.maxRssi[r] = max;
    const k = key32(src, off);
    this.keys[r] = k;
    this.count = r + 1;
    if (this.byKey) this.index(r, k);
    else if (this.count > LINEAR_ROWS) {
      this.byKey = new Map();
      for (let i = 0; i < this.count; i++) this.index(i, this.keys[i]!);
    }
    return r;
  }

  private index(r: number, k: number): void {
    const map = this.byKey!;
    this.nextSameKey[r] = map.get(k) ?? -1;
    map.set(k, r);
  }

  /** Fills meanRssi from the sums; call once at the scan's end. */
  close(time: number, seconds: number): void {
    this.time = time;
    this.secondsSinceLastScan = seconds;
    for (let r = 0; r < this.count; r++) this.meanRssi[r] = Math.round(this.sums[r]! / this.packets[r]!);
  }

  clear(): void {
    this.count = 0;
    this.byKey = undefined;
  }
}

/**
 * Creates a {@link ScanAggregator} (see {@link ScanAggregatorOptions} for the first scan's weight).
 * @public
 */
export function createScanAggregator(options: ScanAggregatorOptions = {}): ScanAggregator {
  const firstScanSeconds = options.firstScanSeconds ?? MAX_SECONDS_SINCE_LAST_SCAN;
  if (
    !Number.isInteger(firstScanSeconds) ||
    firstScanSeconds < 0 ||
    firstScanSeconds > MAX_SECONDS_SINCE_LAST_SCAN
  ) {
    throw new InvalidArgumentError(`firstScanSeconds must be an integer in 0…${MAX_SECONDS_SINCE_LAST_SCAN}`);
  }
  let previousStart: number | undefined;
  let start: number | undefined;
  const rows = new ScanRows();

  /** Closes the scan: its rows hold the sightings until {@link ScanRows.clear}. */
  const close = (what: string): void => {
    if (start === undefined) throw new ScanStateError(`${what}: no scan in progress`);
    const seconds =
      previousStart === undefined
        ? firstScanSeconds
        : Math.min(MAX_SECONDS_SINCE_LAST_SCAN, Math.round((start - previousStart) / 1000));
    rows.close(start, seconds);
    previousStart = start;
    start = undefined;
  };

  /** Adds a summary's packets (see {@link ScanAggregator.addSummary}); the shape is checked by the caller. */
  const summary = (
    src: Uint8Array,
    off: number,
    len: number,
    aem: Uint8Array,
    aemOff: number,
    aemLen: number,
    packets: number,
    meanRssi: number,
    maxRssi: number,
  ): void => {
    if (!Number.isInteger(packets) || packets < 1) {
      throw new InvalidArgumentError(`packets must be a positive integer, got ${packets}`);
    }
    if (
      !Number.isInteger(meanRssi) ||
      !Number.isInteger(maxRssi) ||
      !isStorableRssi(meanRssi) ||
      !isStorableRssi(maxRssi) ||
      meanRssi > maxRssi
    ) {
      throw new InvalidArgumentError(
        `a summary needs storable integer RSSI with mean ≤ max, got mean ${meanRssi}, max ${maxRssi}`,
      );
    }
    const r = rows.find(src, off, len);
    if (r < 0) {
      const n = Math.min(packets, MAX_PACKETS);
      rows.add(src, off, len, aem, aemOff, aemLen, n, meanRssi * n, maxRssi);
      return;
    }
    const n = Math.min(packets, MAX_PACKETS - rows.packets[r]!);
    rows.sums[r]! += meanRssi * n;
    if (maxRssi > rows.maxRssi[r]!) rows.maxRssi[r] = maxRssi;
    rows.packets[r]! += n;
  };

  return {
    get scanning() {
      return start !== undefined;
    },
    beginScan(timeMs) {
      if (start !== undefined)
        throw new ScanStateError("beginScan: a scan is already in progress; call endScan first");
      if (!Number.isSafeInteger(timeMs) || timeMs < 0) {
        throw new InvalidArgumentError(`scan time must be a non-negative integer (unix ms), got ${timeMs}`);
      }
      if (previousStart !== undefined && timeMs < previousStart) {
        throw new InvalidArgumentError(
          `scan at ${timeMs} starts before the previous scan at ${previousStart}`,
        );
      }
      start = timeMs;
      rows.clear();
    },
    addPacket(identifier, aem, rssi) {
      this.addPackets(identifier, aem, [rssi]);
    },
    addPackets(identifier, aem, rssis) {
      if (start === undefined)
        throw new ScanStateError("addPacket: no scan in progress; call beginScan first");
      checkShape(identifier, aem);
      let r = rows.find(identifier, 0, identifier.length);
      for (const rssi of rssis) {
        const v = Math.round(rssi);
        if (!isStorableRssi(v)) continue;
        if (r < 0) r = rows.add(identifier, 0, identifier.length, aem, 0, aem.length, 1, v, v);
        else if (rows.packets[r]! < MAX_PACKETS) {
          rows.sums[r]! += v;
          if (v > rows.maxRssi[r]!) rows.maxRssi[r] = v;
          rows.packets[r]!++;
        }
      }
    },
    addSummary(identifier, aem, packets, meanRssi, maxRssi) {
      if (start === undefined)
        throw new ScanStateError("addSummary: no scan in progress; call beginScan first");
      checkShape(identifier, aem);
      summary(identifier, 0, identifier.length, aem, 0, aem.length, packets, meanRssi, maxRssi);
    },
    addSummaryAt(
      bytes,
      identifierOffset,
      identifierLength,
      aemBytes,
      aemOffset,
      aemLength,
      packets,
      meanRssi,
      maxRssi,
    ) {
      if (start === undefined)
        throw new ScanStateError("addSummaryAt: no scan in progress; call beginScan first");
      checkLengths(identifierLength, aemLength);
      if (
        !Number.isInteger(identifierOffset) ||
        !Number.isInteger(aemOffset) ||
        identifierOffset < 0 ||
        aemOffset < 0 ||
        identifierOffset + identifierLength > bytes.length ||
        aemOffset + aemLength > aemBytes.length
      ) {
        throw new InvalidArgumentError(
          `identifier (${identifierOffset}, ${identifierLength} bytes of ${bytes.length}) or AEM (${aemOffset}, ${aemLength} bytes of ${aemBytes.length}) outside its buffer`,
        );
      }
      summary(
        bytes,
        identifierOffset,
        identifierLength,
        aemBytes,
        aemOffset,
        aemLength,
        packets,
        meanRssi,
        maxRssi,
      );
    },
    endScan() {
      close("endScan");
      const out: Sighting[] = new Array(rows.count);
      for (let r = 0; r < rows.count; r++) {
        const o = r * KEY_LENGTH;
        const a = r * AEM_LENGTH;
        out[r] = {
          time: rows.time,
          identifier: rows.ids.slice(o, o + rows.idLengths[r]!),
          aem: rows.aems.slice(a, a + rows.aemLengths[r]!),
          meanRssi: rows.meanRssi[r]!,
          maxRssi: rows.maxRssi[r]!,
          packets: rows.packets[r]!,
          secondsSinceLastScan: rows.secondsSinceLastScan,
        };
      }
      rows.clear();
      return out;
    },
    endScanInto(sink) {
      close("endScan");
      const n = rows.count;
      try {
        sink(rows);
      } finally {
        rows.clear();
      }
      return n;
    },
  };
}
