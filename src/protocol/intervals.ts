/** Exposure Notification time units: 10-minute intervals counted from the unix epoch. */

/** Seconds in one ENInterval. */
export const INTERVAL_SECONDS = 600;
/** Milliseconds in one ENInterval. */
export const INTERVAL_MS = INTERVAL_SECONDS * 1000;
/** Intervals in one UTC day (the default and maximum TEK rolling period). */
export const INTERVALS_PER_DAY = 144;
/** Milliseconds in one UTC day. */
export const DAY_MS = 86_400_000;

/** ENIntervalNumber of a unix-millisecond time: floor(seconds / 600). */
export function intervalNumber(unixMs: number): number {
  return Math.floor(unixMs / INTERVAL_MS);
}

/** Unix milliseconds at which interval `interval` starts. */
export function intervalStartMs(interval: number): number {
  return interval * INTERVAL_MS;
}

/** First interval of the UTC day containing `interval` (a TEK's rollingStartIntervalNumber). */
export function dayStartInterval(interval: number): number {
  return Math.floor(interval / INTERVALS_PER_DAY) * INTERVALS_PER_DAY;
}

/** UTC day number (days since the unix epoch) of a unix-millisecond time. */
export function utcDay(unixMs: number): number {
  return Math.floor(unixMs / DAY_MS);
}
