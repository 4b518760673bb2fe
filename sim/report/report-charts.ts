/**
 * The charts of the simulation report, drawn from one or more {@link SimulationResult}s (replicates
 * of one scenario under different seeds): the epidemic curve with and without the app, cumulative
 * infections, the SEIR compartments and quarantine, the cohort R_t, hospital admissions, occupancy and
 * deaths, notifications per day, F1 precision / recall, and the proximity policy's ROC curve. With several replicates every curve is the mean over
 * seeds with a shaded 95 % t interval of the mean (`sim/report/stats.ts`); intervention start dates are
 * dashed vertical markers.
 */
import { formatCount, formatNumber, formatPercent } from "./report-format";
import { cumulative, type DailyBand, dailyBand } from "./replicates";
import {
  type Axis,
  bandArea,
  bandAxis,
  el,
  type LegendItem,
  niceTicks,
  renderChart,
  renderEmptyChart,
  seriesPath,
  type Scale,
  text,
  valueAxis,
  verticalMarker,
} from "./report-svg";
import type { DayRow, SimulationResult } from "../run";
import type { Scenario } from "../scenario";
import { replicateStat } from "./stats";
import { FIGURE_RANGES } from "./figures";

/** Stable `data-chart` identifiers of the report's charts, in page order. */
export const REPORT_CHARTS = [
  "epidemic",
  "cumulative",
  "compartments",
  "rt",
  "hospital",
  "notifications",
  "f1",
  "roc",
] as const;

/** A report chart's identifier. */
export type ReportChartId = (typeof REPORT_CHARTS)[number];

/** Series colours (colour-blind safe pairs; lines also differ in dash). */
const COLOR = {
  app: "#1f5fbf",
  noApp: "#d2561e",
  f1: "#5b3ea6",
  f2: "#b9a7e6",
  confirmed: "#222222",
  roc: "#1f5fbf",
  chance: "#888888",
  reference: "#2e8b57",
  susceptible: "#1f5fbf",
  exposed: "#e69f00",
  infectious: "#c0392b",
  recovered: "#2e8b57",
  quarantined: "#6f42c1",
  rt: "#1b1f24",
  inHospital: "#1f5fbf",
  hospitalised: "#e69f00",
  deaths: "#1b1f24",
} as const;

/** An intervention's start, as a day of the run. */
export interface InterventionMarker {
  /** Day index of the run (day 0 = the scenario's start date). */
  day: number;
  /** Short label: the intervention's kind. */
  label: string;
}

/** Start days of the scenario's interventions that fall within the run (none without a scenario). */
export function interventionMarkers(scenario: Scenario | undefined): InterventionMarker[] {
  if (!scenario) return [];
  const start = Date.parse(`${scenario.startDate}T00:00:00Z`);
  return scenario.interventions
    .map((iv) => ({
      day: Math.round((Date.parse(`${iv.from}T00:00:00Z`) - start) / 86_400_000),
      label: iv.kind,
    }))
    .filter((m) => m.day >= 0 && m.day < scenario.days);
}

/** The markers drawn over a day-axis plot, labels stacked in rows where they would overlap. */
export function markers(
  list: readonly InterventionMarker[],
  x: Scale,
  area: { top: number; bottom: number; left: number; right: number },
) {
  let lastX = Number.NEGATIVE_INFINITY;
  let row = 0;
  return list
    .map((m) => {
      const px = x(m.day);
      row = px - lastX < 110 ? row + 1 : 0;
      lastX = px;
      return verticalMarker(m.day, m.label, x, area, row % 4);
    })
    .join("");
}

/** Mean line and (with ≥ 2 replicates) shaded band of a daily series. */
export function bandSeries(band: DailyBand, x: Scale, y: Scale, color: string, dash?: string): string {
  const days = band.mean.map((_, d) => d);
  return (
    (band.n >= 2 ? bandArea(days, band.low, band.high, x, y, { fill: color, "fill-opacity": 0.18 }) : "") +
    seriesPath(
      band.mean.map((v, d) => [d, v]),
      x,
      y,
      { class: "series", stroke: color, ...(dash ? { "stroke-dasharray": dash } : {}) },
    )
  );
}

const bandMax = (...bands: DailyBand[]) =>
  finiteMax(bands.flatMap((b) => [...b.mean, ...(b.n >= 2 ? b.high : [])]));

const replicatesNote = (n: number) =>
  n >= 2 ? ` Lines are means over ${n} seeds; shaded bands their 95% t intervals.` : "";

/** OpenABM-Covid19's assumed traceable fraction, drawn for reference. */
export const OPENABM_TRACEABLE_FRACTION = 0.8;

const percentTick = (v: number) => `${Math.round(v * 100)}%`;

/** The day axis: one band per day, integer ticks. */
export function dayAxis(daily: readonly DayRow[]): Axis {
  const n = daily.length;
  const first = daily[0]?.date;
  return {
    label: first ? `Day (day 0 = ${first})` : "Day",
    domain: [-0.5, n - 0.5],
    ticks: niceTicks(0, n - 1, 8).filter(Number.isInteger),
    format: (d) => String(d),
  };
}

const finiteMax = (values: readonly number[]) =>
  values.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, v) : m), 0);

const series = (daily: readonly DayRow[], pick: (d: DayRow) => number): [number, number][] =>
  daily.map((d) => [d.day, pick(d)]);

const NO_DAYS = "No days simulated";

/** Mean daily rows over `runs` (each field averaged over the seeds; the first run's day and date). */
function meanDaily(runs: readonly SimulationResult[]): DayRow[] {
  const first = runs[0]?.daily ?? [];
  if (runs.length === 1) return [...first];
  return first.map((d, i) => {
    const row = { ...d };
    for (const key of Object.keys(d) as (keyof DayRow)[]) {
      if (key === "day" || key === "date") continue;
      (row[key] as number) = replicateStat(runs.map((r) => r.daily[i]?.[key] as number)).mean;
    }
    return row;
  });
}

/** Epidemic curve: daily new infections with the app (solid) and without it (dashed). */
export function epidemicChart(
  runs: readonly SimulationResult[],
  marks: readonly InterventionMarker[] = [],
): string {
  const title = "Epidemic curve: daily new infections with and without the app";
  const daily = runs[0]?.daily ?? [];
  if (daily.length === 0) return renderEmptyChart("epidemic", title, NO_DAYS);
  const withApp = dailyBand(runs, (r) => r.daily.map((d) => d.infections));
  const without = dailyBand(runs, (r) => r.daily.map((d) => d.infectionsWithoutApp));
  const hasWithout = without.mean.some((v) => Number.isFinite(v));
  const legend: LegendItem[] = [
    { label: "With the app", color: COLOR.app, mark: "line" },
    {
      label: hasWithout ? "Without the app" : "Without the app (not run)",
      color: COLOR.noApp,
      mark: "dashed",
    },
  ];
  const total = (values: number[]) => values.reduce((a, v) => a + v, 0);
  return renderChart({
    id: "epidemic",
    title,
    description:
      `${daily.length} days. Infections with the app: ${formatCount(total(withApp.mean))}; ` +
      `without the app: ${hasWithout ? formatCount(total(without.mean)) : "not run"}.` +
      replicatesNote(runs.length),
    x: dayAxis(daily),
    y: valueAxis("New infections per day", bandMax(withApp, without)),
    legend,
    plot: (x, y, area) =>
      markers(marks, x, area) +
      // Dashed on top: where the arms coincide (before the app acts) both colours stay visible.
      bandSeries(withApp, x, y, COLOR.app) +
      bandSeries(without, x, y, COLOR.noApp, "6 4"),
  });
}

/** Cumulative infections with the app (solid) and without it (dashed), with intervention markers. */
export function cumulativeChart(
  runs: readonly SimulationResult[],
  marks: readonly InterventionMarker[] = [],
): string {
  const title = "Cumulative infections with and without the app";
  const daily = runs[0]?.daily ?? [];
  if (daily.length === 0) return renderEmptyChart("cumulative", title, NO_DAYS);
  const withApp = dailyBand(runs, (r) => cumulative(r.daily.map((d) => d.infections)));
  const without = dailyBand(runs, (r) => cumulative(r.daily.map((d) => d.infectionsWithoutApp)));
  const last = (b: DailyBand) => b.mean[b.mean.length - 1] ?? Number.NaN;
  return renderChart({
    id: "cumulative",
    title,
    description:
      `Infections since day 0: ${formatCount(last(withApp))} with the app, ` +
      `${Number.isFinite(last(without)) ? formatCount(last(without)) : "not run"} without.` +
      replicatesNote(runs.length),
    x: dayAxis(daily),
    y: valueAxis("Infections since day 0", bandMax(withApp, without)),
    legend: [
      { label: "With the app", color: COLOR.app, mark: "line" },
      { label: "Without the app", color: COLOR.noApp, mark: "dashed" },
    ],
    plot: (x, y, area) =>
      markers(marks, x, area) +
      bandSeries(withApp, x, y, COLOR.app) +
      bandSeries(without, x, y, COLOR.noApp, "6 4"),
  });
}

/** SEIR compartments and people in quarantine at the end of each day (with the app). */
export function compartmentsChart(
  runs: readonly SimulationResult[],
  marks: readonly InterventionMarker[] = [],
): string {
  const title = "Compartments (S, E, I, R) and people in quarantine at the end of each day, with the app";
  const daily = runs[0]?.daily ?? [];
  if (daily.length === 0) return renderEmptyChart("compartments", title, NO_DAYS);
  const series = (["susceptible", "exposed", "infectious", "recovered", "quarantined"] as const).map(
    (key) => ({
      key,
      band: dailyBand(runs, (r) => r.daily.map((d) => d[key] ?? Number.NaN)),
    }),
  );
  const names = {
    susceptible: "Susceptible",
    exposed: "Exposed",
    infectious: "Infectious",
    recovered: "Recovered",
    quarantined: "Quarantined",
  };
  const lastDay = daily.length - 1;
  return renderChart({
    id: "compartments",
    title,
    description:
      `On the last day: ${series.map((s) => `${names[s.key].toLowerCase()} ${formatCount(s.band.mean[lastDay] ?? Number.NaN)}`).join(", ")}.` +
      " Infectious counts pre-symptomatic, symptomatic and asymptomatic people." +
      replicatesNote(runs.length),
    x: dayAxis(daily),
    y: valueAxis("People", bandMax(...series.map((s) => s.band))),
    legend: series.map((s) => ({
      label: names[s.key],
      color: COLOR[s.key],
      mark: s.key === "quarantined" ? "dashed" : "line",
    })),
    plot: (x, y, area) =>
      markers(marks, x, area) +
      series
        .map((s) => bandSeries(s.band, x, y, COLOR[s.key], s.key === "quarantined" ? "6 4" : undefined))
        .join(""),
  });
}

/** Cohort reproduction number R_t by day of infection (censored cohorts left out), with R = 1. */
export function rtChart(
  runs: readonly SimulationResult[],
  marks: readonly InterventionMarker[] = [],
): string {
  const title = "Cohort reproduction number R_t by day of infection (with the app)";
  const daily = runs[0]?.daily ?? [];
  if (daily.length === 0) return renderEmptyChart("rt", title, NO_DAYS);
  const band = dailyBand(runs, (r) => {
    const out = new Array<number>(daily.length).fill(Number.NaN);
    for (const c of r.summary.epidemic?.Rt ?? []) if (c.R !== null && c.day < out.length) out[c.day] = c.R;
    return out;
  });
  if (!band.mean.some(Number.isFinite))
    return renderEmptyChart(
      "rt",
      title,
      "No complete cohort: every infected person still infectious at the end",
    );
  return renderChart({
    id: "rt",
    title,
    description:
      "Mean secondary infections of the people infected each day (Fraser 2007); cohorts with someone still infectious at the end are left out." +
      (runs.length >= 2
        ? ` Lines are means over the seeds whose cohort that day is non-empty and complete (up to ${runs.length}; a day with one such seed shows its value, without a band); shaded bands their 95% t intervals.`
        : ""),
    x: dayAxis(daily),
    y: valueAxis("R_t (secondary infections)", Math.max(1.5, bandMax(band))),
    legend: [
      { label: "R_t", color: COLOR.rt, mark: "line" },
      { label: "R = 1", color: COLOR.chance, mark: "dashed" },
    ],
    plot: (x, y, area) =>
      markers(marks, x, area) +
      // R = 1 across the run, and a dot per cohort (an isolated cohort has no line to a neighbour).
      seriesPath(
        [
          [0, 1],
          [daily.length - 1, 1],
        ],
        x,
        y,
        { class: "series thin", stroke: COLOR.chance, "stroke-dasharray": "6 4" },
      ) +
      bandSeries(band, x, y, COLOR.rt) +
      band.mean
        .map((v, d) =>
          Number.isFinite(v) ? el("circle", { cx: x(d), cy: y(v), r: 2.5, fill: COLOR.rt }) : "",
        )
        .join(""),
  });
}

/** The hospital series of {@link hospitalChart}, in legend order. */
const HOSPITAL_SERIES = [
  { key: "inHospital", label: "In hospital (end of day)", dash: undefined },
  { key: "hospitalised", label: "Admitted that day", dash: undefined },
  { key: "deaths", label: "Died that day", dash: "6 4" },
] as const;

/**
 * Hospital: people in hospital at the end of each day, admissions and deaths per day (the daily rows'
 * `inHospital`, `hospitalised` and `deaths`, with the app), with the intervention markers.
 */
export function hospitalChart(
  runs: readonly SimulationResult[],
  marks: readonly InterventionMarker[] = [],
): string {
  const title = "Hospital: people in hospital, admissions and deaths per day (with the app)";
  const daily = runs[0]?.daily ?? [];
  if (daily.length === 0) return renderEmptyChart("hospital", title, NO_DAYS);
  const bands = HOSPITAL_SERIES.map((s) => ({
    ...s,
    band: dailyBand(runs, (r) => r.daily.map((d) => d[s.key] ?? Number.NaN)),
  }));
  const [occupied, admitted, died] = bands.map((b) => b.band) as [DailyBand, DailyBand, DailyBand];
  const total = (b: DailyBand) => b.mean.reduce((a, v) => (Number.isFinite(v) ? a + v : a), 0);
  const peak = finiteMax(occupied.mean);
  const peakDay = occupied.mean.indexOf(peak);
  return renderChart({
    id: "hospital",
    title,
    description:
      `Over ${daily.length} days: admissions ${formatCount(total(admitted))}, deaths ${formatCount(total(died))}; ` +
      `at most ${formatCount(peak)} in hospital${peak > 0 ? `, first on day ${peakDay}` : ""}. ` +
      "Admission and death risks by age group (Verity et al. 2020; docs/epidemic-params.md); the hospitalised and the dead leave the community." +
      replicatesNote(runs.length),
    x: dayAxis(daily),
    y: valueAxis("People", bandMax(occupied, admitted, died)),
    legend: bands.map((b) => ({ label: b.label, color: COLOR[b.key], mark: b.dash ? "dashed" : "line" })),
    plot: (x, y, area) =>
      markers(marks, x, area) + bands.map((b) => bandSeries(b.band, x, y, COLOR[b.key], b.dash)).join(""),
  });
}

/** Bars of `values` stacked on `base` (both per day), `width` pixels wide. */
function dayBars(
  daily: readonly DayRow[],
  value: (d: DayRow) => number,
  base: (d: DayRow) => number,
  x: Scale,
  y: Scale,
  color: string,
): string {
  const width = Math.max(1, (x(1) - x(0)) * 0.8);
  return daily
    .filter((d) => value(d) > 0)
    .map((d) =>
      el("rect", {
        x: x(d.day) - width / 2,
        y: y(base(d) + value(d)),
        width,
        height: y(base(d)) - y(base(d) + value(d)),
        fill: color,
      }),
    )
    .join("");
}

/** Notifications per day: F1 and F2 as stacked bars, confirmed cases as a line with dots. */
export function notificationsChart(runs: readonly SimulationResult[]): string {
  const title = "Notifications per day (F1, F2) and confirmed cases";
  const daily = meanDaily(runs);
  if (daily.length === 0) return renderEmptyChart("notifications", title, NO_DAYS);
  const sum = (pick: (d: DayRow) => number) => daily.reduce((a, d) => a + pick(d), 0);
  const confirmed = series(daily, (d) => d.confirmed);
  return renderChart({
    id: "notifications",
    title,
    description:
      `Over ${daily.length} days: ${formatCount(sum((d) => d.notifiedF1))} F1 and ` +
      `${formatCount(sum((d) => d.notifiedF2))} F2 notifications, ` +
      `${formatCount(sum((d) => d.confirmed))} confirmed cases.` +
      replicatesNote(runs.length),
    x: dayAxis(daily),
    y: valueAxis(
      "People per day",
      finiteMax(daily.map((d) => Math.max(d.notifiedF1 + d.notifiedF2, d.confirmed))),
    ),
    legend: [
      { label: "Notified F1", color: COLOR.f1, mark: "box" },
      { label: "Notified F2", color: COLOR.f2, mark: "box" },
      { label: "Confirmed cases", color: COLOR.confirmed, mark: "line" },
    ],
    plot: (x, y) =>
      dayBars(
        daily,
        (d) => d.notifiedF1,
        () => 0,
        x,
        y,
        COLOR.f1,
      ) +
      dayBars(
        daily,
        (d) => d.notifiedF2,
        (d) => d.notifiedF1,
        x,
        y,
        COLOR.f2,
      ) +
      seriesPath(confirmed, x, y, { class: "series thin", stroke: COLOR.confirmed }) +
      confirmed
        .map(([d, v]) =>
          el("circle", { cx: x(d), cy: y(v), r: Math.min(2.5, (x(1) - x(0)) / 4), fill: COLOR.confirmed }),
        )
        .join(""),
  });
}

/** F1 quality as bars: precision, recall and traceable fraction, with OpenABM-Covid19's 0.8 for reference. */
export function f1Chart(runs: readonly SimulationResult[]): string {
  const s = runs[0]!.summary;
  const many = runs.length >= 2;
  const stat = (pick: (x: SimulationResult["summary"]) => number) =>
    replicateStat(
      runs.map((r) => pick(r.summary)),
      FIGURE_RANGES.share,
    );
  const interval = (st: ReturnType<typeof replicateStat>) =>
    Number.isFinite(st.low) ? `95% CI ${formatPercent(st.low)}–${formatPercent(st.high)}` : "";
  const bars = [
    {
      label: "Precision",
      st: stat((x) => x.f1Precision),
      detail: `${formatCount(s.f1TruePositives)} of ${formatCount(s.f1Notified)}`,
    },
    {
      label: "Recall",
      st: stat((x) => x.f1Recall),
      detail: `${formatCount(s.f1TruePositives)} of ${formatCount(s.groundTruthCloseContacts)}`,
    },
    { label: "Traceable fraction", st: stat((x) => x.traceableFraction), detail: "" },
  ].map((b) => ({ ...b, value: b.st.mean, detail: many ? "" : b.detail }));
  const describe = (i: number) => (many ? interval(bars[i]!.st) : bars[i]!.detail);
  return renderChart({
    id: "f1",
    title: "F1 notifications against the ground truth: precision, recall, traceable fraction",
    description:
      `Precision ${formatPercent(bars[0]!.value)} (${describe(0)}${many ? "" : " notified F1s were true close contacts"}); ` +
      `recall ${formatPercent(bars[1]!.value)} (${describe(1)}${many ? "" : " true close contacts notified"}); ` +
      `traceable fraction ${formatPercent(bars[2]!.value)} ` +
      `(OpenABM-Covid19 assumes ${formatPercent(OPENABM_TRACEABLE_FRACTION)}).` +
      (many ? ` Bars are means over ${runs.length} seeds, whiskers their 95% t intervals.` : ""),
    // Not "F1 measure": that reads as the F1 score. These are measures of the F1 (close-contact) notifications.
    x: bandAxis(
      "Quality of the F1 (close-contact) notifications",
      bars.map((b) => b.label),
    ),
    y: { label: "Share", domain: [0, 1], ticks: niceTicks(0, 1), format: percentTick },
    legend: [
      { label: many ? `Mean of ${runs.length} seeds` : "This run", color: COLOR.app, mark: "box" },
      { label: "OpenABM-Covid19 traceable fraction (80%)", color: COLOR.reference, mark: "dashed" },
    ],
    plot: (x, y, area) => {
      const width = (x(1) - x(0)) * 0.6;
      const ref = y(OPENABM_TRACEABLE_FRACTION);
      return (
        bars
          .map((b, i) => {
            const ok = Number.isFinite(b.value);
            const top = y(ok ? b.value : 0);
            const lines = ok ? [formatPercent(b.value), b.detail].filter(Boolean) : ["n/a"];
            // Inside the bar at its foot (clear of the reference line), above it when the bar is short.
            const inside = y(0) - top > 18 * lines.length + 8;
            const last = inside ? y(0) - 10 : top - 6;
            const whisker =
              many && Number.isFinite(b.st.low)
                ? el("line", {
                    x1: x(i),
                    x2: x(i),
                    y1: y(Math.max(0, b.st.low)),
                    y2: y(Math.min(1, b.st.high)),
                    stroke: COLOR.confirmed,
                    "stroke-width": 2,
                    class: "whisker",
                  })
                : "";
            return (
              (ok
                ? el("rect", { x: x(i) - width / 2, y: top, width, height: y(0) - top, fill: COLOR.app })
                : "") +
              whisker +
              lines
                .map((line, k) =>
                  text(x(i), last - 16 * (lines.length - 1 - k), line, {
                    class: inside ? "value inside" : "value",
                    "text-anchor": "middle",
                  }),
                )
                .join("")
            );
          })
          .join("") +
        el("line", {
          x1: area.left,
          x2: area.right,
          y1: ref,
          y2: ref,
          stroke: COLOR.reference,
          "stroke-width": 2,
          "stroke-dasharray": "6 4",
        })
      );
    },
  });
}

const DIAGONAL: [number, number][] = [
  [0, 0],
  [1, 1],
];

/** The proximity policy's ROC curve against ground truth, with the chance diagonal and the AUC. */
export function rocChart(runs: readonly SimulationResult[]): string {
  const title = "Proximity policy ROC: daily close seconds against true ≤ 2 m / 15 min contacts";
  const roc = runs[0]?.roc ?? [];
  if (roc.length === 0) return renderEmptyChart("roc", title, "No matched contacts: no ROC curve to draw");
  const many = runs.length >= 2;
  const auc = many
    ? replicateStat(runs.map((r) => r.summary.policyRocAuc)).mean
    : runs[0]!.summary.policyRocAuc;
  const unit: Axis = { label: "", domain: [0, 1], ticks: niceTicks(0, 1), format: percentTick };
  return renderChart({
    id: "roc",
    title,
    description: many
      ? `One curve per seed (${runs.length}); mean area under the curve ${formatNumber(auc, 3)}.`
      : `${roc.length} ROC points; area under the curve ${formatNumber(auc, 3)}.`,
    x: { ...unit, label: "False-positive rate" },
    y: { ...unit, label: "True-positive rate" },
    legend: [
      { label: `Policy (${many ? "mean " : ""}AUC ${formatNumber(auc, 3)})`, color: COLOR.roc, mark: "line" },
      { label: "Chance (AUC 0.5)", color: COLOR.chance, mark: "dashed" },
    ],
    plot: (x, y) =>
      seriesPath(DIAGONAL, x, y, { class: "series thin", stroke: COLOR.chance, "stroke-dasharray": "6 4" }) +
      runs
        .map((r) => seriesPath(r.roc, x, y, { class: many ? "series thin" : "series", stroke: COLOR.roc }))
        .join(""),
  });
}

/** All charts of one run or of replicates of it, keyed by their `data-chart` identifier. */
export function reportCharts(
  results: SimulationResult | readonly SimulationResult[],
): Record<ReportChartId, string> {
  const runs = Array.isArray(results)
    ? (results as readonly SimulationResult[])
    : [results as SimulationResult];
  const marks = interventionMarkers(runs[0]?.scenario);
  return {
    epidemic: epidemicChart(runs, marks),
    cumulative: cumulativeChart(runs, marks),
    compartments: compartmentsChart(runs, marks),
    rt: rtChart(runs, marks),
    hospital: hospitalChart(runs, marks),
    notifications: notificationsChart(runs),
    f1: f1Chart(runs),
    roc: rocChart(runs),
  };
}

/** Short visible captions of the charts (the SVGs carry the full accessible titles). */
export const REPORT_CHART_CAPTIONS: Record<ReportChartId, string> = {
  epidemic: "Epidemic curve",
  cumulative: "Cumulative infections",
  compartments: "Compartments and quarantine",
  rt: "Reproduction number R_t",
  hospital: "Hospital admissions, occupancy and deaths",
  notifications: "Notifications and confirmed cases",
  f1: "F1 precision and recall",
  roc: "Proximity policy ROC",
};
