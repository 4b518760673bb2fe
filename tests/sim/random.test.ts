import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRng, createStreams, hashNormal, hashUniform, inverseNormalCdf } from "../../sim/random";

const N = 50_000;
const stats = (draw: () => number) => {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < N; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / N;
  return { mean, sd: Math.sqrt(s2 / N - mean * mean) };
};

describe("random", () => {
  it("is deterministic per seed and differs across seeds", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xa = Array.from({ length: 10 }, () => a.next32());
    expect(Array.from({ length: 10 }, () => b.next32())).toEqual(xa);
    expect(Array.from({ length: 10 }, () => c.next32())).not.toEqual(xa);
  });

  it("keeps named streams independent of each other's use", () => {
    const s1 = createStreams(7);
    const s2 = createStreams(7);
    for (let i = 0; i < 1000; i++) s1.stream("mobility").uniform();
    expect(s1.stream("disease").next32()).toBe(s2.stream("disease").next32());
    expect(createStreams(7).stream("radio").next32()).not.toBe(createStreams(7).stream("app").next32());
  });

  it("draws distributions with the right moments (fixed seed)", () => {
    const r = createRng(1);
    const u = stats(() => r.uniform());
    expect(u.mean).toBeCloseTo(0.5, 2);
    const n = stats(() => r.normal(3, 2));
    expect(Math.abs(n.mean - 3)).toBeLessThan(0.05);
    expect(Math.abs(n.sd - 2)).toBeLessThan(0.05);
    const e = stats(() => r.exponential(0.5));
    expect(Math.abs(e.mean - 2)).toBeLessThan(0.05);
    const g = stats(() => r.gamma(2.5, 2));
    expect(Math.abs(g.mean - 5)).toBeLessThan(0.1);
    expect(Math.abs(g.sd - Math.sqrt(2.5) * 2)).toBeLessThan(0.1);
    const gs = stats(() => r.gamma(0.5, 1));
    expect(Math.abs(gs.mean - 0.5)).toBeLessThan(0.03);
    const ln = stats(() => Math.log(r.lognormal(1.621, 0.418)));
    expect(Math.abs(ln.mean - 1.621)).toBeLessThan(0.01);
    for (const lambda of [0.7, 4, 45, 300]) {
      const p = stats(() => r.poisson(lambda));
      expect(Math.abs(p.mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / N) + 1e-3);
      expect(Math.abs(p.sd ** 2 / lambda - 1)).toBeLessThan(0.05);
    }
  });

  it("weighted, choice and shuffle behave", () => {
    const r = createRng(5);
    const counts = [0, 0, 0];
    for (let i = 0; i < N; i++) counts[r.weighted([1, 2, 7])]!++;
    expect(counts[2]! / N).toBeCloseTo(0.7, 1);
    expect(() => r.choice([])).toThrow(RangeError);
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer(), (xs, seed) => {
        const ys = createRng(seed).shuffle([...xs]);
        expect([...ys].sort()).toEqual([...xs].sort());
      }),
      { numRuns: 200 },
    );
  });

  it("counter-based values are pure and well distributed", () => {
    expect(hashUniform(1, 2, 3)).toBe(hashUniform(1, 2, 3));
    let i = 0;
    const u = stats(() => hashUniform(9, i++));
    expect(u.mean).toBeCloseTo(0.5, 2);
    let j = 0;
    const n = stats(() => hashNormal(9, j++));
    expect(Math.abs(n.mean)).toBeLessThan(0.03);
    expect(Math.abs(n.sd - 1)).toBeLessThan(0.03);
  });

  it("inverse normal CDF matches published quantiles to 1.2e-9 (relative) and is monotone", () => {
    // Φ⁻¹ at p (tables of the standard normal; Φ(1) = 0.8413447460685429).
    const published: [number, number][] = [
      [0.5, 0],
      [0.8413447460685429, 1],
      [0.9, 1.2815515655446004],
      [0.975, 1.959963984540054],
      [0.999, 3.090232306167813],
      [0.01, -2.326347874040841],
      [1e-9, -5.997807015007686],
    ];
    for (const [p, x] of published)
      expect(Math.abs(inverseNormalCdf(p) - x)).toBeLessThanOrEqual(1.2e-9 * Math.abs(x));
    // Increasing across both region boundaries (0.02425 and 0.97575), and odd about ½.
    let prev = Number.NEGATIVE_INFINITY;
    for (let p = 1e-6; p < 1; p += 1e-5) {
      const x = inverseNormalCdf(p);
      expect(x).toBeGreaterThan(prev);
      expect(Math.abs(x + inverseNormalCdf(1 - p))).toBeLessThan(1e-8 * Math.max(1, Math.abs(x)));
      prev = x;
    }
  });

  it("hashNormal is standard normal: KS distance to Φ below 0.006 on 200,000 draws", () => {
    // Φ from erfc by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7), written apart from the code under test.
    const erfc = (x: number) => {
      const t = 1 / (1 + 0.3275911 * x);
      return (
        t *
        (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
        Math.exp(-x * x)
      );
    };
    const phi = (x: number) => (x >= 0 ? 1 - 0.5 * erfc(x / Math.SQRT2) : 0.5 * erfc(-x / Math.SQRT2));
    const n = 200_000;
    const xs = Float64Array.from({ length: n }, (_, i) => hashNormal(0x5eed, i, 3)).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = phi(xs[i]!);
      d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
    }
    // 1.95/√n ≈ 0.0044 is the 0.1% critical value.
    expect(d).toBeLessThan(0.006);
  });
});
