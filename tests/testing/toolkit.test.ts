/** The `bluezone/testing` toolkit checks itself: its arbitraries produce valid values, its scenarios are
 * deterministic and physical, and its policy harness reports failures with a counterexample. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createMemoryLog,
  createScanAggregator,
  readKeyFile,
  toHex,
  validateExposureKeys,
  validateOwnKeys,
  validateSightings,
} from "../../src/index";
import {
  assertPolicyProperty,
  checkPolicyProperty,
  contactScenario,
  diagnosisKeys,
  keyFile,
  PolicyPropertyError,
  scanSequence,
  sighting,
  simulateContact,
  temporaryExposureKey,
  TESTING_EPOCH_MS,
} from "../../src/testing";

const clock = { now: () => TESTING_EPOCH_MS + 10 * 86_400_000 };

describe("arbitraries", () => {
  it("TEKs and diagnosis keys are valid", () => {
    fc.assert(
      fc.property(fc.array(temporaryExposureKey()), diagnosisKeys(), (teks, keys) => {
        validateOwnKeys(teks);
        validateExposureKeys(keys, { clock });
      }),
      { numRuns: 100 },
    );
  });

  it("key files read back to the keys they were made from", () => {
    fc.assert(
      fc.property(keyFile({ maxKeys: 8 }), (f) => {
        const read = readKeyFile(f.bytes, f.readOptions);
        expect(read.verified).toBe(true);
        expect(read.keys).toEqual(f.keys);
        expect(read.revisedKeys).toEqual(f.revisedKeys);
      }),
      { numRuns: 30 },
    );
  });

  it("sightings pass the log's validation", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(sighting(), { maxLength: 20 }), async (batch) => {
        validateSightings(batch);
        const log = createMemoryLog();
        await log.record(batch);
        expect((await log.stats()).sightings).toBe(batch.length);
      }),
      { numRuns: 50 },
    );
  });

  it("scan sequences aggregate without losing a valid packet", () => {
    fc.assert(
      fc.property(scanSequence({ invalidRssi: true }), (scans) => {
        const agg = createScanAggregator();
        for (const scan of scans) {
          agg.beginScan(scan.time);
          for (const p of scan.packets) agg.addPacket(p.identifier, p.aem, p.rssi);
          const out = agg.endScan();
          // 127 (and anything rounding to it) is "not available", not a level.
          const valid = scan.packets.filter((p) => Math.round(p.rssi) >= -128 && Math.round(p.rssi) <= 126);
          expect(out.reduce((n, s) => n + s.packets, 0)).toBe(valid.length);
          expect(new Set(out.map((s) => toHex(s.identifier))).size).toBe(out.length);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("contact scenarios", () => {
  it("simulate deterministically, only the senders' identifiers, on the scan cycle", () => {
    fc.assert(
      fc.property(contactScenario({ phones: [2, 4] }), (s) => {
        const a = simulateContact(s);
        expect(simulateContact(s)).toEqual(a);
        const own = new Set<string>();
        for (const k of a.keysBySender.flat()) {
          expect(k.rollingStartIntervalNumber % 144).toBe(0);
          own.add(toHex(k.keyData));
        }
        expect(own.size).toBe(a.keysBySender.flat().length);
        validateSightings(a.sightings);
        for (const x of a.sightings) {
          expect(x.time).toBeGreaterThanOrEqual(s.start);
          expect(x.time).toBeLessThan(s.start + s.minutes * 60_000);
        }
        // at most one scan per period; a scan hears each sender's identifier, or two across a rotation
        const scans = new Set(a.sightings.map((x) => x.time)).size;
        expect(scans).toBeLessThanOrEqual(Math.ceil((s.minutes * 60_000) / s.scan.periodMs));
        expect(a.sightings.length).toBeLessThanOrEqual(scans * s.senders.length * 2);
      }),
      { numRuns: 40 },
    );
  });

  it("RSSI falls with distance (noise off)", () => {
    // One seed for both samples (any seed: the global one), so the two scenarios differ only in distance.
    const seed = fc.readConfigureGlobal().seed ?? 1;
    const at = (d: number) =>
      fc.sample(
        contactScenario({
          distance: [d, d],
          minutes: [30, 30],
          // Sensitivity off: at 8 m a −30 dBm sender (the draw covers −30…0) falls below −100 dBm and
          // would leave no sighting to compare; this test is about path loss, not sensitivity.
          radio: { noiseSigmaDb: 0, shadowingSigmaDb: 0, sensitivityDbm: -500 },
        }),
        { seed, numRuns: 1 },
      )[0]!;
    const nearScenario = at(0.5);
    const near = simulateContact(nearScenario).sightings;
    const far = simulateContact(at(8)).sightings;
    expect(near.length).toBeGreaterThan(0);
    expect(far.length).toBeGreaterThan(0);
    expect(Math.min(...near.map((s) => s.meanRssi))).toBeGreaterThan(Math.max(...far.map((s) => s.meanRssi)));
    // 10·n·log10(16) = 30 dB between 0.5 m and 8 m with n = 2.5
    expect(near[0]!.meanRssi - far[0]!.meanRssi).toBeCloseTo(30, -1);
    // Sightings are stamped with their scan's start: inside the contact, the first in its first scan period.
    expect(near[0]!.time).toBeGreaterThanOrEqual(nearScenario.start);
    expect(near[0]!.time).toBeLessThan(nearScenario.start + nearScenario.scan.periodMs);
    expect(near.at(-1)!.time).toBeLessThan(nearScenario.start + nearScenario.minutes * 60_000);
  });
});

describe("policy harness", () => {
  it("passes a property that holds and reports the runs", async () => {
    const r = await assertPolicyProperty({
      policy: "bluezone",
      scenario: contactScenario({ distance: [0.3, 1], minutes: [20, 40], sameUtcDay: true }),
      expect: "F1",
      numRuns: 20,
    });
    expect(r).toMatchObject({ ok: true, runs: 20, failures: 0 });
  });

  it("fails a false property with a shrunk, readable counterexample", async () => {
    const spec = {
      policy: "bluezone",
      scenario: contactScenario({ distance: [0.3, 1], minutes: [20, 40], sameUtcDay: true }),
      expect: "none",
      numRuns: 20,
    } as const;
    const r = await checkPolicyProperty(spec);
    expect(r.ok).toBe(false);
    expect(r.counterexample?.status).toBe("F1");
    expect(r.counterexample?.scenario.minutes).toBe(20); // shrunk to the smallest contact
    expect(r.report).toMatch(/counterexample: ContactScenario\(2 phones, 20 min/);
    const err = await assertPolicyProperty(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyPropertyError);
    expect((err as PolicyPropertyError).code).toBe("ERR_POLICY_PROPERTY");
  });

  it("measures a failure rate against a tolerance, reproducibly", async () => {
    const spec = {
      policy: "default",
      scenario: contactScenario({ distance: [0.3, 1], minutes: [20, 60], carriage: ["bag"] }),
      expect: "F1",
      numRuns: 30,
      tolerance: 0.5,
    } as const;
    const a = await checkPolicyProperty(spec);
    const b = await checkPolicyProperty(spec);
    expect(a.failureRate).toBe(b.failureRate);
    expect(a.failureRate).toBeGreaterThan(0.5);
    expect(a.ok).toBe(false);
    expect(a.report).toContain("tolerance 0.5");
  });
});
