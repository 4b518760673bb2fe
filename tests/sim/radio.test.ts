import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { smoothNoise, smoothNoiseWalker } from "../../sim/radio/fading";
import type { LinkFunction as LibraryLinkFunction } from "../../src/transport/simulated";
import { summarise } from "../../sim/radio/radio-fit";
import { fitPair, parseRssiCsv } from "../../sim/radio/radio-fit";
import {
  createLinkFunction,
  createRadioModel,
  FITTED_RADIO_PARAMS,
  PCNG_RADIO_PARAMS,
  type LinkFunction,
  type RadioStation,
} from "../../sim/radio/radio";
import { CARRIAGE_PAIRS, type CarriagePair, carriagePair } from "../../src/index";
import type { Carriage } from "../../sim/scenario";
import { repoData } from "../helpers/data";

const CARRIAGE: Record<string, Carriage> = { H: "hand", P: "pocket", B: "bag" };
const T0 = Date.UTC(2021, 6, 24);

/** Simulates many 100 s recordings per distance, like the data's sessions, with the pc-ng fit (sim/radio/radio-params-pcng.json). */
function simulate(key: CarriagePair, distM: number, links = 60) {
  const model = createRadioModel(2024, PCNG_RADIO_PARAMS);
  const all: number[] = [];
  let withinVar = 0;
  for (let l = 0; l < links; l++) {
    const a: RadioStation = { seed: 1000 + l, carriage: CARRIAGE[key[0]!]! };
    const s: RadioStation = { seed: 5000 + l * 7, carriage: CARRIAGE[key[1]!]! };
    const start = T0 + l * 3_600_000;
    const xs = model.samples(a, s, start, start + 100_000, () => distM);
    const m = xs.reduce((p, q) => p + q, 0) / xs.length;
    withinVar += xs.reduce((p, q) => p + (q - m) ** 2, 0) / xs.length;
    all.push(...xs);
  }
  return { ...summarise(distM, all), withinSd: Math.sqrt(withinVar / links) };
}

describe("smooth noise", () => {
  it("walks along increasing x with exactly the values of smoothNoise, with zero mean and unit variance", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { maxLength: 40 }),
        (seed, steps) => {
          const walk = smoothNoiseWalker(seed);
          let x = -3;
          for (const dx of steps) {
            x += dx;
            expect(walk(x)).toBe(smoothNoise(seed, x));
          }
        },
      ),
      { numRuns: 200 },
    );
    const xs = Array.from({ length: 20_000 }, (_, i) => smoothNoise(99, i * 0.37));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe("radio model", () => {
  it("matches the library's LinkFunction shape", () => {
    const f: LinkFunction = createLinkFunction({
      model: createRadioModel(1),
      station: (id) => ({ seed: id.length, carriage: "hand" }),
      distance: () => 1,
    });
    const g: LibraryLinkFunction = f;
    expect(g("ab", "c", T0, T0 + 10_000).length).toBeGreaterThan(20);
  });

  it("advertises every ~250 ms with packet loss, is deterministic and reciprocal in shadowing", () => {
    const model = createRadioModel(3);
    const a: RadioStation = { seed: 1, carriage: "hand" };
    const b: RadioStation = { seed: 2, carriage: "hand" };
    const xs = model.samples(a, b, T0, T0 + 60_000, () => 1);
    expect(xs.length).toBeGreaterThan(200);
    expect(xs.length).toBeLessThanOrEqual(240);
    expect(model.samples(a, b, T0, T0 + 60_000, () => 1)).toEqual(xs);
    // Splitting the span does not change the samples.
    const split = [
      ...model.samples(a, b, T0, T0 + 30_000, () => 1),
      ...model.samples(a, b, T0 + 30_000, T0 + 60_000, () => 1),
    ];
    expect(split).toEqual(xs);
    expect(model.samples(a, b, T0, T0 + 60_000, () => undefined)).toEqual([]);
    expect(carriagePair("bag", "hand")).toBe("HB");
  });

  it("applies per-model tx power and RSSI correction", () => {
    const model = createRadioModel(3);
    const ref = FITTED_RADIO_PARAMS.reference;
    const a: RadioStation = { seed: 1, carriage: "pocket", txPower: ref.txPower + 5 };
    const b: RadioStation = { seed: 2, carriage: "pocket", rssiCorrection: ref.rssiCorrection + 2 };
    expect(
      model.meanRssi(a, b, 1) -
        model.meanRssi({ ...a, txPower: ref.txPower }, { ...b, rssiCorrection: undefined }, 1),
    ).toBeCloseTo(3);
  });

  // Tolerances: the model's per-distance mean follows the fitted line, so it may miss a measured
  // distance by the data's own scatter of session means around that line (≤ 2.5 session sd + 1 dB);
  // the spread around the line (pooled) and the within-recording spread match within 20%.
  for (const key of CARRIAGE_PAIRS) {
    it(`reproduces the measured mean and spread for ${key}`, () => {
      const data = fitPair(parseRssiCsv(readFileSync(repoData(`rssi/rss-${key}.csv`), "utf8")));
      let sqDiff = 0;
      let simVar = 0;
      let dataVar = 0;
      for (const d of data.byDistance) {
        const sim = simulate(key, d.distM);
        expect(Math.abs(sim.mean - d.mean)).toBeLessThan(2.5 * data.sessionSd + 3);
        sqDiff += (sim.mean - d.mean) ** 2;
        const line = data.intercept + data.slope * Math.log10(d.distM);
        simVar += d.n * (sim.sd ** 2 + (sim.mean - line) ** 2);
        dataVar += d.n;
        expect(Math.abs(sim.withinSd / data.withinSd - 1)).toBeLessThan(0.2);
      }
      // Spread of packets around the fitted line, pooled over distances as the data are (a single
      // distance holds only two recordings, too few to compare its spread alone).
      expect(Math.abs(Math.sqrt(simVar / dataVar) / data.totalSd - 1)).toBeLessThan(0.2);
      // Over all distances, the model's mean error is about the data's session scatter.
      expect(Math.sqrt(sqDiff / data.byDistance.length)).toBeLessThan(data.sessionSd + 1.5);
    });
  }
});
