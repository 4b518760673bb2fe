/**
 * The 4 plaintext bytes carried encrypted in the AEM: a version byte, the advertiser's transmit power,
 * and two reserved bytes.
 */
import { InvalidArgumentError } from "../errors";
import { AEM_LENGTH } from "./gaen";

/**
 * Decoded plaintext metadata.
 * @public
 */
export interface Metadata {
  /** Major version (bits 7:6 of byte 0); 1 for this specification. */
  majorVersion: number;
  /** Minor version (bits 5:4 of byte 0). */
  minorVersion: number;
  /** Calibration confidence of the advertiser's tx power, 0…3 (bits 3:2 of byte 0). */
  calibrationConfidence: number;
  /** Transmit power in dBm (signed byte 1). */
  txPower: number;
}

/**
 * Metadata this library broadcasts when told nothing else: v1.0, confidence 0, tx power 0 dBm.
 * @public
 */
export const DEFAULT_METADATA: Metadata = {
  majorVersion: 1,
  minorVersion: 0,
  calibrationConfidence: 0,
  txPower: 0,
};

/**
 * Range of tx power values accepted as plausible when decrypting a sighting's metadata.
 * @public
 */
export const PLAUSIBLE_TX_POWER = { min: -50, max: 20 } as const;

/**
 * Encodes metadata into its 4-byte plaintext.
 * @throws InvalidArgumentError when a field is out of range
 * @public
 */
export function encodeMetadata(m: Partial<Metadata> = {}): Uint8Array {
  const { majorVersion, minorVersion, calibrationConfidence, txPower } = { ...DEFAULT_METADATA, ...m };
  const inRange = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!inRange(majorVersion, 0, 3) || !inRange(minorVersion, 0, 3) || !inRange(calibrationConfidence, 0, 3)) {
    throw new InvalidArgumentError("metadata version fields and calibration confidence must be integers 0…3");
  }
  if (!inRange(txPower, -128, 127))
    throw new InvalidArgumentError(`tx power ${txPower} is not a signed byte`);
  return new Uint8Array([
    (majorVersion << 6) | (minorVersion << 4) | (calibrationConfidence << 2),
    txPower & 0xff,
    0,
    0,
  ]);
}

/**
 * Decodes 4 plaintext metadata bytes.
 * @public
 */
export function decodeMetadata(bytes: Uint8Array): Metadata {
  if (bytes.length !== AEM_LENGTH) throw new InvalidArgumentError(`metadata must be ${AEM_LENGTH} bytes`);
  const b0 = bytes[0]!;
  const tx = bytes[1]!;
  return {
    majorVersion: b0 >> 6,
    minorVersion: (b0 >> 4) & 3,
    calibrationConfidence: (b0 >> 2) & 3,
    txPower: tx > 127 ? tx - 256 : tx,
  };
}

/** True when the two reserved metadata bytes are zero, as the specification requires. */
export function hasZeroReserved(bytes: Uint8Array): boolean {
  return bytes.length === AEM_LENGTH && bytes[2] === 0 && bytes[3] === 0;
}

/**
 * True when decrypted metadata looks genuine: major version 1, a tx power in the plausible range and,
 * when the raw bytes are given, zero reserved bytes (a wrong key decrypts to random bytes, which pass
 * the version and power checks about 7% of the time but the reserved bytes only once in 65,536).
 * @public
 */
export function isPlausibleMetadata(m: Metadata, raw?: Uint8Array): boolean {
  if (raw && !hasZeroReserved(raw)) return false;
  return m.majorVersion === 1 && m.txPower >= PLAUSIBLE_TX_POWER.min && m.txPower <= PLAUSIBLE_TX_POWER.max;
}
