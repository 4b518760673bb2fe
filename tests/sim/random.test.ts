import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRng, createStreams, hashNormal, hashUniform } from "../../sim/random";

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
});
