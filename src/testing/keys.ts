/**
 * Arbitraries of Exposure Notification keys: Temporary Exposure Keys and diagnosis keys (with report
 * type, transmission risk and days since onset), all on UTC-day-aligned intervals around a fixed epoch
 * so properties are reproducible and timeless.
 */
import fc from "fast-check";
import type { Sighting } from "../log/types";
import { ReportType, type ExposureKey } from "../match/export-codec";
import { cryptAem, deriveAemk, deriveRpi, deriveRpik, type TemporaryExposureKey } from "../protocol/gaen";
import { INTERVAL_MS, INTERVALS_PER_DAY } from "../protocol/intervals";
import { encodeMetadata, type Metadata } from "../protocol/metadata";
import { checkRange } from "./ranges";

/**
 * The toolkit's epoch: the first interval of a UTC day in May 2021. Keys start on days after it.
 * @public
 */
export const TESTING_EPOCH_INTERVAL = 2_700_000 - (2_700_000 % INTERVALS_PER_DAY);
/**
 * Unix ms of {@link TESTING_EPOCH_INTERVAL}.
 * @public
 */
export const TESTING_EPOCH_MS = TESTING_EPOCH_INTERVAL * INTERVAL_MS;

/**
 * Options of {@link temporaryExposureKey}.
 * @public
 */
export interface TekOptions {
  /** Days after the epoch a key may start on, inclusive (integers ≥ 0); default [0, 3]. */
  days?: readonly [number, number];
  /** Rolling period range, inclusive (integers in 1…144); default [1, 144] (144 = a full day). */
  rollingPeriod?: readonly [number, number];
}

/**
 * Arbitrary TEKs: random 16 key bytes, a UTC-day-aligned start, a rolling period.
 * @throws InvalidArgumentError (`ERR_INVALID_ARGUMENT`) for a range backwards or out of its domain
 * @public
 */
export function temporaryExposureKey(options: TekOptions = {}): fc.Arbitrary<TemporaryExposureKey> {
  const [d0, d1] = checkRange("days", options.days ?? [0, 3], { min: 0, max: 100_000, integer: true });
  const [p0, p1] = checkRange("rollingPeriod", options.rollingPeriod ?? [1, INTERVALS_PER_DAY], {
    min: 1,
    max: INTERVALS_PER_DAY,
    integer: true,
  });
  return fc.record({
    keyData: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    rollingStartIntervalNumber: fc
      .integer({ min: d0, max: d1 })
      .map((d) => TESTING_EPOCH_INTERVAL + INTERVALS_PER_DAY * d),
    rollingPeriod: fc.integer({ min: p0, max: p1 }),
  });
}

/**
 * Options of {@link diagnosisKey}.
 * @public
 */
export interface DiagnosisKeyOptions extends TekOptions {
  /** Report types to draw from; default confirmed test, clinical diagnosis and self report (1, 2, 3). */
  reportTypes?: readonly ReportType[];
  /** Also draw transmission risk level and days since onset (each may be absent); default true. */
  optionalFields?: boolean;
}

/**
 * Arbitrary diagnosis keys (an `ExposureKey` of `bluezone`: a TEK plus the export's optional fields).
 * @throws InvalidArgumentError (`ERR_INVALID_ARGUMENT`) for a range backwards or out of its domain
 * @public
 */
export function diagnosisKey(options: DiagnosisKeyOptions = {}): fc.Arbitrary<ExposureKey> {
  const types = options.reportTypes ?? [
    ReportType.CONFIRMED_TEST,
    ReportType.CONFIRMED_CLINICAL_DIAGNOSIS,
    ReportType.SELF_REPORT,
  ];
  const extra =
    options.optionalFields === false
      ? fc.constant({})
      : fc.record(
          {
            transmissionRiskLevel: fc.integer({ min: 0, max: 8 }),
            daysSinceOnsetOfSymptoms: fc.integer({ min: -14, max: 14 }),
          },
          { requiredKeys: [] },
        );
  return fc
    .tuple(temporaryExposureKey(options), fc.constantFrom(...types), extra)
    .map(([tek, reportType, more]) => ({ ...tek, reportType, ...more }));
}

/**
 * Arbitrary lists of diagnosis keys with distinct key data.
 * @public
 */
export function diagnosisKeys(
  options: DiagnosisKeyOptions & { minLength?: number; maxLength?: number } = {},
): fc.Arbitrary<ExposureKey[]> {
  return fc.uniqueArray(diagnosisKey(options), {
    minLength: options.minLength ?? 1,
    maxLength: options.maxLength ?? 4,
    selector: (k) => Buffer.from(k.keyData).toString("hex"),
  });
}

/**
 * Metadata the toolkit's genuine sightings carry unless told otherwise (tx power −10 dBm).
 * @public
 */
export const TESTING_METADATA: Partial<Metadata> = { txPower: -10, calibrationConfidence: 2 };

/**
 * Fields of a sighting other than its identifier, AEM and time.
 * @public
 */
export interface SightingSignal {
  /** Rounded mean RSSI, dBm. */
  meanRssi: number;
  /** Strongest RSSI, dBm; default meanRssi + 3 (capped at 126: 127 means "not available" in HCI). */
  maxRssi?: number;
  /** Packets; default 3. */
  packets?: number;
  /** Seconds since the previous scan; default 300. */
  secondsSinceLastScan?: number;
}

/**
 * The sighting a phone logs when it hears `key`'s identifier of `interval` at `time`: the RPI and the
 * AEM of `metadata` encrypted under the key (as the sender would broadcast them).
 * @public
 */
export function keySighting(
  key: TemporaryExposureKey,
  interval: number,
  time: number,
  signal: SightingSignal,
  metadata: Partial<Metadata> = TESTING_METADATA,
): Sighting {
  const rpi = deriveRpi(deriveRpik(key.keyData), interval);
  return {
    time: Math.max(0, Math.round(time)),
    identifier: rpi,
    aem: cryptAem(deriveAemk(key.keyData), rpi, encodeMetadata(metadata)),
    meanRssi: signal.meanRssi,
    maxRssi: signal.maxRssi ?? Math.min(126, signal.meanRssi + 3),
    packets: signal.packets ?? 3,
    secondsSinceLastScan: signal.secondsSinceLastScan ?? 300,
  };
}
