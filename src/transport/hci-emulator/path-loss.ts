/** Log-distance path-loss model turning a distance into a received signal strength. */
import { InvalidArgumentError } from "../../errors";
import type { Rng } from "./rng";

/**
 * Parameters of the log-distance path-loss model.
 * @public
 */
export interface PathLossOptions {
  /** Transmit power in dBm; default 0 (Android "medium"-ish advertisers). */
  txPower?: number;
  /** Path loss at the 1 m reference distance in dB; default 40 (2.4 GHz free space ≈ 40 dB). */
  referenceLoss?: number;
  /** Path-loss exponent n: 2 free space, 2.5–4 indoors / through bodies; default 2. */
  pathLossExponent?: number;
  /** Standard deviation of the log-normal shadowing term in dB; default 0 (deterministic). */
  noiseSigma?: number;
  /** Receiver sensitivity in dBm: packets weaker than this are lost; default -100. */
  sensitivity?: number;
}

/**
 * A resolved path-loss model.
 * @public
 */
export interface PathLossModel {
  /** Mean RSSI (dBm) at `distance` metres, without noise. */
  meanRssi(distance: number): number;
  /** One noisy RSSI sample, or `undefined` when below sensitivity (packet lost). */
  sample(distance: number, rng: Rng): number | undefined;
}

/**
 * Creates a log-distance model: RSSI = txPower − (referenceLoss + 10·n·log10(d / 1 m)) + N(0, σ²).
 * Distances below 0.1 m are clamped to 0.1 m.
 * @public
 */
export function pathLossModel(options: PathLossOptions = {}): PathLossModel {
  const txPower = options.txPower ?? 0;
  const referenceLoss = options.referenceLoss ?? 40;
  const n = options.pathLossExponent ?? 2;
  const sigma = options.noiseSigma ?? 0;
  const sensitivity = options.sensitivity ?? -100;
  if (!(n > 0) || !(sigma >= 0)) {
    throw new InvalidArgumentError("pathLossExponent must be > 0 and noiseSigma ≥ 0");
  }
  const meanRssi = (d: number) => txPower - (referenceLoss + 10 * n * Math.log10(Math.max(0.1, d)));
  return {
    meanRssi,
    sample(d, rng) {
      const r = meanRssi(d) + (sigma > 0 ? sigma * rng.gaussian() : 0);
      return r < sensitivity ? undefined : r;
    },
  };
}
