/** Typed errors raised by the contact-log stores and the scan aggregator. */
import { BluezoneError } from "../errors";

/** A LevelDB contact log could not be opened because another handle (or process) holds its lock. */
export class LogLockedError extends BluezoneError {
  /** Location of the locked log. */
  readonly path: string;

  /**
   * @param path - location of the log
   * @param options - standard `cause` (the store's own error)
   */
  constructor(path: string, options?: { cause?: unknown }) {
    super(
      "ERR_LOG_LOCKED",
      `contact log at "${path}" is locked: it is already open in this or another process; close that handle first`,
      options,
    );
    this.path = path;
  }
}

/** A contact log could not be opened for another reason (corruption, permissions, missing directory). */
export class LogOpenError extends BluezoneError {
  /** Location of the log. */
  readonly path: string;

  /**
   * @param path - location of the log
   * @param options - standard `cause` (the store's own error)
   */
  constructor(path: string, options?: { cause?: unknown }) {
    const reason = (options?.cause as { message?: string } | undefined)?.message ?? "unknown error";
    super("ERR_LOG_OPEN", `contact log at "${path}" could not be opened: ${reason}`, options);
    this.path = path;
  }
}

/** A method was called on a contact log after {@link ContactLog.close}. */
export class LogClosedError extends BluezoneError {
  /** @param kind - which store was closed */
  constructor(kind: string) {
    super("ERR_LOG_CLOSED", `the ${kind} contact log is closed; open it again to use it`);
  }
}

/** A sighting in a batch passed to `record()` is malformed; the whole batch was rejected. */
export class InvalidSightingError extends BluezoneError {
  /** Position of the first offending sighting in the batch. */
  readonly index: number;

  /**
   * @param index - position of the offending sighting in the batch
   * @param reason - which field was wrong and what is accepted
   */
  constructor(index: number, reason: string) {
    super(
      "ERR_INVALID_SIGHTING",
      `sighting ${index} of the batch is invalid: ${reason}; nothing was recorded`,
    );
    this.index = index;
  }
}

/** The scan aggregator was used out of order (a packet outside a scan, a scan begun twice). */
export class ScanStateError extends BluezoneError {
  /** @param message - what was called out of order */
  constructor(message: string) {
    super("ERR_SCAN_STATE", message);
  }
}

/** The underlying store failed during an operation (I/O error, disk full). */
export class LogStoreError extends BluezoneError {
  /**
   * @param what - which operation failed, and on which log
   * @param options - standard `cause` (the store's own error)
   */
  constructor(what: string, options?: { cause?: unknown }) {
    const reason = (options?.cause as { message?: string } | undefined)?.message ?? "unknown error";
    super("ERR_LOG_STORE", `${what} failed: ${reason}`, options);
  }
}
