/**
 * Exposure Notification v2-style exposure windows: a key's matched sightings turned into scan
 * instances with attenuations, grouped into windows of at most 30 minutes.
 */
import type { Sighting } from "../log/types";
import { aes128Ecb, cryptAem, deriveAemk } from "../protocol/gaen";
import { decodeMetadata, isPlausibleMetadata } from "../protocol/metadata";
import type { KeyMatch } from "./matcher";

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
 * instance's scan time lies in it, so the time it stands for ({@link exposureWindowSeconds}) never
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

/**
 * The decrypted metadata of every sighting of one key (undefined where it has no EN-sized identifier
 * and AEM), in one AES call: AEM = AES-CTR(AEMK, IV = RPI) ⊕ metadata, and the first keystream block of
 * CTR with counter block RPI is AES-ECB(AEMK, RPI) — the same bytes as {@link cryptAem}, which sets up a
 * cipher per sighting.
 */
function decryptMetadata(aemk: Uint8Array, sightings: readonly Sighting[]): (Uint8Array | undefined)[] {
  const ok = sightings.map((s) => s.aem.length === 4 && s.identifier.length === 16);
  const count = ok.filter(Boolean).length;
  const blocks = new Uint8Array(count * 16);
  let j = 0;
  sightings.forEach((s, i) => {
    if (ok[i]) blocks.set(s.identifier, 16 * j++);
  });
  const stream = count > 0 ? aes128Ecb(aemk, blocks) : blocks;
  j = 0;
  return sightings.map((s, i) => {
    if (!ok[i]) return undefined;
    const o = 16 * j++;
    return Uint8Array.of(
      stream[o]! ^ s.aem[0]!,
      stream[o + 1]! ^ s.aem[1]!,
      stream[o + 2]! ^ s.aem[2]!,
      stream[o + 3]! ^ s.aem[3]!,
    );
  });
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
  const out: ExposureWindow[] = [];
  for (const m of matches) {
    const tek = keyData(m.keyIndex);
    const aemk = tek ? deriveAemk(tek) : undefined;
    let current: ExposureWindow | undefined;
    const sorted = [...m.sightings].sort((a, b) => a.sighting.time - b.sighting.time).map((x) => x.sighting);
    const metadata = aemk ? decryptMetadata(aemk, sorted) : undefined;
    for (let i = 0; i < sorted.length; i++) {
      const s = sorted[i]!;
      const tx = txPowerOf(metadata?.[i], settings.fallbackTxPower);
      const inst: ScanInstance = {
        time: s.time,
        typicalAttenuation: tx.txPower - (s.meanRssi + settings.receiverRssiCorrection),
        minAttenuation: tx.txPower - (s.maxRssi + settings.receiverRssiCorrection),
        secondsSinceLastScan: s.secondsSinceLastScan,
        packets: s.packets,
      };
      if (!current || s.time >= current.start + windowMs) {
        current = {
          keyIndex: m.keyIndex,
          start: s.time - Math.min(s.secondsSinceLastScan * 1000, windowMs - 1),
          scanInstances: [],
          txPower: tx.txPower,
          txPowerSource: tx.source,
          ...(tx.calibrationConfidence !== undefined
            ? { calibrationConfidence: tx.calibrationConfidence }
            : {}),
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
