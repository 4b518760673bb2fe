/**
 * Binary keys and values of the LevelDB contact log. Every key sorts bytewise in the order the log
 * needs: times and sequence numbers are big-endian, identifiers are prefixed with their length so a
 * 12-byte Bluezone ID is never a prefix match of a 16-byte RPI.
 */
import { AEM_LENGTH, KEY_LENGTH, type TemporaryExposureKey } from "../protocol/gaen";
import type { Sighting } from "./types";

/** Bytes of an encoded time (a uint64, big-endian). */
export const TIME_BYTES = 8;
/** Bytes of an encoded sequence number (a uint32, big-endian). */
export const SEQ_BYTES = 4;
/** Bytes of a sighting key: time ‖ sequence. */
export const SIGHTING_KEY_BYTES = TIME_BYTES + SEQ_BYTES;
/** Largest sequence number a log can hand out. */
export const MAX_SEQ = 0xffffffff;

const TWO_32 = 2 ** 32;
/** A time above every valid sighting time (which are safe integers). */
const TIME_CEILING = 2 ** 53;

/** Writes `t` (a non-negative integer ≤ 2^53) as a big-endian uint64 at `offset`. */
export function writeTime(buf: Buffer, offset: number, t: number): void {
  buf.writeUInt32BE(Math.floor(t / TWO_32), offset);
  buf.writeUInt32BE(t >>> 0, offset + 4);
}

/** A time as its own 8-byte big-endian value. */
export function encodeTime(t: number): Buffer {
  const b = Buffer.allocUnsafe(TIME_BYTES);
  writeTime(b, 0, t);
  return b;
}

/** Reads a time written by {@link writeTime}. */
export function readTime(buf: Uint8Array, offset: number): number {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return b.readUInt32BE(offset) * TWO_32 + b.readUInt32BE(offset + 4);
}

/** Sightings key: time ‖ sequence number. */
export function sightingKey(time: number, seq: number): Buffer {
  const k = Buffer.allocUnsafe(SIGHTING_KEY_BYTES);
  writeTime(k, 0, time);
  k.writeUInt32BE(seq, TIME_BYTES);
  return k;
}

/**
 * A time-only key such that, for every stored time `x`, `x ≥ t` exactly when a key with time `x` sorts
 * at or after it (any number is accepted: it is rounded up and clamped to the valid range). Used as
 * `gte`/`lt` bound on keys starting with a time.
 */
export function timeBound(t: number): Buffer {
  const k = Buffer.alloc(TIME_BYTES);
  writeTime(k, 0, Math.min(TIME_CEILING, Math.max(0, Math.ceil(t))));
  return k;
}

/** Encoded sequence number (the log's persisted counter). */
export function encodeSeq(seq: number): Buffer {
  const b = Buffer.allocUnsafe(SEQ_BYTES);
  b.writeUInt32BE(seq, 0);
  return b;
}

/** Decodes {@link encodeSeq}. */
export function decodeSeq(buf: Uint8Array): number {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).readUInt32BE(0);
}

/** Index key prefix of an identifier: length ‖ identifier. */
export function identifierPrefix(identifier: Uint8Array): Buffer {
  const k = Buffer.allocUnsafe(1 + identifier.length);
  k[0] = identifier.length;
  k.set(identifier, 1);
  return k;
}

/** Identifier index key: length ‖ identifier ‖ time ‖ sequence (the value is empty). */
export function indexKey(identifier: Uint8Array, sighting: Uint8Array): Buffer {
  const k = Buffer.allocUnsafe(1 + identifier.length + SIGHTING_KEY_BYTES);
  k[0] = identifier.length;
  k.set(identifier, 1);
  k.set(sighting, 1 + identifier.length);
  return k;
}

/** `gte`/`lte` bounds of all index keys of one identifier. */
export function indexRange(identifier: Uint8Array): { gte: Buffer; lte: Buffer } {
  const prefix = identifierPrefix(identifier);
  return {
    gte: Buffer.concat([prefix, Buffer.alloc(SIGHTING_KEY_BYTES, 0)]),
    lte: Buffer.concat([prefix, Buffer.alloc(SIGHTING_KEY_BYTES, 0xff)]),
  };
}

/** Splits an index key into its identifier prefix (length ‖ identifier) and its sighting key. */
export function splitIndexKey(key: Uint8Array): { prefix: Uint8Array; sighting: Uint8Array } {
  const end = 1 + key[0]!;
  return { prefix: key.subarray(0, end), sighting: key.subarray(end) };
}

const FLAG_AEM = 1;
const VALUE_HEADER = 7;

/**
 * Sighting value (time lives in the key): flags(1: bit 0 = AEM present) ‖ meanRssi(int8) ‖
 * maxRssi(int8) ‖ packets(uint16) ‖ secondsSinceLastScan(uint16) ‖ identifier(12|16) ‖ aem(0|4).
 * The identifier length is the remaining length minus the AEM.
 */
export function encodeSighting(s: Sighting): Buffer {
  const hasAem = s.aem.length === AEM_LENGTH;
  const v = Buffer.allocUnsafe(VALUE_HEADER + s.identifier.length + (hasAem ? AEM_LENGTH : 0));
  v[0] = hasAem ? FLAG_AEM : 0;
  v.writeInt8(s.meanRssi, 1);
  v.writeInt8(s.maxRssi, 2);
  v.writeUInt16BE(s.packets, 3);
  v.writeUInt16BE(s.secondsSinceLastScan, 5);
  v.set(s.identifier, VALUE_HEADER);
  if (hasAem) v.set(s.aem, VALUE_HEADER + s.identifier.length);
  return v;
}

/** The identifier bytes inside an encoded sighting value (a view, not a copy). */
export function sightingIdentifier(value: Uint8Array): Uint8Array {
  const aemBytes = value[0]! & FLAG_AEM ? AEM_LENGTH : 0;
  return value.subarray(VALUE_HEADER, value.length - aemBytes);
}

/** Decodes a sighting from its key and {@link encodeSighting} value (bytes are copied). */
export function decodeSighting(key: Uint8Array, value: Uint8Array): Sighting {
  const v = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const aemStart = v[0]! & FLAG_AEM ? v.length - AEM_LENGTH : v.length;
  return {
    time: readTime(key, 0),
    identifier: new Uint8Array(v.subarray(VALUE_HEADER, aemStart)),
    aem: new Uint8Array(v.subarray(aemStart)),
    meanRssi: v.readInt8(1),
    maxRssi: v.readInt8(2),
    packets: v.readUInt16BE(3),
    secondsSinceLastScan: v.readUInt16BE(5),
  };
}

/** Own-key key: big-endian rollingStartIntervalNumber. */
export function ownKeyKey(rollingStartIntervalNumber: number): Buffer {
  return encodeSeq(rollingStartIntervalNumber);
}

/** Own-key value: keyData(16) ‖ rollingPeriod(uint8). */
export function encodeOwnKey(k: TemporaryExposureKey): Buffer {
  const v = Buffer.allocUnsafe(KEY_LENGTH + 1);
  v.set(k.keyData, 0);
  v[KEY_LENGTH] = k.rollingPeriod;
  return v;
}

/** Decodes an own key from its key and {@link encodeOwnKey} value. */
export function decodeOwnKey(key: Uint8Array, value: Uint8Array): TemporaryExposureKey {
  return {
    keyData: new Uint8Array(value.subarray(0, KEY_LENGTH)),
    rollingStartIntervalNumber: decodeSeq(key),
    rollingPeriod: value[KEY_LENGTH]!,
  };
}

/** Result key: time ‖ UTF-8 id (so results sort by time, then id in code-point order). */
export function resultKey(time: number, id: string): Buffer {
  const idBytes = Buffer.from(id, "utf8");
  const k = Buffer.allocUnsafe(TIME_BYTES + idBytes.length);
  writeTime(k, 0, time);
  idBytes.copy(k, TIME_BYTES);
  return k;
}

/** Splits a {@link resultKey} into time and id. */
export function decodeResultKey(key: Uint8Array): { time: number; id: string } {
  const k = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return { time: readTime(k, 0), id: k.toString("utf8", TIME_BYTES) };
}
