/** The key server's typed error: an HTTP status plus a stable code, sent as `{error: {code, message}}`. */
import { BluezoneError } from "../../src/index";

/** An API error: the request is answered with `status` and a JSON body naming `code`. */
export class ApiError extends BluezoneError {
  /** HTTP status to answer with. */
  readonly status: number;
  /** Seconds the client should wait (429 only). */
  readonly retryAfterSeconds?: number;

  /**
   * @param status - HTTP status
   * @param code - stable code, e.g. `ERR_CODE_USED`
   * @param message - what went wrong and how to fix it
   */
  constructor(status: number, code: string, message: string, retryAfterSeconds?: number) {
    super(code, message);
    this.status = status;
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }
}
