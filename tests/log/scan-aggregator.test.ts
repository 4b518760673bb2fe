import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryLog, createScanAggregator, ScanStateError, toHex } from "../../src/index";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 100 });

const RPI = Uint8Array.from({ length: 16 }, (_, i) => i);
const AEM = Uint8Array.of(9, 8, 7, 6);
const BZ = Uint8Array.from({ length: 12 }, (_, i) => 100 + i);

describe("scan aggregator", () => {
  it("folds a scan's packets into one sighting per identifier", () => {
    const agg = createScanAggregator();
    agg.beginScan(1_000_000);
    agg.addPacket(RPI, AEM, -70);
    agg.addPacket(BZ, new Uint8Array(0), -80);
    agg.addPacket(RPI, AEM, -61);
    agg.addPacket(RPI, AEM, -60);
    const [a, b, ...rest] = agg.endScan();
    expect(rest).toEqual([]);
    expect({ ...a!, identifier: toHex(a!.identifier), aem: toHex(a!.aem) }).toEqual({
      time: 1_000_000,
      identifier: toHex(RPI),
      aem: toHex(AEM),
      meanRssi: Math.round((-70 - 61 - 60) / 3),
      maxRssi: -60,
      packets: 3,
      secondsSinceLastScan: 300,
    });
    expect(b).toMatchObject({ time: 1_000_000, meanRssi: -80, maxRssi: -80, packets: 1 });
  });

  it("measures secondsSinceLastScan from the previous scan's start, capped at 300", () => {
    const agg = createScanAggregator({ firstScanSeconds: 0 });
    const scan = (t: number) => {
      agg.beginScan(t);
      agg.addPacket(RPI, AEM, -50);
      return agg.endScan()[0]!.secondsSinceLastScan;
    };
    expect(scan(0)).toBe(0);
    expect(scan(209_600)).toBe(210);
    expect(scan(209_600 + 1_000_000)).toBe(300);
    agg.beginScan(209_600 + 1_000_000 + 60_400);
    expect(agg.endScan()).toEqual([]); // an empty scan still counts as the previous scan
    expect(scan(209_600 + 1_000_000 + 60_400 + 4_499)).toBe(4);
  });

  it("copies the bytes it keeps and ignores unusable RSSI", () => {
    const agg = createScanAggregator();
    const id = RPI.slice();
    agg.beginScan(5);
    agg.addPacket(id, AEM, Number.NaN);
    agg.addPacket(id, AEM, 200);
    agg.addPacket(id, AEM, -129);
    agg.addPacket(id, AEM, -40.4);
    id.fill(0);
    const [s] = agg.endScan();
    expect(toHex(s!.identifier)).toBe(toHex(RPI));
    expect(s).toMatchObject({ packets: 1, meanRssi: -40, maxRssi: -40 });
  });

  it("rejects calls out of order and malformed identifiers", () => {
    const agg = createScanAggregator();
    expect(() => agg.addPacket(RPI, AEM, -50)).toThrow(ScanStateError);
    expect(() => agg.endScan()).toThrow(ScanStateError);
    agg.beginScan(10);
    expect(agg.scanning).toBe(true);
    expect(() => agg.beginScan(11)).toThrow(ScanStateError);
    expect(() => agg.addPacket(new Uint8Array(15), AEM, -50)).toThrow(/identifier/);
    expect(() => agg.addPacket(RPI, new Uint8Array(2), -50)).toThrow(/aem/);
    agg.endScan();
    expect(() => agg.beginScan(9)).toThrow(/before the previous scan/);
  });

  it("produces sightings every log accepts, matching a direct computation", () => {
    const packet = fc.record({
      id: fc.constantFrom(RPI, BZ),
      rssi: fc.oneof(fc.integer({ min: -128, max: 127 }), fc.constant(Number.NaN)),
    });
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 30 }), fc.integer({ min: 0, max: 600 }), (packets, gap) => {
        const agg = createScanAggregator();
        agg.beginScan(0);
        agg.endScan();
        agg.beginScan(gap * 1000);
        for (const p of packets) agg.addPacket(p.id, p.id === RPI ? AEM : new Uint8Array(0), p.rssi);
        const out = agg.endScan();
        for (const s of out) {
          const mine = packets
            .filter((p) => toHex(p.id) === toHex(s.identifier) && !Number.isNaN(p.rssi) && p.rssi !== 127)
            .map((p) => p.rssi);
          expect(s.packets).toBe(mine.length);
          expect(s.maxRssi).toBe(Math.max(...mine));
          expect(s.meanRssi).toBe(Math.round(mine.reduce((x, y) => x + y, 0) / mine.length));
          expect(s.secondsSinceLastScan).toBe(Math.min(300, gap));
        }
        createMemoryLog().recordSync(out);
      }),
    );
  });
});
