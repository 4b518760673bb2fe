/**
 * Looks up a phone's BLE calibration (RSSI correction and tx power) in the EN calibration table.
 *
 * Matching (decided here, applied to model, device and manufacturer strings alike): names are
 * normalised to lower-case letters and digits only, so "SM-G973F", "sm g973f" and "SM_G973F" are the
 * same key. The model argument is tried, in order, as
 * 1. a table model name or device (build) name;
 * 2. the same after removing a leading manufacturer word ("Google Pixel 4" → "Pixel 4",
 *    "samsung SM-G973F" → "SM-G973F"); that word also names the manufacturer when none was given
 *    ("HTC One M9" is not in the table but falls back to the HTC average).
 * Several rows with the same key (e.g. two "HTC U11" builds) are averaged. An unknown model falls back
 * to the average of its manufacturer (given, or inferred from the model's first word; "alcatel"
 * finds "tct (alcatel)"), then to the average over the whole table (the fleet). Averages are rounded
 * to whole dB like the table itself.
 */
import { CALIBRATION_MANUFACTURERS, CALIBRATION_TABLE } from "./calibration-table";

/**
 * How specific a calibration is: the exact model, its manufacturer's average, or the fleet's.
 * @public
 */
export type CalibrationMatch = "model" | "manufacturer" | "fleet";

/**
 * A phone's calibration.
 * @public
 */
export interface Calibration {
  /** dB to add to the RSSI this phone measures. */
  rssiCorrection: number;
  /** dBm this phone advertises with (as received at 1 m by a reference, in EN terms). */
  txPower: number;
  /** Which level of the fallback chain answered. */
  confidence: CalibrationMatch;
  /**
   * EN calibration confidence 0…3: the table's value for a model; 1 for a manufacturer average and 0
   * for the fleet average (an average is not a calibration of this phone).
   */
  calibrationConfidence: number;
}

/**
 * Lower-case letters and digits only: the key names are compared by.
 * @public
 */
export function normalizeModelName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

interface Index {
  byName: Map<string, number[]>;
  byManufacturer: Map<string, number[]>;
  /** Manufacturer words for prefix stripping, longest first. */
  words: string[];
  fleet: Calibration;
}

let index: Index | undefined;

function average(rows: readonly number[], confidence: CalibrationMatch): Calibration {
  const mean = (xs: readonly number[]) => Math.round(rows.reduce((s, i) => s + xs[i]!, 0) / rows.length);
  const cc =
    confidence === "model"
      ? Math.min(...rows.map((i) => CALIBRATION_TABLE.confidence[i]!))
      : confidence === "manufacturer"
        ? 1
        : 0;
  return {
    rssiCorrection: mean(CALIBRATION_TABLE.rssiCorrection),
    txPower: mean(CALIBRATION_TABLE.txPower),
    confidence,
    calibrationConfidence: cc,
  };
}

function push(map: Map<string, number[]>, key: string, row: number): void {
  if (key === "") return;
  const rows = map.get(key);
  if (!rows) map.set(key, [row]);
  else if (!rows.includes(row)) rows.push(row);
}

function buildIndex(): Index {
  const devices = CALIBRATION_TABLE.devices.split("\n");
  const models = CALIBRATION_TABLE.models.split("\n");
  const byName = new Map<string, number[]>();
  const byManufacturer = new Map<string, number[]>();
  models.forEach((model, i) => {
    push(byName, normalizeModelName(model), i);
    push(byName, normalizeModelName(devices[i]!), i);
    const maker = CALIBRATION_MANUFACTURERS[CALIBRATION_TABLE.manufacturer[i]!]!;
    push(byManufacturer, normalizeModelName(maker), i);
    for (const word of maker.split(/[^a-z0-9]+/i)) if (word.length >= 2) push(byManufacturer, word, i);
  });
  const words = [...byManufacturer.keys()].sort((a, b) => b.length - a.length);
  const all = models.map((_, i) => i);
  return { byName, byManufacturer, words, fleet: average(all, "fleet") };
}

/**
 * Finds the calibration of a phone, falling back from model to manufacturer to fleet (see module docs).
 * @param model - model or device name, free text ("Pixel 4", "SM-G973F", "sunfish"); may be empty
 * @param manufacturer - manufacturer name ("samsung", "Google"); may be empty
 * @public
 */
export function lookupCalibration(model?: string, manufacturer?: string): Calibration {
  index ??= buildIndex();
  const key = normalizeModelName(model ?? "");
  let maker = normalizeModelName(manufacturer ?? "");
  if (key !== "") {
    const exact = index.byName.get(key);
    if (exact) return average(exact, "model");
    const lower = (model ?? "").trim().toLowerCase();
    const word = index.words.find((w) => lower.startsWith(w) && /^[^a-z0-9]/.test(lower.slice(w.length)));
    if (word) {
      const rest = index.byName.get(normalizeModelName(lower.slice(word.length)));
      if (rest) return average(rest, "model");
      if (maker === "") maker = word;
    }
  }
  const makerRows = maker === "" ? undefined : index.byManufacturer.get(maker);
  if (makerRows) return average(makerRows, "manufacturer");
  return { ...index.fleet };
}

/**
 * The fleet-average calibration (what an unknown phone is assumed to have).
 * @public
 */
export function fleetCalibration(): Calibration {
  return lookupCalibration();
}

/**
 * Model names of the calibration table in table order (e.g. to give simulated phones real models).
 * @public
 */
export function calibrationModels(): readonly string[] {
  return CALIBRATION_TABLE.models.split("\n");
}
