/**
 * Typed errors. Every error the library raises on bad input is a {@link BluezoneError} with a stable
 * `code`, so callers can branch on the code instead of parsing messages.
 */

/**
 * Base class of every error bluezone raises deliberately.
 * @public
 */
export class BluezoneError extends Error {
  /** Stable machine-readable code, e.g. `ERR_INVALID_KEY`. */
  readonly code: string;

  /**
   * @param code - stable error code
   * @param message - human-readable explanation, ideally with the fix
   * @param options - standard `cause`
   */
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An argument is out of its documented range or of the wrong shape.
 * @public
 */
export class InvalidArgumentError extends BluezoneError {
  /** @param message - what was wrong and what is accepted */
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_INVALID_ARGUMENT", message, options);
  }
}

/**
 * An advertisement that claims to be ours (right service UUID) but whose payload is malformed.
 * @public
 */
export class MalformedAdvertisementError extends BluezoneError {
  /** @param message - which field was malformed */
  constructor(message: string) {
    super("ERR_MALFORMED_ADVERTISEMENT", message);
  }
}
