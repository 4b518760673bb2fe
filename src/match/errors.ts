/** Typed errors of key-file reading, writing and validation. All extend {@link BluezoneError}. */
import { BluezoneError } from "../errors";

/**
 * The bytes are not a well-formed key file (bad zip, header, protobuf, missing or unknown entry).
 * @public
 */
export class KeyFileFormatError extends BluezoneError {
  /** @param message - what was malformed */
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_KEY_FILE_FORMAT", message, options);
  }
}

/**
 * The file's signature is missing, malformed, from an untrusted key, or does not match the contents.
 * @public
 */
export class SignatureError extends BluezoneError {
  /** @param message - why verification failed */
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_KEY_FILE_SIGNATURE", message, options);
  }
}

/**
 * A key of a file (or of a key list to write) is invalid; the whole file is rejected.
 * @public
 */
export class InvalidKeyError extends BluezoneError {
  /** Index of the offending key in its list. */
  readonly index: number;
  /** Hex of the first bytes of the key data (at most 4), for finding it; empty if there was none. */
  readonly keyPrefix: string;

  /**
   * @param index - index of the key in its list
   * @param keyPrefix - hex prefix of the key data
   * @param reason - which rule the key broke
   * @param list - name of the list (`keys` or `revised_keys`)
   */
  constructor(index: number, keyPrefix: string, reason: string, list = "keys") {
    super("ERR_INVALID_EXPOSURE_KEY", `${list}[${index}] (${keyPrefix || "no key data"}…): ${reason}`);
    this.index = index;
    this.keyPrefix = keyPrefix;
  }
}

/**
 * A size or count limit was exceeded (oversized file or entry, zip bomb, too many keys).
 * @public
 */
export class KeyFileLimitError extends BluezoneError {
  /** @param message - which limit and by how much */
  constructor(message: string) {
    super("ERR_KEY_FILE_LIMIT", message);
  }
}

/**
 * A Bluezone F0 day-key record is malformed.
 * @public
 */
export class InvalidDayKeyRecordError extends BluezoneError {
  /** Index of the offending record, or -1 when the list itself is malformed. */
  readonly index: number;

  /**
   * @param index - index of the record (-1 for the list)
   * @param reason - which rule the record broke
   */
  constructor(index: number, reason: string) {
    super("ERR_INVALID_DAY_KEY_RECORD", index < 0 ? reason : `record ${index}: ${reason}`);
    this.index = index;
  }
}
