/**
 * The radio model: one description of how a BLE advertiser's packets reach a scanner, shared by the
 * population simulator (`bluezone/sim`, its field-fitted parameters), the HCI emulator's medium
 * (`bluezone/ble`, the path loss of its `RadioMedium`) and the testing toolkit's contact scenarios
 * (`bluezone/testing`): each is a configuration ({@link RadioParams}) of this model, and each computes
 * its mean with {@link pathLossRssi}.
 *
 * The RSSI (dBm) a scanner measures of one packet from an advertiser `d` metres away:
 *
 *   RSSI = mean(d) + offset + s·(shadowing + slow shadowing + fading + noise) − blocking
 *
 * - mean(d) = intercept − 10·n·log10(max(d, d_min) / 1 m), and beyond a breakpoint d_b (if set)
 *   − 10·(n_far − n)·log10(d / d_b): one- or two-slope log-distance path loss (Rappaport, *Wireless
 *   Communications*, 2nd ed., §4.9–4.11), per unordered carriage pair ({@link CarriagePair}), so the
 *   carriages' losses are in the intercept;
 * - offset = (txPower(advertiser) − reference.txPower) − (rssiCorrection(scanner) −
 *   reference.rssiCorrection): the phones' calibration against the reference devices the parameters
 *   describe (Google's Exposure Notification calibration: attenuation = txPower − (RSSI + rssiCorrection));
 * - s = {@link spreadScale}: the spreads may change with distance;
 * - shadowing: log-normal, per link, standard deviation `sessionSd` dB, correlated over
 *   `sessionCorrelationS` seconds (0: a fresh draw per scan); slow shadowing `slowSd` over
 *   `slowCorrelationS`; Rician fading per packet (K factor `riceK`, zero-mean in dB) and Gaussian noise
 *   per packet (`noiseSd` dB); body blocking with probability `blockingProbability` costs
 *   `blockingLossDb`;
 * - a packet is lost with probability `packetLoss`, or when its rounded RSSI is below `sensitivityDbm`.
 *
 * The shipped configurations: the simulator's fits to DP-3T exp05 field data (`FITTED_RADIO_PARAMS`,
 * `FITTED_RADIO_SETTINGS` in `bluezone/sim`), the emulator's free-space default
 * (`emulatorRadioParams` in `bluezone/ble`) and the toolkit's (`toolkitRadioParams` in `bluezone/testing`).
 * How each draws its random parts is its own (the simulator hashes counters so links are independent of
 * evaluation order; the emulator and toolkit use one seeded generator in call order).
 */

/**
 * Where a phone is carried.
 * @public
 */
export type Carriage = "hand" | "pocket" | "bag";

/**
 * Carriages in a fixed order (the index is the carriage code in the simulator's typed arrays).
 * @public
 */
export const CARRIAGES: readonly Carriage[] = Object.freeze(["hand", "pocket", "bag"] as const);

/**
 * Unordered pair of carriages, one letter each (H hand, P pocket, B bag), as in the field data files:
 * `HH`, `HP`, `HB`, `PP`, `PB`, `BB`.
 * @public
 */
export type CarriagePair = "HH" | "HP" | "HB" | "PP" | "PB" | "BB";

/**
 * The six carriage pairs in a fixed order.
 * @public
 */
export const CARRIAGE_PAIRS: readonly CarriagePair[] = Object.freeze([
  "HH",
  "HP",
  "HB",
  "PP",
  "PB",
  "BB",
] as const);

const CARRIAGE_INDEX: Record<Carriage, number> = { hand: 0, pocket: 1, bag: 2 };
const LETTER = ["H", "P", "B"] as const;
// Unordered pair of every ordered (a, b) carriage pair, indexed a·3 + b.
const PAIR_OF: CarriagePair[] = [0, 1, 2].flatMap((a) =>
  [0, 1, 2].map((b) => `${LETTER[Math.min(a, b)]}${LETTER[Math.max(a, b)]}` as CarriagePair),
);

/**
 * The unordered {@link CarriagePair} of two carriages, e.g. `carriagePair("bag", "hand")` is `"HB"`.
 * @public
 */
export function carriagePair(a: Carriage, b: Carriage): CarriagePair {
  return PAIR_OF[CARRIAGE_INDEX[a] * 3 + CARRIAGE_INDEX[b]]!;
}

/**
 * The radio model's parameters for one carriage pair (see the module documentation for the formula).
 * @public
 */
export interface RadioPairParams {
  /** Mean RSSI at 1 m between the reference devices, before body blocking (dBm). */
  intercept: number;
  /** Path-loss exponent n: the mean falls 10·n dB per decade of distance (up to `breakpointM`, if set). */
  exponent: number;
  /**
   * Breakpoint of a two-slope path loss (m): beyond it the mean falls 10·`farExponent` dB per decade
   * instead (the field fit's crowded rooms flatten beyond 3–4 m). Absent: one slope throughout.
   */
  breakpointM?: number;
  /** Path-loss exponent beyond `breakpointM` (required with it). */
  farExponent?: number;
  /**
   * Change of the variance of shadowing, fading and noise per decade of distance, relative to 1 m: at
   * `d` m every spread is multiplied by √max(0.25, 1 + varianceSlope·log10 d), log10 d clamped to
   * [−1, 1] (0.1–10 m, the field data's range). Negative: more spread near. Absent: 0.
   */
  varianceSlope?: number;
  /** Persistent per-link shadowing standard deviation (dB), correlated over `sessionCorrelationS`. */
  sessionSd: number;
  /** Slow within-stay shadowing standard deviation (dB); 0 for none. */
  slowSd: number;
  /** Correlation time of the slow shadowing (s). */
  slowCorrelationS: number;
  /** Rician K factor of per-packet fading (linear; 0 = Rayleigh). Absent: no Rician fading. */
  riceK?: number;
  /** Mean of the Rician fading in dB, subtracted so the fading has zero mean in dB (with `riceK`). */
  riceMeanDb?: number;
  /** Standard deviation of Gaussian per-packet noise (dB). Absent: 0. */
  noiseSd?: number;
  /** Probability that the line between the phones is blocked by a body. */
  blockingProbability: number;
  /** Extra loss when blocked (dB). */
  blockingLossDb: number;
}

/**
 * A configuration of the radio model (see the module documentation).
 * @public
 */
export interface RadioParams {
  /** Parameters per unordered carriage pair. */
  pairs: Record<CarriagePair, RadioPairParams>;
  /** Advertising interval (ms). */
  advertisingIntervalMs: number;
  /** Random advertising delay added to each event, uniform on [0, this) ms (BLE advDelay ≤ 10 ms). */
  advertisingJitterMs: number;
  /** Probability a packet is lost regardless of its level (collisions, scanner busy). */
  packetLoss: number;
  /** Packets weaker than this are not received (dBm). */
  sensitivityDbm: number;
  /** Correlation time of the persistent per-link shadowing (s); 0: a fresh draw per scan. */
  sessionCorrelationS: number;
  /** Correlation time of body blocking (s). */
  blockingCorrelationS: number;
  /** Distances below this are clamped (m). */
  minDistanceM: number;
  /**
   * Calibration of the reference devices the parameters describe (Exposure Notification calibration
   * semantics: advertised `txPower` dBm, receiver `rssiCorrection` dB).
   */
  reference: { txPower: number; rssiCorrection: number };
}

/**
 * The same parameters for every carriage pair (a model in which carriage does not matter).
 * @public
 */
export function uniformPairs(p: RadioPairParams): Record<CarriagePair, RadioPairParams> {
  return Object.fromEntries(CARRIAGE_PAIRS.map((k) => [k, p])) as Record<CarriagePair, RadioPairParams>;
}

/**
 * Mean RSSI (dBm) of pair parameters `p` at distance `d` m (clamped to `minDistanceM` m), before
 * calibration offsets, shadowing, blocking and fading: one- or two-slope log-distance path loss,
 * intercept − 10·n·log10 d (− 10·(n_far − n)·log10(d / breakpoint) beyond the breakpoint).
 * @public
 */
export function pathLossRssi(p: RadioPairParams, d: number, minDistanceM: number): number {
  const x = Math.log10(Math.max(d, minDistanceM));
  const mean = p.intercept - 10 * p.exponent * x;
  if (p.breakpointM === undefined) return mean;
  const over = x - Math.log10(p.breakpointM);
  return over > 0 ? mean - 10 * (p.farExponent! - p.exponent) * over : mean;
}

/**
 * Factor on every spread (shadowing, fading, noise) of pair parameters `p` at distance `d` m (see
 * {@link RadioPairParams.varianceSlope}); 1 when the parameter is absent.
 * @public
 */
export function spreadScale(p: RadioPairParams, d: number, minDistanceM: number): number {
  if (!p.varianceSlope) return 1;
  const x = Math.min(1, Math.max(-1, Math.log10(Math.max(d, minDistanceM))));
  return Math.sqrt(Math.max(0.25, 1 + p.varianceSlope * x));
}

/**
 * A phone's part in the radio model: how it is carried, and its model's calibration (Exposure
 * Notification `tx_power` dBm it advertises and `rssi_correction` dB it applies; the configuration's
 * reference devices' when absent).
 * @public
 */
export interface RadioPhone {
  /** How the phone is carried. */
  carriage: Carriage;
  /** Advertised tx power (dBm). */
  txPower?: number;
  /** Receiver RSSI correction (dB). */
  rssiCorrection?: number;
}

/**
 * Calibration offset (dB) of an advertiser and a scanner against the reference devices of `params`:
 * (txPower − reference.txPower) − (rssiCorrection − reference.rssiCorrection).
 * @public
 */
export function calibrationOffsetDb(
  params: RadioParams,
  advertiser: RadioPhone,
  scanner: RadioPhone,
): number {
  const ref = params.reference;
  return (
    (advertiser.txPower ?? ref.txPower) -
    ref.txPower -
    ((scanner.rssiCorrection ?? ref.rssiCorrection) - ref.rssiCorrection)
  );
}

/**
 * Expected RSSI (dBm) `scanner` measures of `advertiser` at `d` m under `params`, without shadowing,
 * fading, noise or blocking: {@link pathLossRssi} of their carriage pair plus
 * {@link calibrationOffsetDb}.
 * @public
 */
export function meanRssi(
  params: RadioParams,
  advertiser: RadioPhone,
  scanner: RadioPhone,
  d: number,
): number {
  const p = params.pairs[carriagePair(advertiser.carriage, scanner.carriage)];
  return pathLossRssi(p, d, params.minDistanceM) + calibrationOffsetDb(params, advertiser, scanner);
}
