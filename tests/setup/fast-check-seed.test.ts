import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fastCheckSeed } from "./fast-check-seed";

describe("fast-check seed from the environment", () => {
  it("takes FC_SEED when it is an integer, and refuses anything else", () => {
    expect(fastCheckSeed("123")).toBe(123);
    expect(fastCheckSeed("-7")).toBe(-7);
    expect(() => fastCheckSeed("abc")).toThrow(/FC_SEED must be an integer/);
    expect(() => fastCheckSeed("1.5")).toThrow(/FC_SEED must be an integer/);
  });

  it("draws a 32-bit seed when FC_SEED is unset or empty", () => {
    const seeds = new Set(Array.from({ length: 20 }, () => fastCheckSeed(undefined)));
    for (const s of seeds) expect(s).toBe(s | 0);
    expect(seeds.size).toBeGreaterThan(1);
    const empty = fastCheckSeed("");
    expect(empty).toBe(empty | 0);
  });

  it("is the seed fast-check runs with in this file", () => {
    const seed = fc.readConfigureGlobal().seed;
    expect(seed).toBeTypeOf("number");
    if (process.env.FC_SEED) expect(seed).toBe(Number(process.env.FC_SEED) | 0);
  });
});
