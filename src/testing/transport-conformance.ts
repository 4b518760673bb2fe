/**
 * The transport conformance suite: the tests every {@link Transport} passes — two transports that hear
 * each other advertise, scan, replace payloads (rotating the address with them) and stop cleanly.
 * bluezone's simulated medium and its BLE transport (on the emulated HCI controller) run it; a third
 * party runs it on their own radio transport from their own test framework.
 */
import assert from "node:assert/strict";
import type { Payload } from "../protocol/payload";
import type { ScanReport, Transport } from "../transport/types";
import { type SuiteFunctions, suiteHex as hex } from "./suite-functions";

/**
 * Two transports that hear each other, and a way to let radio time pass.
 * @public
 */
export interface TransportPair {
  /** One side, powered on. */
  a: Transport;
  /** The other side, powered on, within range of `a`. */
  b: Transport;
  /** Lets `ms` of radio time pass (virtual or real). */
  pass(ms: number): Promise<void>;
  /** Releases everything (closes both transports). */
  cleanup(): Promise<void>;
}

/**
 * Options of {@link transportConformance}.
 * @public
 */
export interface TransportConformanceOptions extends SuiteFunctions {
  /** The transport's name in the test report: the suite is `Transport conformance: <name>`. */
  name: string;
  /** Makes a fresh pair for each test; the suite calls its `cleanup` when the test ends. */
  factory: () => Promise<TransportPair>;
  /**
   * True (the default) when every `ScanReport` carries the advertiser's `address`: the suite checks
   * that it does and that it changes whenever the payload changes. False for a radio that reports no
   * addresses: the suite checks that no report carries one.
   */
  addresses?: boolean;
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

/**
 * Registers the transport conformance suite for one transport implementation, with the caller's
 * `describe` and `it`.
 *
 * ```ts
 * import { describe, it } from "vitest"; // or node:test, mocha, jest
 * import { transportConformance } from "bluezone/testing";
 * transportConformance({ describe, it, name: "my radio", factory: async () => makeTwoPhones() });
 * ```
 *
 * Scans last up to 3 s of radio time per step (about 15 s per test); give real-time transports a
 * timeout to match. Assertions throw `node:assert` `AssertionError`s.
 *
 * @param options - the test framework's functions, the pair factory and whether addresses are reported
 * @public
 */
export function transportConformance(options: TransportConformanceOptions): void {
  const { describe, it, name, factory } = options;
  const addresses = options.addresses ?? true;
  /** Runs `body` on a fresh pair, cleaning it up after. */
  const test = (title: string, body: (pair: TransportPair) => Promise<void>) =>
    it(title, async () => {
      const pair = await factory();
      try {
        await body(pair);
      } finally {
        await pair.cleanup();
      }
    });

  describe(`Transport conformance: ${name}`, () => {
    test("is powered on and hears the other side's payload with RSSI samples", async (pair) => {
      assert.equal(pair.a.state(), "poweredOn");
      await pair.a.startAdvertising(gaen(1));
      const heard = await scanFor(pair, pair.b, 2_000);
      const ours = heard.filter((r) => r.payload.scheme === "gaen" && hex(r.payload.rpi) === "01".repeat(16));
      assert.ok(ours.length > 0, "b hears a's payload");
      const p = ours[0]!.payload;
      assert.equal(p.scheme === "gaen" && hex(p.aem), "fe".repeat(4));
      for (const r of ours) for (const v of r.rssi) assert.ok(v < 0, `RSSI ${v} dBm is negative`);
    });

    test(
      addresses
        ? "replaces the payload and rotates the address with it"
        : "replaces the payload (reporting no address, as declared)",
      async (pair) => {
        await pair.a.startAdvertising(gaen(2));
        const first = await scanFor(pair, pair.b, 2_000);
        await pair.a.startAdvertising(gaen(3));
        const second = await scanFor(pair, pair.b, 2_000);
        const ids = (rs: ScanReport[]) =>
          new Set(rs.map((r) => (r.payload.scheme === "gaen" ? hex(r.payload.rpi) : "")));
        assert.deepStrictEqual(ids(second), new Set(["03".repeat(16)]));
        assert.deepStrictEqual(ids(first), new Set(["02".repeat(16)]));
        const seen = (rs: ScanReport[]) => new Set(rs.map((r) => r.address));
        if (addresses) {
          for (const r of [...first, ...second])
            assert.ok(typeof r.address === "string" && r.address.length > 0, "each report has an address");
          const before = seen(first);
          const reused = [...seen(second)].filter((a) => before.has(a));
          assert.deepStrictEqual(reused, [], "no address of the old payload is heard with the new one");
        } else {
          assert.deepStrictEqual(seen([...first, ...second]), new Set([undefined]));
        }
      },
    );

    test("hears nothing after advertising stops, and scanning twice in a row works", async (pair) => {
      await pair.a.startAdvertising(gaen(4));
      await pair.a.stopAdvertising();
      await pair.pass(500);
      assert.deepStrictEqual(await scanFor(pair, pair.b, 1_500), []);
      await pair.a.startAdvertising(gaen(5));
      assert.ok((await scanFor(pair, pair.b, 1_500)).length > 0, "the first scan hears a");
      assert.ok((await scanFor(pair, pair.b, 1_500)).length > 0, "the second scan hears a");
    });

    test("both sides advertise and scan at once", async (pair) => {
      await pair.a.startAdvertising(gaen(6));
      await pair.b.startAdvertising({ scheme: "bluezone", id: new Uint8Array(12).fill(7) });
      await pair.a.startScanning({ onReport: () => {} });
      const heardByB = await scanFor(pair, pair.b, 2_000);
      await pair.a.stopScanning();
      assert.ok(
        heardByB.some((r) => r.payload.scheme === "gaen"),
        "b hears a's GAEN payload",
      );
      const heardByA = await scanFor(pair, pair.a, 2_000);
      assert.ok(
        heardByA.some((r) => r.payload.scheme === "bluezone"),
        "a hears b's Bluezone payload",
      );
    });

    test("replaces its payload while its own scan runs, and the scan keeps hearing", async (pair) => {
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
      assert.ok(reference > 0, "a hears b without payload changes");
      assert.ok(
        samples(heard) >= 0.7 * reference,
        `with two payload changes a still hears ${samples(heard)} ≥ 70 % of ${reference} samples`,
      );
      const byB = await scanFor(pair, pair.b, 1_500);
      assert.ok(
        byB.some((r) => r.payload.scheme === "gaen" && hex(r.payload.rpi) === "0b".repeat(16)),
        "b hears a's latest payload",
      );
    });

    test("stops cleanly when nothing is running", async (pair) => {
      await pair.a.stopScanning();
      await pair.a.stopAdvertising();
    });
  });
}
