/** Typed errors raised by the contact-log stores and the scan aggregator. */
import { BluezoneError } from "../errors";

/**
 * A LevelDB contact log could not be opened because another handle (or process) holds its lock.
 * @public
 */
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

/**
 * A contact log could not be opened for another reason (corruption, permissions, missing directory).
 * @public
 */
export class LogOpenError extends BluezoneError {
  /** Location of the log. */
  readonly path: string;

  /**
   * @param path - location of the log
   * @param options - standard `cause` (the store's own error)
   */
  constructor(path: string, options?: { cause?: unknown }) {
    super(
      "ERR_LOG_OPEN",
      `contact log at "${path}" could not be opened: ${rootReason(options?.cause)}`,
      options,
    );
    this.path = path;
  }
}

/**
 * The message of the innermost error in a `cause` chain: `level` wraps the store's own error
 * ("IO error: …", "Corruption: …") in generic ones such as "Database failed to open".
 * @public
 */
export function rootReason(err: unknown): string {
  let reason = "unknown error";
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === "string" && m !== "") reason = m;
    e = (e as { cause?: unknown }).cause;
  }
  return reason;
}

/**
 * A LevelDB contact log is damaged in a way LevelDB would silently lose records over: its `CURRENT`
 * file is missing (LevelDB would create a new database over the old one), or a write-ahead log file
 * has a damaged record (LevelDB would drop the rest of its 32 KiB block). Nothing was changed on
 * disk. Repair with {@link repairLevelLog} (LevelDB's `RepairDB`) after copying the directory.
 * @public
 */
export class LogCorruptError extends BluezoneError {
  /** Location of the log. */
  readonly path: string;
  /** What is damaged, e.g. `000005.log at byte 4096: checksum mismatch`. */
  readonly damage: string;

  /**
   * @param path - location of the log
   * @param damage - which file is damaged and how
   */
  constructor(path: string, damage: string, options?: { cause?: unknown }) {
    super(
      "ERR_LOG_CORRUPT",
      `contact log at "${path}" is damaged (${damage}); it was not opened and none of its data files was changed. ` +
        `Copy the directory, then repair it with repairLevelLog(${JSON.stringify(path)}) ` +
        `(LevelDB's RepairDB: keeps every record it can read, moves damaged files to "lost/")`,
      options,
    );
    this.path = path;
    this.damage = damage;
  }
}

/**
 * A write to a LevelDB contact log failed earlier (disk full, I/O error) and the log could not be
 * reopened since, so this write was refused: writing on after a failed write can put records where
 * LevelDB's recovery later drops them. The handle reopens itself before each later write; the
 * refused records were not stored (keep them and retry).
 * @public
 */
export class LogFailedError extends BluezoneError {
  /** Location of the log. */
  readonly path: string;

  /**
   * @param path - location of the log
   * @param options - standard `cause` (why the reopen failed; its own `cause` chain)
   */
  constructor(path: string, options?: { cause?: unknown }) {
    super(
      "ERR_LOG_FAILED",
      `contact log at "${path}" refuses writes: an earlier write failed and reopening it failed ` +
        `(${rootReason(options?.cause)}); nothing was written — retry when the fault is cleared`,
      options,
    );
    this.path = path;
  }
}

/**
 * A method was called on a contact log after {@link ContactLog.close}.
 * @public
 */
export class LogClosedError extends BluezoneError {
  /** @param kind - which store was closed */
  constructor(kind: string) {
    super(
      "ERR_LOG_CLOSED",
      kind === "memory"
        ? "the memory contact log is closed: its contents are gone (a memory log cannot be reopened)"
        : `the ${kind} contact log is closed; open it again to use it`,
    );
  }
}

/**
 * A sighting in a batch passed to `record()` is malformed; the whole batch was rejected.
 * @public
 */
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

/**
 * The scan aggregator was used out of order (a packet outside a scan, a scan begun twice).
 * @public
 */
export class ScanStateError extends BluezoneError {
  /** @param message - what was called out of order */
  constructor(message: string) {
    super("ERR_SCAN_STATE", message);
  }
}

/**
 * The underlying store failed during an operation (I/O error, disk full).
 * @public
 */
export class LogStoreError extends BluezoneError {
  /**
   * @param what - which operation failed, and on which log
   * @param options - standard `cause` (the store's own error)
   */
  constructor(what: string, options?: { cause?: unknown }) {
    super("ERR_LOG_STORE", `${what} failed: ${rootReason(options?.cause)}`, options);
  }
}
