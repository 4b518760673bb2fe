/**
 * The testing toolkit refuses bad options with a typed error naming the option, before generating
 * anything: a range given backwards or outside its domain used to give invalid data (keys of rolling
 * period 0 or 200), a plain fast-check error, silently one more phone, or (negative minutes) a
 * generator that ran the process out of memory; the property harness checked nothing with `numRuns: 0`
 * and reported "held" with `tolerance: 2` (1 stays: it measures the failure rate only).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/index";
import {
  checkPolicyProperty,
  contactScenario,
  diagnosisKey,
  type PolicyOutcome,
  temporaryExposureKey,
} from "../../src/testing";

const refused = (f: () => unknown, message: RegExp) => {
  expect(f).toThrow(InvalidArgumentError);
  expect(f).toThrow(message);
};

describe("toolkit options", () => {
  it("refuses ranges backwards, out of their domain or not numbers", () => {
    refused(
      () => contactScenario({ minutes: [-5, -1] }),
      /^minutes must be \[low, high\] with integers in 1…1440/,
    );
    refused(() => contactScenario({ minutes: [10, 5] }), /^minutes is backwards: \[10, 5\]/);
    refused(() => contactScenario({ minutes: [10.5, 20] }), /minutes must be/);
    refused(() => contactScenario({ distance: [1, 0.3] }), /^distance is backwards/);
    refused(() => contactScenario({ distance: [-1, 1] }), /^distance must be/);
    refused(() => contactScenario({ distance: [0, Number.NaN] }), /^distance must be/);
    refused(() => contactScenario({ phones: [1, 1] }), /^phones must be .* 2…100/);
    refused(() => contactScenario({ carriage: [] }), /^carriage must list/);
    refused(() => temporaryExposureKey({ rollingPeriod: [0, 200] }), /^rollingPeriod must be .* 1…144/);
    refused(() => diagnosisKey({ days: [3, 0] }), /^days is backwards/);
  });

  it("draws within the ranges it accepts (the ends included)", () => {
    for (const s of fc.sample(contactScenario({ minutes: [1, 1], distance: [0, 0], phones: [3, 3] }), 5)) {
      expect(s.minutes).toBe(1);
      expect(s.senders).toHaveLength(2);
      for (const d of s.senders.flatMap((x) => x.distances)) expect(d).toBe(0);
    }
    for (const k of fc.sample(temporaryExposureKey({ rollingPeriod: [144, 144] }), 5))
      expect(k.rollingPeriod).toBe(144);
  });

  it("refuses a property spec that would check nothing, or always hold", async () => {
    const scenario = contactScenario({ minutes: [20, 20] });
    const bad = async (spec: object, message: RegExp) => {
      const p = checkPolicyProperty({ policy: "default", scenario, expect: "F1", ...spec });
      await expect(p).rejects.toThrow(InvalidArgumentError);
      await expect(p).rejects.toThrow(message);
    };
    await bad({ numRuns: 0 }, /^numRuns must be an integer ≥ 1, got 0/);
    await bad({ tolerance: 2 }, /^tolerance must be a fraction/);
    await bad({ tolerance: -0.1 }, /^tolerance must be a fraction/);
    await bad({ expect: "F 1" }, /^expect must be a status/);
    await bad({ expect: { not: "f1" } }, /^expect must be a status/);
    await bad({ scenario: {} }, /^scenario must be a fast-check arbitrary/);
  });

  it("gives back the error an expectation function throws instead of counting a failure", async () => {
    const oops = new TypeError("my predicate has a bug");
    const expectation = (_: PolicyOutcome): boolean => {
      throw oops;
    };
    const scenario = contactScenario({ minutes: [20, 20] });
    for (const tolerance of [0, 0.1])
      await expect(
        checkPolicyProperty({ policy: "default", scenario, expect: expectation, numRuns: 3, tolerance }),
      ).rejects.toBe(oops);
  });
});
