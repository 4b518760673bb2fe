/**
 * The one radio model (src/radio/path-loss.ts) against hand-worked log-distance values, and each of its
 * three configurations — the simulator's field fit, the HCI emulator's path loss and the testing
 * toolkit's contact scenarios — reproducing the numbers its former model gave (the formulas those
 * models documented, worked by hand here).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRadioModel, FITTED_RADIO_PARAMS, FITTED_RADIO_SETTINGS } from "../../sim/radio/radio";
import {
  CARRIAGE_PAIRS,
  CARRIAGES,
  calibrationOffsetDb,
  carriagePair,
  lookupCalibration,
  meanRssi,
  pathLossRssi,
  type RadioPairParams,
  spreadScale,
} from "../../src/index";
import { emulatorRadioParams, pathLossModel, seededRng } from "../../src/ble";
import { contactScenario, DEFAULT_RADIO_MODEL, simulateContact, toolkitRadioParams } from "../../src/testing";

const PAIR: RadioPairParams = {
  intercept: -80,
  exponent: 2,
  sessionSd: 0,
  slowSd: 0,
  slowCorrelationS: 0,
  blockingProbability: 0,
  blockingLossDb: 0,
};

describe("the radio model", () => {
  it("one-slope log-distance path loss, hand-worked: −80 dBm at 1 m, n = 2", () => {
    // intercept − 20·log10 d: 2 m −86.0206, 10 m −100, 0.5 m −73.9794; below 0.1 m clamped: −60.
    expect(pathLossRssi(PAIR, 1, 0.1)).toBe(-80);
    expect(pathLossRssi(PAIR, 2, 0.1)).toBeCloseTo(-86.0206, 4);
    expect(pathLossRssi(PAIR, 10, 0.1)).toBeCloseTo(-100, 10);
    expect(pathLossRssi(PAIR, 0.5, 0.1)).toBeCloseTo(-73.9794, 4);
    expect(pathLossRssi(PAIR, 0.01, 0.1)).toBeCloseTo(-60, 10);
    expect(pathLossRssi(PAIR, 0, 0.1)).toBeCloseTo(-60, 10);
  });

  it("two-slope path loss, hand-worked: n = 2 to 4 m, 0.5 beyond", () => {
    const p = { ...PAIR, breakpointM: 4, farExponent: 0.5 };
    // 2 m: one slope, −86.0206; 4 m: −80 − 20·0.60206 = −92.0412; 10 m: −92.0412 − 5·log10 2.5 = −94.0309.
    expect(pathLossRssi(p, 2, 0.1)).toBeCloseTo(-86.0206, 4);
    expect(pathLossRssi(p, 4, 0.1)).toBeCloseTo(-92.0412, 4);
    expect(pathLossRssi(p, 10, 0.1)).toBeCloseTo(-94.0309, 4);
  });

  it("distance-dependent spread, hand-worked", () => {
    const p = { ...PAIR, varianceSlope: -0.5 };
    // √(1 − 0.5·log10 d), log10 d clamped to [−1, 1], variance factor at least 0.25.
    expect(spreadScale(p, 1, 0.1)).toBe(1);
    expect(spreadScale(p, 0.1, 0.1)).toBeCloseTo(Math.sqrt(1.5), 12);
    expect(spreadScale(p, 100, 0.1)).toBeCloseTo(Math.sqrt(0.5), 12);
    expect(spreadScale({ ...p, varianceSlope: -2 }, 10, 0.1)).toBe(0.5);
    expect(spreadScale(PAIR, 0.2, 0.1)).toBe(1);
  });

  it("carriage pairs are unordered, one letter per carriage", () => {
    const letter = { hand: "H", pocket: "P", bag: "B" } as const;
    for (const a of CARRIAGES)
      for (const b of CARRIAGES) {
        const key = carriagePair(a, b);
        expect(key).toBe(carriagePair(b, a));
        expect([letter[a] + letter[b], letter[b] + letter[a]]).toContain(key);
        expect(CARRIAGE_PAIRS).toContain(key);
      }
  });

  it("calibration offset and mean RSSI, hand-worked", () => {
    const params = { ...FITTED_RADIO_PARAMS, reference: { txPower: -26, rssiCorrection: 4 } };
    // Advertiser −20 dBm (+6 over the reference), scanner correction 10 (+6): offset 0; absent: the reference.
    expect(
      calibrationOffsetDb(
        params,
        { carriage: "hand", txPower: -20 },
        { carriage: "hand", rssiCorrection: 10 },
      ),
    ).toBe(0);
    expect(calibrationOffsetDb(params, { carriage: "hand", txPower: -16 }, { carriage: "bag" })).toBe(10);
    expect(calibrationOffsetDb(params, { carriage: "hand" }, { carriage: "bag", rssiCorrection: 1 })).toBe(3);
  });
});

describe("configurations reproduce the former models", () => {
  it("the simulator's pooled field fit: −82.651 dBm at 1 m, n 1.439 to 4 m, 0.874 beyond", () => {
    // Shipped sim/radio/radio-params.json (docs/radio-fit.md); reference devices tx −26 dBm, correction 4.
    const model = createRadioModel(1, FITTED_RADIO_PARAMS);
    const hand = { seed: 1, carriage: "hand" as const };
    const bag = { seed: 2, carriage: "bag" as const };
    // −82.651 − 14.39·log10 2 = −86.9828; −82.651 − 14.39·log10 4 − 8.74·log10 2.5 = −94.7926.
    expect(model.meanRssi(hand, bag, 1)).toBeCloseTo(-82.651, 10);
    expect(model.meanRssi(hand, bag, 2)).toBeCloseTo(-86.9828, 4);
    expect(model.meanRssi(hand, hand, 10)).toBeCloseTo(-94.7926, 4);
    // A phone advertising 6 dB above the reference is heard 6 dB stronger.
    expect(model.meanRssi({ ...hand, txPower: -20 }, bag, 2)).toBeCloseTo(-80.9828, 4);
    // The simulator's mean is the library's.
    for (const d of [0.05, 0.7, 3, 12])
      expect(model.meanRssi(hand, bag, d)).toBe(meanRssi(FITTED_RADIO_PARAMS, hand, bag, d));
    // Every per-setting fit is a configuration of the same model.
    for (const p of Object.values(FITTED_RADIO_SETTINGS.settings))
      expect(createRadioModel(1, p).meanRssi(hand, bag, 2)).toBe(meanRssi(p, hand, bag, 2));
  });

  it("the HCI emulator's path loss: RSSI = txPower − (referenceLoss + 10·n·log10 d) + N(0, σ²)", () => {
    // Defaults: 0 dBm, 40 dB at 1 m, n = 2: 1 m −40, 2 m −46.0206, 10 m −60, clamped at 0.1 m: −20.
    const def = pathLossModel();
    expect(def.meanRssi(1)).toBeCloseTo(-40, 10);
    expect(def.meanRssi(2)).toBeCloseTo(-46.0206, 4);
    expect(def.meanRssi(10)).toBeCloseTo(-60, 10);
    expect(def.meanRssi(0.05)).toBeCloseTo(-20, 10);
    // −10 dBm, 45 dB, n = 3 at 5 m: −55 − 30·log10 5 = −75.9691.
    const options = { txPower: -10, referenceLoss: 45, pathLossExponent: 3, sensitivity: -70 };
    const m = pathLossModel(options);
    expect(m.meanRssi(5)).toBeCloseTo(-75.9691, 4);
    const params = emulatorRadioParams(options);
    for (const d of [0.5, 1, 5])
      expect(m.meanRssi(d)).toBe(meanRssi(params, { carriage: "hand" }, { carriage: "bag" }, d));
    // Noise off: a sample is the mean, or lost below the sensitivity (−70 dBm: 1 m heard, 5 m lost).
    const rng = seededRng(1);
    expect(m.sample(1, rng)).toBeCloseTo(-55, 10);
    expect(m.sample(5, rng)).toBeUndefined();
    // Noise on: σ = 2 dB around the mean (10,000 draws: mean within 0.1 dB, sd within 0.1 dB).
    const noisy = pathLossModel({ noiseSigma: 2, sensitivity: -500 });
    expect(emulatorRadioParams({ noiseSigma: 2 }).pairs.PB.noiseSd).toBe(2);
    const draws = Array.from({ length: 10_000 }, () => noisy.sample(2, rng)! + 46.0206);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1));
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(sd - 2)).toBeLessThan(0.1);
  });

  it("the testing toolkit's contact model: RSSI = txPower − correction − (A₁ + 10·n·log10 d + carriage losses)", () => {
    // Defaults A₁ 48 dB, n 2.5; hand 0, pocket 8, bag 12 dB. Hand–hand 2 m: −48 − 25·log10 2 = −55.5257;
    // pocket–bag 10 m: −(48 + 8 + 12) − 25 = −93; hand–pocket 2 m, tx −10, correction 4: −77.5257.
    const params = toolkitRadioParams();
    expect(params.pairs.HH.intercept).toBe(-48);
    expect(pathLossRssi(params.pairs.HH, 2, params.minDistanceM)).toBeCloseTo(-55.5257, 4);
    expect(pathLossRssi(params.pairs.PB, 10, params.minDistanceM)).toBeCloseTo(-93, 10);
    const sender = { carriage: "hand" as const, txPower: -10 };
    expect(meanRssi(params, sender, { carriage: "pocket", rssiCorrection: 4 }, 2)).toBeCloseTo(-77.5257, 4);
    expect(params.pairs.PP).toMatchObject({
      sessionSd: DEFAULT_RADIO_MODEL.shadowingSigmaDb,
      noiseSd: DEFAULT_RADIO_MODEL.noiseSigmaDb,
    });
  });

  it("the toolkit's simulated contacts hear the former formula's RSSI (noise off)", () => {
    const scenario = fc.sample(
      contactScenario({
        distance: [2, 2],
        minutes: [20, 20],
        carriage: ["pocket"],
        radio: { noiseSigmaDb: 0, shadowingSigmaDb: 0, sensitivityDbm: -500 },
      }),
      { seed: fc.readConfigureGlobal().seed ?? 1, numRuns: 1 },
    )[0]!;
    const correction = lookupCalibration(undefined).rssiCorrection;
    // pocket–pocket: 8 + 8 dB on top of A₁ = 48 dB and 25·log10 2 = 7.5257 dB.
    const expected = scenario.senders[0]!.txPower - correction - (48 + 7.5257 + 16);
    const { sightings } = simulateContact(scenario);
    expect(sightings.length).toBeGreaterThan(0);
    for (const s of sightings) {
      expect(Math.abs(s.meanRssi - expected)).toBeLessThanOrEqual(0.5 + 1e-4);
      expect(Math.abs(s.maxRssi - expected)).toBeLessThanOrEqual(0.5 + 1e-4);
    }
  });
});
