/**
 * The simulator's radio against DP-3T exp05 field data (docs/radio-fit.md), and the fit's provenance.
 *
 * Match. Every annotated exp05 packet is replayed through the radio (scripts/lib/radio-field.ts): per
 * burst of an ordered link, the model draws what the receiver hears over the burst's span at the camera
 * distance, with stations calibrated like the two phones; attenuations are binned in 0–1, 1–2, 2–3,
 * 3–4 and ≥ 4 m. Per setting (each with its own fitted parameters) and band, the two-sample KS
 * statistic between the field's and the model's attenuations is taken for REALISATIONS model seeds.
 *
 * Bounds, and how they were derived. A band's packets come from a few dozen links whose persistent
 * shadowing is one draw each, so even a perfect model does not reproduce the field's histogram: two
 * realisations of the model itself differ by KS 0.02–0.27 per band (docs/radio-fit.md, "model vs
 * model"). The rule is therefore relative to that noise, measured in the test from the same
 * realisations: the median over realisations of KS(field, model) must not exceed the largest
 * KS(model, model) between consecutive realisations plus an allowance for misfit, and must stay under
 * an absolute ceiling (so that a noisy band cannot hide a gross misfit).
 * - The allowances cover how much the worst band's excess (median KS − model-vs-model max) itself
 *   varies with the realisations drawn. Measured on six sets of four realisations (1–4, 5–8, …, 21–24;
 *   measured 1 Dec 2026), with the counter-based normal drawn by Box–Muller (before) and by the
 *   inverse normal CDF (now): worst excess per packet 0.042–0.087 (Box–Muller) and 0.029–0.086
 *   (inverse CDF), per burst's strongest packet 0.109–0.147 and 0.109–0.149. The first allowances
 *   (0.06 and 0.14) had been set from realisations 1–4 alone, the luckiest set under Box–Muller; the
 *   draw change moved office 3–4 m per packet to 0.067 over the old bound. The allowances are now the
 *   largest excess over all twelve sets rounded up: 0.10 per packet, 0.16 per burst.
 * - per packet (`samples`): allowance 0.10, ceiling 0.20; the largest median KS is ≈ 0.15 (office
 *   0–1 m: 833 packets from a handful of links, where two realisations of the model differ by up to 0.27).
 * - strongest packet per burst (`scan`): allowance 0.16, ceiling 0.25. Looser on purpose: the replay
 *   keeps each burst's field packet count, and in the field a weak link loses more packets (the
 *   model's reception is a hard sensitivity cut plus 10% loss regardless of level), so per burst the
 *   field holds relatively more weak bursts than per packet (largest median KS ≈ 0.17, party 0–1 m).
 * The static pc-ng radio that preceded this fit (PCNG_RADIO_PARAMS, carriage PP) is rejected by the
 * per-packet rule in every band (its KS is 0.32–0.71), so the rule can tell a field fit from a lab fit.
 *
 * Provenance: re-running scripts/fit-radio.ts's fit on data/ gives the shipped sim/radio/radio-params.json,
 * sim/radio/radio-settings.json and sim/radio/radio-params-pcng.json exactly.
 */
import { dirname } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { COMPARISON_SEEDS, fitRadio, PLACE_SETTINGS } from "../../scripts/fit-radio";
import { loadFieldRows } from "../../scripts/lib/field-data";
import {
  bandLabel,
  bandOf,
  FIELD_BANDS,
  type FieldSlot,
  fieldSlots,
  fitPackets,
  ksStatistic,
  replay,
  settingSlots,
} from "../../scripts/lib/radio-field";
import {
  createLinkFunction,
  createRadioModel,
  createSettingModels,
  FITTED_RADIO_PARAMS,
  FITTED_RADIO_SETTINGS,
  PCNG_RADIO_PARAMS,
  RADIO_SETTINGS,
  type RadioParams,
  type RadioSetting,
  radioParamsForPlace,
} from "../../sim/radio/radio";
import { type FieldPacket, fitField } from "../../sim/radio/radio-fit";
import { createRng } from "../../sim/random";
import SHIPPED_PCNG from "../../sim/radio/radio-params-pcng.json";
import SHIPPED from "../../sim/radio/radio-params.json";
import SHIPPED_SETTINGS from "../../sim/radio/radio-settings.json";
import { repoData } from "../helpers/data";

const REALISATIONS = [1, 2, 3, 4];
const RULES = {
  packets: { allowance: 0.1, ceiling: 0.2 },
  minima: { allowance: 0.16, ceiling: 0.25 },
};
const PRINT = process.env.RADIO_FIELD_PRINT === "1";

let slots: Map<RadioSetting, FieldSlot[]>;
beforeAll(async () => {
  slots = settingSlots(await loadFieldRows(dirname(repoData("field/dp3t-exp05/scenario01-lunch.sqlite"))));
}, 120_000);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Per band: median KS(field, model) over the realisations and max KS(model, model) of consecutive ones. */
function judge(params: RadioParams, setting: RadioSetting, seeds: readonly number[]) {
  const runs = seeds.map((seed) => replay(createRadioModel(seed, params), slots.get(setting)!, setting));
  const consecutive = (f: (i: number) => number) => Math.max(...runs.slice(1).map((_, i) => f(i)));
  return FIELD_BANDS.map((_, b) => ({
    band: bandLabel(b),
    packets: median(runs.map((r) => ksStatistic(r.field[b]!, r.sim[b]!))),
    packetsNull: consecutive((i) => ksStatistic(runs[i]!.sim[b]!, runs[i + 1]!.sim[b]!)),
    minima: median(runs.map((r) => ksStatistic(r.fieldMin[b]!, r.simMin[b]!))),
    minimaNull: consecutive((i) => ksStatistic(runs[i]!.simMin[b]!, runs[i + 1]!.simMin[b]!)),
  }));
}

describe("radio against DP-3T exp05, per setting and distance band", () => {
  for (const setting of RADIO_SETTINGS) {
    it(`${setting}: attenuation per packet and per burst's strongest packet match the field's`, () => {
      const cells = judge(FITTED_RADIO_SETTINGS.settings[setting], setting, REALISATIONS);
      if (PRINT)
        for (const c of cells)
          console.log(
            `${setting} ${c.band}: packets ${c.packets.toFixed(3)} (null ${c.packetsNull.toFixed(3)}), minima ${c.minima.toFixed(3)} (null ${c.minimaNull.toFixed(3)})`,
          );
      for (const c of cells) {
        const where = `${setting} ${c.band}`;
        expect(c.packets, `${where} per packet`).toBeLessThanOrEqual(
          Math.min(RULES.packets.ceiling, c.packetsNull + RULES.packets.allowance),
        );
        expect(c.minima, `${where} per burst`).toBeLessThanOrEqual(
          Math.min(RULES.minima.ceiling, c.minimaNull + RULES.minima.allowance),
        );
      }
    }, 120_000);
  }

  it("rejects the static pc-ng radio in every band (the rule has power)", () => {
    for (const setting of RADIO_SETTINGS) {
      const cells = judge(PCNG_RADIO_PARAMS, setting, [1, 2]);
      for (const c of cells)
        expect(c.packets, `${setting} ${c.band}`).toBeGreaterThan(
          Math.min(RULES.packets.ceiling, c.packetsNull + RULES.packets.allowance),
        );
    }
  }, 120_000);
});

describe("radio fit provenance", () => {
  it("re-running the fit on data/ gives the shipped parameters", async () => {
    const r = await fitRadio(dirname(repoData("README.md")));
    expect(r.pooled).toEqual(SHIPPED);
    expect({ places: r.places, settings: r.settings }).toEqual(SHIPPED_SETTINGS);
    expect(r.pcng).toEqual(SHIPPED_PCNG);
    expect(FITTED_RADIO_PARAMS).toEqual(SHIPPED);
    expect(COMPARISON_SEEDS.length).toBeGreaterThanOrEqual(REALISATIONS.length);
  }, 180_000);
});

describe("field fit pieces", () => {
  it("recovers known parameters from synthetic bursts drawn by an independent generator", () => {
    // 1,500 links, each 30 s at one distance in 0.5–8 m, both directions; one shadowing draw per link
    // (sd 4), a slow AR(1) per direction (sd 3, 0.35-s step correlation 0.9), fast noise per packet
    // (sd 2); packets in bursts of 3 every 5 s, 0.35 s apart. Mean −82 − 15·log10 d, flat beyond 3 m.
    const rng = createRng(77);
    const packets: FieldPacket[] = [];
    for (let l = 0; l < 1500; l++) {
      const d = 0.5 * 16 ** rng.uniform();
      const mean = -82 - 15 * Math.log10(Math.min(d, 3));
      const shadow = 4 * rng.normal();
      for (const dir of ["a", "b"]) {
        let slow = 3 * rng.normal();
        for (let burst = 0; burst < 6; burst++) {
          slow = 0.5 * slow + Math.sqrt(1 - 0.25) * 3 * rng.normal(); // 5 s between bursts
          for (let k = 0; k < 3; k++) {
            if (k > 0) slow = 0.9 * slow + Math.sqrt(1 - 0.81) * 3 * rng.normal();
            packets.push({
              link: `L${l}`,
              stream: `L${l}${dir}`,
              time: l * 1000 + burst * 5 + k * 0.35,
              distM: d,
              rssi: mean + shadow + slow + 2 * rng.normal(),
            });
          }
        }
      }
    }
    const f = fitField(packets);
    if (PRINT) console.log(f);
    expect(f.intercept).toBeCloseTo(-82, 0);
    expect(f.exponent).toBeGreaterThan(1.3);
    expect(f.exponent).toBeLessThan(1.7);
    expect(f.breakpointM).toBeGreaterThanOrEqual(2.5);
    expect(f.breakpointM).toBeLessThanOrEqual(4);
    expect(f.farExponent).toBeLessThan(0.4);
    expect(Math.abs(f.varianceSlope)).toBeLessThan(0.15);
    // Between segments: the link draw (sd 4) plus the slow part averaged over a link's 36 packets.
    expect(f.sessionSd).toBeGreaterThan(3.7);
    expect(f.sessionSd).toBeLessThan(4.7);
    // Fast: half the squared difference of consecutive burst packets = 2² + 3²·(1 − 0.9) = 4.9.
    expect(f.fastSd).toBeGreaterThan(Math.sqrt(4.9) - 0.2);
    expect(f.fastSd).toBeLessThan(Math.sqrt(4.9) + 0.2);
    expect(Math.abs(f.skewness)).toBeLessThan(0.1);
  });

  it("forms bursts per ordered link and bins by the burst's median distance", () => {
    const t0 = 1_587_102_000_000;
    // SM-G973F both ways: tx −29, correction +2 → attenuation = −31 − RSSI.
    const slots = fieldSlots([
      [1, "SM-G973F", 2, "SM-G973F", t0, -70, 1.0],
      [1, "SM-G973F", 2, "SM-G973F", t0 + 300, -72, 1.4],
      [1, "SM-G973F", 2, "SM-G973F", t0 + 600, -74, 1.2],
      [2, "SM-G973F", 1, "SM-G973F", t0 + 100, -60, 0.5],
      [1, "SM-G973F", 2, "SM-G973F", t0 + 5000, -80, 3.5],
      [1, "SM-G973F", 2, "SM-G973F", t0 + 5300, -81, null], // unannotated: dropped
      [1, "SM-G973F", 2, "SM-G973F", t0 + 5600, 127, 3.5], // not available: dropped
    ]);
    expect(slots.map((s) => [s.receiver, s.transmitter, s.from, s.to, s.distM, s.attenuation])).toEqual([
      [1, 2, t0, t0 + 600, 1.2, [39, 41, 43]],
      [1, 2, t0 + 5000, t0 + 5000, 3.5, [49]],
      [2, 1, t0 + 100, t0 + 100, 0.5, [29]],
    ]);
    expect(slots.map((s) => bandOf(s.distM))).toEqual([1, 3, 0]);
    // Reference frame c = −30: RSSI_ref = −30 − attenuation; one unordered link, two directions.
    const packets = fitPackets(slots, -30);
    expect(packets.map((p) => [p.link, p.stream, p.rssi])).toEqual([
      ["1-2", "1>2", -69],
      ["1-2", "1>2", -71],
      ["1-2", "1>2", -73],
      ["1-2", "1>2", -79],
      ["1-2", "2>1", -59],
    ]);
    expect(ksStatistic([1, 2, 3, 4], [3, 4, 5, 6])).toBe(0.5);
    expect(ksStatistic([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 12);
  });
});

describe("settings in the simulator", () => {
  it("maps every kind of place to a fitted setting", () => {
    expect(FITTED_RADIO_SETTINGS.places).toEqual(PLACE_SETTINGS);
    expect(radioParamsForPlace("transit")).toBe(FITTED_RADIO_SETTINGS.settings.train);
    expect(radioParamsForPlace("home")).toBe(FITTED_RADIO_SETTINGS.settings.lunch);
  });

  it("draws each link window with the model of the place the phones are in, in both sampling modes", () => {
    const models = createSettingModels(9);
    const station = (id: string) => ({ seed: Number(id), carriage: "pocket" as const });
    const T = Date.UTC(2021, 6, 24);
    const where = (t: number) => (t < T + 60_000 ? models.office : undefined);
    for (const sampling of ["packets", "scan"] as const) {
      const link = createLinkFunction({
        model: createRadioModel(9),
        modelAt: (_a, _s, t) => where(t),
        station,
        distance: () => 1.5,
        sampling,
      });
      const direct = (m: ReturnType<typeof createRadioModel>, from: number) =>
        createLinkFunction({ model: m, station, distance: () => 1.5, sampling })("1", "2", from, from + 4000);
      expect(link("1", "2", T, T + 4000)).toEqual(direct(models.office, T));
      expect(link("1", "2", T + 120_000, T + 124_000)).toEqual(direct(createRadioModel(9), T + 120_000));
      // The office's parameters differ from the pooled default's, so the choice is visible.
      expect(direct(models.office, T)).not.toEqual(direct(createRadioModel(9), T));
    }
  });
});
