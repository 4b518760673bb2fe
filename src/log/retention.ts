/** Retention and ordering rules shared by every contact-log store. */
import type { TemporaryExposureKey } from "../protocol/gaen";
import { intervalStartMs } from "../protocol/intervals";
import type { StoredResult } from "./types";

/**
 * Unix ms at which an own key's validity ends (start of the interval after its last one).
 * @public
 */
export function ownKeyEndMs(key: TemporaryExposureKey): number {
  return intervalStartMs(key.rollingStartIntervalNumber + key.rollingPeriod);
}

/**
 * True when retention with cutoff `before` removes this own key (its validity ended at or before it).
 * @public
 */
export function ownKeyExpired(key: TemporaryExposureKey, before: number): boolean {
  return ownKeyEndMs(key) <= before;
}

/**
 * Compares strings by Unicode code point, which is the order of their UTF-8 bytes (and so of a
 * LevelDB key holding them), unlike `<` which compares UTF-16 code units.
 * @public
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * The order of {@link ContactLog.results}: by time, then by id (code-point order).
 * @public
 */
export function compareResults(a: StoredResult, b: StoredResult): number {
  return a.time - b.time || compareCodePoints(a.id, b.id);
}
