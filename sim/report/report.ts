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
import { formatFigure, HEADLINE_FIGURES } from "./figures";
import { observedSection } from "./report-observed";
import { type ReplicateSummary, summariseReplicates } from "./replicates";
import { dailyCsv, detectionCsv, infectionsCsv, rocCsv } from "./report-csv";
import { escapeHtml, formatCount, formatNumber, formatPercent, htmlPage, MISSING } from "./report-format";
import type { SimulationResult, SimulationSummary } from "../run";
import { resolveEpidemicParams, type Scenario } from "../scenario";

export {
  DAILY_COLUMNS,
  dailyCsv,
  detectionCsv,
  INFECTION_COLUMNS,
  infectionsCsv,
  rocCsv,
} from "./report-csv";

/**
 * Names of the files {@link writeReport} writes, in order.
 * @public
 */
export const REPORT_FILES = [
  "summary.json",
  "daily.csv",
  "roc.csv",
  "detection.csv",
  "infections.csv",
  "report.html",
] as const;

/**
 * `summary.json`: the summary as pretty JSON, undefined (NaN) figures as `null`.
 * @public
 */
export function summaryJson(summary: SimulationSummary): string {
  // JSON.stringify writes non-finite numbers as null.
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/**
 * One headline row: label, value and an explanatory note (all plain text, escaped on output).
 * @public
 */
export interface HeadlineRow {
  /** What the figure is. */
  label: string;
  /** The figure, formatted. */
  value: string;
  /** How to read it. */
  note: string;
}

const days = (n: number) => (Number.isFinite(n) ? `${formatNumber(n, 1)} d` : MISSING);

/**
 * The headline figures of a summary, in table order.
 * @public
 */
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
      label: "Hospitalisations and deaths",
      value: `${formatCount(s.clinical.hospitalisations)} / ${formatCount(s.clinical.deaths)}`,
      note: `By the end of the run, with the app; ${formatCount(s.clinical.eventualDeaths)} deaths in all of the run's infections (severity by age, Verity et al. 2020)`,
    },
    {
      label: "PCR tests",
      value: formatCount(s.testing.tests),
      note: `Samples of mass testing and F1 tests in ${formatCount(s.testing.pcrReactions)} reactions; ${formatCount(s.testing.falsePositives)} of ${formatCount(s.testing.confirmed)} confirmed cases falsely positive`,
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
svg.chart .marker-label { font-size: 11px; fill: #57606a; }
.settings { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 12px 24px; }
.settings table { font-size: 14px; }
.settings h3 { font-size: 15px; margin: 8px 0 4px; }
footer { color: var(--muted); font-size: 13px; padding-top: 16px; padding-bottom: 24px; }
`;

function runFacts(runs: readonly SimulationResult[]): string {
  const s = runs[0]!.summary;
  const seeds = runs.map((r) => r.summary.seed);
  const facts: [string, string][] = [
    ["Scenario", s.scenario],
    ["Phones", formatCount(s.phones)],
    ["App users", formatCount(s.appUsers)],
    ["Days", formatCount(s.days)],
    runs.length > 1
      ? ["Seeds", `${seeds[0]}–${seeds[seeds.length - 1]} (${runs.length} replicates)`]
      : ["Seed", String(s.seed)],
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

/** Headline figures over replicates: mean, 95 % t interval, SD and what the figure means. */
function replicateTable(summary: ReplicateSummary): string {
  const rows = HEADLINE_FIGURES.map((f) => {
    const st = summary.figures[f.key]!;
    const ci = Number.isFinite(st.low)
      ? `${formatFigure(f.kind, st.low)} to ${formatFigure(f.kind, st.high)}`
      : MISSING;
    return (
      `<tr><th scope="row">${escapeHtml(f.label)}</th><td class="value">${escapeHtml(formatFigure(f.kind, st.mean))}</td>` +
      `<td class="value">${escapeHtml(ci)}</td><td class="value">${escapeHtml(formatFigure(f.kind, st.sd))}</td>` +
      `<td class="note">${escapeHtml(`${f.meaning}${st.n < summary.seeds.length ? ` (defined in ${st.n} of ${summary.seeds.length} seeds)` : ""}`)}</td></tr>`
    );
  }).join("\n");
  return (
    `<p>Means over ${summary.seeds.length} seeds (${summary.seeds.join(", ")}); 95% CI: t interval of the mean, mean ± t(0.975, n−1)·SD/√n. ` +
    "Infections averted are paired: each seed ran the same world with and without the app.</p>" +
    '<table aria-label="Headline figures"><thead><tr><th scope="col">Figure</th><th scope="col" class="value">Mean</th>' +
    '<th scope="col" class="value">95% CI</th><th scope="col" class="value">SD</th><th scope="col">Meaning</th></tr></thead>' +
    `<tbody>\n${rows}\n</tbody></table>`
  );
}

/** "0.000703" stays, "2.300" → "2.3", "10" stays. */
const trimZeros = (t: string) => (t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t);

const pct = (x: number) => `${formatNumber(100 * x, 1)}%`;

/** A two-column table of settings. */
function settingsTable(title: string, rows: readonly [string, string][]): string {
  return (
    `<div><h3>${escapeHtml(title)}</h3><table><tbody>` +
    rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("") +
    "</tbody></table></div>"
  );
}

/** What an intervention does, in words, from its fields other than kind and dates. */
function interventionDetails(iv: Scenario["interventions"][number]): string {
  const value = (v: unknown): string =>
    Array.isArray(v)
      ? v.join("+")
      : v !== null && typeof v === "object"
        ? `(${Object.entries(v)
            .map(([k, x]) => `${k} ${value(x)}`)
            .join(", ")})`
        : String(v);
  return Object.entries(iv)
    .filter(([k]) => k !== "kind" && k !== "from" && k !== "to")
    .map(([k, v]) => `${k} ${value(v)}`)
    .join(", ");
}

/**
 * The run's settings: population and dates, app adoption and response (with the contact policy), the
 * interventions with their dates, and the epidemic parameters (with the index cases).
 * @public
 */
export function settingsSection(scenario: Scenario): string {
  const app = scenario.app;
  const r = app.response;
  const byAge =
    app.byAgeGroup && Object.keys(app.byAgeGroup).length > 0
      ? ` (by age group: ${Object.entries(app.byAgeGroup)
          .map(([g, a]) => `${g} ${pct(a)}`)
          .join(", ")})`
      : "";
  const params = resolveEpidemicParams(scenario);
  const run: [string, string][] = [
    [
      "Start date",
      `${scenario.startDate} (UTC${scenario.utcOffsetHours >= 0 ? "+" : ""}${scenario.utcOffsetHours})`,
    ],
    ["Days", String(scenario.days)],
    ["Population", formatCount(scenario.population)],
    ["Wards", scenario.wards.map((w) => w.name).join(", ")],
    [
      "Index cases",
      `${formatCount(params.initialInfected)} infected at random times in the 3 days before day 0 (epidemic.initialInfected; not scaled with --phones)`,
    ],
  ];
  const appRows: [string, string][] = [
    ["Adoption", `${pct(app.adoption)}${byAge}`],
    ["Contact policy", r.policy],
    ["Upload consent", pct(r.uploadConsent)],
    ["Upload to publication", `${r.uploadDelayDays} d`],
    ["F1 quarantine", `${pct(r.quarantineCompliance)} comply, ${r.quarantineDays} d`],
    ["F1 keys published (F2 alerts)", r.publishF1Keys ? "yes" : "no"],
    ["F2 stay home", `${pct(r.f2StayHomeShare)}, ${r.f2Days} d`],
  ];
  const interventions: [string, string][] =
    scenario.interventions.length === 0
      ? [["(none)", "no interventions"]]
      : scenario.interventions.map((iv) => [
          `${iv.kind}`,
          `${iv.from} to ${iv.to ?? "end"}: ${interventionDetails(iv)}`,
        ]);
  const num = (v: number) => trimZeros(formatNumber(v, Math.abs(v) < 0.01 ? 6 : 3));
  const epidemic: [string, string][] = Object.entries(params).map(([k, v]) => [
    k,
    typeof v === "number"
      ? num(v)
      : v !== null && typeof v === "object"
        ? Object.entries(v)
            .map(([g, x]) => `${g} ${typeof x === "number" ? num(x) : String(x)}`)
            .join(", ")
        : String(v),
  ]);
  if (scenario.epidemic.variant) epidemic.unshift(["variant", scenario.epidemic.variant]);
  if (scenario.epidemic.betaMultiplier !== undefined)
    epidemic.unshift(["betaMultiplier (applied to beta)", String(scenario.epidemic.betaMultiplier)]);
  return (
    '<section aria-labelledby="settings"><h2 id="settings">Run settings</h2><div class="settings">' +
    settingsTable("Population and time", run) +
    settingsTable("App", appRows) +
    settingsTable("Interventions (dates inclusive)", interventions) +
    settingsTable("Epidemic parameters", epidemic) +
    "</div></section>"
  );
}

/**
 * The report page: a header with the run (scenario, phones, app users, days, seed), the headline
 * figures, the inline SVG charts of `REPORT_CHARTS` (`data-chart` = `epidemic`, `cumulative`,
 * `compartments`, `rt`, `hospital`, `notifications`, `f1`, `roc`), the comparison with a public record
 * when the scenario names one, and the run's settings.
 * Self-contained: no scripts, external styles, fonts or images; a content security policy forbids
 * any network access. All text from the result is escaped.
 * @public
 */
export function renderReportHtml(input: SimulationResult | readonly SimulationResult[]): string {
  const runs = Array.isArray(input) ? (input as readonly SimulationResult[]) : [input as SimulationResult];
  const s = runs[0]!.summary;
  const charts = reportCharts(runs);
  const scenario = runs[0]!.scenario;
  const figures = REPORT_CHARTS.map(
    (id) =>
      `<figure><figcaption>${escapeHtml(REPORT_CHART_CAPTIONS[id])}</figcaption>\n${charts[id]}\n</figure>`,
  ).join("\n");
  return htmlPage(
    `bluezone simulation report: ${s.scenario}`,
    STYLE,
    `<header>
<h1>bluezone simulation report: ${escapeHtml(s.scenario)}</h1>
${runFacts(runs)}
</header>
<main>
<section aria-labelledby="headline">
<h2 id="headline">Headline figures</h2>
${runs.length > 1 ? replicateTable(summariseReplicates(runs)) : headlineTable(s)}
</section>
<section aria-labelledby="charts-title">
<h2 id="charts-title">Charts</h2>
<div class="charts">
${figures}
</div>
</section>
${observedSection(runs)}
${scenario ? settingsSection(scenario) : ""}
</main>
<footer>Data next to this page: summary.json, daily.csv (one row per day${runs.length > 1 ? " and seed" : ""}), roc.csv (fpr, tpr), detection.csv (contact detection by setting, carriage and distance), infections.csv (the line list)${runs.length > 1 ? "; with several seeds every CSV starts with a seed column" : ""}.</footer>
`,
  );
}

/** CSV documents of several runs as one: a leading `seed` column, the header once. */
function withSeeds(runs: readonly SimulationResult[], csv: (r: SimulationResult) => string): string {
  return runs
    .map((r, i) => {
      const lines = csv(r)
        .split("\n")
        .filter((l) => l !== "");
      const [header, ...rows] = lines;
      return [...(i === 0 ? [`seed,${header}`] : []), ...rows.map((row) => `${r.summary.seed},${row}`)]
        .map((l) => `${l}\n`)
        .join("");
    })
    .join("");
}

/**
 * Writes the report of one run, or of replicates of it, into `outDir` (created if missing):
 * `summary.json`, `daily.csv`, `roc.csv`, `detection.csv`, `infections.csv` and `report.html`. With
 * several runs `summary.json` is the {@link ReplicateSummary} and every CSV starts with a `seed` column.
 * Returns the paths written, in that order.
 * @public
 */
export function writeReport(
  input: SimulationResult | readonly SimulationResult[],
  outDir: string,
): { files: string[] } {
  mkdirSync(outDir, { recursive: true });
  const runs = Array.isArray(input) ? (input as readonly SimulationResult[]) : [input as SimulationResult];
  const one = runs.length === 1 ? runs[0]! : undefined;
  const contents: Record<(typeof REPORT_FILES)[number], string> = one
    ? {
        "summary.json": summaryJson(one.summary),
        "daily.csv": dailyCsv(one.daily),
        "roc.csv": rocCsv(one.roc),
        "detection.csv": detectionCsv(one.summary.detection),
        "infections.csv": infectionsCsv(one.infections),
        "report.html": renderReportHtml(one),
      }
    : {
        "summary.json": `${JSON.stringify(summariseReplicates(runs), null, 2)}\n`,
        "daily.csv": withSeeds(runs, (r) => dailyCsv(r.daily)),
        "roc.csv": withSeeds(runs, (r) => rocCsv(r.roc)),
        "detection.csv": withSeeds(runs, (r) => detectionCsv(r.summary.detection)),
        "infections.csv": withSeeds(runs, (r) => infectionsCsv(r.infections)),
        "report.html": renderReportHtml(runs),
      };
  const files = REPORT_FILES.map((name) => {
    const path = join(outDir, name);
    writeFileSync(path, contents[name]);
    return path;
  });
  return { files };
}
