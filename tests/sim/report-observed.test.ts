/**
 * The report's comparison with the public record (scenario `observed: "hanoi-2021"`): the windows of
 * Hanoi's record in a scenario's days, the pooled cohort R per window on a hand-made line list, the
 * reported cases scaled to the run's population, the R implied by the reported growth, and the
 * section and its two charts in report.html (absent without `observed`).
 */
import { describe, expect, it } from "vitest";
import { cohortRt, type Infection } from "../../sim/epidemic/epidemic-metrics";
import { HANOI_2021, hanoiWindows, impliedR, observedImpliedR, windowRt } from "../../sim/report/observed";
import { renderReportHtml } from "../../sim/report/report";
import { loadScenario } from "../../sim/scenario";
import { syntheticResult } from "./report-fixture";

const scenario = { ...loadScenario("hanoi-ward"), population: 2000, days: 30 };
const inf = (infectee: number, infector: number, time: number): Infection => ({
  infectee,
  infector,
  time,
  setting: infector < 0 ? "" : "home",
  place: infector < 0 ? -1 : 0,
  infectorState: infector < 0 ? "" : "presymptomatic",
  generation: 0,
  infectiousUntil: time + 10,
  household: 0,
});
// Before Directive 16 (days 0–11): 0 infects 1 and 2; 1 infects 3 on day 13 (Directive 16's first
// window, days 12–25), who infects 4 and 5. Cohort R: before (0, 1, 2) = 3 / 3; first window (3, 4, 5) = 2 / 3.
const LIST = [inf(0, -1, 1.2), inf(1, 0, 5.5), inf(2, 0, 6), inf(3, 1, 13), inf(4, 3, 15), inf(5, 3, 16)];

describe("comparison with Hanoi's reported cases", () => {
  it("places the record's windows in the scenario's days and pools cohort R per window", () => {
    const w = hanoiWindows(scenario);
    // 2021-07-12 is day 0: 23 July is day 11, 24 July – 6 August days 12–25, 7 August on day 26 (run ends day 29).
    expect(w.map((x) => [x.name, x.from, x.to])).toEqual([
      ["before", 0, 11],
      ["d16-1", 12, 25],
      ["d16-2", 26, 29],
    ]);
    expect(w.map((x) => x.observedPerDay)).toEqual([10, 70, 60]);
    const rows = windowRt(LIST, w, 30);
    expect(rows.map((r) => [r.cases, r.secondary])).toEqual([
      [3, 3],
      [3, 2],
      [0, 0],
    ]);
    expect(rows[0]!.R).toBe(1);
    expect(rows[1]!.R).toBeCloseTo(2 / 3, 12);
    expect(rows[1]!.confirmedPerDay(Array.from({ length: 30 }, (_, d) => d))).toBe((12 + 25) / 2);
  });

  it("leaves out cohorts still infectious at the run's end, as the summary's R_t does", () => {
    // As LIST, and 3 also infects 6 on day 24 (infectious until 34.5, after the run's end at 30): day
    // 24's cohort is censored. Directive 16's first window: day 13 {3} infected 4, 5 and 6 (3), day 15
    // {4} and day 16 {5} none, day 24 {6} left out: 3 cases, 3 secondary, R 1 (counting 6: 3 / 4).
    const list = [...LIST, inf(6, 3, 24.5)];
    const rows = windowRt(list, hanoiWindows(scenario), 30);
    expect(rows.map((r) => [r.cases, r.secondary])).toEqual([
      [3, 3],
      [3, 3],
      [0, 0],
    ]);
    expect(rows[1]!.R).toBe(1);
    // A window whose every cohort is censored has no R (as every day's R_t there is null).
    const late = windowRt([inf(0, -1, 27), inf(1, 0, 28)], hanoiWindows(scenario), 30);
    expect(late[2]!.cases).toBe(0);
    expect(late[2]!.R).toBeNaN();
    expect(cohortRt([inf(0, -1, 27), inf(1, 0, 28)], 30, 30)[27]!.R).toBeNull();
  });

  it("implies R from the reported growth with a gamma generation interval (Wallinga & Lipsitch 2007)", () => {
    // No growth: R = 1; r = 0.1/day, mean 5, sd 1.9: (1 + 0.1 × 3.61 / 5)^(25 / 3.61).
    expect(impliedR(0)).toBe(1);
    expect(impliedR(0.1)).toBeCloseTo((1 + 0.0722) ** (25 / 3.61), 10);
    // An exponential generation interval (sd = mean) gives R = 1 + r·mean.
    expect(impliedR(0.1, 4, 4)).toBeCloseTo(1.4, 12);
    const implied = observedImpliedR(scenario);
    expect(implied).toHaveLength(HANOI_2021.periods.length - 1);
    // 10 → 70 a day between the centres of 5–18 July (day −0.5) and 24 July – 6 August (day 18.5).
    expect(implied[0]!.growth).toBeCloseTo(Math.log(7) / 19, 12);
    expect(implied[0]!.R).toBeGreaterThan(1.5);
    expect(implied[2]!.R).toBeLessThan(1);
  });

  it("adds the section and its two charts to report.html only when the scenario names a record", () => {
    const result = { ...syntheticResult(), infections: LIST };
    const html = renderReportHtml({ ...result, scenario: { ...scenario, observed: "hanoi-2021" } });
    const section = html.slice(
      html.indexOf('id="observed"'),
      html.indexOf("</section>", html.indexOf('id="observed"')),
    );
    expect(section).toContain("Compared with the public record: Hanoi 2021");
    expect(section).toContain('data-chart="observed-rt"');
    expect(section).toContain('data-chart="observed-confirmed"');
    // The first window's row: R 2/3, cohort 3, reported 70 a day, × 2,000 / 8,053,663 = 0.017.
    expect(section).toMatch(
      /Directive 16, 24 Jul – 6 Aug<\/th><td>07-24 – 08-06<\/td><td>0\.67<\/td><td>3<\/td>/,
    );
    expect(section).toContain("<td>70</td><td>0.02</td>");
    // Still self-contained: no address anywhere (the sources are named in the data file).
    expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', "")).not.toMatch(/https?:|file:|\/\//);
    const { observed: _, ...withoutRecord } = scenario;
    const plain = renderReportHtml({ ...result, scenario: withoutRecord });
    expect(plain).not.toContain('id="observed"');
  });
});
