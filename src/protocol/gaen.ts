/**
 * Exposure Notification cryptography, specification v1.2: Temporary Exposure Keys, Rolling Proximity
 * Identifiers and Associated Encrypted Metadata, on Node's own HKDF and AES.
 */
import { createCipheriv, randomBytes } from "node:crypto";
import type { RandomBytes } from "../bytes";
import { InvalidArgumentError } from "../errors";
import { expandInfo, hkdf16Into } from "./hkdf";
import { INTERVALS_PER_DAY } from "./intervals";

/**
 * Length in bytes of a TEK, RPIK, AEMK and RPI.
 * @public
 */
export const KEY_LENGTH = 16;
/**
 * Length in bytes of the Associated Encrypted Metadata.
 * @public
 */
export const AEM_LENGTH = 4;

const RPI_PREFIX = Buffer.from("EN-RPI", "ascii");
const INFO_RPIK = expandInfo(Buffer.from("EN-RPIK", "ascii"));
const INFO_AEMK = expandInfo(Buffer.from("EN-AEMK", "ascii"));

function hkdf16(tek: Uint8Array, info: ReturnType<typeof expandInfo>): Uint8Array {
  const out = new Uint8Array(KEY_LENGTH);
  hkdf16Into(tek, 0, info, out);
  return out;
}

/**
 * A Temporary Exposure Key with its validity.
 * @public
 */
export interface TemporaryExposureKey {
  /** 16 key bytes. */
  keyData: Uint8Array;
  /** First ENIntervalNumber the key is valid for. */
  rollingStartIntervalNumber: number;
  /** Number of 10-minute intervals the key is valid for (1…144). */
  rollingPeriod: number;
}

function assertKey(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
    throw new InvalidArgumentError(`${what} must be ${KEY_LENGTH} bytes`);
  }
}

/**
 * Makes a fresh TEK valid from `rollingStartIntervalNumber` for `rollingPeriod` intervals.
 * @param random - source of the 16 key bytes (cryptographically secure by default)
 * @public
 */
export function generateTek(
  rollingStartIntervalNumber: number,
  rollingPeriod = INTERVALS_PER_DAY,
  random: RandomBytes = randomBytes,
): TemporaryExposureKey {
  const keyData = new Uint8Array(random(KEY_LENGTH));
  assertKey(keyData, "random TEK");
  return { keyData, rollingStartIntervalNumber, rollingPeriod };
}

/**
 * RPIK = HKDF-SHA256(TEK, salt = empty, info = "EN-RPIK", 16 bytes).
 * @public
 */
export function deriveRpik(tek: Uint8Array): Uint8Array {
  assertKey(tek, "TEK");
  return hkdf16(tek, INFO_RPIK);
}

/**
 * AEMK = HKDF-SHA256(TEK, salt = empty, info = "EN-AEMK", 16 bytes).
 * @public
 */
export function deriveAemk(tek: Uint8Array): Uint8Array {
  assertKey(tek, "TEK");
  return hkdf16(tek, INFO_AEMK);
}

/**
 * Writes the padded data blocks "EN-RPI" ‖ 0x000000000000 ‖ uint32-LE(j) for j = start … start+count−1
 * into a fresh buffer of `count` × 16 bytes.
 * @public
 */
export function rpiPaddedData(startInterval: number, count: number): Buffer {
  const buf = Buffer.alloc(count * KEY_LENGTH);
  for (let i = 0; i < count; i++) {
    const o = i * KEY_LENGTH;
    RPI_PREFIX.copy(buf, o);
    buf.writeUInt32LE((startInterval + i) >>> 0, o + 12);
  }
  return buf;
}

/** AES-128-ECB without padding of a whole number of blocks, in one cipher call. */
export function aes128Ecb(key: Uint8Array, blocks: Uint8Array): Buffer {
  const c = createCipheriv("aes-128-ecb", key, null);
  c.setAutoPadding(false);
  const out = c.update(blocks);
  c.final();
  return out;
}

/**
 * Derives `count` consecutive RPIs from an RPIK in one AES call (EN Cryptography Specification v1.2:
 * RPI = AES-128(RPIK, "EN-RPI" ‖ 0⁶ ‖ ENIntervalNumber), the interval number a 32-bit unsigned
 * little-endian integer).
 * @returns `count` × 16 bytes; RPI of interval `startInterval + i` at offset 16·i
 * @throws InvalidArgumentError when the RPIK is not 16 bytes, `count` is not an integer ≥ 0, or an
 *   interval number falls outside 0…2³²−1 (it would wrap: 2³² gives interval 0's RPI)
 * @public
 */
export function deriveRpis(rpik: Uint8Array, startInterval: number, count: number): Buffer {
  assertKey(rpik, "RPIK");
  // Every key of one day has the same padded data: the last one made is reused (AES reads it only).
  if (padded.start !== startInterval || padded.count !== count) {
    if (!Number.isInteger(count) || count < 0)
      throw new InvalidArgumentError(`count must be an integer ≥ 0, got ${count}`);
    if (
      !Number.isInteger(startInterval) ||
      startInterval < 0 ||
      startInterval + Math.max(count, 1) - 1 > 0xffffffff
    )
      throw new InvalidArgumentError(
        `interval numbers must be integers in 0…2^32−1 (ENIntervalNumber is 32 bits), got ${startInterval}…${startInterval + count - 1}`,
      );
    padded.data = rpiPaddedData(startInterval, count);
    padded.start = startInterval;
    padded.count = count;
  }
  return aes128Ecb(rpik, padded.data);
}

/** The padded data blocks {@link deriveRpis} used last (one per thread; see there). */
const padded: { start: number; count: number; data: Buffer } = {
  start: Number.NaN,
  count: 0,
  data: Buffer.alloc(0),
};

/**
 * The RPI of a single interval.
 * @throws InvalidArgumentError as {@link deriveRpis}
 * @public
 */
export function deriveRpi(rpik: Uint8Array, interval: number): Uint8Array {
  return new Uint8Array(deriveRpis(rpik, interval, 1));
}

/**
 * AEM = AES-128-CTR(AEMK, counter block = RPI) XOR metadata. Decryption is the same operation.
 * @param metadata - 4 bytes (the plaintext when encrypting, the AEM when decrypting)
 * @public
 */
export function cryptAem(aemk: Uint8Array, rpi: Uint8Array, metadata: Uint8Array): Uint8Array {
  assertKey(aemk, "AEMK");
  assertKey(rpi, "RPI");
  if (metadata.length !== AEM_LENGTH) throw new InvalidArgumentError(`metadata must be ${AEM_LENGTH} bytes`);
  const c = createCipheriv("aes-128-ctr", aemk, rpi);
  const out = c.update(metadata);
  c.final();
  return new Uint8Array(out);
}

/**
 * Identifiers derived from one key for a run of intervals.
 * @public
 */
export interface DerivedIdentifiers {
  /** The TEK they came from. */
  key: TemporaryExposureKey;
  /** First interval (the key's rollingStartIntervalNumber). */
  startInterval: number;
  /** `rollingPeriod` × 16 bytes of RPIs, in interval order. */
  rpis: Buffer;
}

/**
 * Derives all RPIs of many keys: one HKDF and one multi-block AES call per key (each key has its own
 * AES key schedule, so this is the least work the scheme allows).
 * @public
 */
export function deriveAllRpis(keys: readonly TemporaryExposureKey[]): DerivedIdentifiers[] {
  // One shared buffer of padded data for the largest period; each key's run is a view of it
  // re-stamped with that key's intervals.
  const out: DerivedIdentifiers[] = new Array(keys.length);
  let pad: Buffer = Buffer.alloc(0);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const n = key.rollingPeriod;
    if (pad.length < n * KEY_LENGTH) pad = rpiPaddedData(0, n);
    const view = pad.subarray(0, n * KEY_LENGTH);
    for (let i = 0; i < n; i++)
      view.writeUInt32LE((key.rollingStartIntervalNumber + i) >>> 0, i * KEY_LENGTH + 12);
    out[k] = {
      key,
      startInterval: key.rollingStartIntervalNumber,
      rpis: aes128Ecb(deriveRpik(key.keyData), view),
    };
  }
  return out;
}
