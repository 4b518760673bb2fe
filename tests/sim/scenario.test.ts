import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadScenario, parseScenario, resolveEpidemicParams, ScenarioError } from "../../sim/scenario";

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
// biome-ignore lint/suspicious/noExplicitAny: tests mutate parsed JSON freely
const valid = () => clone(loadScenario("hanoi-ward")) as unknown as Record<string, any>;

const errorOf = (json: unknown) => {
  try {
    parseScenario(json);
  } catch (e) {
    return e;
  }
  return undefined;
};

describe("scenario", () => {
  it("loads every shipped scenario", () => {
    for (const name of ["hanoi-ward", "office", "market", "school"]) {
      const s = loadScenario(name);
      expect(s.name).toBe(name);
      expect(s.population).toBeGreaterThan(0);
    }
    const h = loadScenario("hanoi-ward");
    expect(h.wards.length).toBe(11);
    const sizes = h.households.sizeDistribution;
    const mean = sizes.reduce((a, w, i) => a + w * (i + 1), 0) / sizes.reduce((a, w) => a + w, 0);
    expect(mean).toBeGreaterThan(3.4);
    expect(mean).toBeLessThan(3.6);
  });

  it("names the field path in errors", () => {
    const s = valid();
    s.households.sizeDistribution[2] = -1;
    const e = errorOf(s);
    expect(e).toBeInstanceOf(ScenarioError);
    expect((e as ScenarioError).message).toBe(
      "households.sizeDistribution[2]: must be a non-negative number",
    );
    expect((e as ScenarioError).path).toBe("households.sizeDistribution[2]");

    const t = valid();
    t.interventions[3].wards = ["Nowhere"];
    expect((errorOf(t) as Error).message).toBe('interventions[3].wards[0]: unknown ward "Nowhere"');

    const u = valid();
    delete u.venues[2].areaM2;
    expect((errorOf(u) as Error).message).toBe('venues[2].areaM2: is required for kind "market"');

    const v = valid();
    v.app.adoption = 1.5;
    expect((errorOf(v) as Error).message).toBe("app.adoption: must be a number in [0, 1]");

    const w = valid();
    w.epidemic.betta = 1;
    expect((errorOf(w) as Error).message).toBe("epidemic.betta: unknown epidemic parameter");

    expect(() => loadScenario("no-such-scenario")).toThrow(ScenarioError);
  });

  it("never throws anything but ScenarioError on mutated input", () => {
    const base = valid();
    const paths: string[][] = [];
    const walk = (o: unknown, path: string[]) => {
      if (o && typeof o === "object")
        for (const [k, v] of Object.entries(o)) {
          paths.push([...path, k]);
          walk(v, [...path, k]);
        }
    };
    walk(base, []);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: paths.length - 1 }),
        fc.oneof(fc.constant(null), fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant([])),
        (i, value) => {
          const s = clone(base);
          const path = paths[i]!;
          let o = s;
          for (const k of path.slice(0, -1)) o = o[k];
          o[path[path.length - 1]!] = value;
          const e = errorOf(s);
          if (e !== undefined) expect(e).toBeInstanceOf(ScenarioError);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it("resolves epidemic parameters with the variant preset and β multiplier", () => {
    const s = loadScenario("hanoi-ward");
    const anc = resolveEpidemicParams(s);
    const delta = resolveEpidemicParams({ ...s, epidemic: { variant: "delta", betaMultiplier: 2 } });
    expect(delta.beta).toBeCloseTo(2 * anc.beta);
    expect(Math.exp(delta.incubationLogMean)).toBeCloseTo(4.4);
  });
});
