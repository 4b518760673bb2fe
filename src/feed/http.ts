/**
 * HTTP plumbing of the feed client: bounded retries with exponential back-off on network errors and
 * 5xx, and response bodies read as a stream with a byte limit (the download is aborted once exceeded).
 */
import type { Clock } from "../clock";
import { InvalidArgumentError } from "../errors";
import { FeedHttpError, FeedNetworkError, FeedSizeLimitError } from "./errors";

/** The subset of the WHATWG `fetch` the client uses (Node's global `fetch` fits). */
export type FetchLike = (url: string, init?: { headers?: Record<string, string> }) => Promise<Response>;

/** Retry policy: attempts = 1 + retries; delay doubles from `baseDelayMs`, capped at `maxDelayMs`. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** Delay before the first retry, ms (default 1000). */
  baseDelayMs?: number;
  /** Largest delay, ms (default 30 000). */
  maxDelayMs?: number;
  /** Waits `ms`; default: a timer on the client's clock. Tests pass one that records and resolves. */
  sleep?: (ms: number) => Promise<void>;
}

/** A retry policy with every field resolved. */
export type ResolvedRetry = Required<RetryOptions>;

/** Fills in the defaults of a retry policy; `clock` provides the default sleep. */
export function resolveRetry(
  retry: RetryOptions | undefined,
  clock: Pick<Clock, "setTimeout">,
): ResolvedRetry {
  const r = {
    retries: retry?.retries ?? 3,
    baseDelayMs: retry?.baseDelayMs ?? 1000,
    maxDelayMs: retry?.maxDelayMs ?? 30_000,
    sleep: retry?.sleep ?? ((ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms))),
  };
  if (!Number.isInteger(r.retries) || r.retries < 0 || r.retries > 20)
    throw new InvalidArgumentError(`retry.retries must be an integer 0…20, got ${r.retries}`);
  if (!(r.baseDelayMs >= 0) || !(r.maxDelayMs >= r.baseDelayMs))
    throw new InvalidArgumentError("retry delays must satisfy 0 ≤ baseDelayMs ≤ maxDelayMs");
  return r;
}

/** Delay before retry number `n` (0-based): base·2ⁿ, capped. */
export function backoffDelay(retry: ResolvedRetry, n: number): number {
  return Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** n);
}

/**
 * Runs `attempt` until it succeeds, retrying (after back-off) when it throws a retryable error: a
 * {@link FeedNetworkError} or a {@link FeedHttpError} with a 5xx status. Other errors pass through.
 */
export async function withRetry<T>(retry: ResolvedRetry, attempt: () => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const retryable =
        err instanceof FeedNetworkError || (err instanceof FeedHttpError && err.status >= 500);
      if (!retryable || n >= retry.retries) throw err;
      await retry.sleep(backoffDelay(retry, n));
    }
  }
}

/** Calls fetch, turning a thrown network failure into a {@link FeedNetworkError}. */
export async function fetchOnce(
  fetchFn: FetchLike,
  url: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  try {
    return await fetchFn(url, { headers });
  } catch (err) {
    throw new FeedNetworkError(`GET ${url} failed: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads a response body, at most `maxBytes`: rejects up front when Content-Length is larger, and
 * cancels the stream as soon as the count passes the limit (never buffering more than the limit plus
 * one chunk).
 * @throws FeedSizeLimitError when the body is too large; FeedNetworkError when the stream breaks
 */
export async function readLimited(response: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FeedSizeLimitError(`${what} announces ${declared} bytes, limit ${maxBytes}`);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new FeedSizeLimitError(`${what} exceeds the limit of ${maxBytes} bytes (download aborted)`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof FeedSizeLimitError) throw err;
    throw new FeedNetworkError(`reading ${what} failed: ${(err as Error).message}`, { cause: err });
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
