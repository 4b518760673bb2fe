/**
 * The headline figures of a run, each with what it means: one list used by the CLI's end-of-run text,
 * the replicate summary (`--seeds`), the sweep's report and tables.
 */
import type { SimulationSummary } from "../run";

/** How a figure is shown: a count, a share (as a percentage), days or a plain number. */
export type FigureKind = "count" | "difference" | "share" | "days" | "number";

/**
 * The values a figure of each kind can take, to which its interval over seeds is clipped: shares and the
 * one `number` (a ROC-AUC) lie in [0, 1], counts and durations are not negative, a difference of counts
 * (infections averted) is left open.
 * @public
 */
export const FIGURE_RANGES: Readonly<Record<FigureKind, readonly [number, number]>> = {
  count: [0, Number.POSITIVE_INFINITY],
  difference: [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
  share: [0, 1],
  days: [0, Number.POSITIVE_INFINITY],
  number: [0, 1],
};

/** One headline figure. */
export interface HeadlineFigure {
  /** Stable key (also the dotted path of the figure in `summary.json`, e.g. `detection.sensitivity`). */
  key: string;
  /** Short label. */
  label: string;
  /** What the figure means, in one line. */
  meaning: string;
  /** How the figure is shown. */
  kind: FigureKind;
  /** The figure's value in a summary (NaN when undefined in that run): the number at `key` unless given. */
  get(s: SimulationSummary): number;
}

/** The number at dotted path `key` of a summary (NaN when absent or null). */
function figureAt(s: SimulationSummary, key: string): number {
  let v: unknown = s;
  for (const k of key.split("."))
    v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === "number" ? v : Number.NaN;
}

/** The headline figures, in the order they are printed and drawn. */
export const HEADLINE_FIGURES: readonly HeadlineFigure[] = (
  [
    {
      key: "infections",
      label: "Infections with the app",
      meaning: "new infections over the run in the world where adopters run the app",
      kind: "count",
    },
    {
      key: "infectionsWithoutApp",
      label: "Infections without the app",
      meaning: "new infections over the run in the same world and seed with no app (the counterfactual)",
      kind: "count",
    },
    {
      key: "infectionsAverted",
      label: "Infections averted",
      meaning: "without minus with the app, paired on the same world and seed (negative: more with the app)",
      kind: "difference",
    },
    {
      key: "attackRate",
      label: "Attack rate",
      meaning: "share of the population infected during the run (with the app; index cases not counted)",
      kind: "share",
    },
    {
      key: "clinical.hospitalisations",
      label: "Hospitalisations",
      meaning:
        "hospital admissions by the end of the run (with the app; severity by age, Verity et al. 2020)",
      kind: "count",
    },
    {
      key: "clinical.deaths",
      label: "Deaths",
      meaning:
        "deaths by the end of the run (with the app; infection fatality ratio by age, Verity et al. 2020)",
      kind: "count",
    },
    {
      key: "f1Notified",
      label: "F1 notified",
      meaning: "app users the app told they were a close contact (F1) of a confirmed case",
      kind: "count",
    },
    {
      key: "f1Precision",
      label: "F1 precision",
      meaning: "share of F1 notifications that went to someone truly within 2 m for ≥ 15 min of the case",
      kind: "share",
    },
    {
      key: "f1Recall",
      label: "F1 recall",
      meaning: "share of app users truly close to a case who uploaded keys that were notified F1",
      kind: "share",
    },
    {
      key: "traceableFraction",
      label: "Traceable fraction",
      meaning: "share of true close-contact days between app users that the app judged close",
      kind: "share",
    },
    {
      key: "detection.sensitivity",
      label: "Detection sensitivity",
      meaning: "share of true close contact-days between any two app users the phones detected",
      kind: "share",
    },
    {
      key: "detection.precision",
      label: "Detection precision",
      meaning: "share of contact-days the phones judged close that truly were",
      kind: "share",
    },
    {
      key: "notificationDelayDays.mean",
      label: "Notification delay",
      meaning: "mean days from the last true contact to the F1 notification",
      kind: "days",
    },
    {
      key: "keysPublished",
      label: "Keys published",
      meaning:
        "temporary exposure keys the health authority published: confirmed cases' uploads and notified F1s' (RECURSIVE, lower weight)",
      kind: "count",
    },
    {
      key: "policyRocAuc",
      label: "Policy ROC-AUC",
      meaning:
        "how well the daily close seconds separate true ≤ 2 m / 15 min contact days (0.5 chance, 1 perfect)",
      kind: "number",
    },
    {
      key: "epidemic.householdSAR",
      label: "Household SAR",
      meaning: "share of household contacts of an index case infected within 21 days",
      kind: "share",
    },
    {
      key: "epidemic.generationInterval.mean",
      label: "Generation interval",
      meaning: "mean days from an infector's infection to their infectees'",
      kind: "days",
    },
  ] satisfies Omit<HeadlineFigure, "get">[]
).map((f) => ({ ...f, get: (s: SimulationSummary) => figureAt(s, f.key) }));

/** A figure as text: counts with thousands separators, shares as percentages, days with "d"; "n/a" when undefined. */
export function formatFigure(kind: FigureKind, x: number): string {
  if (!Number.isFinite(x)) return "n/a";
  switch (kind) {
    case "count":
    case "difference":
      return Number.isInteger(x)
        ? x.toLocaleString("en")
        : x.toLocaleString("en", { maximumFractionDigits: 1 });
    case "share":
      return `${(100 * x).toFixed(1)}%`;
    case "days":
      return `${x.toFixed(1)} d`;
    default:
      return x.toFixed(3);
  }
}

/**
 * Every number in a summary as flat `dotted.path → value` pairs (arrays and text left out; null → NaN),
 * in the summary's key order: the columns of a sweep's `runs.csv` and `runs.parquet`.
 */
export function flattenSummary(summary: SimulationSummary): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (prefix: string, value: unknown) => {
    if (value === null) out[prefix] = Number.NaN;
    else if (typeof value === "number") out[prefix] = value;
    else if (typeof value === "object" && !Array.isArray(value))
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        walk(prefix ? `${prefix}.${k}` : k, v);
  };
  walk("", summary);
  return out;
}
