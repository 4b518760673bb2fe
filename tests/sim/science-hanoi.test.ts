/**
 * Science check of the Hanoi 2021 fit (issue #17, item 3; docs/hanoi-2021.md): the shipped hanoi-ward
 * scenario (Delta, Directive 16 from 24 July 2021) keeps the cohort reproduction number near 1 (0.8–1.2)
 * from 24 July to 5 September, pooled over fixed seeds, and it falls from 6 September. The epidemic
 * alone (no phones, adoption 0: the app's response plays no part), 10-minute mobility steps, at
 * PEOPLE people with the index cases scaled with them. R is computed here from the epidemic's
 * per-person state (who infected whom, when), independently of the report's window code.
 *
 * Spread (scripts/hanoi-fit.ts at this size, seeds 1–6): see SPREAD below.
 */
import { describe, expect, it } from "vitest";
import { createEpidemic } from "../../sim/epidemic/epidemic";
import { loadScenario } from "../../sim/scenario";

const PEOPLE = 10_000;
const SEEDS = [1, 2, 3];
const DAY = (date: string) =>
  Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse("2021-07-12T00:00:00Z")) / 86_400_000);

/** Cases infected on days [from, to] and the people they infected, over one run. */
function cohorts(seed: number, windows: readonly [number, number][]) {
  const base = loadScenario("hanoi-ward");
  const scenario = {
    ...base,
    population: PEOPLE,
    app: { ...base.app, adoption: 0, byAgeGroup: {} },
    epidemic: {
      ...base.epidemic,
      initialInfected: Math.round(((base.epidemic.initialInfected ?? 10) * PEOPLE) / base.population),
    },
  };
  const epi = createEpidemic(scenario, { seed, stepMinutes: 10 });
  for (let d = 0; d < scenario.days; d++) epi.runDay();
  const st = epi.state;
  const secondary = new Int32Array(PEOPLE);
  for (let p = 0; p < PEOPLE; p++) if (st.infector[p]! >= 0) secondary[st.infector[p]!]!++;
  return windows.map(([from, to]) => {
    let cases = 0;
    let sec = 0;
    for (let p = 0; p < PEOPLE; p++) {
      const t = st.infectedAt[p]!;
      if (Number.isNaN(t) || Math.floor(t) < from || Math.floor(t) > to) continue;
      cases++;
      sec += secondary[p]!;
    }
    return { cases, secondary: sec, days: scenario.days };
  });
}

describe("Hanoi 2021 fit (science check, hanoi-ward without the app)", () => {
  it("R_t stays within 0.8–1.2 under Directive 16 (24 Jul – 5 Sep) pooled over seeds, then falls", () => {
    const d16: [number, number] = [DAY("2021-07-24"), DAY("2021-09-05")];
    const after: [number, number] = [DAY("2021-09-06"), DAY("2021-09-17")];
    const runs = SEEDS.map((seed) => cohorts(seed, [d16, after]));
    const pooled = (i: number) => {
      const cases = runs.reduce((a, r) => a + r[i]!.cases, 0);
      return { cases, R: runs.reduce((a, r) => a + r[i]!.secondary, 0) / cases };
    };
    // The last cohort (17 Sep) has 12 days to transmit before the run's end.
    expect(runs[0]![0]!.days - 1 - after[1]).toBeGreaterThanOrEqual(12);
    const during = pooled(0);
    const later = pooled(1);
    expect(during.cases).toBeGreaterThan(300);
    expect(during.R).toBeGreaterThan(0.8);
    expect(during.R).toBeLessThan(1.2);
    expect(later.cases).toBeGreaterThan(10);
    expect(later.R).toBeLessThan(during.R - 0.1);
    expect(later.R).toBeLessThan(0.9);
  }, 600_000);
});
