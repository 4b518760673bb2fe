/**
 * Properties of the matcher against a simple reference model: sound, complete, no cross-key matches,
 * independent of key order and batch splitting, idempotent, invariant under a common time shift, and
 * monotone risk in close time.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assessExposure,
  buildExposureWindows,
  checkExposure,
  createDerivedKeyIndex,
  createMemoryLog,
  type ExposureKey,
  deriveAemk,
  deriveGaenRuns,
  deriveRpi,
  deriveRpik,
  INTERVAL_MS,
  type KeyMatch,
  matchLog,
  matchLogWithIndex,
  REPLAY_TOLERANCE_MS,
  type Sighting,
  senderTxPower,
  toHex,
} from "../../src/index";
import { keySighting as toolkitKeySighting, matchScenario, TESTING_EPOCH_INTERVAL } from "../../src/testing";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 40 });

const DAY0 = TESTING_EPOCH_INTERVAL; // a UTC-day-aligned interval in 2021

/** Keys, and sightings drawn from the keys' RPIs (some replayed late) plus noise (from the toolkit). */
const scenarioArb = matchScenario();

/** A genuine sighting of `key` in `interval` (the toolkit's, with tx power −10 dBm in the metadata). */
const keySighting = (key: ExposureKey, interval: number, time: number, rssi: number): Sighting =>
  toolkitKeySighting(key, interval, time, { meanRssi: rssi });

/** Reference: nested loops over every key, interval and sighting. */
function reference(keys: readonly ExposureKey[], sightings: readonly Sighting[]): string[] {
  const out: string[] = [];
  keys.forEach((k) => {
    const rpik = deriveRpik(k.keyData);
    for (let i = 0; i < k.rollingPeriod; i++) {
      const interval = k.rollingStartIntervalNumber + i;
      const rpi = toHex(deriveRpi(rpik, interval));
      for (const s of sightings) {
        const start = interval * INTERVAL_MS;
        if (
          toHex(s.identifier) === rpi &&
          s.time >= start - REPLAY_TOLERANCE_MS &&
          s.time < start + INTERVAL_MS + REPLAY_TOLERANCE_MS
        ) {
          out.push(`${toHex(k.keyData)}|${rpi}|${s.time}|${s.meanRssi}`);
        }
      }
    }
  });
  return out.sort();
}

function flatten(keys: readonly ExposureKey[], matches: readonly KeyMatch[]): string[] {
  return matches
    .flatMap((m) =>
      m.sightings.map(
        (s) =>
          `${toHex(keys[m.keyIndex]!.keyData)}|${toHex(s.sighting.identifier)}|${s.sighting.time}|${s.sighting.meanRssi}`,
      ),
    )
    .sort();
}

async function logOf(sightings: readonly Sighting[]) {
  const log = createMemoryLog();
  await log.record(sightings);
  return log;
}

describe("matcher properties", () => {
  it("is sound and complete, with no cross-key matches, in both matching directions", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ keys, sightings }) => {
        const log = await logOf(sightings);
        const expected = reference(keys, sightings);
        expect(flatten(keys, await matchLog(log, deriveGaenRuns(keys)))).toEqual(expected);
        expect(
          flatten(keys, await matchLogWithIndex(log, createDerivedKeyIndex(deriveGaenRuns(keys)))),
        ).toEqual(expected);
      }),
    );
  });

  it("does not depend on key order or on splitting the keys into batches", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.nat(), async ({ keys, sightings }, cut) => {
        const log = await logOf(sightings);
        const all = flatten(keys, await matchLog(log, deriveGaenRuns(keys)));
        const reversed = [...keys].reverse();
        expect(flatten(reversed, await matchLog(log, deriveGaenRuns(reversed)))).toEqual(all);
        const c = cut % (keys.length + 1);
        const a = keys.slice(0, c);
        const b = keys.slice(c);
        const split = [
          ...flatten(a, await matchLog(log, deriveGaenRuns(a))),
          ...flatten(b, await matchLog(log, deriveGaenRuns(b))),
        ].sort();
        expect(split).toEqual(all);
      }),
    );
  });

  it("importing the same keys twice changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ keys, sightings }) => {
        const log = await logOf(sightings);
        const once = await checkExposure(log, keys);
        const twice = await checkExposure(log, [...keys, ...keys]);
        const statusOnce = once.assessment.status;
        expect(twice.assessment.status).toBe(statusOnce);
        const again = await checkExposure(log, keys);
        expect(again.assessment).toEqual(once.assessment);
      }),
    );
  });

  it("shifting all times by whole days changes nothing but the times", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.integer({ min: 1, max: 30 }), async ({ keys, sightings }, days) => {
        const shiftMs = days * 86_400_000;
        const shiftIv = days * 144;
        const moved = keys.map((k) => ({
          ...k,
          rollingStartIntervalNumber: k.rollingStartIntervalNumber + shiftIv,
        }));
        // Identifiers depend on the interval, so shifted sightings carry the shifted keys' RPIs and AEMs.
        const remap = new Map<string, { key: ExposureKey; interval: number }>();
        keys.forEach((k, ki) => {
          const a = deriveRpik(k.keyData);
          for (let i = 0; i < k.rollingPeriod; i++) {
            remap.set(toHex(deriveRpi(a, k.rollingStartIntervalNumber + i)), {
              key: moved[ki]!,
              interval: moved[ki]!.rollingStartIntervalNumber + i,
            });
          }
        });
        const shifted = sightings.map((s) => {
          const m = remap.get(toHex(s.identifier));
          return m
            ? { ...keySighting(m.key, m.interval, s.time + shiftMs, s.meanRssi) }
            : { ...s, time: s.time + shiftMs };
        });
        const before = await checkExposure(await logOf(sightings), keys);
        const after = await checkExposure(await logOf(shifted), moved);
        expect(after.assessment.status).toBe(before.assessment.status);
        expect(after.assessment.riskScore).toBeCloseTo(before.assessment.riskScore, 6);
        expect(after.windows.map((w) => w.start - shiftMs)).toEqual(before.windows.map((w) => w.start));
      }),
    );
  });

  it("more close time never lowers the risk", async () => {
    const key: ExposureKey = {
      keyData: new Uint8Array(16).fill(5),
      rollingStartIntervalNumber: DAY0,
      rollingPeriod: 144,
      reportType: 1,
    };
    const scans = (n: number, rssi: number) =>
      Array.from({ length: n }, (_, j) => {
        const t = DAY0 * INTERVAL_MS + 8 * 3600_000 + j * 300_000;
        return keySighting(key, Math.floor(t / INTERVAL_MS), t, rssi);
      });
    await fc.assert(
      fc.asyncProperty(fc.nat(60), fc.nat(20), fc.integer({ min: -90, max: -40 }), async (n, extra, rssi) => {
        const fewer = await checkExposure(await logOf(scans(n, rssi)), [key]);
        const more = await checkExposure(await logOf(scans(n + extra, rssi)), [key]);
        expect(more.assessment.riskScore).toBeGreaterThanOrEqual(fewer.assessment.riskScore);
        if (fewer.assessment.status === "F1") expect(more.assessment.status).toBe("F1");
      }),
    );
  });
});

describe("exposure windows and the verdict", () => {
  const key: ExposureKey = {
    keyData: new Uint8Array(16).fill(9),
    rollingStartIntervalNumber: DAY0,
    rollingPeriod: 144,
    reportType: 1,
  };
  const at = (minutes: number, rssi: number) => {
    const t = DAY0 * INTERVAL_MS + 9 * 3600_000 + minutes * 60_000;
    return keySighting(key, Math.floor(t / INTERVAL_MS), t, rssi);
  };

  it("20 minutes at a strong signal is F1; 10 minutes is not; weak signals are not", async () => {
    const strong = (mins: number) => Array.from({ length: mins / 5 }, (_, i) => at(i * 5, -45));
    expect((await checkExposure(await logOf(strong(20)), [key])).assessment.status).toBe("F1");
    expect((await checkExposure(await logOf(strong(10)), [key])).assessment.status).toBe("none");
    const weak = Array.from({ length: 12 }, (_, i) => at(i * 5, -95));
    expect((await checkExposure(await logOf(weak), [key])).assessment.status).toBe("none");
  });

  it("splits windows at 30 minutes and falls back to calibration when the metadata is implausible", async () => {
    const log = await logOf(Array.from({ length: 14 }, (_, i) => at(i * 5, -50)));
    const r = await checkExposure(log, [key]);
    expect(r.windows.length).toBe(3);
    for (const w of r.windows)
      expect(w.scanInstances[w.scanInstances.length - 1]!.time - w.start).toBeLessThan(30 * 60_000);
    expect(r.windows[0]!.txPowerSource).toBe("metadata");
    expect(r.windows[0]!.txPower).toBe(-10);
    const garbled = await logOf([{ ...at(0, -50), aem: new Uint8Array([1, 2, 3, 4]) }]);
    const g = await checkExposure(garbled, [key]);
    expect(g.windows[0]!.txPowerSource).toBe("calibration");
  });

  it("decrypts each sighting's metadata (batched per key) as the per-sighting AES-CTR does", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 })), { minLength: 30, maxLength: 30 }),
        async (minutes, garble) => {
          // Genuine sightings (tx power −10 dBm in the metadata), some with a replaced AEM.
          const sightings = minutes.map((m, i) => {
            const s = at(m, -50 - (i % 7));
            const g = garble[i];
            return g ? { ...s, aem: g } : s;
          });
          const m = await matchLog(await logOf(sightings), deriveGaenRuns([key]));
          const windows = buildExposureWindows(m, () => key.keyData, {
            receiverRssiCorrection: 0,
            fallbackTxPower: -33,
          });
          const aemk = deriveAemk(key.keyData);
          const byTime = new Map(sightings.map((s) => [s.time, s]));
          let n = 0;
          for (const w of windows)
            for (const inst of w.scanInstances) {
              const s = byTime.get(inst.time)!;
              expect(inst.typicalAttenuation + s.meanRssi).toBe(senderTxPower(aemk, s, -33).txPower);
              n++;
            }
          expect(n).toBe(sightings.length);
        },
      ),
    );
  });

  it("recursive keys make the user F2 at lower weight; revoked keys count for nothing", async () => {
    const strong = Array.from({ length: 6 }, (_, i) => at(i * 5, -45));
    const log = await logOf(strong);
    const f2 = await checkExposure(log, [{ ...key, reportType: 4, transmissionRiskLevel: 1 }]);
    expect(f2.assessment.status).toBe("F2");
    const f1 = await checkExposure(log, [key]);
    expect(f2.assessment.riskScore).toBeLessThan(f1.assessment.riskScore);
    expect(
      (await checkExposure(log, [{ ...key, reportType: 4, transmissionRiskLevel: 2 }])).assessment.status,
    ).toBe("none");
    expect(
      (await checkExposure(log, [{ ...key, reportType: 4, transmissionRiskLevel: 2 }], { maxLevel: 3 }))
        .assessment.status,
    ).toBe("F3");
    expect((await checkExposure(log, [{ ...key, reportType: 5 }])).assessment.status).toBe("none");
    const m = await matchLog(log, deriveGaenRuns([key]));
    const w = buildExposureWindows(m, () => key.keyData, { receiverRssiCorrection: 0, fallbackTxPower: -10 });
    expect(assessExposure(w, [key]).status).toBe("F1");
  });
});
