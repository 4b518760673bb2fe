import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_EPIDEMIC_PARAMS, DELTA_OVERRIDES } from "../../sim/epidemic/epidemic-params";
import {
  applyScenarioOverrides,
  DEFAULT_APP_RESPONSE,
  loadScenario,
  parseScenario,
  readScenarioJson,
  resolveEpidemicParams,
  ScenarioError,
} from "../../sim/scenario";
import { ROOT } from "../helpers/data";
import { prepareScenario } from "../../sim/run";

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
    for (const name of ["hanoi-ward", "hanoi-district", "office", "market", "school"]) {
      const s = loadScenario(name);
      expect(s.name).toBe(name);
      expect(s.population).toBeGreaterThan(0);
    }
    // hanoi-district is hanoi-ward at 100,000 people. Its documented differences (docs/hanoi-2021.md,
    // #hanoi-district; scripts/make-hanoi-district.py): name, description, population, 10 index cases (not
    // hanoi-ward's scaled with the population, which depleted the district's susceptibles), and Directive
    // 16's ward lockdown at 80% of workplaces and 50% of cross-ward trips (hanoi-ward: 90% and 60%).
    const ward = loadScenario("hanoi-ward");
    const district = loadScenario("hanoi-district");
    expect(district.population).toBe(100_000);
    expect(district.epidemic.initialInfected).toBe(10);
    expect({ ...district.epidemic, initialInfected: 0 }).toEqual({ ...ward.epidemic, initialInfected: 0 });
    const isDirective16 = (iv: { kind: string; from: string }) =>
      iv.kind === "wardLockdown" && iv.from === "2021-07-24";
    expect(ward.interventions.filter(isDirective16)).toHaveLength(1);
    const d16 = district.interventions.findIndex(isDirective16);
    expect(district.interventions[d16]).toEqual({
      ...ward.interventions[d16],
      workplaceOpenShare: 0.8,
      crossWardLeakage: 0.5,
    });
    const rest = (s: typeof ward) => ({
      ...s,
      name: "",
      description: "",
      population: 0,
      epidemic: {},
      interventions: s.interventions.filter((iv) => !isDirective16(iv)),
    });
    expect(rest(district)).toEqual(rest(ward));
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
    expect((errorOf(w) as Error).message).toBe(
      'epidemic.betta: unknown epidemic parameter (did you mean "beta"?)',
    );

    const x = valid();
    for (const ward of x.wards) ward.share = 0;
    expect((errorOf(x) as Error).message).toBe("wards[].share: must have a positive sum");

    const y = valid();
    y.epidemic.initialInfected = y.population + 1;
    expect((errorOf(y) as Error).message).toBe(
      `epidemic.initialInfected: must be at most the population (${y.population}), got ${y.population + 1}`,
    );

    const z = valid();
    z.seed = 5e9;
    expect((errorOf(z) as Error).message).toBe("seed: must be an integer in [0, 4294967295]");
    z.seed = 7;
    z.population = 1;
    expect((errorOf(z) as Error).message).toBe("population: must be an integer >= 2");

    // --phones does not scale the index cases: more of them than people is refused, naming both.
    expect(() =>
      prepareScenario({
        scenario: loadScenario("hanoi-ward", ["epidemic.initialInfected=500"]),
        phones: 200,
      }),
    ).toThrow(
      expect.objectContaining({
        code: "ERR_INVALID_ARGUMENT",
        message: expect.stringMatching(/500 index cases \(epidemic\.initialInfected\) exceed the 200 people/),
      }),
    );

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
      { numRuns: 300 },
    );
  });

  it("resolves epidemic parameters with the variant preset and β multiplier", () => {
    // hanoi-ward's own epidemic block is Delta (its Hanoi 2021 fit); the defaults are the ancestral strain.
    const s = { ...loadScenario("hanoi-ward"), epidemic: {} };
    expect(loadScenario("hanoi-ward").epidemic.variant).toBe("delta");
    const anc = resolveEpidemicParams(s);
    const delta = resolveEpidemicParams({ ...s, epidemic: { variant: "delta", betaMultiplier: 2 } });
    expect(delta.beta).toBeCloseTo(2 * anc.beta);
    expect(Math.exp(delta.incubationLogMean)).toBeCloseTo(4.4);
    expect(anc.transmissibility).toBe(1);
    expect(delta.transmissibility).toBe(DELTA_OVERRIDES.transmissibility);
    // Age susceptibility overrides merge into the defaults group by group.
    const merged = resolveEpidemicParams({ ...s, epidemic: { susceptibilityByAgeGroup: { senior: 1.5 } } });
    expect(merged.susceptibilityByAgeGroup).toEqual({
      ...DEFAULT_EPIDEMIC_PARAMS.susceptibilityByAgeGroup,
      senior: 1.5,
    });
    const json = readScenarioJson("hanoi-ward") as Record<string, unknown>;
    expect(() =>
      parseScenario({ ...json, epidemic: { susceptibilityByAgeGroup: { toddler: 0.5 } } }),
    ).toThrow(/epidemic\.susceptibilityByAgeGroup\.toddler.*unknown age group "toddler"/);
    const vaccination = {
      kind: "vaccination",
      from: "2021-08-01",
      dailyRate: 0.01,
      priorityAgeGroups: ["elders"],
    };
    expect(() => parseScenario({ ...json, interventions: [vaccination] })).toThrow(
      /priorityAgeGroups.*elders/,
    );
    const ok = { ...vaccination, priorityAgeGroups: ["senior"], rampDays: 14 };
    expect(parseScenario({ ...json, interventions: [ok] }).interventions).toEqual([ok]);
  });

  it("refuses two F1 quarantines (or F2 monitorings, vaccinations) in force at once; back to back is fine", () => {
    const json = readScenarioJson("hanoi-ward") as Record<string, unknown>;
    const weak = {
      kind: "f1Quarantine",
      from: "2021-07-12",
      tracingRecall: 0,
      compliance: 0,
      durationDays: 14,
    };
    const strict = {
      kind: "f1Quarantine",
      from: "2021-07-14",
      tracingRecall: 1,
      compliance: 1,
      durationDays: 14,
    };
    // The simulator applies the first in force: the strict one, from the 14th, was ignored.
    expect(() => parseScenario({ ...json, interventions: [weak, strict] })).toThrow(
      "interventions[1]: f1Quarantine from 2021-07-14 overlaps interventions[0] (f1Quarantine from 2021-07-12): one f1Quarantine is in force at a time",
    );
    // A distance factor below 1 made risk grow with distance (0 made every contact certain).
    expect(() => parseScenario({ ...json, epidemic: { distanceRiskPerMetre: 0.5 } })).toThrow(
      "epidemic.distanceRiskPerMetre: must be a number >= 1",
    );
    const ended = { ...weak, to: "2021-07-13" };
    expect(parseScenario({ ...json, interventions: [ended, strict] }).interventions).toHaveLength(2);
    const sameDay = { ...weak, to: "2021-07-14" };
    expect(() => parseScenario({ ...json, interventions: [sameDay, strict] })).toThrow(
      /overlaps interventions\[0\]/,
    );
  });

  it("rejects unknown fields anywhere, naming the field and the closest known name", () => {
    const kinds = valid().interventions.map((i: { kind: string }) => i.kind);
    const mt = kinds.indexOf("massTesting");
    const f1 = kinds.indexOf("f1Quarantine");
    const cases: [(s: ReturnType<typeof valid>) => void, string][] = [
      [
        (s) => (s.app.response = { quarantineDay: 7 }),
        'app.response.quarantineDay: unknown field (did you mean "quarantineDays"?)',
      ],
      [(s) => (s.populaton = 5), 'populaton: unknown field (did you mean "population"?)'],
      [
        (s) => (s.venues[0].schedule.startHours = 8),
        'venues[0].schedule.startHours: unknown field (did you mean "startHour"?)',
      ],
      // A field of another intervention kind is unknown for this kind.
      [(s) => (s.interventions[0].dailyRate = 0.1), "interventions[0].dailyRate: unknown field"],
      // The clinical and testing interventions' fields (#17 item 4).
      [
        (s) => (s.interventions[mt].poolsize = 8),
        `interventions[${mt}].poolsize: unknown field (did you mean "poolSize"?)`,
      ],
      [
        (s) => (s.interventions[mt].turnaroundDay = 1),
        `interventions[${mt}].turnaroundDay: unknown field (did you mean "turnaroundDays"?)`,
      ],
      [
        (s) => (s.interventions[f1].entryTests = true),
        `interventions[${f1}].entryTests: unknown field (did you mean "entryTest"?)`,
      ],
      [
        (s) => (s.epidemic.quarantineLeak = 0.1),
        'epidemic.quarantineLeak: unknown epidemic parameter (did you mean "quarantineLeakage"?)',
      ],
      [(s) => (s.interventions[mt].poolSize = 0), `interventions[${mt}].poolSize: must be an integer >= 1`],
      [
        (s) => (s.interventions[mt].specificity = 1.2),
        `interventions[${mt}].specificity: must be a number in [0, 1]`,
      ],
      [
        (s) => (s.interventions[f1].releaseTest = "yes"),
        `interventions[${f1}].releaseTest: must be true or false`,
      ],
      [
        (s) => (s.epidemic.quarantineLeakage = -0.1),
        "epidemic.quarantineLeakage: must be a number in [0, 1]",
      ],
      [
        (s) => (s.epidemic.fatalityByAgeGroup = { elderly: 0.1 }),
        'epidemic.fatalityByAgeGroup.elderly: unknown age group "elderly"',
      ],
      [
        (s) => (s.epidemic.hospitalisationByAgeGroup = { senior: 2 }),
        "epidemic.hospitalisationByAgeGroup.senior: must be a number in [0, 1]",
      ],
      [(s) => (s.startDate = "2021-02-31"), "startDate: must be a valid calendar date"],
      [
        (s) => (s.interventions[3].wards = "some"),
        'interventions[3].wards: must be "all" or a list of ward names',
      ],
    ];
    for (const [mutate, message] of cases) {
      const s = valid();
      mutate(s);
      const e = errorOf(s);
      expect(e).toBeInstanceOf(ScenarioError);
      expect((e as Error).message).toBe(message);
    }
  });

  it("--set overrides apply before validation, as JSON or text, creating objects on the way", () => {
    const json = readScenarioJson("hanoi-ward");
    const before = JSON.stringify(json);
    const set = applyScenarioOverrides(json, [
      "app.response.quarantineDays=7",
      "app.response.policy=cwa",
      'interventions[0].from="2021-07-30"',
      "epidemic.variant=delta",
      "days=3",
    ]);
    expect(JSON.stringify(json)).toBe(before); // the input is not modified
    const s = parseScenario(set);
    expect(s.app.response.quarantineDays).toBe(7);
    expect(s.app.response.policy).toBe("cwa");
    expect(s.interventions[0]!.from).toBe("2021-07-30");
    expect(s.epidemic.variant).toBe("delta");
    expect(s.days).toBe(3);
    expect(loadScenario("office", ["epidemic.beta=0.001"]).epidemic.beta).toBe(0.001);
    expect(() => loadScenario("hanoi-ward", ["app.response.quarantineDay=7"])).toThrow(
      'app.response.quarantineDay: unknown field (did you mean "quarantineDays"?)',
    );
    expect(() => applyScenarioOverrides(json, ["days"])).toThrow("must have the form path=value");
    expect(() => applyScenarioOverrides(json, ["name.first=x"])).toThrow("name is not an object or array");
    // hanoi-ward has 11 interventions: index 99 is named as such, not as the first hole (11).
    expect(() => applyScenarioOverrides(json, ["interventions[99].coverage=0.5"])).toThrow(
      "interventions[99]: no such element: the array has 11 (indices 0–10; 11 appends one)",
    );
  });

  it("the published schema lists every epidemic parameter and holds the documented defaults", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, "schemas/scenario.schema.json"), "utf8"));
    const epidemic = Object.keys(schema.properties.epidemic.properties).sort();
    expect(epidemic).toEqual([...Object.keys(DEFAULT_EPIDEMIC_PARAMS), "betaMultiplier", "variant"].sort());
    // Written out here (README's scenario section) rather than read back from the schema.
    expect(DEFAULT_APP_RESPONSE).toEqual({
      uploadConsent: 0.8,
      uploadDelayDays: 1,
      quarantineCompliance: 0.8,
      quarantineDays: 14,
      publishF1Keys: true,
      f2StayHomeShare: 0.3,
      f2Days: 7,
      policy: "default",
    });
    // Every shipped scenario names the schema for editors.
    for (const name of ["hanoi-ward", "office", "market", "school"])
      expect((readScenarioJson(name) as { $schema: string }).$schema).toBe(
        "../../schemas/scenario.schema.json",
      );
  });
});
