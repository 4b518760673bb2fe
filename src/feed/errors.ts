/** Typed errors of the key-feed client. All extend {@link BluezoneError}. */
import { BluezoneError } from "../errors";

/**
 * The network failed (connection refused or reset, DNS, aborted body) after every retry.
 * @public
 */
export class FeedNetworkError extends BluezoneError {
  /**
   * `request`: no answer came (the server could not be reached: the sync stops); `body`: the server
   * answered and the body broke off (counted against that file, as a deadline within a request is).
   */
  readonly phase: "request" | "body";

  /**
   * @param message - which request failed and how
   * @param options - standard `cause`; `phase` (default `request`)
   */
  constructor(message: string, options?: { cause?: unknown; phase?: "request" | "body" }) {
    super("ERR_FEED_NETWORK", message, options);
    this.phase = options?.phase ?? "request";
  }
}

/**
 * The server answered with an unexpected HTTP status (after retries, for 5xx).
 * @public
 */
export class FeedHttpError extends BluezoneError {
  /** The HTTP status received. */
  readonly status: number;

  /**
   * @param status - HTTP status
   * @param message - which request and what came back
   */
  constructor(status: number, message: string) {
    super("ERR_FEED_HTTP", message);
    this.status = status;
  }
}

/**
 * The feed index is not a well-formed index document (see docs/key-distribution.md).
 * @public
 */
export class FeedIndexError extends BluezoneError {
  /** @param message - what was malformed */
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_FEED_INDEX", message, options);
  }
}

/**
 * A batch file is larger than allowed (declared, announced in Content-Length, or counted while streaming).
 * @public
 */
export class FeedSizeLimitError extends BluezoneError {
  /** @param message - which file and which limit */
  constructor(message: string) {
    super("ERR_FEED_SIZE_LIMIT", message);
  }
}

/**
 * A batch file's bytes differ from what the index announced (SHA-256 or size).
 * @public
 */
export class FeedDigestError extends BluezoneError {
  /** @param message - which file and what differed */
  constructor(message: string) {
    super("ERR_FEED_DIGEST", message);
  }
}

/**
 * Which deadline a request missed (see `FeedTimeouts`).
 * @public
 */
export type FeedTimeoutPhase = "connect" | "headers" | "idle" | "request" | "total";

/**
 * A deadline passed: `connect`, `headers`, `idle` and `request` concern one request (retried like a
 * network error); `total` ends the whole sync (not retried; progress so far is kept).
 * @public
 */
export class FeedTimeoutError extends BluezoneError {
  /** The deadline that passed. */
  readonly phase: FeedTimeoutPhase;

  /**
   * @param phase - which deadline
   * @param message - which request and the deadline in ms
   */
  constructor(phase: FeedTimeoutPhase, message: string) {
    super("ERR_FEED_TIMEOUT", message);
    this.phase = phase;
  }
}

/**
 * The caller aborted the sync (its `AbortSignal` fired); progress so far is kept.
 * @public
 */
export class FeedAbortedError extends BluezoneError {
  /** @param message - what was aborted, with the signal's reason */
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_FEED_ABORTED", message, options);
  }
}

/**
 * Redirects that lead nowhere: a loop (a URL seen twice), too many hops, or an invalid Location.
 * @public
 */
export class FeedRedirectError extends BluezoneError {
  /** @param message - the chain of URLs or the bad Location */
  constructor(message: string) {
    super("ERR_FEED_REDIRECT", message);
  }
}
