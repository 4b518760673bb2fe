/**
 * The report's comparison with a public record (a scenario's `observed`, e.g. `"hanoi-2021"`): the
 * model's cohort R_t by day and pooled over the record's windows next to the R the reported growth
 * implies, and the model's daily confirmed cases next to the reported ones scaled to the run's
 * population. See docs/hanoi-2021.md for the scaling.
 */
import {
  HANOI_2021,
  hanoiWindows,
  observedDaily,
  observedImpliedR,
  type RecordWindow,
  windowRt,
} from "./observed";
import { bandSeries, dayAxis, interventionMarkers, markers } from "./report-charts";
import { escapeHtml, formatNumber } from "./report-format";
import { dailyBand } from "./replicates";
import { el, renderChart, seriesPath, valueAxis } from "./report-svg";
import type { SimulationResult } from "../run";

const COLOR = { model: "#1b1f24", record: "#d2561e", band: "#2e8b57", window: "#1f5fbf" } as const;

/** One window of the comparison, pooled over the runs. */
export interface ObservedWindowRow extends RecordWindow {
  /** Cohort R pooled over the runs (Σ secondary / Σ cases), NaN without cases. */
  R: number;
  /** Lowest and highest R of a single run (NaN without cases). */
  Rmin: number;
  Rmax: number;
  /** Cases behind R, summed over the runs. */
  cases: number;
  /** Model confirmed cases per day over the window, mean over the runs. */
  confirmedPerDay: number;
  /** The reported cases per day × population / the record's population. */
  observedScaled?: number;
}

/** The comparison table's rows for `runs` (replicates of one scenario with `observed` set). */
export function observedWindows(runs: readonly SimulationResult[]): ObservedWindowRow[] {
  const scenario = runs[0]?.scenario;
  if (!scenario) return [];
  const windows = hanoiWindows(scenario);
  const perRun = runs.map((r) => ({
    rows: windowRt(r.infections, windows, scenario.days),
    confirmed: r.daily.map((d) => d.confirmed),
  }));
  const scale = scenario.population / HANOI_2021.population;
  return windows.map((w, i) => {
    const rs = perRun.map((p) => p.rows[i]!);
    const cases = rs.reduce((a, r) => a + r.cases, 0);
    const secondary = rs.reduce((a, r) => a + r.secondary, 0);
    const single = rs.filter((r) => r.cases > 0).map((r) => r.R);
    return {
      ...w,
      R: cases > 0 ? secondary / cases : Number.NaN,
      Rmin: single.length > 0 ? Math.min(...single) : Number.NaN,
      Rmax: single.length > 0 ? Math.max(...single) : Number.NaN,
      cases,
      confirmedPerDay: perRun.reduce((a, p, j) => a + rs[j]!.confirmedPerDay(p.confirmed), 0) / runs.length,
      ...(w.observedPerDay === undefined ? {} : { observedScaled: w.observedPerDay * scale }),
    };
  });
}

/** Model R_t (by day and pooled per window) against the R implied by the reported growth. */
function rtComparisonChart(runs: readonly SimulationResult[], rows: readonly ObservedWindowRow[]): string {
  const scenario = runs[0]!.scenario!;
  const daily = runs[0]!.daily;
  const band = dailyBand(runs, (r) => {
    const out = new Array<number>(daily.length).fill(Number.NaN);
    for (const c of r.summary.epidemic?.Rt ?? []) if (c.R !== null && c.day < out.length) out[c.day] = c.R;
    return out;
  });
  const implied = observedImpliedR(scenario).filter((s) => s.to >= 0 && s.from < daily.length);
  const top = Math.min(4, Math.max(1.6, ...rows.map((r) => r.R).filter(Number.isFinite)));
  const clip = (v: number) => Math.min(top, v);
  const marks = interventionMarkers(scenario);
  return renderChart({
    id: "observed-rt",
    title: `R_t: model against ${HANOI_2021.place}'s reported growth`,
    description:
      `Model: cohort R_t by day of infection (thin${runs.length > 1 ? ", mean over the seeds with a complete cohort that day" : ""}) and pooled over each window of the record (thick). ` +
      "Record: R implied by the growth of reported cases between consecutive periods (Wallinga & Lipsitch 2007, generation interval 5.0 ± 1.9 d), " +
      "by reporting date, so about a week after the infections it describes. Shaded: 0.8–1.2.",
    x: dayAxis(daily),
    y: valueAxis("R", top),
    legend: [
      { label: "Model R_t (cohort, by day)", color: COLOR.model, mark: "line" },
      { label: "Model R per window", color: COLOR.window, mark: "line" },
      { label: "Implied by reported cases", color: COLOR.record, mark: "dashed" },
    ],
    plot: (x, y, area) =>
      el("rect", {
        x: area.left,
        width: area.right - area.left,
        y: y(1.2),
        height: y(0.8) - y(1.2),
        fill: COLOR.band,
        "fill-opacity": 0.12,
      }) +
      markers(marks, x, area) +
      bandSeries(
        { ...band, mean: band.mean.map(clip), low: band.low.map(clip), high: band.high.map(clip) },
        x,
        y,
        COLOR.model,
      ) +
      rows
        .filter((r) => Number.isFinite(r.R))
        .map((r) =>
          seriesPath(
            [
              [r.from - 0.5, clip(r.R)],
              [r.to + 0.5, clip(r.R)],
            ],
            x,
            y,
            { class: "series", stroke: COLOR.window, "stroke-width": 4 },
          ),
        )
        .join("") +
      implied
        .map((s) =>
          seriesPath(
            [
              [Math.max(-0.5, s.from), clip(s.R)],
              [Math.min(daily.length - 0.5, s.to), clip(s.R)],
            ],
            x,
            y,
            { class: "series", stroke: COLOR.record, "stroke-dasharray": "6 4" },
          ),
        )
        .join(""),
  });
}

/** Model confirmed cases per day against the reported ones scaled to the run's population. */
function confirmedComparisonChart(
  runs: readonly SimulationResult[],
  rows: readonly ObservedWindowRow[],
): string {
  const scenario = runs[0]!.scenario!;
  const daily = runs[0]!.daily;
  const band = dailyBand(runs, (r) => r.daily.map((d) => d.confirmed));
  const share = scenario.population / HANOI_2021.population;
  const ref = rows.find((r) => r.name === "d16-1");
  const k = ref?.observedScaled ? ref.confirmedPerDay / ref.observedScaled : Number.NaN;
  const factor = Number.isFinite(k) && k > 0 ? k : 1;
  const observed = observedDaily(scenario, share * factor);
  const top = Math.max(
    1,
    ...band.mean.filter(Number.isFinite),
    ...observed.filter((v): v is number => v !== undefined),
  );
  const segments: [number, number][][] = [];
  let current: [number, number][] = [];
  observed.forEach((v, d) => {
    if (v === undefined) {
      if (current.length > 0) segments.push(current);
      current = [];
    } else current.push([d - 0.5, v], [d + 0.5, v]);
  });
  if (current.length > 0) segments.push(current);
  return renderChart({
    id: "observed-confirmed",
    title: `Confirmed cases per day: model against ${HANOI_2021.place}'s reported cases`,
    description:
      `Record: reported cases per day × ${formatNumber(share * 1e3, 3)}‰ (the run's ${scenario.population.toLocaleString("en-US")} people over ${HANOI_2021.population.toLocaleString("en-US")}) ` +
      `× ${formatNumber(factor, 1)} (the model's incidence over Hanoi's per person in the first two weeks of Directive 16), so the shapes can be compared.`,
    x: dayAxis(daily),
    y: valueAxis("Confirmed cases per day", top),
    legend: [
      { label: "Model confirmed", color: COLOR.model, mark: "line" },
      {
        label: `Reported × population share × ${formatNumber(factor, 1)}`,
        color: COLOR.record,
        mark: "dashed",
      },
    ],
    plot: (x, y, area) =>
      markers(interventionMarkers(scenario), x, area) +
      bandSeries(band, x, y, COLOR.model) +
      segments
        .map((s) => seriesPath(s, x, y, { class: "series", stroke: COLOR.record, "stroke-dasharray": "6 4" }))
        .join(""),
  });
}

/** The comparison section of the report, or `""` when the scenario names no public record. */
export function observedSection(runs: readonly SimulationResult[]): string {
  const scenario = runs[0]?.scenario;
  if (!scenario?.observed || runs[0]!.daily.length === 0) return "";
  const rows = observedWindows(runs);
  const dateOf = (day: number) =>
    new Date(Date.parse(`${scenario.startDate}T00:00:00Z`) + day * 86_400_000).toISOString().slice(5, 10);
  const r2 = (v: number) => (Number.isFinite(v) ? formatNumber(v, 2) : "n/a");
  const table = rows
    .map(
      (r) =>
        `<tr><th scope="row">${escapeHtml(r.label)}</th><td>${dateOf(r.from)} – ${dateOf(r.to)}</td>` +
        `<td>${r2(r.R)}${runs.length > 1 ? ` (${r2(r.Rmin)}–${r2(r.Rmax)})` : ""}</td><td>${r.cases}</td>` +
        `<td>${formatNumber(r.confirmedPerDay, 1)}</td>` +
        `<td>${r.observedPerDay ?? "n/a"}</td><td>${r.observedScaled === undefined ? "n/a" : formatNumber(r.observedScaled, 2)}</td></tr>`,
    )
    .join("\n");
  return `<section aria-labelledby="observed">
<h2 id="observed">Compared with the public record: ${escapeHtml(HANOI_2021.place)} 2021</h2>
<p>Reported cases from the press (data/hanoi-2021/reported-cases.json, sources named there). R is the cohort reproduction number of the people infected in each window (${runs.length > 1 ? `pooled over ${runs.length} seeds, single seeds' range in brackets` : "one seed"}), over the days whose cohorts had all stopped being infectious by the run's end (n/a when none had: their transmissions are not all in the run), and "Cohort" counts those people; the record's windows are by reporting date, about a week after infection.</p>
<table>
<thead><tr><th scope="col">Window</th><th scope="col">Days (infection)</th><th scope="col">Model R</th><th scope="col">Cohort</th><th scope="col">Model confirmed / day</th><th scope="col">Reported / day (${escapeHtml(HANOI_2021.place)})</th><th scope="col">Reported × population share</th></tr></thead>
<tbody>
${table}
</tbody>
</table>
<div class="charts">
<figure><figcaption>R_t against the record</figcaption>
${rtComparisonChart(runs, rows)}
</figure>
<figure><figcaption>Confirmed cases against the record</figcaption>
${confirmedComparisonChart(runs, rows)}
</figure>
</div>
</section>`;
}
