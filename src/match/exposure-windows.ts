/**
 * Exposure Notification v2-style exposure windows: a key's matched sightings turned into scan
 * instances with attenuations, grouped into windows of at most 30 minutes.
 */
import { type Cipher, createCipheriv } from "node:crypto";
import type { Sighting } from "../log/types";
import { AEM_LENGTH, cryptAem, deriveAemk, KEY_LENGTH } from "../protocol/gaen";
import { decodeMetadata, isPlausibleMetadata, PLAUSIBLE_TX_POWER } from "../protocol/metadata";
import type { KeyMatch, MatchedSighting } from "./matcher";

/**
 * One scan's view of one matched identifier.
 * @public
 */
export interface ScanInstance {
  /** Unix ms of the scan. */
  time: number;
  /** Attenuation from the scan's mean RSSI, dB. */
  typicalAttenuation: number;
  /** Attenuation from the scan's strongest RSSI, dB. */
  minAttenuation: number;
  /** Seconds this instance stands for (since the previous scan, ≤ 300). */
  secondsSinceLastScan: number;
  /** Packets heard in the scan. */
  packets: number;
}

/**
 * Where the sender's transmit power came from.
 * @public
 */
export type TxPowerSource = "metadata" | "calibration";

/**
 * A window of at most 30 minutes of one key's scan instances. Each scan instance stands for the
 * `secondsSinceLastScan` before its scan time; the window covers `[start, start + windowMs)` and every
 * instance's scan time lies in it, so the time it stands for (`exposureWindowSeconds`) never
 * exceeds the window.
 * @public
 */
export interface ExposureWindow {
  /** Index of the key in the caller's list. */
  keyIndex: number;
  /** Unix ms where the window begins: the first scan instance's time less the seconds it stands for. */
  start: number;
  /** Scan instances, by time. */
  scanInstances: ScanInstance[];
  /** Sender tx power used for attenuation, dBm. */
  txPower: number;
  /** Whether it came from the decrypted metadata or the calibration fallback. */
  txPowerSource: TxPowerSource;
  /** Calibration confidence carried in the metadata (0…3), when decrypted. */
  calibrationConfidence?: number;
}

/**
 * Settings for attenuation: the receiving phone's calibration and the fallback sender power.
 * @public
 */
export interface AttenuationSettings {
  /** RSSI correction of this (receiving) phone model, dB; added to the RSSI. */
  receiverRssiCorrection: number;
  /** Tx power assumed when a sender's metadata is absent or implausible, dBm (fleet average). */
  fallbackTxPower: number;
  /** Longest window in ms; default 30 minutes. */
  windowMs?: number;
}

/**
 * Sender tx power for an EN key's sighting: the decrypted metadata if plausible, else the fallback.
 * @public
 */
export function senderTxPower(
  aemk: Uint8Array | undefined,
  s: Sighting,
  fallback: number,
): { txPower: number; source: TxPowerSource; calibrationConfidence?: number } {
  const raw =
    aemk && s.aem.length === 4 && s.identifier.length === 16
      ? cryptAem(aemk, s.identifier, s.aem)
      : undefined;
  return txPowerOf(raw, fallback);
}

/** The tx power from decrypted metadata if present and plausible, else the fallback. */
function txPowerOf(
  raw: Uint8Array | undefined,
  fallback: number,
): { txPower: number; source: TxPowerSource; calibrationConfidence?: number } {
  if (raw) {
    const m = decodeMetadata(raw);
    if (isPlausibleMetadata(m, raw)) {
      return { txPower: m.txPower, source: "metadata", calibrationConfidence: m.calibrationConfidence };
    }
  }
  return { txPower: fallback, source: "calibration" };
}

/** An AES-128-ECB cipher under one TEK's AEMK, and a copy of the TEK it was made for. */
interface AemCipher {
  tek: Uint8Array;
  cipher: Cipher;
}

/**
 * AEMK ciphers by TEK array, so that the phones of a simulation matching the same published keys (one
 * array per key) derive each AEMK and set up its AES key schedule once, not once per phone and key. A
 * TEK whose bytes changed since (the copy differs) gets a new cipher. ECB without padding keeps no
 * state between `update` calls over whole blocks, so a cipher is reused as is.
 */
const aemCiphers = new WeakMap<Uint8Array, AemCipher>();

/** The first AES-CTR keystream block of each 16-byte block of `blocks` under the TEK's AEMK. */
function aemKeystream(tek: Uint8Array, blocks: Uint8Array): Uint8Array {
  let c = aemCiphers.get(tek);
  if (!c || !sameBytes(c.tek, tek)) {
    const cipher = createCipheriv("aes-128-ecb", deriveAemk(tek), null);
    cipher.setAutoPadding(false);
    c = { tek: tek.slice(), cipher };
    aemCiphers.set(tek, c);
  }
  return c.cipher.update(blocks);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether a sighting carries an EN-sized identifier and AEM (so metadata can be decrypted). */
const decryptable = (s: Sighting) => s.aem.length === AEM_LENGTH && s.identifier.length === KEY_LENGTH;

/**
 * The tx power of each sighting of one key (sorted), in `tx`, and the calibration confidence of its
 * metadata in `confidence` (−1 where the fallback is used): the decrypted metadata if plausible (as
 * {@link senderTxPower} judges it), else `fallback`. All sightings' metadata in one AES call: AEM =
 * AES-CTR(AEMK, IV = RPI) ⊕ metadata, and the first keystream block of CTR with counter block RPI is
 * AES-ECB(AEMK, RPI) — the same bytes as `cryptAem`, which sets up a cipher per sighting. Without a TEK
 * (Bluezone keys), every sighting takes the fallback.
 */
function txPowers(
  tek: Uint8Array | undefined,
  sightings: readonly Sighting[],
  fallback: number,
  tx: Float64Array,
  confidence: Int8Array,
): void {
  tx.fill(fallback, 0, sightings.length);
  confidence.fill(-1, 0, sightings.length);
  if (!tek) return;
  let count = 0;
  for (const s of sightings) if (decryptable(s)) count++;
  if (count === 0) {
    // As before: a TEK that cannot give an AEMK throws even when no sighting has metadata.
    deriveAemk(tek);
    return;
  }
  const blocks = new Uint8Array(count * KEY_LENGTH);
  let j = 0;
  for (const s of sightings) if (decryptable(s)) blocks.set(s.identifier, KEY_LENGTH * j++);
  const stream = aemKeystream(tek, blocks);
  j = 0;
  for (let i = 0; i < sightings.length; i++) {
    const s = sightings[i]!;
    if (!decryptable(s)) continue;
    const o = KEY_LENGTH * j++;
    const aem = s.aem;
    const b0 = stream[o]! ^ aem[0]!;
    const b1 = stream[o + 1]! ^ aem[1]!;
    // decodeMetadata + isPlausibleMetadata(m, raw): zero reserved bytes, major version 1, a plausible
    // tx power.
    if ((stream[o + 2]! ^ aem[2]!) !== 0 || (stream[o + 3]! ^ aem[3]!) !== 0 || b0 >> 6 !== 1) continue;
    const power = b1 > 127 ? b1 - 256 : b1;
    if (power < PLAUSIBLE_TX_POWER.min || power > PLAUSIBLE_TX_POWER.max) continue;
    tx[i] = power;
    confidence[i] = (b0 >> 2) & 3;
  }
}

/** Scratch columns of {@link txPowers}, grown as needed (a call runs to its end without yielding). */
let txScratch = new Float64Array(256);
let confidenceScratch = new Int8Array(256);

/** Whether `list` is in time order. */
function inTimeOrder(list: readonly MatchedSighting[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i]!.sighting.time < list[i - 1]!.sighting.time) return false;
  return true;
}

/**
 * Builds exposure windows from matches.
 * @param keyData - the 16-byte TEK of each EN key by key index (to decrypt metadata), or undefined for
 *   schemes without metadata (Bluezone)
 * @public
 */
export function buildExposureWindows(
  matches: readonly KeyMatch[],
  keyData: (keyIndex: number) => Uint8Array | undefined,
  settings: AttenuationSettings,
): ExposureWindow[] {
  const windowMs = settings.windowMs ?? 30 * 60_000;
  const correction = settings.receiverRssiCorrection;
  const out: ExposureWindow[] = [];
  for (const m of matches) {
    // By time, stably (the matcher's order already is: then no copy).
    const byTime = inTimeOrder(m.sightings)
      ? m.sightings
      : [...m.sightings].sort((a, b) => a.sighting.time - b.sighting.time);
    const sorted = byTime.map((x) => x.sighting);
    if (txScratch.length < sorted.length) {
      txScratch = new Float64Array(sorted.length * 2);
      confidenceScratch = new Int8Array(sorted.length * 2);
    }
    const tx = txScratch;
    const confidence = confidenceScratch;
    txPowers(keyData(m.keyIndex), sorted, settings.fallbackTxPower, tx, confidence);
    let current: ExposureWindow | undefined;
    for (let i = 0; i < sorted.length; i++) {
      const s = sorted[i]!;
      const txPower = tx[i]!;
      const inst: ScanInstance = {
        time: s.time,
        typicalAttenuation: txPower - (s.meanRssi + correction),
        minAttenuation: txPower - (s.maxRssi + correction),
        secondsSinceLastScan: s.secondsSinceLastScan,
        packets: s.packets,
      };
      if (!current || s.time >= current.start + windowMs) {
        const c = confidence[i]!;
        current =
          c < 0
            ? {
                keyIndex: m.keyIndex,
                start: s.time - Math.min(s.secondsSinceLastScan * 1000, windowMs - 1),
                scanInstances: [],
                txPower,
                txPowerSource: "calibration",
              }
            : {
                keyIndex: m.keyIndex,
                start: s.time - Math.min(s.secondsSinceLastScan * 1000, windowMs - 1),
                scanInstances: [],
                txPower,
                txPowerSource: "metadata",
                calibrationConfidence: c,
              };
        out.push(current);
      }
      current.scanInstances.push(inst);
    }
  }
  return out.sort((a, b) => a.start - b.start || a.keyIndex - b.keyIndex);
}

/**
 * Seconds of contact an exposure window stands for: the sum of its scan instances'
 * `secondsSinceLastScan`, each cut so that no second is counted twice (an instance stands for at most the
 * time since the previous instance, or since the window's start). Always ≤ the window's length
 * (30 minutes by default), as in Exposure Notification v2's `ExposureWindow` (sum of
 * `ScanInstance.secondsSinceLastScan`).
 * @public
 */
export function exposureWindowSeconds(w: ExposureWindow): number {
  let covered = w.start;
  let ms = 0;
  for (const inst of w.scanInstances) {
    const from = Math.max(covered, inst.time - inst.secondsSinceLastScan * 1000);
    if (inst.time > from) ms += inst.time - from;
    covered = Math.max(covered, inst.time);
  }
  return ms / 1000;
}
