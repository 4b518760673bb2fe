/**
 * The emulator's path loss: a configuration of the library's radio model (`RadioParams`, see
 * src/radio/path-loss.ts) with one log-distance slope, no carriage, no shadowing correlation, no
 * fading, and i.i.d. Gaussian noise per packet drawn from the medium's seeded generator.
 */
import { InvalidArgumentError } from "../../errors";
import { pathLossRssi, type RadioParams, uniformPairs } from "../../radio/path-loss";
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
 * The emulator's path loss as a configuration of the library's radio model (`RadioParams` in
 * `bluezone`): every carriage pair has intercept txPower − referenceLoss dBm at 1 m, exponent n and
 * per-packet Gaussian noise σ (`noiseSd`); no shadowing, fading, blocking or packet loss; distances
 * clamped to 0.1 m; the reference devices advertise `txPower` with no RSSI correction. Defaults as in
 * {@link PathLossOptions}.
 * @throws InvalidArgumentError when the exponent is not positive or σ is negative
 * @public
 */
export function emulatorRadioParams(options: PathLossOptions = {}): RadioParams {
  const txPower = options.txPower ?? 0;
  const referenceLoss = options.referenceLoss ?? 40;
  const n = options.pathLossExponent ?? 2;
  const sigma = options.noiseSigma ?? 0;
  if (!(n > 0) || !(sigma >= 0)) {
    throw new InvalidArgumentError("pathLossExponent must be > 0 and noiseSigma ≥ 0");
  }
  return {
    pairs: uniformPairs({
      intercept: txPower - referenceLoss,
      exponent: n,
      sessionSd: 0,
      slowSd: 0,
      slowCorrelationS: 0,
      noiseSd: sigma,
      blockingProbability: 0,
      blockingLossDb: 0,
    }),
    // The controller's own advertising interval and advDelay apply; these describe the GAEN default.
    advertisingIntervalMs: 250,
    advertisingJitterMs: 10,
    packetLoss: 0,
    sensitivityDbm: options.sensitivity ?? -100,
    sessionCorrelationS: 0,
    blockingCorrelationS: 0,
    minDistanceM: 0.1,
    reference: { txPower, rssiCorrection: 0 },
  };
}

/**
 * Creates the emulator's log-distance model ({@link emulatorRadioParams}): RSSI = txPower −
 * (referenceLoss + 10·n·log10(d / 1 m)) + N(0, σ²), with `d` clamped to 0.1 m; unrounded (the medium
 * rounds). A sample below the sensitivity is lost.
 * @throws InvalidArgumentError when the exponent is not positive or σ is negative
 * @public
 */
export function pathLossModel(options: PathLossOptions = {}): PathLossModel {
  const params = emulatorRadioParams(options);
  const pair = params.pairs.HH;
  const sigma = pair.noiseSd ?? 0;
  const meanRssi = (d: number) => pathLossRssi(pair, d, params.minDistanceM);
  return {
    meanRssi,
    sample(d, rng) {
      const r = meanRssi(d) + (sigma > 0 ? sigma * rng.gaussian() : 0);
      return r < params.sensitivityDbm ? undefined : r;
    },
  };
}
