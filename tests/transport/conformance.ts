/**
 * The transport conformance suite: every Transport implementation (simulated medium, BLE over the
 * emulated HCI controller) must pass it.
 */
import { describe, expect, it } from "vitest";
import type { Payload, ScanReport, Transport } from "../../src/index";
import { toHex } from "../../src/index";

/** Two transports that hear each other, and a way to let radio time pass. */
export interface TransportPair {
  a: Transport;
  b: Transport;
  /** Lets `ms` of radio time pass (virtual or real). */
  pass(ms: number): Promise<void>;
  /** Releases everything. */
  cleanup(): Promise<void>;
}

const gaen = (fill: number): Payload => ({
  scheme: "gaen",
  rpi: new Uint8Array(16).fill(fill),
  aem: new Uint8Array(4).fill(fill ^ 0xff),
});

/** Scans on `t` for `ms` and returns what it heard. */
async function scanFor(pair: TransportPair, t: Transport, ms: number): Promise<ScanReport[]> {
  const heard: ScanReport[] = [];
  await t.startScanning({ onReport: (r) => heard.push(r) });
  await pair.pass(ms);
  await t.stopScanning();
  return heard;
}

/** Registers the conformance tests for one transport implementation. */
export function runTransportConformance(name: string, makePair: () => Promise<TransportPair>): void {
  describe(`Transport conformance: ${name}`, () => {
    it("is powered on and hears the other side's payload with RSSI samples", async () => {
      const pair = await makePair();
      try {
        expect(pair.a.state()).toBe("poweredOn");
        await pair.a.startAdvertising(gaen(1));
        const heard = await scanFor(pair, pair.b, 2_000);
        const ours = heard.filter(
          (r) => r.payload.scheme === "gaen" && toHex(r.payload.rpi) === "01".repeat(16),
        );
        expect(ours.length).toBeGreaterThan(0);
        const p = ours[0]!.payload;
        expect(p.scheme === "gaen" && toHex(p.aem)).toBe("fe".repeat(4));
        for (const r of ours) for (const v of r.rssi) expect(v).toBeLessThan(0);
      } finally {
        await pair.cleanup();
      }
    });

    it("replaces the payload and rotates the address with it", async () => {
      const pair = await makePair();
      try {
        await pair.a.startAdvertising(gaen(2));
        const first = await scanFor(pair, pair.b, 2_000);
        await pair.a.startAdvertising(gaen(3));
        const second = await scanFor(pair, pair.b, 2_000);
        const ids = (rs: ScanReport[]) =>
          new Set(rs.map((r) => (r.payload.scheme === "gaen" ? toHex(r.payload.rpi) : "")));
        expect(ids(second)).toEqual(new Set(["03".repeat(16)]));
        expect(ids(first)).toEqual(new Set(["02".repeat(16)]));
        const addr1 = first[0]?.address;
        const addr2 = second[0]?.address;
        if (addr1 !== undefined || addr2 !== undefined) expect(addr2).not.toBe(addr1);
      } finally {
        await pair.cleanup();
      }
    });

    it("hears nothing after advertising stops, and scanning twice in a row works", async () => {
      const pair = await makePair();
      try {
        await pair.a.startAdvertising(gaen(4));
        await pair.a.stopAdvertising();
        await pair.pass(500);
        expect(await scanFor(pair, pair.b, 1_500)).toEqual([]);
        await pair.a.startAdvertising(gaen(5));
        expect((await scanFor(pair, pair.b, 1_500)).length).toBeGreaterThan(0);
        expect((await scanFor(pair, pair.b, 1_500)).length).toBeGreaterThan(0);
      } finally {
        await pair.cleanup();
      }
    });

    it("both sides advertise and scan at once", async () => {
      const pair = await makePair();
      try {
        await pair.a.startAdvertising(gaen(6));
        await pair.b.startAdvertising({ scheme: "bluezone", id: new Uint8Array(12).fill(7) });
        await pair.a.startScanning({ onReport: () => {} });
        const heardByB = await scanFor(pair, pair.b, 2_000);
        await pair.a.stopScanning();
        expect(heardByB.some((r) => r.payload.scheme === "gaen")).toBe(true);
        const heardByA = await scanFor(pair, pair.a, 2_000);
        expect(heardByA.some((r) => r.payload.scheme === "bluezone")).toBe(true);
      } finally {
        await pair.cleanup();
      }
    });

    it("replaces its payload while its own scan runs, and the scan keeps hearing", async () => {
      const pair = await makePair();
      try {
        await pair.b.startAdvertising(gaen(8));
        await pair.a.startAdvertising(gaen(9));
        const samples = (rs: ScanReport[]) => rs.reduce((n, r) => n + r.rssi.length, 0);
        const reference = samples(await scanFor(pair, pair.a, 3_000));
        // Same scan length, with two payload changes of `a` during it (live or batch transports alike).
        const heard: ScanReport[] = [];
        await pair.a.startScanning({ onReport: (r) => heard.push(r) });
        for (const fill of [10, 11]) {
          await pair.pass(1_000);
          await pair.a.startAdvertising(gaen(fill));
        }
        await pair.pass(1_000);
        await pair.a.stopScanning();
        expect(reference).toBeGreaterThan(0);
        expect(samples(heard)).toBeGreaterThanOrEqual(0.7 * reference);
        const byB = await scanFor(pair, pair.b, 1_500);
        expect(byB.some((r) => r.payload.scheme === "gaen" && toHex(r.payload.rpi) === "0b".repeat(16))).toBe(
          true,
        );
      } finally {
        await pair.cleanup();
      }
    });

    it("stops cleanly when nothing is running", async () => {
      const pair = await makePair();
      try {
        await pair.a.stopScanning();
        await pair.a.stopAdvertising();
      } finally {
        await pair.cleanup();
      }
    });
  });
}
