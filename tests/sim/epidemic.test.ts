import { describe, expect, it } from "vitest";
import { COMPARTMENTS, createEpidemic, measureR, poolR } from "../../sim/epidemic/epidemic";
import { DEFAULT_EPIDEMIC_PARAMS } from "../../sim/epidemic/epidemic-params";
import { distanceKernel, drawCourse, infectiousness } from "../../sim/epidemic/infection";
import { createRng } from "../../sim/random";
import { isInterventionFree, lineList } from "../../sim/epidemic/epidemic-metrics";
import { loadScenario, resolveEpidemicParams, withoutInterventions } from "../../sim/scenario";

const P = DEFAULT_EPIDEMIC_PARAMS;

/** Weibull density, written out here (not imported) as the independent model of the profile. */
const weibull = (x: number, k: number, l: number) =>
  x <= 0 ? 0 : (k / l) * (x / l) ** (k - 1) * Math.exp(-((x / l) ** k));

describe("infection course", () => {
  it("draws incubation ≈ 5.1 d median, ≈ 20% asymptomatic and a mean-1 gamma individual infectiousness", () => {
    const rng = createRng(3);
    const courses = Array.from({ length: 20_000 }, () => drawCourse(P, rng));
    const inc = courses.map((c) => c.incubationDays).sort((a, b) => a - b);
    expect(inc[10_000]!).toBeGreaterThan(4.9);
    expect(inc[10_000]!).toBeLessThan(5.3);
    // Binomial(20,000, 0.2): SD 0.0028; the bound is 5 SD.
    const asym = courses.filter((c) => c.asymptomatic).length / courses.length;
    expect(Math.abs(asym - 0.2)).toBeLessThan(0.014);
    for (const c of courses.slice(0, 100)) expect(c.latentDays).toBeLessThan(c.incubationDays);
    // Gamma(k = 0.45, scale 1/k): mean 1, variance 1/k = 2.22. SE of the mean √(2.22/20,000) = 0.0105,
    // bound 5 SE; the sample variance's SE is ≈ 0.09 for this skewed law, bound ± 0.45.
    const rel = courses.map((c) => c.relInfectiousness);
    const mean = rel.reduce((a, b) => a + b, 0) / rel.length;
    const variance = rel.reduce((a, x) => a + (x - mean) ** 2, 0) / (rel.length - 1);
    expect(Math.abs(mean - 1)).toBeLessThan(0.053);
    expect(Math.abs(variance - 1 / P.infectiousnessDispersionK)).toBeLessThan(0.45);
    const none = drawCourse({ ...P, infectiousnessDispersionK: 0 }, createRng(4));
    expect(none.relInfectiousness).toBe(1);
  });

  it("is infectious only between latency and recovery, anchored to onset, less when asymptomatic", () => {
    const c = { latentDays: 2.8, incubationDays: 5.1, recoveryDays: 14 };
    const at = (tau: number, asym = false) =>
      infectiousness(P, tau, c.latentDays, c.incubationDays, asym, c.recoveryDays);
    expect(at(2)).toBe(0);
    expect(at(14.5)).toBe(0);
    // Hand-worked: Weibull(2.83, 5.67) peaks at 5.67 × (1.83/2.83)^(1/2.83) = 4.861 d; at onset (5.1 d
    // on the profile's axis) the density is 0.9936 of the peak.
    expect(at(5.1)).toBeCloseTo(0.9936, 3);
    expect(at(5.1)).toBeCloseTo(weibull(5.1, 2.83, 5.67) / weibull(4.861, 2.83, 5.67), 4);
    expect(at(4.5, true)).toBeCloseTo(at(4.5) * P.asymptomaticRelInfectiousness);
    // Anchored to onset: a case with a 3-day-longer incubation has the same infectiousness 3 days later.
    for (const s of [-2, -1, 0, 0.5, 2, 6])
      expect(infectiousness(P, 8.1 + s, 4.1, 8.1, false, 20)).toBeCloseTo(at(5.1 + s), 12);
    expect(distanceKernel(P, 0.5)).toBe(1);
    expect(distanceKernel(P, 2)).toBeCloseTo(1 / 2.02);
    expect(distanceKernel(P, 4.5)).toBe(0);
  });
});

describe("epidemic", () => {
  // The science checks of R0 and the other calibration targets are in tests/sim/science-epidemic.test.ts.
  it("measureR counts the secondary infections of generations 0–1 in the no-interventions arm", () => {
    const r = measureR(loadScenario("hanoi-ward"), { seed: 1, population: 1000, days: 30 });
    expect(r.byGeneration).toHaveLength(2);
    expect(r.cases).toBeGreaterThanOrEqual(10);
    expect(r.R).toBeCloseTo((r.byGeneration[0]! * 10 + r.byGeneration[1]! * (r.cases - 10)) / r.cases, 10);
    expect(poolR([r, r])).toEqual({ R: r.R, cases: 2 * r.cases });
  });

  it("runs the Hanoi interventions: confirms cases, quarantines F1s and keeps counts consistent", () => {
    const s = { ...loadScenario("hanoi-ward"), population: 2000, epidemic: { initialInfected: 20 } };
    const epi = createEpidemic(s, { stepMinutes: 10 });
    let confirmed = 0;
    let maxQuarantined = 0;
    for (let d = 0; d < 16; d++) {
      const r = epi.runDay();
      expect(r.compartments.reduce((a, b) => a + b, 0)).toBe(2000);
      expect(r.compartments.length).toBe(COMPARTMENTS.length);
      confirmed += r.confirmed;
      maxQuarantined = Math.max(maxQuarantined, r.quarantined);
    }
    expect(confirmed).toBeGreaterThan(0);
    expect(maxQuarantined).toBeGreaterThan(0);
    // Every infection after the initial ones names an infector who was infected before.
    const st = epi.state;
    for (let p = 0; p < 2000; p++) {
      const by = st.infector[p]!;
      if (by >= 0) expect(st.infectedAt[by]!).toBeLessThan(st.infectedAt[p]!);
    }
  });

  it("symptom self-isolation cuts transmission by symptomatic cases outside their home (paired seeds)", () => {
    // Same worlds and draws with and without (common random numbers: every draw keyed by person). 90%
    // of symptomatic cases stay home from the first morning at least a day after onset, i.e. 1–2 days
    // after it (1.5 on average), so what they transmit outside home before is not cut.
    const outside = (share: number) => {
      let symptomaticOutside = 0;
      let all = 0;
      for (const seed of [1, 2, 3]) {
        const epi = createEpidemic(
          withoutInterventions({ ...loadScenario("hanoi-ward"), population: 1000 }),
          {
            seed,
            stepMinutes: 10,
            trackContacts: false,
            transmittingGenerations: 2,
            params: { initialInfected: 20, selfIsolationShare: share },
          },
        );
        for (let d = 0; d < 25; d++) epi.runDay();
        for (const i of lineList(epi)) {
          if (i.infector < 0) continue;
          all++;
          if (i.infectorState === "symptomatic" && i.setting !== "home") symptomaticOutside++;
        }
      }
      return { symptomaticOutside, all };
    };
    const off = outside(0);
    const on = outside(0.9);
    expect(off.symptomaticOutside).toBeGreaterThan(100);
    expect(on.all).toBeLessThan(off.all);
    // Expected share left: the post-onset infectiousness (the Weibull profile from onset, written out
    // above) before isolation starts — averaged over a start 1–2 days after onset — plus 10% of the rest.
    const p = resolveEpidemicParams(withoutInterventions(loadScenario("hanoi-ward")));
    const integral = (a: number, b: number) => {
      let sum = 0;
      for (let i = 0; i < 2000; i++)
        sum += weibull(a + ((b - a) * (i + 0.5)) / 2000, p.infectiousnessShape, p.infectiousnessScale);
      return (sum * (b - a)) / 2000;
    };
    const o = p.infectiousnessOnsetDays;
    const afterOnset = integral(o, o + 40);
    let before = 0;
    for (let k = 0; k < 20; k++) before += integral(o, o + 1 + (k + 0.5) / 20) / 20;
    const expected = before / afterOnset + 0.1 * (1 - before / afterOnset);
    // Measured 107 / 178 = 0.60 against ≈ 0.6 expected (seeds 4–6: 0.66, 7–9: 0.57).
    expect(on.symptomaticOutside / off.symptomaticOutside).toBeGreaterThan(expected - 0.15);
    expect(on.symptomaticOutside / off.symptomaticOutside).toBeLessThan(expected + 0.15);
    // --no-interventions turns it off, and a scenario with it on has no R0 arm.
    const s = { ...loadScenario("hanoi-ward"), epidemic: { selfIsolationShare: 0.5 } };
    expect(resolveEpidemicParams(withoutInterventions(s)).selfIsolationShare).toBe(0);
    expect(
      isInterventionFree({
        ...withoutInterventions(s),
        epidemic: { ...s.epidemic, symptomaticTestingShare: 0 },
      }),
    ).toBe(false);
  }, 120_000);

  it("vaccinates without replacement, priority age groups first, and protection cuts infections", () => {
    // The default strain (hanoi-ward's own block is Delta with one-dose protection, its Hanoi 2021 fit).
    const base = withoutInterventions({ ...loadScenario("hanoi-ward"), population: 1000, epidemic: {} });
    const vaccination = (rampDays: number) => ({
      kind: "vaccination" as const,
      from: base.startDate,
      dailyRate: 0.1,
      priorityAgeGroups: ["senior"],
      rampDays,
    });
    const epi = createEpidemic(
      { ...base, interventions: [vaccination(14)] },
      { seed: 1, stepMinutes: 10, trackContacts: false, params: { initialInfected: 0 } },
    );
    const senior = base.ageGroups.findIndex((g) => g.name === "senior");
    const seniors = Array.from(epi.world.ageGroup).filter((g) => g === senior).length;
    expect(seniors).toBeGreaterThan(100);
    epi.runDay();
    // Day 0: 100 doses, all to seniors (there are more than 100).
    const st = epi.state;
    const vaccinatedIds = () => [...st.vaccinated.keys()].filter((p) => st.vaccinated[p] === 1);
    expect(vaccinatedIds()).toHaveLength(100);
    for (const p of vaccinatedIds()) {
      expect(epi.world.ageGroup[p]).toBe(senior);
      expect(st.vaccinatedAt[p]).toBe(0);
    }
    for (let d = 1; d < 12; d++) epi.runDay();
    // 12 days × 100 doses ≥ 1,000 people: everyone once, no one twice (the old draw with replacement
    // left ≈ e^−1.2 = 30% unvaccinated); seniors all on days 0–1.
    expect(vaccinatedIds()).toHaveLength(1000);
    for (let p = 0; p < 1000; p++)
      if (epi.world.ageGroup[p] === senior) expect(st.vaccinatedAt[p]).toBeLessThanOrEqual(1);
    // Direction (paired seeds): vaccination with immediate protection infects fewer than none, and a
    // 14-day ramp sits in between.
    const infections = (interventions: (typeof base)["interventions"]) => {
      let total = 0;
      for (const seed of [1, 2]) {
        const e = createEpidemic(
          { ...base, interventions },
          { seed, stepMinutes: 10, trackContacts: false, params: { initialInfected: 20 } },
        );
        for (let d = 0; d < 20; d++) total += e.runDay().infections;
      }
      return total;
    };
    const none = infections([]);
    const immediate = infections([vaccination(0)]);
    const ramped = infections([vaccination(14)]);
    expect(immediate).toBeLessThan(0.75 * none);
    expect(ramped).toBeLessThan(none);
    expect(ramped).toBeGreaterThan(immediate);
  }, 120_000);
});
