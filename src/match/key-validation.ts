/** Validation of diagnosis keys: one bad key rejects the whole list (never a partial import). */
import { toHex } from "../bytes";
import type { Clock } from "../clock";
import { systemClock } from "../clock";
import { KEY_LENGTH } from "../protocol/gaen";
import { INTERVALS_PER_DAY, intervalNumber } from "../protocol/intervals";
import { InvalidKeyError } from "./errors";
import type { ExposureKey } from "./export-codec";

/**
 * How plausible a key's time must be.
 * @public
 */
export interface KeyPlausibility {
  /** Time source for "now"; the system clock by default. */
  clock?: Pick<Clock, "now">;
  /**
   * Oldest accepted rolling start, in days before now. Default 7305 (20 years): generous enough that
   * the published 2019/2020 sample files stay readable for years, strict enough to reject garbage
   * such as interval 0 (1970). Matchers that only care about recent keys should pass ~14–30.
   */
  maxKeyAgeDays?: number;
  /** How far past now a rolling start may be, in intervals (clock skew). Default 144 (one day). */
  futureToleranceIntervals?: number;
}

/**
 * Default of {@link KeyPlausibility.maxKeyAgeDays}.
 * @public
 */
export const DEFAULT_MAX_KEY_AGE_DAYS = 7305;
/**
 * Default of {@link KeyPlausibility.futureToleranceIntervals}.
 * @public
 */
export const DEFAULT_FUTURE_TOLERANCE_INTERVALS = INTERVALS_PER_DAY;

/**
 * Ranges of the optional key fields.
 * @public
 */
export const TRANSMISSION_RISK_RANGE = [0, 8] as const;
/**
 * Range of days since onset of symptoms.
 * @public
 */
export const DAYS_SINCE_ONSET_RANGE = [-14, 14] as const;
/** Highest known report type (REVOKED). */
const MAX_REPORT_TYPE = 5;

const inRange = (v: number, [lo, hi]: readonly [number, number]) => Number.isInteger(v) && v >= lo && v <= hi;

function problem(key: ExposureKey, oldest: number, newest: number): string | undefined {
  if (!(key.keyData instanceof Uint8Array) || key.keyData.length !== KEY_LENGTH) {
    return `key data must be ${KEY_LENGTH} bytes, got ${key.keyData?.length ?? "none"}`;
  }
  if (!inRange(key.rollingPeriod, [1, INTERVALS_PER_DAY])) {
    return `rolling period must be 1…${INTERVALS_PER_DAY}, got ${key.rollingPeriod}`;
  }
  const start = key.rollingStartIntervalNumber;
  if (!Number.isInteger(start) || start < oldest || start > newest) {
    return `rolling start interval ${start} is implausible (accepted ${oldest}…${newest})`;
  }
  if (
    key.transmissionRiskLevel !== undefined &&
    !inRange(key.transmissionRiskLevel, TRANSMISSION_RISK_RANGE)
  ) {
    return `transmission risk level must be 0…8, got ${key.transmissionRiskLevel}`;
  }
  if (key.reportType !== undefined && !inRange(key.reportType, [0, MAX_REPORT_TYPE])) {
    return `unknown report type ${key.reportType}`;
  }
  if (
    key.daysSinceOnsetOfSymptoms !== undefined &&
    !inRange(key.daysSinceOnsetOfSymptoms, DAYS_SINCE_ONSET_RANGE)
  ) {
    return `days since onset of symptoms must be −14…14, got ${key.daysSinceOnsetOfSymptoms}`;
  }
  return undefined;
}

/**
 * Checks every key: 16 bytes, rolling period 1…144, plausible rolling start, transmission risk 0…8,
 * known report type, days since onset −14…14.
 * @param list - name of the list for messages (`keys`, `revised_keys`)
 * @throws InvalidKeyError naming the first bad key's index and hex prefix
 * @public
 */
export function validateExposureKeys(
  keys: readonly ExposureKey[],
  plausibility: KeyPlausibility = {},
  list = "keys",
): void {
  const now = intervalNumber((plausibility.clock ?? systemClock()).now());
  const oldest = now - (plausibility.maxKeyAgeDays ?? DEFAULT_MAX_KEY_AGE_DAYS) * INTERVALS_PER_DAY;
  const newest = now + (plausibility.futureToleranceIntervals ?? DEFAULT_FUTURE_TOLERANCE_INTERVALS);
  keys.forEach((key, i) => {
    const reason = problem(key, oldest, newest);
    if (reason !== undefined) {
      const prefix = key.keyData instanceof Uint8Array ? toHex(key.keyData.subarray(0, 4)) : "";
      throw new InvalidKeyError(i, prefix, reason, list);
    }
  });
}
