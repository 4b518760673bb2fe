/**
 * Input validation shared by every contact-log store, so all of them accept and reject exactly the
 * same batches.
 */
import { InvalidArgumentError } from "../errors";
import { AEM_LENGTH, KEY_LENGTH, type TemporaryExposureKey } from "../protocol/gaen";
import { INTERVALS_PER_DAY } from "../protocol/intervals";
import { BLUEZONE_ID_LENGTH } from "../protocol/bluezone-compat";
import { isStorableRssi } from "../rssi";
import { InvalidSightingError } from "./errors";
import type { Sighting, StoredResult } from "./types";

/**
 * Largest `secondsSinceLastScan` a sighting may carry (Exposure Notification v2 caps it at 300).
 * @public
 */
export const MAX_SECONDS_SINCE_LAST_SCAN = 300;
/**
 * Largest `packets` count a sighting may carry (stored as a uint16).
 * @public
 */
export const MAX_PACKETS = 0xffff;

export { isStorableRssi, RSSI_NOT_AVAILABLE } from "../rssi";

/** Why `s` is not a valid sighting, or undefined when it is. */
function sightingProblem(s: Sighting): string | undefined {
  if (typeof s !== "object" || s === null) return "not an object";
  if (!Number.isSafeInteger(s.time) || s.time < 0)
    return `time must be a non-negative integer (unix ms), got ${s.time}`;
  if (!(s.identifier instanceof Uint8Array)) return "identifier must be a Uint8Array";
  if (s.identifier.length !== KEY_LENGTH && s.identifier.length !== BLUEZONE_ID_LENGTH) {
    return `identifier must be ${KEY_LENGTH} (RPI) or ${BLUEZONE_ID_LENGTH} (Bluezone ID) bytes, got ${s.identifier.length}`;
  }
  if (!(s.aem instanceof Uint8Array)) return "aem must be a Uint8Array";
  if (s.aem.length !== 0 && s.aem.length !== AEM_LENGTH) {
    return `aem must be empty or ${AEM_LENGTH} bytes, got ${s.aem.length}`;
  }
  if (!isStorableRssi(s.meanRssi))
    return `meanRssi must be an integer in -128…126 dBm (127 = not available), got ${s.meanRssi}`;
  if (!isStorableRssi(s.maxRssi))
    return `maxRssi must be an integer in -128…126 dBm (127 = not available), got ${s.maxRssi}`;
  if (s.meanRssi > s.maxRssi) return `meanRssi ${s.meanRssi} is above maxRssi ${s.maxRssi}`;
  if (!Number.isInteger(s.packets) || s.packets < 1 || s.packets > MAX_PACKETS) {
    return `packets must be an integer in 1…${MAX_PACKETS}, got ${s.packets}`;
  }
  const secs = s.secondsSinceLastScan;
  if (!Number.isInteger(secs) || secs < 0 || secs > MAX_SECONDS_SINCE_LAST_SCAN) {
    return `secondsSinceLastScan must be an integer in 0…${MAX_SECONDS_SINCE_LAST_SCAN}, got ${secs}`;
  }
  return undefined;
}

/**
 * Checks a whole batch before anything is stored.
 * @throws InvalidSightingError naming the first offending index
 * @public
 */
export function validateSightings(sightings: readonly Sighting[]): void {
  if (!Array.isArray(sightings)) throw new InvalidArgumentError("record() takes an array of sightings");
  for (let i = 0; i < sightings.length; i++) {
    const problem = sightingProblem(sightings[i]!);
    if (problem !== undefined) throw new InvalidSightingError(i, problem);
  }
}

/**
 * Checks own TEKs before anything is stored: 16 key bytes, a uint32 start interval and a rolling
 * period of 1…144.
 * @throws InvalidArgumentError naming the first offending key
 * @public
 */
export function validateOwnKeys(keys: readonly TemporaryExposureKey[]): void {
  if (!Array.isArray(keys)) throw new InvalidArgumentError("putOwnKeys() takes an array of keys");
  keys.forEach((k, i) => {
    if (!(k?.keyData instanceof Uint8Array) || k.keyData.length !== KEY_LENGTH) {
      throw new InvalidArgumentError(`own key ${i}: keyData must be ${KEY_LENGTH} bytes`);
    }
    const start = k.rollingStartIntervalNumber;
    if (!Number.isInteger(start) || start < 0 || start > 0xffffffff) {
      throw new InvalidArgumentError(
        `own key ${i}: rollingStartIntervalNumber must be a uint32, got ${start}`,
      );
    }
    if (!Number.isInteger(k.rollingPeriod) || k.rollingPeriod < 1 || k.rollingPeriod > INTERVALS_PER_DAY) {
      throw new InvalidArgumentError(
        `own key ${i}: rollingPeriod must be an integer in 1…${INTERVALS_PER_DAY}, got ${k.rollingPeriod}`,
      );
    }
  });
}

/**
 * Checks a result and returns its value as JSON (how every store keeps it, so reads never alias the
 * caller's object).
 * @throws InvalidArgumentError on a bad time or id, or a value JSON cannot represent
 * @public
 */
export function resultToJson(result: StoredResult): string {
  if (!Number.isSafeInteger(result?.time) || result.time < 0) {
    throw new InvalidArgumentError(
      `result time must be a non-negative integer (unix ms), got ${result?.time}`,
    );
  }
  if (typeof result.id !== "string" || /\p{Cs}/u.test(result.id)) {
    throw new InvalidArgumentError("result id must be a well-formed string (no lone surrogates)");
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(result.value);
  } catch (cause) {
    throw new InvalidArgumentError(`result "${result.id}" value is not JSON-serialisable`, { cause });
  }
  if (json === undefined) {
    throw new InvalidArgumentError(
      `result "${result.id}" value is not JSON-serialisable (got ${typeof result.value})`,
    );
  }
  return json;
}

/**
 * Checks a state name (any non-empty string). @throws InvalidArgumentError
 * @public
 */
export function validateStateName(name: string): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new InvalidArgumentError("state name must be a non-empty string");
  }
}

/**
 * Checks the state value (bytes, or undefined to delete). @throws InvalidArgumentError
 * @public
 */
export function validateStateValue(value: Uint8Array | undefined): void {
  if (value !== undefined && !(value instanceof Uint8Array)) {
    throw new InvalidArgumentError("state value must be a Uint8Array or undefined");
  }
}

/**
 * Checks a time bound of a query or a purge: any number but NaN (fractions and ±Infinity are fine and
 * compare as numbers).
 * @param what - name used in the error message
 * @throws InvalidArgumentError
 * @public
 */
export function validateTimeBound(t: number, what: string): void {
  if (typeof t !== "number" || Number.isNaN(t)) {
    throw new InvalidArgumentError(`${what} must be a number (unix ms), got ${t}`);
  }
}
