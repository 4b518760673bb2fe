/** Fixed-window rate limits on the injected clock (per IP, per code); memory only, per process. */
import { ApiError } from "./errors";

/** A limit: at most `max` hits per `windowMs`. */
export interface RateLimit {
  /** Hits allowed per window. */
  max: number;
  /** Window length, ms. */
  windowMs: number;
}

/** A set of counters for one limit. */
export function createRateLimiter(limit: RateLimit, now: () => number) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    /**
     * Counts a hit for `key`.
     * @throws ApiError 429 `ERR_RATE_LIMITED` with Retry-After when the window is full
     */
    hit(key: string, what: string): void {
      const t = now();
      let w = windows.get(key);
      if (!w || t - w.start >= limit.windowMs) {
        if (windows.size > 100_000)
          for (const [k, v] of windows) if (t - v.start >= limit.windowMs) windows.delete(k);
        w = { start: t, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      if (w.count > limit.max) {
        const retry = Math.max(1, Math.ceil((w.start + limit.windowMs - t) / 1000));
        throw new ApiError(429, "ERR_RATE_LIMITED", `too many requests ${what}; retry in ${retry} s`, retry);
      }
    },
  };
}
