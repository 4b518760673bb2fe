/**
 * A day's exposure sums over keys (Exposure Notification v2 daily summaries): a same-day release gives
 * one person two keys on one day, and 10 close minutes on each must make 20 minutes that day — F1
 * under the 15-minute rule — not two times "none".
 *
 * Hand-worked example (default policy: a scan's attenuation is halfway between its typical and minimum
 * attenuation, a window is close at ≤ 54.5 dB, 900 close seconds a day): the sender's tx power is
 * −10 dBm (in its AEM metadata), the receiver's RSSI correction 0, every sighting mean −45 dBm and
 * max −42 dBm standing for 300 s, one per 5-minute window. Typical attenuation −10 − (−45) = 35 dB,
 * minimum −10 − (−42) = 32 dB, so the scan's is 33.5 dB: "immediate", close, 300 s per window. Key A (released at 10:05 UTC: intervals 0…60) is heard at
 * 09:50 and 09:55, key B (the fresh key, intervals 61…143) at 10:15 and 10:20: 600 s each, 1,200 s
 * that day ≥ 900 → F1; each key alone (600 < 900) is not.
 */
import { describe, expect, it } from "vitest";
import {
  assessExposure,
  buildExposureWindows,
  createGaenSchedule,
  createMemoryLog,
  deriveGaenRuns,
  type ExposureKey,
  getPolicy,
  INTERVAL_MS,
  matchLog,
  type Sighting,
  utcOffsetBoundary,
  virtualClock,
  withDayBoundary,
} from "../../src/index";
import { keySighting } from "../../src/testing";
import { seededBytes } from "../helpers/random";

const DAY = Date.UTC(2021, 6, 24);
const at = (h: number, m: number) => DAY + (h * 60 + m) * 60_000;

/** The two keys one person uploads for 24 July 2021: released at 10:05 UTC, then the rest of the day. */
function sameDayKeys(): [ExposureKey, ExposureKey] {
  const clock = virtualClock(at(10, 5));
  const schedule = createGaenSchedule({ clock, random: seededBytes(3) });
  schedule.current();
  const [a] = schedule.releaseKeys({ includeToday: true });
  clock.advanceTo(DAY + 86_400_000 + 3600_000); // next day: the fresh key is a past key now
  schedule.current();
  const [, b] = schedule.releaseKeys();
  return [
    { ...a!, reportType: 1 },
    { ...b!, reportType: 1 },
  ];
}

const heard = (key: ExposureKey, t: number): Sighting =>
  keySighting(key, Math.floor(t / INTERVAL_MS), t, {
    meanRssi: -45,
    maxRssi: -42,
    secondsSinceLastScan: 300,
  });

async function assess(
  keys: readonly ExposureKey[],
  sightings: readonly Sighting[],
  policy = getPolicy("default"),
) {
  const log = createMemoryLog();
  await log.record(sightings);
  const matches = await matchLog(log, deriveGaenRuns(keys));
  const windows = buildExposureWindows(matches, (i) => keys[i]?.keyData, {
    receiverRssiCorrection: 0,
    fallbackTxPower: -10,
  });
  return assessExposure(windows, keys, { policy });
}

describe("a day's exposure sums over keys", () => {
  it("10 minutes on each of one person's two same-day keys is F1 (1,200 s ≥ 900 s)", async () => {
    const [a, b] = sameDayKeys();
    expect([a.rollingPeriod, b.rollingPeriod]).toEqual([61, 83]);
    const r = await assess(
      [a, b],
      [heard(a, at(9, 50)), heard(a, at(9, 55)), heard(b, at(10, 15)), heard(b, at(10, 20))],
    );
    // Each key alone: 600 close seconds, not met.
    expect(r.keys.map((k) => k.days.map((d) => [d.closeSeconds, d.f1]))).toEqual([
      [[600, false]],
      [[600, false]],
    ]);
    expect(r.keys[0]!.windows.map((w) => [w.attenuation, w.bucket, w.closeSeconds])).toEqual([
      [33.5, "immediate", 300],
      [33.5, "immediate", 300],
    ]);
    expect(r.days).toEqual([
      {
        day: "2021-07-24",
        level: 1,
        keys: 2,
        closeSeconds: 1200,
        weightedSeconds: 1200,
        met: true,
        lastContactAt: at(10, 20),
      },
    ]);
    expect(r.status).toBe("F1");
    expect(r.keys.map((k) => k.contact)).toEqual([true, true]);
    expect(r.lastContactAt).toBe(at(10, 20));
  });

  it("5 minutes on each (600 s) is none; 10 minutes on each on different days is none", async () => {
    const [a, b] = sameDayKeys();
    const short = await assess([a, b], [heard(a, at(9, 55)), heard(b, at(10, 15))]);
    expect(short.days).toMatchObject([{ closeSeconds: 600, met: false }]);
    expect(short.status).toBe("none");
    expect(short.keys.map((k) => k.contact)).toEqual([false, false]);
    // Key B shifted to the next day: 600 s on 24 July, 600 s on 25 July.
    const nextDay = { ...b, rollingStartIntervalNumber: b.rollingStartIntervalNumber + 144 };
    const apart = await assess(
      [a, nextDay],
      [
        heard(a, at(9, 50)),
        heard(a, at(9, 55)),
        heard(nextDay, at(10, 15) + 86_400_000),
        heard(nextDay, at(10, 20) + 86_400_000),
      ],
    );
    expect(apart.days.map((d) => [d.day, d.closeSeconds, d.met])).toEqual([
      ["2021-07-24", 600, false],
      ["2021-07-25", 600, false],
    ]);
    expect(apart.status).toBe("none");
  });

  it("a case's key and an F1's recursive key on one day: 600 s at level 1, 1,200 s at level 2 → F2", async () => {
    const [a, b] = sameDayKeys();
    const recursive: ExposureKey = { ...b, reportType: 4, transmissionRiskLevel: 1 };
    const r = await assess(
      [a, recursive],
      [heard(a, at(9, 50)), heard(a, at(9, 55)), heard(recursive, at(10, 15)), heard(recursive, at(10, 20))],
    );
    expect(r.days.map((d) => [d.level, d.keys, d.closeSeconds, d.met])).toEqual([
      [1, 1, 600, false],
      [2, 2, 1200, true],
    ]);
    expect(r.status).toBe("F2");
    // The case's key helped make an F2, not an F1: its own level (1) was not met.
    expect(r.keys.map((k) => [k.level, k.contact])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it("an F1 with a later F2 contact: the last contact is the F1's (the F2's is in its day's entry)", async () => {
    const [a, b] = sameDayKeys();
    const recursive: ExposureKey = { ...b, reportType: 4, transmissionRiskLevel: 1 };
    // The case's key A: 09:50, 09:55, 10:00 (900 s, F1). The F1's recursive key: 10:15, 10:20, 10:25.
    const r = await assess(
      [a, recursive],
      [
        heard(a, at(9, 50)),
        heard(a, at(9, 55)),
        heard(a, at(10, 0)),
        heard(recursive, at(10, 15)),
        heard(recursive, at(10, 20)),
        heard(recursive, at(10, 25)),
      ],
    );
    expect(r.status).toBe("F1");
    // An F1's quarantine runs from the last contact with the case, 10:00, not the later 10:25.
    expect(r.lastContactAt).toBe(at(10, 0));
    expect(r.days.map((d) => [d.level, d.closeSeconds, d.met, d.lastContactAt])).toEqual([
      [1, 900, true, at(10, 0)],
      [2, 1800, true, at(10, 25)],
    ]);
  });

  it("a revoked key (weight 0) adds nothing to the day", async () => {
    const [a, b] = sameDayKeys();
    const r = await assess(
      [a, { ...b, reportType: 5 }],
      [heard(a, at(9, 50)), heard(a, at(9, 55)), heard(b, at(10, 15)), heard(b, at(10, 20))],
    );
    expect(r.days).toMatchObject([{ level: 1, keys: 1, closeSeconds: 600, met: false }]);
    expect(r.status).toBe("none");
  });

  it("dates the last contact by the policy's day, not the UTC date (UTC+7: 17:30 UTC is 00:30 local)", async () => {
    const [, b] = sameDayKeys();
    // Key B heard at 17:30, 17:35 and 17:40 UTC on 24 July: 00:30–00:40 on 25 July in Hanoi, three
    // close 300 s windows = 900 s, F1 on the local 25 July; the last contact is the 17:40 window.
    const hanoi = withDayBoundary(getPolicy("default"), utcOffsetBoundary(7));
    const r = await assess([b], [heard(b, at(17, 30)), heard(b, at(17, 35)), heard(b, at(17, 40))], hanoi);
    expect(r.days).toMatchObject([{ day: "2021-07-25", closeSeconds: 900, met: true }]);
    expect(r.status).toBe("F1");
    expect(r.lastContactAt).toBe(at(17, 40));
  });

  it("refuses a report type weight that is negative or not a number", () => {
    for (const w of [-2, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => assessExposure([], [], { reportTypeWeights: { 1: w } })).toThrow(
        /^reportTypeWeights\[1\] must be a finite number ≥ 0/,
      );
    expect(assessExposure([], [], { reportTypeWeights: { 1: 0 } }).status).toBe("none");
  });
});
