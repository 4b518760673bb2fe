/**
 * HTTP plumbing of the feed client: one GET with deadlines (connect, headers, idle, request) and an
 * abort signal, redirects followed by hand (so a loop is reported as one), bodies read as a stream
 * with a byte limit, and bounded retries with exponential back-off on network errors, 5xx and
 * per-request timeouts.
 *
 * The headers, idle and request deadlines and the abort are enforced here with an `AbortController`
 * and timers on the injected clock, so they hold for any {@link FetchLike}. The connect deadline needs
 * the HTTP client itself: the default fetch is undici's (Node's own HTTP client, the one behind Node's
 * global `fetch`) on an `Agent` whose connect timeout is set; an injected fetch brings its own.
 */
import { Agent, fetch as undiciFetch } from "undici";
import type { Clock, TimerHandle } from "../clock";
import { InvalidArgumentError } from "../errors";
import {
  FeedAbortedError,
  FeedHttpError,
  FeedNetworkError,
  FeedRedirectError,
  FeedSizeLimitError,
  FeedTimeoutError,
} from "./errors";

/**
 * Options the client passes to a {@link FetchLike}.
 * @public
 */
export interface FetchInit {
  /** Request headers. */
  headers?: Record<string, string>;
  /** Aborts the request (deadlines, the caller's signal). */
  signal?: AbortSignal;
  /** Always `manual`: the client follows redirects itself. */
  redirect?: "manual";
}

/**
 * The subset of the WHATWG `fetch` the client uses (Node's global `fetch` fits).
 * @public
 */
export type FetchLike = (url: string, init?: FetchInit) => Promise<Response>;

/**
 * Deadlines of the feed's requests, ms. Every one must be a positive integer.
 * @public
 */
export interface FeedTimeouts {
  /** TCP (and TLS) connection set-up, default fetch only; default 10 000. */
  connectMs?: number;
  /** From sending a request (connection included) to its response headers; default 30 000. */
  headersMs?: number;
  /** Longest silence between two pieces of a response body; default 30 000. */
  idleMs?: number;
  /** One request from start to last body byte, redirects included; default 120 000. */
  requestMs?: number;
  /** A whole sync: index, files, retries and back-off; default 600 000 (10 min). */
  totalMs?: number;
}

/** Deadlines with every field resolved. */
export type ResolvedTimeouts = Required<FeedTimeouts>;

/**
 * Defaults of {@link FeedTimeouts}.
 * @public
 */
export const DEFAULT_FEED_TIMEOUTS: Required<FeedTimeouts> = {
  connectMs: 10_000,
  headersMs: 30_000,
  idleMs: 30_000,
  requestMs: 120_000,
  totalMs: 600_000,
};

/** Redirects followed per request before giving up (as browsers and undici: 20). */
export const MAX_REDIRECTS = 20;

/** Fills in and checks deadlines. */
/** The longest delay Node's timers keep (2³¹ − 1 ms); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export function resolveTimeouts(t: FeedTimeouts | undefined): ResolvedTimeouts {
  const r = { ...DEFAULT_FEED_TIMEOUTS, ...t };
  for (const [name, v] of Object.entries(r))
    if (!Number.isSafeInteger(v) || v < 1 || v > MAX_TIMER_MS)
      throw new InvalidArgumentError(
        `timeouts.${name} must be an integer in 1…${MAX_TIMER_MS} (ms, about 24.8 days: the longest timer Node keeps), got ${v}`,
      );
  return r;
}

/** The default fetch: undici with the connect deadline on its agent (one agent per client). */
export function defaultFetch(connectMs: number): FetchLike {
  // headers/body timeouts are off in the agent: they are enforced by getOnce with typed errors.
  const dispatcher = new Agent({ connect: { timeout: connectMs }, headersTimeout: 0, bodyTimeout: 0 });
  return (url, init) => undiciFetch(url, { ...init, dispatcher }) as unknown as Promise<Response>;
}

/**
 * Retry policy: attempts = 1 + retries; delay doubles from `baseDelayMs`, capped at `maxDelayMs`.
 * @public
 */
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

/** Whether a failed attempt may be repeated: network errors, 5xx and per-request timeouts. */
export function isRetryable(err: unknown): boolean {
  return (
    err instanceof FeedNetworkError ||
    (err instanceof FeedHttpError && err.status >= 500) ||
    (err instanceof FeedTimeoutError && err.phase !== "total")
  );
}

/** Rejects with the signal's reason once it aborts (never resolves otherwise). */
function whenAborted(signal: AbortSignal | undefined): { promise: Promise<never>; dispose(): void } {
  if (!signal) return { promise: new Promise<never>(() => undefined), dispose: () => undefined };
  let onAbort: () => void = () => undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortReason(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}

/** The typed error an aborted signal stands for. */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof FeedTimeoutError || r instanceof FeedAbortedError) return r;
  return new FeedAbortedError(`sync aborted${r instanceof Error ? `: ${r.message}` : ""}`, { cause: r });
}

/**
 * Runs `attempt` until it succeeds, retrying (after back-off) while it throws a retryable error (see
 * {@link isRetryable}); other errors pass through. The back-off wait ends early when `signal` aborts.
 * The error thrown after the last attempt says how many attempts were made.
 */
export async function withRetry<T>(
  retry: ResolvedRetry,
  attempt: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let n = 0; ; n++) {
    if (signal?.aborted) throw abortReason(signal);
    try {
      return await attempt();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      if (n >= retry.retries) {
        if (n > 0) (err as Error).message += ` (${n + 1} attempts)`;
        throw err;
      }
      const aborted = whenAborted(signal);
      try {
        await Promise.race([retry.sleep(backoffDelay(retry, n)), aborted.promise]);
      } finally {
        aborted.dispose();
      }
    }
  }
}

/** What a GET needs besides the URL. */
export interface RequestContext {
  fetch: FetchLike;
  clock: Pick<Clock, "setTimeout" | "clearTimeout">;
  timeouts: ResolvedTimeouts;
  /** The sync's signal (caller's abort, total deadline). */
  signal?: AbortSignal;
}

/** A response read by {@link getOnce}. */
export interface GetResult {
  /** HTTP status of the final response (after redirects). */
  status: number;
  /** Its headers. */
  headers: Headers;
  /** The body, read for status 200 only. */
  bytes?: Uint8Array;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/** The innermost cause's message, e.g. `connect ECONNREFUSED 127.0.0.1:9` under undici's "fetch failed". */
function describeFailure(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++)
    if (!parts.includes(e.message)) parts.push(e.message);
  return parts.join(": ") || String(err);
}

function isConnectTimeout(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++)
    if ((e as { code?: string }).code === "UND_ERR_CONNECT_TIMEOUT") return true;
  return false;
}

/**
 * One GET attempt: follows up to {@link MAX_REDIRECTS} redirects (a URL seen twice is a loop), enforces
 * the headers, idle and request deadlines and the context's signal, and reads a 200 body of at most
 * `maxBytes` (refused up front when Content-Length is larger; the stream is cancelled once the count
 * passes the limit, so never more than the limit plus one chunk is buffered).
 * @throws FeedTimeoutError (phase `connect`, `headers`, `idle`, `request`; or `total` from the signal),
 *   FeedAbortedError, FeedRedirectError, FeedNetworkError, FeedSizeLimitError
 */
export async function getOnce(
  ctx: RequestContext,
  url: string,
  headers: Record<string, string>,
  maxBytes: number,
  what: string,
): Promise<GetResult> {
  const { clock, timeouts } = ctx;
  const controller = new AbortController();
  const abort = (reason: Error) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onOuterAbort = () => abort(abortReason(ctx.signal!));
  if (ctx.signal?.aborted) throw abortReason(ctx.signal);
  ctx.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const timers: (TimerHandle | undefined)[] = [];
  const arm = (slot: number, ms: number, error: () => Error) => {
    if (timers[slot]) clock.clearTimeout(timers[slot]!);
    timers[slot] = clock.setTimeout(() => abort(error()), ms);
  };
  const disarm = (slot: number) => {
    if (timers[slot]) clock.clearTimeout(timers[slot]!);
    timers[slot] = undefined;
  };
  const REQUEST = 0;
  const HEADERS = 1;
  const IDLE = 2;
  /** The error to report for a failure: the abort reason when the controller fired. */
  const failure = (err: unknown, during: string, phase: "request" | "body" = "request"): Error => {
    if (controller.signal.aborted) return controller.signal.reason as Error;
    if (err instanceof FeedSizeLimitError || err instanceof FeedNetworkError) return err;
    if (isConnectTimeout(err))
      return new FeedTimeoutError("connect", `GET ${url}: no connection within ${timeouts.connectMs} ms`);
    return new FeedNetworkError(`${during} failed: ${describeFailure(err)}`, { cause: err, phase });
  };
  // Settles when the controller aborts, for fetch implementations that ignore the signal.
  const aborted = whenAborted(controller.signal);
  arm(REQUEST, timeouts.requestMs, () => {
    return new FeedTimeoutError("request", `GET ${url}: not complete within ${timeouts.requestMs} ms`);
  });
  try {
    let current = url;
    const seen = [url];
    let res: Response;
    for (;;) {
      const hop = current;
      arm(HEADERS, timeouts.headersMs, () => {
        return new FeedTimeoutError(
          "headers",
          `GET ${hop}: no response headers within ${timeouts.headersMs} ms`,
        );
      });
      try {
        res = await Promise.race([
          ctx.fetch(current, { headers, signal: controller.signal, redirect: "manual" }),
          aborted.promise,
        ]);
      } catch (err) {
        throw failure(err, `GET ${current}`);
      } finally {
        disarm(HEADERS);
      }
      const location = res.headers.get("location");
      if (!REDIRECT.has(res.status) || location === null) break;
      await res.body?.cancel().catch(() => undefined);
      let next: string;
      try {
        next = new URL(location, current).toString();
      } catch {
        throw new FeedRedirectError(`GET ${current} redirects to an invalid URL: ${location}`);
      }
      if (seen.includes(next))
        throw new FeedRedirectError(
          `redirect loop: ${[...seen.slice(seen.indexOf(next)), next].join(" → ")}`,
        );
      if (seen.length > MAX_REDIRECTS)
        throw new FeedRedirectError(`GET ${url}: more than ${MAX_REDIRECTS} redirects (last ${next})`);
      seen.push(next);
      current = next;
    }
    if (res.status !== 200) {
      // Read a short error body to its end so the connection can be reused (cancelling closes it);
      // a long one is cut.
      await readLimited(res, 64 * 1024, "error body", { aborted: aborted.promise }).catch(() => undefined);
      return { status: res.status, headers: res.headers };
    }
    const bytes = await readLimited(res, maxBytes, what, {
      // Re-armed before every read: a timer firing aborts the controller, which errors the stream.
      beforeRead: () =>
        arm(IDLE, timeouts.idleMs, () => {
          return new FeedTimeoutError("idle", `GET ${current}: no body bytes for ${timeouts.idleMs} ms`);
        }),
      aborted: aborted.promise,
    }).catch((err: unknown) => {
      throw failure(err, `reading ${what}`, "body");
    });
    return { status: res.status, headers: res.headers, bytes };
  } finally {
    for (let slot = 0; slot < timers.length; slot++) disarm(slot);
    aborted.dispose();
    ctx.signal?.removeEventListener("abort", onOuterAbort);
  }
}

/**
 * Reads a response body, at most `maxBytes`: rejects up front when Content-Length is larger, and
 * cancels the stream as soon as the count passes the limit (never buffering more than the limit plus
 * one chunk). `hooks.beforeRead` runs before each read (the idle deadline); `hooks.aborted` ends a
 * pending read when it rejects.
 * @throws FeedSizeLimitError when the body is too large; FeedNetworkError when the stream breaks; the
 *   rejection of `hooks.aborted`
 */
export async function readLimited(
  response: Response,
  maxBytes: number,
  what: string,
  hooks: { beforeRead?: () => void; aborted?: Promise<never> } = {},
): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
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
      hooks.beforeRead?.();
      const { done, value } = await (hooks.aborted
        ? Promise.race([reader.read(), hooks.aborted])
        : reader.read());
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes)
        throw new FeedSizeLimitError(`${what} exceeds the limit of ${maxBytes} bytes (download aborted)`);
      chunks.push(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    if (
      err instanceof FeedSizeLimitError ||
      err instanceof FeedTimeoutError ||
      err instanceof FeedAbortedError
    )
      throw err;
    throw new FeedNetworkError(`reading ${what} failed: ${describeFailure(err)}`, {
      cause: err,
      phase: "body",
    });
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Turns a non-200 answer into a {@link FeedHttpError}. */
export function httpError(url: string, status: number): FeedHttpError {
  return new FeedHttpError(status, `GET ${url} answered ${status}`);
}
