/**
 * CSV tables of the simulation report: the daily time series, the policy's ROC points and the
 * detection breakdown. Comma
 * separated, a header row, `\n` line ends; a missing (NaN) value is an empty cell.
 */
import { DETECTION_COLUMNS, type DetectionSummary, detectionRows } from "../app/detection";
import type { Infection } from "../epidemic/epidemic-metrics";
import type { DayRow } from "../run";

/** One CSV cell: non-finite numbers empty, text quoted when it holds a comma, quote or line break. */
export function csvCell(value: string | number): string {
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A CSV document: the header row, then one line per row, each line ending in `\n`. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [header, ...rows].map((r) => `${r.map(csvCell).join(",")}\n`).join("");
}

/** Every {@link DayRow} field, in column order (the compiler checks none is missing). */
const DAY_FIELDS = {
  day: true,
  date: true,
  infections: true,
  infectionsWithoutApp: true,
  confirmed: true,
  keysPublished: true,
  notifiedF1: true,
  notifiedF2: true,
  quarantined: true,
  susceptible: true,
  exposed: true,
  infectious: true,
  recovered: true,
  tests: true,
  pcrReactions: true,
  falsePositives: true,
  hospitalised: true,
  inHospital: true,
  deaths: true,
} satisfies Record<keyof DayRow, true>;

/**
 * Columns of `daily.csv`: every {@link DayRow} field.
 * @public
 */
export const DAILY_COLUMNS = Object.keys(DAY_FIELDS) as (keyof DayRow)[];

/**
 * `daily.csv`: one row per day with every {@link DayRow} field.
 * @public
 */
export function dailyCsv(daily: readonly DayRow[]): string {
  return toCsv(
    DAILY_COLUMNS,
    daily.map((d) => DAILY_COLUMNS.map((c) => d[c])),
  );
}

/**
 * `detection.csv`: `breakdown,group,trueCloseContacts,detected,falseAlarms,sensitivity,precision`, one
 * row for all ordered pair-days (`all,all`), then one per setting, carriage pair and distance band.
 * @public
 */
export function detectionCsv(detection: DetectionSummary): string {
  return toCsv(DETECTION_COLUMNS, detectionRows(detection));
}

/**
 * `roc.csv`: the ROC points as `fpr,tpr`.
 * @public
 */
export function rocCsv(roc: readonly (readonly [number, number])[]): string {
  return toCsv(["fpr", "tpr"], roc);
}

/**
 * Columns of `infections.csv`, in order.
 * @public
 */
export const INFECTION_COLUMNS = [
  "infector",
  "infectee",
  "time",
  "setting",
  "infectorState",
  "place",
  "generation",
] as const;

/**
 * `infections.csv`: one row per infection in time order with {@link INFECTION_COLUMNS}; an initial
 * case has an empty infector, setting and infectorState and place −1. `time` is in days since the
 * scenario's start (fractional, rounded to 1e-4 d ≈ 9 s).
 * @public
 */
export function infectionsCsv(list: readonly Infection[]): string {
  return toCsv(
    INFECTION_COLUMNS,
    list.map((i) => [
      i.infector < 0 ? "" : i.infector,
      i.infectee,
      Math.round(i.time * 1e4) / 1e4,
      i.setting,
      i.infectorState,
      i.place,
      i.generation,
    ]),
  );
}
