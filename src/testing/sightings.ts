/**
 * Arbitraries of what a phone logs: single sightings, sequences of scans (packets per scan, for the
 * scan aggregator), and match scenarios (published keys plus sightings of their identifiers, some
 * replayed late, mixed with foreign identifiers).
 */
import fc from "fast-check";
import type { Sighting } from "../log/types";
import type { ExposureKey } from "../match/export-codec";
import { INTERVAL_MS, INTERVALS_PER_DAY } from "../protocol/intervals";
import { type DiagnosisKeyOptions, diagnosisKeys, keySighting, TESTING_EPOCH_INTERVAL } from "./keys";

/**
 * Options of {@link sighting}.
 * @public
 */
export interface SightingOptions {
  /** Time range, unix ms inclusive; default the toolkit epoch's first 5 days. */
  time?: readonly [number, number];
  /** Identifier kinds: 16-byte RPIs (with a 4-byte AEM) and/or 12-byte Bluezone IDs (no AEM). */
  kinds?: ReadonlyArray<"rpi" | "bluezone">;
  /** Draw identifiers from a pool of this many (so identifiers repeat); default: fresh each time. */
  identifierPool?: readonly Uint8Array[];
}

const EPOCH_MS = TESTING_EPOCH_INTERVAL * INTERVAL_MS;
const FIVE_DAYS_MS = 5 * INTERVALS_PER_DAY * INTERVAL_MS;

/**
 * Arbitrary valid sightings (every one passes the contact log's validation).
 * @public
 */
export function sighting(options: SightingOptions = {}): fc.Arbitrary<Sighting> {
  const [t0, t1] = options.time ?? [EPOCH_MS, EPOCH_MS + FIVE_DAYS_MS];
  const kinds = options.kinds ?? ["rpi", "bluezone"];
  const fresh = fc
    .constantFrom(...kinds)
    .chain((k) =>
      k === "rpi"
        ? fc.tuple(
            fc.uint8Array({ minLength: 16, maxLength: 16 }),
            fc.uint8Array({ minLength: 4, maxLength: 4 }),
          )
        : fc.tuple(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.constant(new Uint8Array(0))),
    );
  const pool = options.identifierPool;
  const ids =
    pool && pool.length > 0
      ? fc.constantFrom(...pool).map((id) => [id, new Uint8Array(id.length === 16 ? 4 : 0)] as const)
      : fresh;
  return fc
    .record({
      time: fc.integer({ min: t0, max: t1 }),
      id: ids,
      meanRssi: fc.integer({ min: -128, max: 126 }),
      spread: fc.integer({ min: 0, max: 30 }),
      packets: fc.integer({ min: 1, max: 0xffff }),
      secondsSinceLastScan: fc.integer({ min: 0, max: 300 }),
    })
    .map(({ time, id, meanRssi, spread, packets, secondsSinceLastScan }) => ({
      time,
      identifier: id[0],
      aem: id[1],
      meanRssi,
      maxRssi: Math.min(126, meanRssi + spread),
      packets,
      secondsSinceLastScan,
    }));
}

/**
 * One packet heard in a scan.
 * @public
 */
export interface ScanPacket {
  /** RPI (16 bytes) or Bluezone ID (12 bytes). */
  identifier: Uint8Array;
  /** AEM (4 bytes) with an RPI, empty with a Bluezone ID. */
  aem: Uint8Array;
  /** RSSI, dBm; may be out of range or not finite when `invalidRssi` is set. */
  rssi: number;
}

/**
 * One scan: its start time and the packets heard.
 * @public
 */
export interface Scan {
  /** Unix ms, non-decreasing across a sequence. */
  time: number;
  /** Packets in arrival order. */
  packets: ScanPacket[];
}

/**
 * Options of {@link scanSequence}.
 * @public
 */
export interface ScanSequenceOptions {
  /** Distinct identifiers heard over the sequence; default up to 8. */
  maxIdentifiers?: number;
  /** Most scans; default 12. */
  maxScans?: number;
  /** Most packets per scan; default 40. */
  maxPackets?: number;
  /** Also produce RSSI values the aggregator must ignore (NaN, ±Infinity, 127 = not available, out of −128…127). */
  invalidRssi?: boolean;
  /** Gaps between scan starts, ms inclusive; default [0, 600_000]. */
  gapMs?: readonly [number, number];
}

/**
 * Arbitrary sequences of scans over a pool of identifiers, as a scanner would deliver them.
 * @public
 */
export function scanSequence(options: ScanSequenceOptions = {}): fc.Arbitrary<Scan[]> {
  const [g0, g1] = options.gapMs ?? [0, 600_000];
  const rssi = options.invalidRssi
    ? fc.oneof(
        { weight: 8, arbitrary: fc.double({ min: -128, max: 127, noNaN: true }) },
        { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, -200, 300, 127) },
      )
    : fc.integer({ min: -110, max: -20 });
  const identifiers = fc.uniqueArray(
    fc.oneof(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ minLength: 12, maxLength: 12 }),
    ),
    { minLength: 1, maxLength: options.maxIdentifiers ?? 8, selector: (b) => Buffer.from(b).toString("hex") },
  );
  return identifiers.chain((pool) => {
    const packet = fc
      .record({ which: fc.nat(pool.length - 1), aemByte: fc.nat(255), rssi })
      .map(({ which, aemByte, rssi }): ScanPacket => {
        const id = pool[which]!;
        return { identifier: id, aem: new Uint8Array(id.length === 16 ? 4 : 0).fill(aemByte), rssi };
      });
    return fc
      .array(
        fc.record({
          gap: fc.integer({ min: g0, max: g1 }),
          packets: fc.array(packet, { maxLength: options.maxPackets ?? 40 }),
        }),
        { maxLength: options.maxScans ?? 12 },
      )
      .map((scans) => {
        let t = EPOCH_MS;
        return scans.map((s) => {
          t += s.gap;
          return { time: t, packets: s.packets };
        });
      });
  });
}

/**
 * Published keys and a log's sightings, some of them of the keys' identifiers.
 * @public
 */
export interface MatchScenario {
  /** The published keys (distinct key data). */
  keys: ExposureKey[];
  /** Sightings: genuine ones at up to ±`maxOffsetMinutes` from their slot, and foreign identifiers. */
  sightings: Sighting[];
}

/**
 * Options of {@link matchScenario}.
 * @public
 */
export interface MatchScenarioOptions extends DiagnosisKeyOptions {
  /** Most keys; default 4. */
  maxKeys?: number;
  /** Most sightings; default 40. */
  maxSightings?: number;
  /** Largest distance of a genuine sighting from its slot's start, minutes; default 200 (past ±2 h). */
  maxOffsetMinutes?: number;
}

/**
 * Arbitrary match scenarios: keys, and sightings drawn from the keys' RPIs (heard up to
 * `maxOffsetMinutes` away from their slot, so some fall outside the replay window) plus noise.
 * @public
 */
export function matchScenario(options: MatchScenarioOptions = {}): fc.Arbitrary<MatchScenario> {
  const off = options.maxOffsetMinutes ?? 200;
  return diagnosisKeys({ ...options, maxLength: options.maxKeys ?? 4, optionalFields: false }).chain(
    (keys) => {
      const fromKey = fc
        .record({
          k: fc.nat(keys.length - 1),
          i: fc.nat(INTERVALS_PER_DAY - 1),
          offsetMin: fc.integer({ min: -off, max: off }),
          rssi: fc.integer({ min: -100, max: -30 }),
        })
        .map(({ k, i, offsetMin, rssi }) => {
          const key = keys[k]!;
          const interval = key.rollingStartIntervalNumber + (i % key.rollingPeriod);
          return keySighting(key, interval, interval * INTERVAL_MS + offsetMin * 60_000, { meanRssi: rssi });
        });
      const noise = fc
        .record({ id: fc.uint8Array({ minLength: 16, maxLength: 16 }), t: fc.nat(5 * INTERVALS_PER_DAY) })
        .map(({ id, t }) => ({
          time: (TESTING_EPOCH_INTERVAL + t) * INTERVAL_MS,
          identifier: id,
          aem: new Uint8Array(4),
          meanRssi: -60,
          maxRssi: -57,
          packets: 3,
          secondsSinceLastScan: 300,
        }));
      return fc.record({
        keys: fc.constant(keys),
        sightings: fc.array(fc.oneof(fromKey, noise), { maxLength: options.maxSightings ?? 40 }),
      });
    },
  );
}
