/**
 * Per-scan radio sampling against per-packet sampling: for every carriage pair at 0.5, 1, 2, 4 and
 * 8 m, 10⁵ scans of 4 s (the GAEN duty cycle) on independent links and times, drawn once as packets
 * folded like the scan aggregator folds them and once as one summary per scan. The two-sample
 * Kolmogorov–Smirnov statistic of packets received, mean RSSI and max RSSI must stay below 0.05.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createRadioModel,
  createStationTable,
  FITTED_RADIO_SETTINGS,
  type RadioStation,
  summaryPackets,
} from "../../sim/radio/radio";
import { ksStatistic } from "../../scripts/lib/radio-field";
import { CARRIAGE_PAIRS, type CarriagePair, createScanAggregator } from "../../src/index";
import type { Carriage } from "../../sim/scenario";

const CARRIAGE: Record<string, Carriage> = { H: "hand", P: "pocket", B: "bag" };
const DISTANCES = [0.5, 1, 2, 4, 8];
const SCANS = Number(process.env.RADIO_KS_SCANS ?? 100_000);
const T0 = Date.UTC(2021, 6, 24);

function draw(key: CarriagePair, dist: number) {
  const model = createRadioModel(4242);
  const cols = () => ({
    packets: new Float64Array(SCANS),
    mean: new Float64Array(SCANS),
    max: new Float64Array(SCANS),
  });
  const packets = cols();
  const scans = cols();
  let np = 0;
  let ns = 0;
  const buf: number[] = [];
  for (let i = 0; i < SCANS; i++) {
    const a: RadioStation = { seed: 1 + i, carriage: CARRIAGE[key[0]!]! };
    const s: RadioStation = { seed: 0x40000000 + i * 13, carriage: CARRIAGE[key[1]!]! };
    const from = T0 + i * 977_003;
    buf.length = 0;
    model.samples(a, s, from, from + 4_000, () => dist, buf);
    if (buf.length > 0) {
      // Folded as the scan aggregator folds them: mean of the rounded samples, rounded; max; count.
      let sum = 0;
      let max = -Infinity;
      for (const r of buf) {
        sum += r;
        if (r > max) max = r;
      }
      packets.packets[np] = buf.length;
      packets.mean[np] = Math.round(sum / buf.length);
      packets.max[np++] = max;
    }
    const sum = model.scan(a, s, from, from + 4_000, () => dist);
    if (sum) {
      scans.packets[ns] = sum.packets;
      scans.mean[ns] = sum.meanRssi;
      scans.max[ns++] = sum.maxRssi;
    }
  }
  const cut = (c: ReturnType<typeof cols>, n: number) => ({
    packets: c.packets.subarray(0, n),
    mean: c.mean.subarray(0, n),
    max: c.max.subarray(0, n),
  });
  return { packets: cut(packets, np), scans: cut(scans, ns), heard: [np / SCANS, ns / SCANS] };
}

describe("per-scan radio sampling", () => {
  it("matches per-packet sampling in distribution (KS < 0.05) for every carriage pair at 0.5–8 m", () => {
    const rows: string[] = [];
    let worst = 0;
    for (const key of CARRIAGE_PAIRS) {
      for (const dist of DISTANCES) {
        const { packets, scans, heard } = draw(key, dist);
        const ks = {
          packets: ksStatistic(packets.packets, scans.packets),
          mean: ksStatistic(packets.mean, scans.mean),
          max: ksStatistic(packets.max, scans.max),
        };
        rows.push(
          `${key} ${dist} m: KS packets ${ks.packets.toFixed(4)} mean ${ks.mean.toFixed(4)} max ${ks.max.toFixed(4)}; heard ${heard.map((h) => h.toFixed(4)).join(" / ")}`,
        );
        worst = Math.max(worst, ks.packets, ks.mean, ks.max, Math.abs(heard[0]! - heard[1]!));
      }
    }
    if (process.env.RADIO_KS_PRINT) console.log(rows.join("\n"));
    expect(worst, rows.join("\n")).toBeLessThan(0.05);
  }, 600_000);

  it("ksStatistic on hand-worked samples", () => {
    // F₁ steps at 1, 2, 3; F₂ at 2, 3, 4: largest gap 1/3 (at 1 and at 3).
    expect(ksStatistic(Float64Array.of(1, 2, 3), Float64Array.of(2, 3, 4))).toBeCloseTo(1 / 3, 12);
    expect(ksStatistic(Float64Array.of(5, 5, 5), Float64Array.of(5, 5))).toBe(0);
  });

  it("hands the medium packets that the scan aggregator folds back to the same summary", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 240 }),
        fc.integer({ min: -115, max: -20 }),
        fc.integer({ min: 0, max: 40 }),
        (packets, maxRssi, below) => {
          const meanRssi = packets === 1 ? maxRssi : maxRssi - below;
          // A summary of real packets (all ≥ −128 dBm): the other packets' mean is a valid RSSI too.
          fc.pre(packets === 1 || (packets * meanRssi - maxRssi) / (packets - 1) >= -128);
          const agg = createScanAggregator();
          agg.beginScan(T0);
          agg.addPackets(
            new Uint8Array(16),
            new Uint8Array(4),
            summaryPackets({ packets, meanRssi, maxRssi }),
          );
          const [s] = agg.endScan();
          expect([s!.packets, s!.meanRssi, s!.maxRssi]).toEqual([packets, meanRssi, maxRssi]);
        },
      ),
    );
  });
});

describe("per-scan draws from a station table", () => {
  // scanAt reads a model's columns of a station table; it must give what scan gives for the same
  // station objects, for every model (seed and parameters) sharing the table.
  const models = [createRadioModel(99), createRadioModel(100, FITTED_RADIO_SETTINGS.settings.train)];
  it("gives scan's summaries for the stations at the indices", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            seed: fc.integer({ min: 0, max: 0xffffffff }),
            carriage: fc.constantFrom<Carriage>("hand", "pocket", "bag"),
            txPower: fc.option(fc.integer({ min: -40, max: 0 }), { nil: undefined }),
            rssiCorrection: fc.option(fc.integer({ min: -10, max: 10 }), { nil: undefined }),
          }),
          { minLength: 2, maxLength: 6 },
        ),
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0.05, max: 12, noNaN: true }),
        (list, i, d) => {
          const stations: (RadioStation | undefined)[] = [undefined, ...list.map((x) => ({ ...x }))];
          const table = createStationTable(stations);
          const from = T0 + i * 300_007;
          for (const model of models)
            for (let a = 1; a < stations.length; a++)
              for (let s = 1; s < stations.length; s++)
                expect(model.scanAt(table, a, s, from, from + 4_000, () => d)).toEqual(
                  model.scan(stations[a]!, stations[s]!, from, from + 4_000, () => d),
                );
        },
      ),
      { numRuns: 100 },
    );
  });
  it("rejects an index without a station, and an unknown carriage", () => {
    const table = createStationTable([{ seed: 1, carriage: "hand" }, undefined]);
    expect(() => models[0]!.scanAt(table, 0, 1, T0, T0 + 4_000, () => 1)).toThrow(/no station 1/);
    expect(() => models[0]!.scanAt(table, 5, 0, T0, T0 + 4_000, () => 1)).toThrow(/no station 5/);
    expect(() => createStationTable([{ seed: 1, carriage: "sock" as Carriage }])).toThrow(
      /unknown carriage sock/,
    );
    expect(() =>
      models[0]!.scan(
        { seed: 1, carriage: "sock" as Carriage },
        { seed: 2, carriage: "hand" },
        T0,
        T0 + 4_000,
        () => 1,
      ),
    ).toThrow(/unknown carriage sock/);
  });
});
