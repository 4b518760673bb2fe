/** Exposure Notification time units: 10-minute intervals counted from the unix epoch. */

/**
 * Seconds in one ENInterval.
 * @public
 */
export const INTERVAL_SECONDS = 600;
/**
 * Milliseconds in one ENInterval.
 * @public
 */
export const INTERVAL_MS = INTERVAL_SECONDS * 1000;
/**
 * Intervals in one UTC day (the default and maximum TEK rolling period).
 * @public
 */
export const INTERVALS_PER_DAY = 144;
/**
 * Milliseconds in one UTC day.
 * @public
 */
export const DAY_MS = 86_400_000;

/**
 * ENIntervalNumber of a unix-millisecond time: floor(seconds / 600).
 * @public
 */
export function intervalNumber(unixMs: number): number {
  return Math.floor(unixMs / INTERVAL_MS);
}

/**
 * Unix milliseconds at which interval `interval` starts.
 * @public
 */
export function intervalStartMs(interval: number): number {
  return interval * INTERVAL_MS;
}

/**
 * First interval of the UTC day containing `interval` (a TEK's rollingStartIntervalNumber).
 * @public
 */
export function dayStartInterval(interval: number): number {
  return Math.floor(interval / INTERVALS_PER_DAY) * INTERVALS_PER_DAY;
}

/**
 * UTC day number (days since the unix epoch) of a unix-millisecond time.
 * @public
 */
export function utcDay(unixMs: number): number {
  return Math.floor(unixMs / DAY_MS);
}
