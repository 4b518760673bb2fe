/**
 * One call from published keys to a verdict: derive (or use a prebuilt index), match the log, build
 * exposure windows, judge them. This is what a phone runs on every new key file.
 */
import { InvalidArgumentError } from "../errors";
import { checkOptionNames, type OptionNames } from "../options";
import type { ContactLog } from "../log/types";
import { fleetCalibration, lookupCalibration } from "../proximity/calibration";
import type { ExposureKey } from "./export-codec";
import { buildExposureWindows, type ExposureWindow } from "./exposure-windows";
import {
  type DerivedKeyIndex,
  type HeardRange,
  type KeyMatch,
  type MatchKeysOptions,
  matchGaenKeys,
  matchLogWithIndex,
} from "./matcher";
import { assessExposure, type ExposureAssessment, type RiskConfig } from "./risk";

/**
 * Options of {@link checkExposure}.
 * @public
 */
export interface CheckExposureOptions extends RiskConfig, MatchKeysOptions {
  /** This phone's model (for its RSSI correction); the fleet average when unknown. */
  receiverModel?: string;
  /** Keys already derived into an index (the simulator derives each published batch once). */
  index?: DerivedKeyIndex;
  /**
   * With {@link CheckExposureOptions.index}: only the sightings heard in this range count (the same
   * verdict as on a log holding only them; the simulator judges one day of a long log).
   */
  range?: HeardRange;
}

/**
 * Matches, windows and the verdict.
 * @public
 */
export interface ExposureCheck {
  /** Logged sightings attributed to keys. */
  matches: KeyMatch[];
  /** Exposure windows (≤ 30 min) with attenuations. */
  windows: ExposureWindow[];
  /** Policy decisions and the F-level. */
  assessment: ExposureAssessment;
}

/** The names of {@link CheckExposureOptions} (misspelt ones are refused). */
export const CHECK_EXPOSURE_OPTIONS = {
  receiverModel: true,
  index: true,
  range: true,
  workers: true,
  policy: true,
  windowSeconds: true,
  reportTypeWeights: true,
  infectiousness: true,
  maxLevel: true,
} as const satisfies OptionNames<CheckExposureOptions>;

/**
 * Matches a contact log against published Exposure Notification keys and judges the exposure.
 * @throws InvalidArgumentError when `keys` is not an array, `log` not a contact log, or an option's
 *   name is not one of {@link CheckExposureOptions} (`unknown option "x"`, with the nearest name)
 * @public
 */
export async function checkExposure(
  log: ContactLog,
  keys: readonly ExposureKey[],
  options: CheckExposureOptions = {},
): Promise<ExposureCheck> {
  checkOptionNames(options, CHECK_EXPOSURE_OPTIONS, "checkExposure");
  if (!Array.isArray(keys))
    throw new InvalidArgumentError(
      `checkExposure takes an array of exposure keys, got ${keys === null ? "null" : typeof keys}`,
    );
  if (typeof log?.range !== "function") throw new InvalidArgumentError("checkExposure takes a contact log");
  const matches = options.index
    ? await matchLogWithIndex(log, options.index, options.range)
    : await matchGaenKeys(log, keys, options.workers === undefined ? {} : { workers: options.workers });
  const receiver = lookupCalibration(options.receiverModel);
  const windows = buildExposureWindows(matches, (i) => keys[i]?.keyData, {
    receiverRssiCorrection: receiver.rssiCorrection,
    fallbackTxPower: fleetCalibration().txPower,
  });
  return { matches, windows, assessment: assessExposure(windows, keys, options) };
}
