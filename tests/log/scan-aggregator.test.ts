import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createMemoryLog,
  createScanAggregator,
  InvalidArgumentError,
  ScanStateError,
  toHex,
} from "../../src/index";

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
          // An integer dBm: a mean in (−0.5, 0) rounds to 0, not to JavaScript's −0 (the log stores
          // integers; found with FC_SEED=884368715: packets 19, 85, −105).
          const mean = Math.round(mine.reduce((x, y) => x + y, 0) / mine.length);
          expect(s.meanRssi).toBe(mean === 0 ? 0 : mean);
          expect(s.secondsSinceLastScan).toBe(Math.min(300, gap));
        }
        createMemoryLog().recordSync(out);
      }),
    );
  });
});

describe("scan aggregator against a reference model", () => {
  // A separately written model: a list of identifiers in order of first counted packet, each with the
  // plain list of its counted RSSI values (a summary stands for `packets` copies of its mean, with its
  // maximum in place of one of them: the same sum and maximum).
  type Op =
    | { kind: "packets"; id: number; rssi: number[] }
    | { kind: "summary"; id: number; packets: number; mean: number; extra: number };
  // Identifiers share their first four bytes in pairs, and some are 12-byte Bluezone IDs.
  const identifier = (i: number) => {
    const out = new Uint8Array(i % 5 === 4 ? 12 : 16);
    out.set([7, 7, 7, Math.floor(i / 2)]);
    out[out.length - 1] = i;
    return out;
  };
  const aemOf = (i: number) => (i % 5 === 4 ? new Uint8Array(0) : Uint8Array.of(i, 1, 2, 3));
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant("packets" as const),
      id: fc.nat(59),
      rssi: fc.array(fc.oneof(fc.integer({ min: -110, max: -30 }), fc.constant(127)), { maxLength: 4 }),
    }),
    fc.record({
      kind: fc.constant("summary" as const),
      id: fc.nat(59),
      packets: fc.integer({ min: 1, max: 20 }),
      mean: fc.integer({ min: -110, max: -40 }),
      extra: fc.nat(10),
    }),
  );

  it("gives the model's sightings, as objects and in columns, for up to 60 identifiers a scan", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const model = new Map<number, number[]>();
        for (const o of ops) {
          const counted =
            o.kind === "packets"
              ? o.rssi.filter((r) => r !== 127)
              : o.packets === 1
                ? [o.mean]
                : [
                    o.mean + o.extra,
                    o.mean - o.extra,
                    ...Array.from({ length: o.packets - 2 }, () => o.mean),
                  ];
          if (counted.length === 0) continue;
          model.set(o.id, [...(model.get(o.id) ?? []), ...counted]);
        }
        const expected = [...model].map(([id, rssi]) => ({
          identifier: toHex(identifier(id)),
          aem: toHex(aemOf(id)),
          meanRssi: Math.round(rssi.reduce((a, b) => a + b, 0) / rssi.length),
          maxRssi: Math.max(...rssi),
          packets: rssi.length,
        }));
        const feed = (agg: ReturnType<typeof createScanAggregator>) => {
          agg.beginScan(60_000);
          for (const o of ops) {
            if (o.kind === "packets") agg.addPackets(identifier(o.id), aemOf(o.id), o.rssi);
            else if (o.packets === 1) agg.addSummary(identifier(o.id), aemOf(o.id), 1, o.mean, o.mean);
            else agg.addSummary(identifier(o.id), aemOf(o.id), o.packets, o.mean, o.mean + o.extra);
          }
        };
        const a = createScanAggregator();
        feed(a);
        const objects = a.endScan().map((s) => ({
          identifier: toHex(s.identifier),
          aem: toHex(s.aem),
          meanRssi: s.meanRssi,
          maxRssi: s.maxRssi,
          packets: s.packets,
        }));
        expect(objects).toEqual(expected);
        const b = createScanAggregator();
        feed(b);
        const columns: typeof expected = [];
        const n = b.endScanInto((batch) => {
          expect(batch.time).toBe(60_000);
          expect(batch.secondsSinceLastScan).toBe(300);
          for (let i = 0; i < batch.count; i++)
            columns.push({
              identifier: toHex(batch.ids.subarray(i * 16, i * 16 + batch.idLengths[i]!)),
              aem: toHex(batch.aems.subarray(i * 4, i * 4 + batch.aemLengths[i]!)),
              meanRssi: batch.meanRssi[i]!,
              maxRssi: batch.maxRssi[i]!,
              packets: batch.packets[i]!,
            });
        });
        expect(n).toBe(expected.length);
        expect(columns).toEqual(expected);
        // The same summaries with their identifiers and AEMs read from shared buffers at offsets.
        const c = createScanAggregator();
        const bytes = new Uint8Array(4096);
        const aems = new Uint8Array(4096);
        c.beginScan(60_000);
        ops.forEach((o, k) => {
          if (o.kind === "packets") {
            c.addPackets(identifier(o.id), aemOf(o.id), o.rssi);
            return;
          }
          const at = 7 + 21 * k;
          const aemAt = 3300 + 5 * k;
          const id = identifier(o.id);
          const aem = aemOf(o.id);
          bytes.set(id, at);
          aems.set(aem, aemAt);
          const max = o.packets === 1 ? o.mean : o.mean + o.extra;
          c.addSummaryAt(bytes, at, id.length, aems, aemAt, aem.length, o.packets, o.mean, max);
        });
        const shared = c.endScan().map((s) => ({
          identifier: toHex(s.identifier),
          aem: toHex(s.aem),
          meanRssi: s.meanRssi,
          maxRssi: s.maxRssi,
          packets: s.packets,
        }));
        expect(shared).toEqual(expected);
      }),
    );
  });

  it("rejects a summary whose identifier or AEM is not inside the buffer, or has a wrong length", () => {
    const a = createScanAggregator();
    a.beginScan(0);
    const bytes = new Uint8Array(40);
    expect(() => a.addSummaryAt(bytes, 30, 16, bytes, 0, 4, 1, -60, -60)).toThrow(InvalidArgumentError);
    expect(() => a.addSummaryAt(bytes, 0, 16, bytes, 38, 4, 1, -60, -60)).toThrow(InvalidArgumentError);
    expect(() => a.addSummaryAt(bytes, -1, 16, bytes, 20, 4, 1, -60, -60)).toThrow(InvalidArgumentError);
    expect(() => a.addSummaryAt(bytes, 0, 15, bytes, 20, 4, 1, -60, -60)).toThrow(InvalidArgumentError);
    expect(() => a.addSummaryAt(bytes, 0, 16, bytes, 20, 3, 1, -60, -60)).toThrow(InvalidArgumentError);
    expect(() => a.addSummaryAt(bytes, 0, 16, bytes, 20, 4, 0, -60, -60)).toThrow(InvalidArgumentError);
    // The AEM's range is checked against its own buffer.
    expect(() => a.addSummaryAt(bytes, 0, 16, new Uint8Array(10), 8, 4, 1, -60, -60)).toThrow(
      /AEM \(8, 4 bytes of 10\)/,
    );
    // Nothing was added by the rejected calls.
    expect(a.endScan()).toEqual([]);
  });
});
