import { describe, expect, it } from "vitest";
import { COMPARTMENTS, createEpidemic, measureR, poolR } from "../../sim/epidemic";
import { DEFAULT_EPIDEMIC_PARAMS } from "../../sim/epidemic-params";
import { distanceKernel, drawCourse, infectiousness } from "../../sim/infection";
import { createRng } from "../../sim/random";
import { loadScenario } from "../../sim/scenario";

const P = DEFAULT_EPIDEMIC_PARAMS;

describe("infection course", () => {
  it("draws incubation ≈ 5.1 d median and ≈ 40% asymptomatic", () => {
    const rng = createRng(3);
    const courses = Array.from({ length: 20_000 }, () => drawCourse(P, rng));
    const inc = courses.map((c) => c.incubationDays).sort((a, b) => a - b);
    expect(inc[10_000]!).toBeGreaterThan(4.9);
    expect(inc[10_000]!).toBeLessThan(5.3);
    const asym = courses.filter((c) => c.asymptomatic).length / courses.length;
    expect(Math.abs(asym - 0.4)).toBeLessThan(0.015);
    for (const c of courses.slice(0, 100)) expect(c.latentDays).toBeLessThan(c.incubationDays);
  });

  it("is infectious only between latency and recovery, peaking near onset, less when asymptomatic", () => {
    const c = { latentDays: 2.8, incubationDays: 5.1, recoveryDays: 14 };
    const at = (tau: number, asym = false) =>
      infectiousness(P, tau, c.latentDays, c.incubationDays, asym, c.recoveryDays);
    expect(at(2)).toBe(0);
    expect(at(14.5)).toBe(0);
    expect(at(4.5)).toBeGreaterThan(0.9);
    expect(at(4.5, true)).toBeCloseTo(at(4.5) * P.asymptomaticRelInfectiousness);
    expect(distanceKernel(P, 0.5)).toBe(1);
    expect(distanceKernel(P, 2)).toBeCloseTo(1 / 2.02);
    expect(distanceKernel(P, 4.5)).toBe(0);
  });
});

describe("epidemic", () => {
  // Science check: without app or interventions the default scenario's R is near 2. One seed is too
  // noisy for that (per-seed R over seeds 1–120 at 3,000 people: mean 1.87, SD 0.19, range 1.44–2.32;
  // ≈ 85 cases per seed), so the test pools seeds 1–5 into one estimate, R = Σ secondary / Σ cases.
  // Pooled over 5 seeds: SE ≈ 0.19/√5 ≈ 0.085 (SD of the 24 disjoint 5-seed pools from seeds 1–120:
  // 0.086); overall pooled mean 1.88. Bounds [1.6, 2.4] are symmetric about 2 and sit 3.4 SE below /
  // 6.2 SE above the mean: false failure ≈ 3e-4 (normal), 1e-4 by bootstrap over the 120 seeds; all 24
  // disjoint 5-seed pools pass (range 1.72–2.08). Seeds 1–5 themselves give 1.72 from 381 cases.
  it("R is near 2 without app or interventions (hanoi-ward, 3,000 people, pooled over seeds 1–5)", () => {
    const runs = [1, 2, 3, 4, 5].map((seed) =>
      measureR(loadScenario("hanoi-ward"), { seed, population: 3000 }),
    );
    for (const r of runs) expect(r.cases).toBeGreaterThan(50); // per seed: min 63 over seeds 1–120
    const { R, cases } = poolR(runs);
    expect(cases).toBeGreaterThan(300); // mean ≈ 427 over 5 seeds, min 381 among disjoint pools
    expect(R).toBeGreaterThan(1.6);
    expect(R).toBeLessThan(2.4);
  }, 120_000);

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
});
