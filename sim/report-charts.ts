/**
 * The four charts of the simulation report, drawn from a {@link SimulationResult} only: the epidemic
 * curve with and without the app, notifications per day, F1 precision / recall, and the proximity
 * policy's ROC curve against the ground truth.
 */
import { formatCount, formatNumber, formatPercent } from "./report-format";
import {
  type Axis,
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
} from "./report-svg";
import type { DayRow, SimulationResult, SimulationSummary } from "./run";

/** Stable `data-chart` identifiers of the report's charts, in page order. */
export const REPORT_CHARTS = ["epidemic", "notifications", "f1", "roc"] as const;

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
} as const;

/** OpenABM-Covid19's assumed traceable fraction, drawn for reference. */
export const OPENABM_TRACEABLE_FRACTION = 0.8;

const percentTick = (v: number) => `${Math.round(v * 100)}%`;

/** The day axis: one band per day, integer ticks. */
function dayAxis(daily: readonly DayRow[]): Axis {
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

/** Epidemic curve: daily new infections with the app (solid) and without it (dashed). */
export function epidemicChart(daily: readonly DayRow[]): string {
  const title = "Epidemic curve: daily new infections with and without the app";
  if (daily.length === 0) return renderEmptyChart("epidemic", title, NO_DAYS);
  const withApp = series(daily, (d) => d.infections);
  const without = series(daily, (d) => d.infectionsWithoutApp);
  const hasWithout = without.some(([, v]) => Number.isFinite(v));
  const legend: LegendItem[] = [
    { label: "With the app", color: COLOR.app, mark: "line" },
    {
      label: hasWithout ? "Without the app" : "Without the app (not run)",
      color: COLOR.noApp,
      mark: "dashed",
    },
  ];
  const total = (s: [number, number][]) => s.reduce((a, [, v]) => a + v, 0);
  return renderChart({
    id: "epidemic",
    title,
    description:
      `${daily.length} days. Infections with the app: ${formatCount(total(withApp))}; ` +
      `without the app: ${hasWithout ? formatCount(total(without)) : "not run"}.`,
    x: dayAxis(daily),
    y: valueAxis("New infections per day", finiteMax([...withApp, ...without].map(([, v]) => v))),
    legend,
    plot: (x, y) =>
      // Dashed on top: where the arms coincide (before the app acts) both colours stay visible.
      seriesPath(withApp, x, y, { class: "series", stroke: COLOR.app }) +
      seriesPath(without, x, y, {
        class: "series",
        stroke: COLOR.noApp,
        "stroke-dasharray": "6 4",
      }),
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
export function notificationsChart(daily: readonly DayRow[]): string {
  const title = "Notifications per day (F1, F2) and confirmed cases";
  if (daily.length === 0) return renderEmptyChart("notifications", title, NO_DAYS);
  const sum = (pick: (d: DayRow) => number) => daily.reduce((a, d) => a + pick(d), 0);
  const confirmed = series(daily, (d) => d.confirmed);
  return renderChart({
    id: "notifications",
    title,
    description:
      `Over ${daily.length} days: ${formatCount(sum((d) => d.notifiedF1))} F1 and ` +
      `${formatCount(sum((d) => d.notifiedF2))} F2 notifications, ` +
      `${formatCount(sum((d) => d.confirmed))} confirmed cases.`,
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
export function f1Chart(s: SimulationSummary): string {
  const bars = [
    {
      label: "Precision",
      value: s.f1Precision,
      detail: `${formatCount(s.f1TruePositives)} of ${formatCount(s.f1Notified)}`,
    },
    {
      label: "Recall",
      value: s.f1Recall,
      detail: `${formatCount(s.f1TruePositives)} of ${formatCount(s.groundTruthCloseContacts)}`,
    },
    { label: "Traceable fraction", value: s.traceableFraction, detail: "" },
  ];
  return renderChart({
    id: "f1",
    title: "F1 notifications against the ground truth: precision, recall, traceable fraction",
    description:
      `Precision ${formatPercent(s.f1Precision)} (${bars[0]!.detail} notified F1s were true close contacts); ` +
      `recall ${formatPercent(s.f1Recall)} (${bars[1]!.detail} true close contacts notified); ` +
      `traceable fraction ${formatPercent(s.traceableFraction)} ` +
      `(OpenABM-Covid19 assumes ${formatPercent(OPENABM_TRACEABLE_FRACTION)}).`,
    x: bandAxis(
      "F1 measure",
      bars.map((b) => b.label),
    ),
    y: { label: "Share", domain: [0, 1], ticks: niceTicks(0, 1), format: percentTick },
    legend: [
      { label: "This run", color: COLOR.app, mark: "box" },
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
            return (
              (ok
                ? el("rect", { x: x(i) - width / 2, y: top, width, height: y(0) - top, fill: COLOR.app })
                : "") +
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
export function rocChart(roc: readonly [number, number][], auc: number): string {
  const title = "Proximity policy ROC: daily close seconds against true ≤ 2 m / 15 min contacts";
  if (roc.length === 0) return renderEmptyChart("roc", title, "No matched contacts: no ROC curve to draw");
  const unit: Axis = { label: "", domain: [0, 1], ticks: niceTicks(0, 1), format: percentTick };
  return renderChart({
    id: "roc",
    title,
    description: `${roc.length} ROC points; area under the curve ${formatNumber(auc, 3)}.`,
    x: { ...unit, label: "False-positive rate" },
    y: { ...unit, label: "True-positive rate" },
    legend: [
      { label: `Policy (AUC ${formatNumber(auc, 3)})`, color: COLOR.roc, mark: "line" },
      { label: "Chance (AUC 0.5)", color: COLOR.chance, mark: "dashed" },
    ],
    plot: (x, y) =>
      seriesPath(DIAGONAL, x, y, { class: "series thin", stroke: COLOR.chance, "stroke-dasharray": "6 4" }) +
      seriesPath(roc, x, y, { class: "series", stroke: COLOR.roc }),
  });
}

/** All four charts of a result, keyed by their `data-chart` identifier. */
export function reportCharts(result: SimulationResult): Record<ReportChartId, string> {
  return {
    epidemic: epidemicChart(result.daily),
    notifications: notificationsChart(result.daily),
    f1: f1Chart(result.summary),
    roc: rocChart(result.roc, result.summary.policyRocAuc),
  };
}

/** Short visible captions of the charts (the SVGs carry the full accessible titles). */
export const REPORT_CHART_CAPTIONS: Record<ReportChartId, string> = {
  epidemic: "Epidemic curve",
  notifications: "Notifications and confirmed cases",
  f1: "F1 precision and recall",
  roc: "Proximity policy ROC",
};
