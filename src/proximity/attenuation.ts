/**
 * Attenuation: how much signal was lost between the sender's antenna and the receiver, in dB.
 * attenuation = txPower(sender) − (RSSI + rssiCorrection(receiver)). The sender's tx power comes from its
 * decrypted metadata when known, otherwise from the calibration of its model (or the fleet average).
 */
import { type Calibration, lookupCalibration } from "./calibration";

/**
 * What is known about one sender/receiver pair.
 * @public
 */
export interface PairInfo {
  /** Sender's tx power in dBm from decrypted metadata; wins over the sender model's calibration. */
  txPower?: number;
  /** Calibration confidence 0…3 from the sender's metadata (used only with `txPower`). */
  txCalibrationConfidence?: number;
  /** Sender's model, free text (see {@link lookupCalibration}). */
  transmitterModel?: string;
  /** Receiver's model, free text. */
  receiverModel?: string;
}

/**
 * The constants that turn an RSSI into an attenuation for one pair.
 * @public
 */
export interface PairCalibration {
  /** Sender's tx power used, dBm. */
  txPower: number;
  /** Receiver's RSSI correction used, dB. */
  rssiCorrection: number;
  /** The weaker of the two sides' calibration confidences, 0…3. */
  calibrationConfidence: number;
  /** Receiver's calibration lookup result. */
  receiver: Calibration;
  /** Sender's calibration lookup result (its tx power is overridden by metadata when given). */
  transmitter: Calibration;
}

/**
 * Resolves a pair's tx power and RSSI correction once, so packets can be converted cheaply.
 * @public
 */
export function resolvePairCalibration(pair: PairInfo = {}): PairCalibration {
  const receiver = lookupCalibration(pair.receiverModel);
  const transmitter = lookupCalibration(pair.transmitterModel);
  const fromMetadata = pair.txPower !== undefined;
  const txConfidence = fromMetadata ? (pair.txCalibrationConfidence ?? 3) : transmitter.calibrationConfidence;
  return {
    txPower: pair.txPower ?? transmitter.txPower,
    rssiCorrection: receiver.rssiCorrection,
    calibrationConfidence: Math.min(txConfidence, receiver.calibrationConfidence),
    receiver,
    transmitter,
  };
}

/**
 * attenuation = txPower − (rssi + rssiCorrection), in dB.
 * @public
 */
export function attenuationOf(
  rssi: number,
  calibration: Pick<PairCalibration, "txPower" | "rssiCorrection">,
) {
  return calibration.txPower - (rssi + calibration.rssiCorrection);
}

/**
 * The attenuation of one reading of a pair (resolves the calibration; prefer {@link attenuationOf} in loops).
 * @public
 */
export function computeAttenuation(rssi: number, pair: PairInfo = {}): number {
  return attenuationOf(rssi, resolvePairCalibration(pair));
}

/**
 * Distance buckets: immediate ≤ 1 m, near ≤ 2 m, medium ≤ 4 m, other beyond.
 * @public
 */
export type DistanceBucket = "immediate" | "near" | "medium" | "other";

/**
 * The buckets from nearest to farthest.
 * @public
 */
export const DISTANCE_BUCKETS: readonly DistanceBucket[] = ["immediate", "near", "medium", "other"];

/**
 * Attenuation upper bounds (dB, inclusive) of the first three buckets; non-decreasing.
 * @public
 */
export interface BucketThresholds {
  /** Attenuation ≤ this is "immediate" (≈ 1 m). */
  immediate: number;
  /** Attenuation ≤ this (and above `immediate`) is "near" (≈ 2 m). */
  near: number;
  /** Attenuation ≤ this (and above `near`) is "medium" (≈ 4 m); above is "other". */
  medium: number;
}

/**
 * The bucket an attenuation falls in.
 * @public
 */
export function distanceBucket(attenuation: number, t: BucketThresholds): DistanceBucket {
  if (attenuation <= t.immediate) return "immediate";
  if (attenuation <= t.near) return "near";
  if (attenuation <= t.medium) return "medium";
  return "other";
}
