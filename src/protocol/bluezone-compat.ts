/**
 * The Vietnamese Bluezone app's own (v2) on-air identifiers, for reading and matching real Bluezone
 * phones. A 32-byte base key is hashed forward once per UTC day; each day key seeds a SHA-256 chain of
 * 96 fifteen-minute slots, and each slot's 12-byte ID is picked from the chain value.
 *
 * Weaker than Exposure Notification: whoever holds one day key can compute every later day's IDs, and
 * no metadata (tx power) travels with the ID. Supported for compatibility only.
 */
import { createHash, randomBytes } from "node:crypto";
import type { RandomBytes } from "../bytes";
import { InvalidArgumentError } from "../errors";
import { DAY_MS } from "./intervals";

/**
 * Length of a Bluezone base key and day key.
 * @public
 */
export const BLUEZONE_KEY_LENGTH = 32;
/**
 * Length of a Bluezone on-air ID.
 * @public
 */
export const BLUEZONE_ID_LENGTH = 12;
/**
 * Slots per day (15 minutes each).
 * @public
 */
export const BLUEZONE_SLOTS_PER_DAY = 96;
/**
 * Length of a slot in milliseconds.
 * @public
 */
export const BLUEZONE_SLOT_MS = 15 * 60 * 1000;

const SUBKEY_SUFFIX = Buffer.from("bluzonesubkey", "ascii");
const ID_OFFSETS = [0, 4, 8, 12, 16, 18, 20, 22, 24, 26, 28, 30] as const;

function sha256(data: Uint8Array): Buffer {
  return createHash("sha256").update(data).digest();
}

function assertKey(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== BLUEZONE_KEY_LENGTH) {
    throw new InvalidArgumentError(`${what} must be ${BLUEZONE_KEY_LENGTH} bytes`);
  }
}

/**
 * A fresh 32-byte Bluezone base key K0.
 * @public
 */
export function generateBluezoneBaseKey(random: RandomBytes = randomBytes): Uint8Array {
  const k = new Uint8Array(random(BLUEZONE_KEY_LENGTH));
  assertKey(k, "random base key");
  return k;
}

/**
 * Day key D_n = SHA-256 applied `n` times to the base key (n ≥ 0; D_0 = K0).
 * @public
 */
export function bluezoneDayKey(baseKey: Uint8Array, n: number): Uint8Array {
  assertKey(baseKey, "base key");
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`day index must be a non-negative integer, got ${n}`);
  let d: Uint8Array = baseKey;
  for (let i = 0; i < n; i++) d = sha256(d);
  return new Uint8Array(d);
}

/**
 * Slot of a unix-millisecond time: minutes since UTC midnight / 15.
 * @public
 */
export function bluezoneSlot(unixMs: number): number {
  return Math.floor((((unixMs % DAY_MS) + DAY_MS) % DAY_MS) / BLUEZONE_SLOT_MS);
}

/**
 * The IDs of slots 0 … count−1 of a day: `S_0 = SHA-256(D ‖ "bluzonesubkey")`, `S_{i+1} = SHA-256(S_i)`,
 * ID_i = bytes of S_i at offsets 0,4,8,12,16,18,20,22,24,26,28,30.
 * @returns `count` × 12 bytes, slot i at offset 12·i
 * @public
 */
export function deriveBluezoneIds(dayKey: Uint8Array, count = BLUEZONE_SLOTS_PER_DAY): Uint8Array {
  assertKey(dayKey, "day key");
  if (!Number.isInteger(count) || count < 0 || count > BLUEZONE_SLOTS_PER_DAY) {
    throw new InvalidArgumentError(`slot count must be 0…${BLUEZONE_SLOTS_PER_DAY}, got ${count}`);
  }
  const out = new Uint8Array(count * BLUEZONE_ID_LENGTH);
  let s = sha256(Buffer.concat([dayKey, SUBKEY_SUFFIX]));
  for (let i = 0; i < count; i++) {
    if (i > 0) s = sha256(s);
    for (let j = 0; j < ID_OFFSETS.length; j++) out[i * BLUEZONE_ID_LENGTH + j] = s[ID_OFFSETS[j]!]!;
  }
  return out;
}
