/**
 * Exposure Notification v2 scan aggregation: the packets heard during one scan are folded in memory
 * into one {@link Sighting} per identifier (a "scan instance"), so the log is written once per scan,
 * never once per packet.
 */
import { InvalidArgumentError } from "../errors";
import { AEM_LENGTH, KEY_LENGTH } from "../protocol/gaen";
import { BLUEZONE_ID_LENGTH } from "../protocol/bluezone-compat";
import { ScanStateError } from "./errors";
import type { Sighting } from "./types";
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
   * Ends the scan and returns one sighting per identifier heard with an RSSI (in order of first such
   * packet), with
   * meanRssi = Math.round(mean), maxRssi, packets, and secondsSinceLastScan =
   * min(300, round((this scan's start − previous scan's start) / 1000)).
   * @throws ScanStateError if no scan is in progress
   */
  endScan(): Sighting[];
  /** True between {@link ScanAggregator.beginScan} and {@link ScanAggregator.endScan}. */
  readonly scanning: boolean;
}

interface Heard {
  identifier: Uint8Array;
  aem: Uint8Array;
  sum: number;
  max: number;
  packets: number;
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
  const heard = new Map<string, Heard>();

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
    },
    addPacket(identifier, aem, rssi) {
      this.addPackets(identifier, aem, [rssi]);
    },
    addPackets(identifier, aem, rssis) {
      if (start === undefined)
        throw new ScanStateError("addPacket: no scan in progress; call beginScan first");
      if (identifier.length !== KEY_LENGTH && identifier.length !== BLUEZONE_ID_LENGTH) {
        throw new InvalidArgumentError(`identifier must be ${KEY_LENGTH} or ${BLUEZONE_ID_LENGTH} bytes`);
      }
      if (aem.length !== 0 && aem.length !== AEM_LENGTH) {
        throw new InvalidArgumentError(`aem must be empty or ${AEM_LENGTH} bytes`);
      }
      const key = Buffer.from(identifier.buffer, identifier.byteOffset, identifier.byteLength).toString(
        "latin1",
      );
      let h = heard.get(key);
      for (const rssi of rssis) {
        const r = Math.round(rssi);
        if (!isStorableRssi(r)) continue;
        if (h === undefined) {
          h = { identifier: identifier.slice(), aem: aem.slice(), sum: r, max: r, packets: 1 };
          heard.set(key, h);
        } else if (h.packets < MAX_PACKETS) {
          h.sum += r;
          if (r > h.max) h.max = r;
          h.packets++;
        }
      }
    },
    endScan() {
      if (start === undefined) throw new ScanStateError("endScan: no scan in progress");
      const seconds =
        previousStart === undefined
          ? firstScanSeconds
          : Math.min(MAX_SECONDS_SINCE_LAST_SCAN, Math.round((start - previousStart) / 1000));
      const time = start;
      const out = Array.from(
        heard.values(),
        (h): Sighting => ({
          time,
          identifier: h.identifier,
          aem: h.aem,
          meanRssi: Math.round(h.sum / h.packets),
          maxRssi: h.max,
          packets: h.packets,
          secondsSinceLastScan: seconds,
        }),
      );
      heard.clear();
      previousStart = start;
      start = undefined;
      return out;
    },
  };
}
