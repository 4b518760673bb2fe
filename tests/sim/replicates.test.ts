/** Replicate statistics (`--seeds`), the report of replicates, its settings and markers. */
import { describe, expect, it } from "vitest";
import { dailyBand, replicateSeeds, summariseReplicates } from "../../sim/report/replicates";
import { renderReportHtml, writeReport } from "../../sim/report/report";
import { interventionMarkers } from "../../sim/report/report-charts";
import type { SimulationResult } from "../../sim/run";
import { loadScenario, resolveEpidemicParams } from "../../sim/scenario";
import { replicateStat, tQuantile975 } from "../../sim/report/stats";
import { syntheticResult } from "./report-fixture";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const chartOf = (html: string, id: string) =>
  html.match(new RegExp(`<svg[^>]*data-chart="${id}"[\\s\\S]*?</svg>`))![0];

/** A synthetic replicate: infections scaled by `k`, with the counterfactual `without` in total. */
function replicate(seed: number, withApp: number, without: number): SimulationResult {
  const r = syntheticResult({ seed });
  const daily = r.daily.map((d, i) => ({
    ...d,
    infections: i === 0 ? withApp : 0,
    infectionsWithoutApp: i === 0 ? without : 0,
  }));
  return {
    ...r,
    daily,
    summary: {
      ...r.summary,
      seed,
      infections: withApp,
      infectionsWithoutApp: without,
      infectionsAverted: without - withApp,
    },
  };
}

describe("replicate statistics", () => {
  it("t quantiles match the printed table (NIST e-Handbook 1.3.6.7.2)", () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(2)).toBe(4.303);
    expect(tQuantile975(10)).toBe(2.228);
    expect(tQuantile975(30)).toBe(2.042);
    // Beyond the table: 40 → 2.021, 60 → 2.000, 100 → 1.984, 120 → 1.980 (table values).
    expect(tQuantile975(40)).toBeCloseTo(2.021, 2);
    expect(tQuantile975(60)).toBeCloseTo(2.0, 2);
    expect(tQuantile975(100)).toBeCloseTo(1.984, 2);
    expect(tQuantile975(120)).toBeCloseTo(1.98, 2);
    expect(tQuantile975(0)).toBeNaN();
  });

  it("mean, SD and t interval of 1…5 (hand-worked)", () => {
    // mean 3, SD √(10/4) = 1.5811, half-width 2.776 × 1.5811 / √5 = 1.96293.
    const st = replicateStat([1, 2, 3, 4, 5]);
    expect(st.n).toBe(5);
    expect(st.mean).toBe(3);
    expect(st.sd).toBeCloseTo(1.581139, 6);
    expect(st.low).toBeCloseTo(3 - 1.962929, 5);
    expect(st.high).toBeCloseTo(3 + 1.962929, 5);
  });

  it("clips the interval to the figure's range: a share's mean cannot leave [0, 1]", () => {
    // By hand: mean 0.983333, SD 0.0288675, half-width t(0.975, 2) · SD / √3 = 4.303 · 0.0288675 / 1.7320508
    // = 0.0717167, so 0.911617 to 1.055050, clipped above at 1.
    const st = replicateStat([0.95, 1, 1], [0, 1]);
    expect(st.mean).toBeCloseTo(0.983333, 6);
    expect(st.low).toBeCloseTo(0.911617, 5);
    expect(st.high).toBe(1);
    expect(replicateStat([0.95, 1, 1]).high).toBeCloseTo(1.05505, 5);
  });

  it("leaves undefined replicates out; one value has no spread", () => {
    const st = replicateStat([Number.NaN, 4, Number.NaN]);
    expect(st.n).toBe(1);
    expect(st.mean).toBe(4);
    expect(st.sd).toBeNaN();
    expect(st.low).toBeNaN();
    expect(replicateStat([]).mean).toBeNaN();
  });

  it("refuses to summarise no runs, with a typed error", () => {
    expect(() => summariseReplicates([])).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", message: expect.stringContaining("no runs") }),
    );
  });

  it("seeds follow on from the first, wrapping at 2^32", () => {
    expect(replicateSeeds(2021, 3)).toEqual([2021, 2022, 2023]);
    expect(replicateSeeds(0xffffffff, 2)).toEqual([0xffffffff, 0]);
  });

  it("infections averted are paired per seed", () => {
    // Averted per seed: 12 − 10 = 2, 25 − 20 = 5, 29 − 30 = −1 → mean 2, SD 3, half-width 4.303 × 3 / √3 = 7.4530.
    const s = summariseReplicates([replicate(1, 10, 12), replicate(2, 20, 25), replicate(3, 30, 29)]);
    expect(s.seeds).toEqual([1, 2, 3]);
    const a = s.figures.infectionsAverted!;
    expect(a.mean).toBe(2);
    expect(a.sd).toBeCloseTo(3, 12);
    expect(a.low).toBeCloseTo(2 - 7.45302, 4);
    expect(a.high).toBeCloseTo(2 + 7.45302, 4);
    expect(s.figures.infections!.mean).toBe(20);
    expect(s.runs).toHaveLength(3);
  });

  it("a count's interval stops at 0; a difference of counts goes below", () => {
    // Infections 2 and 40 (without the app 1 and 60): mean 21, SD 26.870058, half-width
    // t(0.975, 1) · SD / √2 = 12.706205 · 19 = 241.41789: −220.4 to 262.4, clipped below at 0.
    // Averted −1 and 20: mean 9.5, SD 14.849242, half-width 12.706205 · 10.5 = 133.41515. (The
    // code's t quantile is an approximation within 2·10⁻⁵ of the exact one: 1 decimal.)
    const s = summariseReplicates([replicate(1, 2, 1), replicate(2, 40, 60)]);
    const inf = s.figures.infections!;
    expect(inf.mean).toBe(21);
    expect(inf.low).toBe(0);
    expect(inf.high).toBeCloseTo(21 + 241.41789, 1);
    const averted = s.figures.infectionsAverted!;
    expect(averted.low).toBeCloseTo(9.5 - 133.41515, 1);
    expect(averted.high).toBeCloseTo(9.5 + 133.41515, 1);
  });

  it("daily bands: per-day mean and t interval", () => {
    const runs = [replicate(1, 10, 12), replicate(2, 20, 25)];
    const band = dailyBand(runs, (r) => r.daily.map((d) => d.infections));
    expect(band.mean[0]).toBe(15);
    // Two values 10, 20: SD 7.0711, half-width 12.706 × 7.0711 / √2 = 63.53.
    expect(band.high[0]).toBeCloseTo(15 + 63.53, 2);
    expect(band.mean[1]).toBe(0);
  });
});

describe("report of replicates", () => {
  const runs = [replicate(7, 10, 12), replicate(8, 20, 25), replicate(9, 30, 29)];
  const html = renderReportHtml(runs);

  it("tabulates means with 95% intervals and draws bands", () => {
    expect(html).toContain("7–9 (3 replicates)");
    expect(html).toContain("t interval of the mean");
    expect(html).toMatch(
      /<th scope="row">Infections averted<\/th><td class="value">2<\/td><td class="value">−?-?5\.5 to 9\.5<\/td>/,
    );
    for (const id of ["epidemic", "cumulative", "compartments"])
      expect(chartOf(html, id)).toContain('class="band"');
    expect(chartOf(html, "f1")).toContain('class="whisker"');
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
  });

  it("writes the replicate summary and CSVs with a seed column", () => {
    const dir = mkdtempSync(join(tmpdir(), "bluezone-rep-"));
    try {
      writeReport(runs, dir);
      const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
      expect(summary.seeds).toEqual([7, 8, 9]);
      expect(summary.figures.infectionsAverted.mean).toBe(2);
      const daily = readFileSync(join(dir, "daily.csv"), "utf8").trimEnd().split("\n");
      expect(daily[0]!.startsWith("seed,day,date,")).toBe(true);
      expect(daily).toHaveLength(1 + 3 * 30);
      expect(daily[31]!.startsWith("8,0,")).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("report settings and markers", () => {
  const scenario = { ...loadScenario("hanoi-ward"), days: 30 };
  const html = renderReportHtml({ ...syntheticResult(), scenario });

  it("marks the interventions that start within the run (hanoi-ward from 2021-07-12, 30 days)", () => {
    // venueClosure 07-12 (day 0), venueClosure 07-19 (7), venueClosure (transit) and wardLockdown 07-24
    // (12), f1Quarantine and f2Monitoring 07-12 (0), vaccination 08-01 (20); the green zones (08-16,
    // 09-06), the ring lockdown (09-06) and mass testing (09-08) start after day 29.
    expect(
      interventionMarkers(scenario)
        .map((m) => m.day)
        .sort((a, b) => a - b),
    ).toEqual([0, 0, 0, 7, 12, 12, 20]);
    expect(chartOf(html, "compartments").match(/class="marker"/g)).toHaveLength(7);
  });

  it("lists adoption, app response, interventions with dates and epidemic parameters", () => {
    const settings = html.slice(
      html.indexOf('id="settings"'),
      html.indexOf("</section>", html.indexOf('id="settings"')),
    );
    expect(settings).toContain("<td>30% (by age group: preschool 0%, school 15%, senior 15%)</td>");
    expect(settings).toContain(
      "2021-07-24 to 2021-09-21: wards all, crossWardLeakage 0.6, workplaceOpenShare 0.9",
    );
    expect(settings).toContain('<th scope="row">initialInfected</th><td>10</td>');
    // The shipped β (docs/epidemic-params.md), as the report prints numbers below 0.01: 6 decimals,
    // trailing zeros dropped.
    expect(settings).toContain(
      `<th scope="row">beta</th><td>${String(+resolveEpidemicParams(scenario).beta.toFixed(6))}</td>`,
    );
    // Per-age-group values as "group value" pairs, not "[object Object]".
    expect(settings).not.toContain("[object Object]");
    expect(settings).toContain("Index cases");
    expect(settings).toContain(scenario.app.response.policy);
  });

  it("labels the F1 bars' axis as the notifications' quality, not an F1 score", () => {
    expect(chartOf(html, "f1")).not.toContain("F1 measure");
    expect(chartOf(html, "f1")).toContain("Quality of the F1 (close-contact) notifications");
  });
});
