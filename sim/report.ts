/**
 * The simulation report: `summary.json`, `daily.csv`, `roc.csv`, `detection.csv`, `infections.csv` and a self-contained `report.html`
 * (inline CSS and SVG charts; no scripts, fonts or network requests) from a {@link SimulationResult}.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  OPENABM_TRACEABLE_FRACTION,
  REPORT_CHART_CAPTIONS,
  REPORT_CHARTS,
  reportCharts,
} from "./report-charts";
import { infectionsCsv } from "./epidemic-metrics";
import { dailyCsv, detectionCsv, rocCsv } from "./report-csv";
import { escapeHtml, formatCount, formatNumber, formatPercent, MISSING } from "./report-format";
import type { SimulationResult, SimulationSummary } from "./run";

export { DAILY_COLUMNS, dailyCsv, detectionCsv, rocCsv } from "./report-csv";

/** Names of the files {@link writeReport} writes, in order. */
export const REPORT_FILES = [
  "summary.json",
  "daily.csv",
  "roc.csv",
  "detection.csv",
  "infections.csv",
  "report.html",
] as const;

/** `summary.json`: the summary as pretty JSON, undefined (NaN) figures as `null`. */
export function summaryJson(summary: SimulationSummary): string {
  // JSON.stringify writes non-finite numbers as null.
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/** One headline row: label, value and an explanatory note (all plain text, escaped on output). */
export interface HeadlineRow {
  /** What the figure is. */
  label: string;
  /** The figure, formatted. */
  value: string;
  /** How to read it. */
  note: string;
}

const days = (n: number) => (Number.isFinite(n) ? `${formatNumber(n, 1)} d` : MISSING);

/** The headline figures of a summary, in table order. */
export function headlineRows(s: SimulationSummary): HeadlineRow[] {
  const avertedShare = s.infectionsWithoutApp > 0 ? s.infectionsAverted / s.infectionsWithoutApp : Number.NaN;
  return [
    {
      label: "Ground-truth close contacts",
      value: formatCount(s.groundTruthCloseContacts),
      note: "App users within 2 m for ≥ 15 min in a day with a case who published keys for that day",
    },
    {
      label: "Contact detection",
      value: `${formatPercent(s.detection.sensitivity)} caught`,
      note: `${formatCount(s.detection.detected)} of ${formatCount(s.detection.trueCloseContacts)} true close contact-days between app users (each direction), ${formatCount(s.detection.falseAlarms)} false alarms (precision ${formatPercent(s.detection.precision)})`,
    },
    {
      label: "F1 notified",
      value: formatCount(s.f1Notified),
      note: `${formatCount(s.f1TruePositives)} of them true close contacts; ${formatCount(s.f2Notified)} notified F2`,
    },
    {
      label: "F1 precision",
      value: formatPercent(s.f1Precision),
      note: "Share of people notified F1 who were truly close to a case whose key notified them",
    },
    {
      label: "F1 recall",
      value: formatPercent(s.f1Recall),
      note: "Share of true close contacts notified F1",
    },
    {
      label: "Traceable fraction",
      value: formatPercent(s.traceableFraction),
      note: `Close-contact days the app judged close; OpenABM-Covid19 assumes ${formatPercent(OPENABM_TRACEABLE_FRACTION)}`,
    },
    {
      label: "Notification delay",
      value: `mean ${days(s.notificationDelayDays.mean)}, median ${days(s.notificationDelayDays.median)}`,
      note: "From the last true contact to the F1 notification",
    },
    { label: "Infections with the app", value: formatCount(s.infections), note: `Over ${s.days} days` },
    {
      label: "Infections without the app",
      value: formatCount(s.infectionsWithoutApp),
      note: Number.isFinite(s.infectionsWithoutApp)
        ? "Same world and seed, no app"
        : "Counterfactual not run",
    },
    {
      label: "Infections averted",
      value: formatCount(s.infectionsAverted),
      note: Number.isFinite(avertedShare)
        ? `${formatPercent(avertedShare)} of infections without the app`
        : "",
    },
    {
      label: "Keys published",
      value: formatCount(s.keysPublished),
      note: `In ${formatCount(s.batches)} daily batches`,
    },
    {
      label: "Sightings logged",
      value: formatCount(s.sightingsLogged),
      note: "Scan instances logged by all phones",
    },
    {
      label: "Policy ROC-AUC",
      value: formatNumber(s.policyRocAuc, 3),
      note: "Daily close seconds against true ≤ 2 m / 15 min contact days",
    },
  ];
}

const STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: #fff; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; border-bottom: 1px solid var(--line); }
h1 { font-size: 24px; margin: 0 0 6px; }
h2 { font-size: 18px; margin: 24px 0 10px; }
.run { display: flex; flex-wrap: wrap; gap: 6px 24px; margin: 0 0 14px; padding: 0; }
.run div { display: flex; gap: 6px; }
.run dt { color: var(--muted); }
.run dd { margin: 0; font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--bg); font-size: 13px; color: var(--muted); }
th[scope="row"] { width: 26%; }
th.value, td.value { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; white-space: nowrap; }
td.note { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 20px; }
figure { margin: 0; padding: 12px; border: 1px solid var(--line); border-radius: 6px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { display: block; width: 100%; height: auto; font-size: 12px; fill: var(--ink); }
svg.chart .grid line, svg.chart line.grid { stroke: #eaeef2; }
svg.chart .axis-line, svg.chart .tick { stroke: #8c959f; }
svg.chart .axis-label { font-size: 13px; fill: var(--muted); }
svg.chart .series { fill: none; stroke-width: 2.5; stroke-linejoin: round; stroke-linecap: round; }
svg.chart .series.thin { stroke-width: 1.5; }
svg.chart .value { font-size: 12px; font-weight: 600; }
svg.chart .value.inside { fill: #fff; }
svg.chart .empty-frame { fill: var(--bg); stroke: var(--line); stroke-dasharray: 4 4; }
svg.chart .note { font-size: 15px; fill: var(--muted); }
footer { color: var(--muted); font-size: 13px; padding-top: 16px; padding-bottom: 24px; }
`;

function runFacts(s: SimulationSummary): string {
  const facts: [string, string][] = [
    ["Scenario", s.scenario],
    ["Phones", formatCount(s.phones)],
    ["App users", formatCount(s.appUsers)],
    ["Days", formatCount(s.days)],
    ["Seed", String(s.seed)],
  ];
  return `<dl class="run">${facts
    .map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`)
    .join("")}</dl>`;
}

function headlineTable(s: SimulationSummary): string {
  const rows = headlineRows(s)
    .map(
      (r) =>
        `<tr><th scope="row">${escapeHtml(r.label)}</th><td class="value">${escapeHtml(r.value)}</td>` +
        `<td class="note">${escapeHtml(r.note)}</td></tr>`,
    )
    .join("\n");
  return (
    '<table aria-label="Headline figures"><thead><tr><th scope="col">Figure</th><th scope="col" class="value">Value</th>' +
    `<th scope="col">Note</th></tr></thead><tbody>\n${rows}\n</tbody></table>`
  );
}

/**
 * The report page: a header with the run (scenario, phones, app users, days, seed), the headline
 * figures, and four inline SVG charts (`data-chart` = `epidemic`, `notifications`, `f1`, `roc`).
 * Self-contained: no scripts, external styles, fonts or images; a content security policy forbids
 * any network access. All text from the result is escaped.
 */
export function renderReportHtml(result: SimulationResult): string {
  const s = result.summary;
  const charts = reportCharts(result);
  const figures = REPORT_CHARTS.map(
    (id) =>
      `<figure><figcaption>${escapeHtml(REPORT_CHART_CAPTIONS[id])}</figcaption>\n${charts[id]}\n</figure>`,
  ).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`bluezone simulation report: ${s.scenario}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>bluezone simulation report: ${escapeHtml(s.scenario)}</h1>
${runFacts(s)}
</header>
<main>
<section aria-labelledby="headline">
<h2 id="headline">Headline figures</h2>
${headlineTable(s)}
</section>
<section aria-labelledby="charts-title">
<h2 id="charts-title">Charts</h2>
<div class="charts">
${figures}
</div>
</section>
</main>
<footer>Data next to this page: summary.json, daily.csv (one row per day), roc.csv (fpr, tpr), detection.csv (contact detection by setting, carriage and distance), infections.csv (the line list).</footer>
</body>
</html>
`;
}

/**
 * Writes the report of `result` into `outDir` (created if missing): `summary.json`, `daily.csv`,
 * `roc.csv`, `detection.csv`, `infections.csv` and `report.html`. Returns the paths written, in that order.
 */
export function writeReport(result: SimulationResult, outDir: string): { files: string[] } {
  mkdirSync(outDir, { recursive: true });
  const contents: Record<(typeof REPORT_FILES)[number], string> = {
    "summary.json": summaryJson(result.summary),
    "daily.csv": dailyCsv(result.daily),
    "roc.csv": rocCsv(result.roc),
    "detection.csv": detectionCsv(result.summary.detection),
    "infections.csv": infectionsCsv(result.infections),
    "report.html": renderReportHtml(result),
  };
  const files = REPORT_FILES.map((name) => {
    const path = join(outDir, name);
    writeFileSync(path, contents[name]);
    return path;
  });
  return { files };
}
