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
  const current = (key: string, t: number) => {
    const w = windows.get(key);
    return w && t - w.start < limit.windowMs ? w : undefined;
  };
  const refuse = (w: { start: number }, t: number, what: string) => {
    const retry = Math.max(1, Math.ceil((w.start + limit.windowMs - t) / 1000));
    return new ApiError(429, "ERR_RATE_LIMITED", `too many requests ${what}; retry in ${retry} s`, retry);
  };
  return {
    /**
     * Refuses `key` when its window is already full, without counting a hit (used to stop a client
     * that used up its failures before the work that could fail again is done).
     * @throws ApiError 429 `ERR_RATE_LIMITED` with Retry-After
     */
    check(key: string, what: string): void {
      const t = now();
      const w = current(key, t);
      if (w && w.count >= limit.max) throw refuse(w, t, what);
    },
    /**
     * Counts a hit for `key`.
     * @throws ApiError 429 `ERR_RATE_LIMITED` with Retry-After when the window is full
     */
    hit(key: string, what: string): void {
      const t = now();
      let w = current(key, t);
      if (!w) {
        if (windows.size > 100_000)
          for (const [k, v] of windows) if (t - v.start >= limit.windowMs) windows.delete(k);
        w = { start: t, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      if (w.count > limit.max) throw refuse(w, t, what);
    },
  };
}
