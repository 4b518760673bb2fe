import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  DAILY_COLUMNS,
  dailyCsv,
  detectionCsv,
  headlineRows,
  REPORT_FILES,
  renderReportHtml,
  rocCsv,
  summaryJson,
  writeReport,
} from "../../sim/index";
import { flattenSummary, HEADLINE_FIGURES } from "../../sim/report/figures";
import { REPORT_CHARTS } from "../../sim/report/report-charts";
import { csvCell } from "../../sim/report/report-csv";
import { escapeHtml, formatTick } from "../../sim/report/report-format";
import { linearScale, linePath, niceTicks, valueAxis } from "../../sim/report/report-svg";
import type { SimulationResult } from "../../sim/run";
import { syntheticResult } from "./report-fixture";

/** The markup of the `<svg data-chart="id">` element. */
const chartOf = (html: string, id: string) => {
  const m = html.match(new RegExp(`<svg[^>]*data-chart="${id}"[\\s\\S]*?</svg>`));
  expect(m, `chart ${id}`).not.toBeNull();
  return m![0];
};

/** A result with every summary figure and the counterfactual undefined, and no ROC points. */
const undefinedResult = (): SimulationResult => {
  const r = syntheticResult({
    f1Precision: Number.NaN,
    f1Recall: Number.NaN,
    traceableFraction: Number.NaN,
    notificationDelayDays: { mean: Number.NaN, median: Number.NaN },
    infectionsWithoutApp: Number.NaN,
    infectionsAverted: Number.NaN,
    policyRocAuc: Number.NaN,
  });
  return { ...r, daily: r.daily.map((d) => ({ ...d, infectionsWithoutApp: Number.NaN })), roc: [] };
};

describe("report text helpers", () => {
  it("escapes markup and quotes", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("keeps axis tick labels short", () => {
    expect(formatTick(2500)).toBe("2,500");
    expect(formatTick(0.25)).toBe("0.25");
    expect(formatTick(150_000)).toBe("150K");
    expect(formatTick(1_200_000)).toBe("1.2M");
  });

  it("writes CSV cells: empty for NaN, quoted when needed", () => {
    expect(csvCell(Number.NaN)).toBe("");
    expect(csvCell(1.5)).toBe("1.5");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("plain")).toBe("plain");
  });
});

describe("report chart primitives", () => {
  it("picks round ticks and axis ends", () => {
    expect(niceTicks(0, 37)).toEqual([0, 10, 20, 30]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 29, 8).filter(Number.isInteger)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
    expect(valueAxis("n", 37).domain).toEqual([0, 40]);
    expect(valueAxis("n", 0).domain).toEqual([0, 1]);
    expect(valueAxis("n", Number.NaN).domain).toEqual([0, 1]);
  });

  it("maps linearly and breaks lines at missing values", () => {
    const x = linearScale([0, 10], [0, 100]);
    const y = linearScale([0, 1], [50, 0]);
    expect(x(2.5)).toBe(25);
    expect(
      linePath(
        [
          [0, 0],
          [1, 1],
          [2, Number.NaN],
          [3, 0.5],
        ],
        x,
        y,
      ),
    ).toBe("M0,50L10,0M30,25");
    expect(linePath([[0, Number.NaN]], x, y)).toBe("");
  });
});

describe("report files", () => {
  const result = syntheticResult();
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("summary.json is the pretty summary with NaN as null", () => {
    const { detection, ...rest } = JSON.parse(summaryJson(result.summary));
    const { detection: expected, ...expectedRest } = result.summary;
    expect(rest).toEqual(expectedRest);
    expect(detection.bySetting.household).toEqual(expected.bySetting.household);
    expect(detection.byDistance["2-4m"]).toEqual({ ...expected.byDistance["2-4m"], sensitivity: null });
    const json = summaryJson(undefinedResult().summary);
    expect(json).toContain('\n  "f1Precision": null,');
    const parsed = JSON.parse(json);
    expect(parsed.notificationDelayDays).toEqual({ mean: null, median: null });
    expect(parsed.policyRocAuc).toBeNull();
  });

  it("daily.csv has a header of every DayRow field and one row per day", () => {
    const lines = dailyCsv(result.daily).trimEnd().split("\n");
    expect(lines[0]!.split(",")).toEqual(DAILY_COLUMNS);
    expect([...DAILY_COLUMNS].sort()).toEqual(Object.keys(result.daily[0]!).sort());
    expect(lines).toHaveLength(result.daily.length + 1);
    const d = result.daily[14]!;
    expect(lines[15]).toBe(DAILY_COLUMNS.map((c) => d[c]).join(","));
    expect(lines[1]!.startsWith("0,2021-05-01,")).toBe(true);
    const noCounterfactual = dailyCsv(undefinedResult().daily).split("\n")[1]!.split(",");
    expect(noCounterfactual[DAILY_COLUMNS.indexOf("infectionsWithoutApp")]).toBe("");
    expect(dailyCsv([])).toBe(`${DAILY_COLUMNS.join(",")}\n`);
  });

  it("roc.csv lists fpr,tpr", () => {
    const csv = rocCsv(result.roc);
    expect(csv.startsWith("fpr,tpr\n0,0\n0.02,0.35\n")).toBe(true);
    expect(csv.trimEnd().split("\n")).toHaveLength(result.roc.length + 1);
    expect(rocCsv([])).toBe("fpr,tpr\n");
  });

  it("detection.csv lists the totals, then each setting, carriage pair and distance band", () => {
    const lines = detectionCsv(result.summary.detection).trimEnd().split("\n");
    expect(lines[0]).toBe("breakdown,group,trueCloseContacts,detected,falseAlarms,sensitivity,precision");
    expect(lines[1]).toBe("all,all,1000,760,140,0.76,0.8444444444444444");
    expect(lines).toHaveLength(1 + 1 + 7 + 9 + 4);
    expect(lines).toContain("setting,household,700,600,40,0.8571428571428571,0.9375");
    expect(lines).toContain("setting,school,0,0,0,,"); // undefined ratios are empty cells
    expect(lines).toContain("carriage,pocket-pocket,600,480,80,0.8,0.8571428571428571");
    expect(lines).toContain("distance,2-4m,0,0,100,,0");
  });

  it("writeReport writes the six files into a new directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "bluezone-report-"));
    dirs.push(dir);
    const out = join(dir, "nested", "run");
    const { files } = writeReport(result, out);
    expect(files).toEqual(REPORT_FILES.map((f) => join(out, f)));
    for (const f of files) expect(existsSync(f)).toBe(true);
    const read = (name: string) => readFileSync(join(out, name), "utf8");
    expect(read("summary.json")).toBe(summaryJson(result.summary));
    expect(read("daily.csv")).toBe(dailyCsv(result.daily));
    expect(read("roc.csv")).toBe(rocCsv(result.roc));
    expect(read("detection.csv")).toBe(detectionCsv(result.summary.detection));
    expect(read("report.html")).toBe(renderReportHtml(result));
  });
});

describe("report page", () => {
  const result = syntheticResult();
  const html = renderReportHtml(result);

  it("is a deterministic, self-contained page", () => {
    expect(renderReportHtml(syntheticResult())).toBe(html);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|@font-face/i);
    // The only URL is the SVG namespace; url() only references in-page clip paths.
    expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', "")).not.toMatch(/https?:|file:|\/\//);
    expect([...html.matchAll(/url\(([^)]*)\)/g)].every((m) => m[1]!.startsWith("#"))).toBe(true);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
  });

  it("shows the run in its header", () => {
    const header = html.slice(html.indexOf("<header>"), html.indexOf("</header>"));
    for (const fact of ["hanoi-ward", "2,000", "1,200", "<dd>30</dd>", "<dd>42</dd>"])
      expect(header).toContain(fact);
    expect(html).toContain("<title>bluezone simulation report: hanoi-ward</title>");
  });

  it("reads every headline figure at its key's path in the summary (attack rate: infections / phones)", () => {
    const summary = result.summary;
    const flat = flattenSummary(summary);
    for (const f of HEADLINE_FIGURES) {
      if (f.key === "attackRate") expect(f.get(summary)).toBe(summary.infections / summary.phones);
      else {
        expect(Object.keys(flat)).toContain(f.key);
        expect(f.get(summary)).toBe(flat[f.key]);
      }
    }
  });

  it("tabulates the headline figures", () => {
    const table = html.slice(html.indexOf("<table"), html.indexOf("</table>"));
    for (const row of headlineRows(result.summary)) {
      expect(table).toContain(`<th scope="row">${escapeHtml(row.label)}</th>`);
      expect(table).toContain(`<td class="value">${escapeHtml(row.value)}</td>`);
    }
    for (const figure of [
      "180",
      "160",
      "80.0%",
      "71.1%",
      "74.0%",
      "mean 2.4 d, median 2 d",
      "1,234,567",
      "0.871",
    ])
      expect(table).toContain(figure);
    expect(table).toContain("OpenABM-Covid19 assumes 80.0%");
  });

  it("draws the eight charts with accessible titles", () => {
    expect(REPORT_CHARTS).toEqual([
      "epidemic",
      "cumulative",
      "compartments",
      "rt",
      "hospital",
      "notifications",
      "f1",
      "roc",
    ]);
    for (const id of REPORT_CHARTS) {
      const svg = chartOf(html, id);
      expect(svg).toMatch(/role="img"/);
      expect(svg).toMatch(/aria-label="[^"]+"/);
      expect(svg).toMatch(/<title id="chart-[a-z0-9]+-title">[^<]+<\/title>/);
      expect(svg).toMatch(/<desc id="[^"]+">[^<]+<\/desc>/);
      expect(svg).toContain('class="axis-label"');
    }
    // Epidemic: two lines of one point per day.
    const paths = [...chartOf(html, "epidemic").matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]!);
    expect(paths).toHaveLength(2);
    for (const d of paths) expect(d.match(/[ML]/g)).toHaveLength(result.daily.length);
    // Notifications: a bar per day with F1 or F2 notifications, a dot per day of confirmed cases.
    const notif = chartOf(html, "notifications");
    const barDays = result.daily.filter((d) => d.notifiedF1 > 0).length;
    const f2Days = result.daily.filter((d) => d.notifiedF2 > 0).length;
    expect(notif.match(/<rect x=/g)!.length).toBe(barDays + f2Days + 2 + 1); // + legend swatches, clip
    expect(notif.match(/<circle /g)).toHaveLength(result.daily.length);
    // F1: three bars and their labels.
    const f1 = chartOf(html, "f1");
    for (const label of [
      ">80.0%<",
      ">128 of 160<",
      ">71.1%<",
      ">128 of 180<",
      ">74.0%<",
      "Traceable fraction",
    ])
      expect(f1).toContain(label);
    // ROC: the curve, the diagonal and the AUC.
    const roc = chartOf(html, "roc");
    expect(roc).toContain("AUC 0.871");
    expect(roc.match(/<path d="/g)).toHaveLength(2);
  });

  it("draws people in hospital, admissions and deaths per day from the daily rows", () => {
    const svg = chartOf(html, "hospital");
    // The fixture's 30 days, written out independently: wave(d) = exp(−(d − 14)² / 40); in hospital
    // round(10·wave), admitted round(1.5·wave), one death on day 20.
    const wave = (d: number) => Math.exp(-((d - 14) ** 2) / 40);
    const days = Array.from({ length: 30 }, (_, d) => d);
    const expected = {
      "#1f5fbf": days.map((d) => Math.round(10 * wave(d))),
      "#e69f00": days.map((d) => Math.round(1.5 * wave(d))),
      "#1b1f24": days.map((d) => (d === 20 ? 1 : 0)),
    };
    // By hand: 10 in hospital on days 13–15 (9.75 rounds up), 1 admission a day on days 8–20 and 2 on day 14.
    expect(expected["#1f5fbf"].filter((v) => v === 10)).toHaveLength(3);
    expect(expected["#e69f00"].reduce((a, v) => a + v, 0)).toBe(14);
    expect(svg).toContain("admissions 14, deaths 1; at most 10 in hospital, first on day 13.");
    for (const label of ["In hospital (end of day)", "Admitted that day", "Died that day"])
      expect(svg).toContain(`>${label}</text>`);
    // The y axis's tick labels give the pixel scale; each series' points read back through it.
    const ticks = [
      ...svg.matchAll(/y1="([\d.]+)" y2="[\d.]+" class="tick"\/><text [^>]*text-anchor="end">([\d.]+)</g),
    ].map((m) => [Number(m[1]), Number(m[2])] as const);
    const [y0, v0] = ticks[0]!;
    const [y1, v1] = ticks.at(-1)!;
    const valueAt = (py: number) => v0 + ((py - y0) * (v1 - v0)) / (y1 - y0);
    const plot = svg.slice(svg.indexOf('<g class="plot"'), svg.indexOf('<g class="legend"'));
    const paths = [...plot.matchAll(/<path d="([^"]+)" class="series" stroke="(#[0-9a-f]+)"/g)];
    expect(paths.map((m) => m[2])).toEqual(Object.keys(expected));
    for (const [, d, color] of paths) {
      const points = d!.split(/[ML]/).filter(Boolean);
      expect(points).toHaveLength(30);
      const values = points.map((p) => valueAt(Number(p.split(",")[1])));
      // Pixels are rounded to 0.01: within 0.05 of the integer counts.
      const want = expected[color as keyof typeof expected];
      for (const [day, v] of values.entries()) expect(v, `${color} day ${day}`).toBeCloseTo(want[day]!, 1);
    }
    // Deaths dashed, the other two solid.
    expect(plot).toMatch(/stroke="#1b1f24" stroke-dasharray="6 4"/);
  });

  it("escapes text from the result", () => {
    const evil = renderReportHtml(syntheticResult({ scenario: `<script>alert("x")</script> & <b>co</b>` }));
    expect(evil).not.toContain("<script");
    expect(evil).not.toContain("<b>co");
    expect(evil).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;");
  });

  it("handles undefined figures, a missing counterfactual and no ROC points", () => {
    const page = renderReportHtml(undefinedResult());
    expect(page).not.toMatch(/NaN|undefined|Infinity/);
    expect(page).toContain("Counterfactual not run");
    expect(chartOf(page, "epidemic")).toContain("Without the app (not run)");
    expect(chartOf(page, "epidemic").match(/<path d="M/g)).toHaveLength(1);
    const roc = chartOf(page, "roc");
    expect(roc).toContain("No matched contacts");
    expect(roc).not.toContain("<path");
    expect(chartOf(page, "f1").match(/>n\/a</g)).toHaveLength(3);
  });

  it("handles a run of no days", () => {
    const r = syntheticResult({ days: 0 });
    const page = renderReportHtml({ ...r, daily: [] });
    expect(page).not.toMatch(/NaN|undefined|Infinity/);
    for (const id of ["epidemic", "hospital", "notifications"])
      expect(chartOf(page, id)).toContain("No days simulated");
  });
});
