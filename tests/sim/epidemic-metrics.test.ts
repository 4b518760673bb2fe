/**
 * The epidemic estimators on a hand-made line list, against numbers worked out by hand below; then one
 * small run, checking the summary's `epidemic` block and `infections.csv` against the run's own state.
 */
import { describe, expect, it } from "vitest";
import {
  cohortRt,
  earlyR,
  generationInterval,
  householdSecondaryAttackRate,
  type Infection,
  offspringDispersion,
  summariseEpidemic,
  transmissionShares,
  transmissionsBySetting,
} from "../../sim/epidemic/epidemic-metrics";
import { INFECTION_COLUMNS, infectionsCsv } from "../../sim/report/report-csv";
import { runSimulation } from "../../sim/run";
import { loadScenario } from "../../sim/scenario";

/**
 * Ten people in four households: 0–2 in household 0, 3–4 in 1, 5–8 in 2, 9 alone in 3.
 *
 *   A  0 ← seed  t −1     hh0        E  2 ← 1  t 8     home    asymptomatic
 *   B  3 ← seed  t −0.5   hh1        F  6 ← 5  t 9.25  home    presymptomatic
 *   C  1 ← 0     t 3      home   pre G  9 ← 5  t 10    market  symptomatic
 *   D  5 ← 0     t 5.5    office sym H  8 ← 6  t 20    home    presymptomatic (infectious until 34)
 *                                    I  7 ← 9  t 12    market  presymptomatic (infected outside home)
 *
 * Everyone is infectious for 14 days after infection. Secondary infections: 0→2, 3→0, 1→1, 5→2,
 * 2→0, 6→1, 9→1, 8→0, 7→0.
 */
const HOUSEHOLD = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3];
function rec(
  infectee: number,
  infector: number,
  time: number,
  setting: string,
  infectorState: Infection["infectorState"],
  generation: number,
): Infection {
  return {
    infectee,
    infector,
    time,
    setting,
    place: setting === "" ? -1 : 0,
    infectorState,
    generation,
    infectiousUntil: time + 14,
    household: HOUSEHOLD[infectee]!,
  };
}
const LIST: Infection[] = [
  rec(0, -1, -1, "", "", 0),
  rec(3, -1, -0.5, "", "", 0),
  rec(1, 0, 3, "home", "presymptomatic", 1),
  rec(5, 0, 5.5, "office", "symptomatic", 1),
  rec(2, 1, 8, "home", "asymptomatic", 2),
  rec(6, 5, 9.25, "home", "presymptomatic", 2),
  rec(9, 5, 10, "market", "symptomatic", 2),
  rec(7, 9, 12, "market", "presymptomatic", 3),
  rec(8, 6, 20, "home", "presymptomatic", 3),
];

describe("epidemic estimators on a hand-made line list", () => {
  it("R of the early generations: generations 0–1 finished being infectious", () => {
    // End 30: A 2, B 0, C 1, D 2 → 5 / 4.
    expect(earlyR(LIST, 30)).toEqual({ R: 1.25, cases: 4, secondary: 5 });
    // End 16: C (until 17) and D (until 19.5) are still infectious → only A and B: 2 / 2.
    expect(earlyR(LIST, 16)).toEqual({ R: 1, cases: 2, secondary: 2 });
    // Generation 0 only: A 2, B 0.
    expect(earlyR(LIST, 30, 1)).toEqual({ R: 1, cases: 2, secondary: 2 });
    expect(earlyR([], 30).R).toBeNaN();
  });

  it("cohort Rt by day: null for empty days and for the censored cohort", () => {
    const rt = cohortRt(LIST, 30, 30);
    expect(rt).toHaveLength(30);
    const byDay = Object.fromEntries(rt.filter((r) => r.cases > 0).map((r) => [r.day, [r.cases, r.R]]));
    // Seeds (days −1) fall outside 0…29; H (day 20) is infectious until 34 > 30.
    expect(byDay).toEqual({
      3: [1, 1],
      5: [1, 2],
      8: [1, 0],
      9: [1, 1],
      10: [1, 1],
      12: [1, 0],
      20: [1, null],
    });
    expect(rt[0]).toEqual({ day: 0, cases: 0, R: null });
  });

  it("generation interval over complete infectors", () => {
    // End 30: gaps 4, 6.5, 5, 3.75, 4.5, 2 (I: 12 − 10), 10.75 (H: 20 − 9.25) → Σ 36.5, Σg² 237.125.
    const gi = generationInterval(LIST, 30);
    expect(gi.pairs).toBe(7);
    expect(gi.mean).toBeCloseTo(36.5 / 7, 12);
    expect(gi.sd).toBeCloseTo(Math.sqrt((237.125 - 36.5 ** 2 / 7) / 6), 12);
    // End 20: F (until 23.25) and G (until 24) are still infectious → gaps 4, 6.5, 5, 3.75, 4.5:
    // mean 4.75, squared deviations 0.5625 + 3.0625 + 0.0625 + 1 + 0.0625 = 4.75 → sd √(4.75 / 4).
    const early = generationInterval(LIST, 20);
    expect(early.pairs).toBe(5);
    expect(early.mean).toBeCloseTo(4.75, 12);
    expect(early.sd).toBeCloseTo(Math.sqrt(4.75 / 4), 12);
    expect(generationInterval(LIST.slice(0, 3), 30)).toEqual({ mean: 4, sd: Number.NaN, pairs: 1 });
  });

  it("transmission shares by the infector's state, and by setting", () => {
    // 7 transmissions: pre C F I H (4), symptomatic D G (2), asymptomatic E (1).
    expect(transmissionShares(LIST)).toEqual({
      presymptomatic: 4 / 7,
      symptomatic: 2 / 7,
      asymptomatic: 1 / 7,
      environmental: 0,
    });
    expect(transmissionsBySetting(LIST)).toEqual({ home: 4, office: 1, market: 2 });
    // Every setting asked for is present, 0 where nothing happened (a table's 0, not a missing value).
    expect(transmissionsBySetting(LIST, ["home", "school", "market", "office"])).toEqual({
      home: 4,
      school: 0,
      market: 2,
      office: 1,
    });
    expect(transmissionShares(LIST.slice(0, 2)).presymptomatic).toBeNaN();
  });

  it("household secondary attack rate (Madewell et al.: Σ secondary / Σ household contacts)", () => {
    // End 30, 21-day follow-up: hh0 index A (t −1): contacts 1, 2 — both infected at home (C by A,
    // E by C: tertiary, inside the window) → 2 of 2. hh1 index B: contact 4, never infected → 0 of 1.
    // hh2 index D (t 5.5, window to 26.5): contacts 6, 7, 8 — F by D and H by F at home; I was
    // infected at the market by 9 (another household), so not a secondary case → 2 of 3.
    // hh3 has one member: no contacts. SAR = 4 / 6. Infected by the index itself: C (by A) and F (by D).
    expect(householdSecondaryAttackRate(LIST, HOUSEHOLD, 30)).toEqual({
      SAR: 4 / 6,
      indexCases: 3,
      contacts: 6,
      secondary: 4,
      fromIndex: 2,
    });
    // 14-day follow-up: H (t 20) falls after hh2's window (5.5 + 14 = 19.5) → 3 / 6.
    expect(householdSecondaryAttackRate(LIST, HOUSEHOLD, 30, 14).SAR).toBe(3 / 6);
    // End 25: hh2's follow-up (to 26.5) has not ended → hh0 and hh1 only: 2 / 3.
    expect(householdSecondaryAttackRate(LIST, HOUSEHOLD, 25)).toEqual({
      SAR: 2 / 3,
      indexCases: 2,
      contacts: 3,
      secondary: 2,
      fromIndex: 1,
    });
  });

  it("household SAR over index cases of early generations only (runs with capped generations)", () => {
    // Index cases: A (generation 0), B (0), D (1). maxIndexGeneration 0 leaves hh2 (index D) out → 2 / 3.
    expect(householdSecondaryAttackRate(LIST, HOUSEHOLD, 30, 21, 0)).toEqual({
      SAR: 2 / 3,
      indexCases: 2,
      contacts: 3,
      secondary: 2,
      fromIndex: 1,
    });
    expect(householdSecondaryAttackRate(LIST, HOUSEHOLD, 30, 21, 1).SAR).toBe(4 / 6);
  });

  it("offspring dispersion k by moments over the early generations", () => {
    // End 30, generations 0–1: A 2, B 0, C 1, D 2 → mean 1.25, variance (0.5625 + 1.5625 + 0.0625 +
    // 0.5625) / 3 = 2.75 / 3 = 0.91667 < mean: not over-dispersed, k = Infinity.
    const d = offspringDispersion(LIST, 30);
    expect(d.cases).toBe(4);
    expect(d.mean).toBe(1.25);
    expect(d.variance).toBeCloseTo(2.75 / 3, 12);
    expect(d.k).toBe(Number.POSITIVE_INFINITY);
    // Generations 0–2 (E 0, F 1, G 1 added): counts 2, 0, 1, 2, 0, 1, 1 → mean 1, Σ(x − 1)² = 4,
    // variance 4 / 6 < 1 → Infinity too; a made-up list with counts 0, 0, 0, 4 (one case infects
    // four, each infectee infects no one): mean 1, variance 4 → k = 1 / (4 − 1) = 1/3.
    expect(offspringDispersion(LIST, 40, 3).variance).toBeCloseTo(4 / 6, 12);
    const burst: Infection[] = [
      rec(0, -1, 0, "", "", 0),
      rec(3, -1, 0, "", "", 0),
      rec(9, -1, 0, "", "", 0),
      rec(5, -1, 0, "", "", 0),
      ...[1, 2, 4, 6].map((p) => rec(p, 5, 2, "market", "symptomatic", 1)),
    ];
    const b = offspringDispersion(burst, 30, 1);
    expect(b).toEqual({ mean: 1, variance: 4, k: 1 / 3, cases: 4 });
    expect(offspringDispersion([], 30).k).toBeNaN();
  });

  it("summarises into the epidemic block, R0 only when nothing intervenes", () => {
    const free = summariseEpidemic(LIST, HOUSEHOLD, 30, true);
    expect(free.R0).toBe(1.25);
    expect(free.R0Cases).toBe(4);
    expect(free.householdSAR).toBe(4 / 6);
    expect(free.householdSARFromIndex).toBe(2 / 6);
    expect(free.transmissions).toBe(7);
    const withInterventions = summariseEpidemic(LIST, HOUSEHOLD, 30, false);
    expect([withInterventions.R0, withInterventions.R0Cases]).toEqual([null, 0]);
  });

  it("writes infections.csv with an empty infector for initial cases", () => {
    const csv = infectionsCsv(LIST.slice(0, 3)).split("\n");
    expect(csv[0]).toBe(INFECTION_COLUMNS.join(","));
    expect(csv[0]).toBe("infector,infectee,time,setting,infectorState,place,generation");
    expect(csv[1]).toBe(",0,-1,,,-1,0");
    expect(csv[3]).toBe("0,1,3,home,presymptomatic,0,1");
  });
});

describe("epidemic block of a run", () => {
  it("exists, is consistent with the run's line list, and R0 is reported only without interventions", async () => {
    const s = loadScenario("hanoi-ward");
    const options = {
      scenario: { ...s, epidemic: { ...s.epidemic, initialInfected: 20 } },
      phones: 1500,
      days: 30,
      adoption: 0,
      seed: 3,
      counterfactual: false,
    };
    const free = await runSimulation({ ...options, noInterventions: true });
    const e = free.summary.epidemic;
    const list = free.infections;
    expect(list.filter((i) => i.infector < 0)).toHaveLength(20);
    // Day reports count infections from day 0 on; the line list adds the 20 seeded cases.
    expect(list.length - 20).toBe(free.summary.infections);
    expect(e.transmissions).toBe(free.summary.infections);
    expect(e.transmissions).toBeGreaterThan(20);
    expect(e.R0).not.toBeNull();
    expect(e.R0!).toBeGreaterThan(0.5);
    expect(e.R0!).toBeLessThan(6);
    expect(e.Rt).toHaveLength(30);
    const sh = e.transmissionShares;
    expect(sh.presymptomatic + sh.symptomatic + sh.asymptomatic + sh.environmental).toBeCloseTo(1, 12);
    expect(sh.environmental).toBe(0);
    expect(e.generationInterval.mean).toBeGreaterThan(1);
    expect(e.generationInterval.mean).toBeLessThan(12);
    expect(e.householdSAR).toBeGreaterThanOrEqual(0);
    expect(e.householdSAR).toBeLessThanOrEqual(1);
    const byId = new Map(list.map((i) => [i.infectee, i]));
    for (const i of list) {
      if (i.infector < 0) continue;
      const by = byId.get(i.infector)!;
      // Infected before the infectee, still infectious then, one generation earlier, in a real place.
      expect(by.time).toBeLessThan(i.time);
      expect(i.time).toBeLessThan(by.infectiousUntil);
      expect(i.generation).toBe(by.generation + 1);
      expect(i.place).toBeGreaterThanOrEqual(0);
      expect(i.setting).not.toBe("");
      expect(i.infectorState).not.toBe("");
    }
    // Settings are "home" and the scenario's venue names, every one of them (0 where nothing happened).
    const names = ["home", ...s.venues.map((v) => v.name)];
    expect(Object.keys(e.transmissionsBySetting).sort()).toEqual([...new Set(names)].sort());
    const counted = Object.values(e.transmissionsBySetting).reduce((a, b) => a + b, 0);
    expect(counted).toBe(list.filter((i) => i.infector >= 0).length);
    const rows = infectionsCsv(list).trim().split("\n");
    expect(rows).toHaveLength(list.length + 1);

    // The same run with the scenario's interventions: R0 is not reported.
    const withInterventions = await runSimulation({ ...options, days: 10 });
    expect(withInterventions.summary.epidemic.R0).toBeNull();
  }, 240_000);
});
