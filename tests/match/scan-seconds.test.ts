/**
 * Each scan stands for the seconds since the phone's previous scan (`secondsSinceLastScan`), and the day
 * rule sums them, each second once — also when two scans fall in one 5-minute window, as with the
 * Bluezone app's cycle (a 40-s scan every 260 s) or a custom one.
 *
 * Hand-worked (default policy, one key, mean RSSI −60 dBm: close):
 * - Bluezone cycle: scans at 08:05:05, 08:09:25, 08:13:45 and 08:18:05, each standing for 260 s, cover
 *   07:59:45 – 08:18:05, 1,040 s: F1 (≥ 900 s). Two of them share the window 08:05–08:10; counted as at
 *   most 300 s per window, the day had 820 s and the person was not told.
 * - Scans at 08:00:00, 08:05:00 and 08:09:59 standing for 300, 300 and 299 s: 899 s, one second short.
 *   (A per-window cap gave 600 s.)
 * - A log whose seconds overlap (the second scan claims 300 s but came 120 s after the first) counts the
 *   overlap once: scans at 08:00:00 (300 s), 08:02:00 (300 s), 08:07:00 (300 s) cover 07:55:00 – 08:07:00,
 *   720 s.
 */
import { describe, expect, it } from "vitest";
import {
  checkExposure,
  createMemoryLog,
  evaluateWindows,
  type ExposureKey,
  getPolicy,
  type ScanInstanceLike,
} from "../../src/index";
import { keySighting, TESTING_EPOCH_INTERVAL } from "../../src/testing";

const INTERVAL = 600_000;
const DAY = TESTING_EPOCH_INTERVAL + 144;
const eight = DAY * INTERVAL + 8 * 3_600_000;
const key: ExposureKey = {
  keyData: new Uint8Array(16).fill(7),
  rollingStartIntervalNumber: DAY,
  rollingPeriod: 144,
  reportType: 1,
};

/** The day's close seconds and verdict for scans at `eight + t` seconds standing for `s` seconds. */
async function day(scans: [t: number, s: number][]) {
  const log = createMemoryLog();
  await log.record(
    scans.map(([t, s]) => {
      const time = eight + t * 1000;
      return keySighting(key, Math.floor(time / INTERVAL), time, { meanRssi: -60, secondsSinceLastScan: s });
    }),
  );
  const r = await checkExposure(log, [key], { policy: getPolicy("default"), workers: 0 });
  return { closeSeconds: r.assessment.days[0]?.closeSeconds, status: r.assessment.status };
}

describe("the seconds a scan stands for", () => {
  it("sums two scans of one 5-minute window (Bluezone's 260-s cycle): 1,040 s, F1", async () => {
    expect(
      await day([
        [305, 260],
        [565, 260],
        [825, 260],
        [1085, 260],
      ]),
    ).toEqual({
      closeSeconds: 1040,
      status: "F1",
    });
  });

  it("counts 300 + 300 + 299 s as 899 s: one second short of the rule", async () => {
    expect(
      await day([
        [0, 300],
        [300, 300],
        [599, 299],
      ]),
    ).toEqual({ closeSeconds: 899, status: "none" });
  });

  it("counts seconds two scans both claim once", async () => {
    expect(
      await day([
        [0, 300],
        [120, 300],
        [420, 300],
      ]),
    ).toEqual({ closeSeconds: 720, status: "none" });
  });

  it("counts the union of uneven claims, whatever their order (evaluateWindows)", () => {
    // Close instances (attenuation 40 dB); times in seconds from `eight`, claims in seconds.
    const total = (claims: [t: number, s: number][]) =>
      evaluateWindows(
        claims.map(
          ([t, s]): ScanInstanceLike => ({
            time: eight + t * 1000,
            typicalAttenuation: 40,
            minAttenuation: 40,
            secondsSinceLastScan: s,
          }),
        ),
        getPolicy("default"),
      ).reduce((sum, w) => sum + w.closeSeconds, 0);
    // Two scans at one time claiming 100 and 300 s, then one 300 s later claiming 300: the union is
    // 07:55:00 – 08:05:00, 600 s, in either order of the first two.
    expect(
      total([
        [0, 100],
        [0, 300],
        [300, 300],
      ]),
    ).toBe(600);
    expect(
      total([
        [0, 300],
        [0, 100],
        [300, 300],
      ]),
    ).toBe(600);
    // A scan claiming 10 s, then one 100 s later claiming 300 s: the union 07:56:40 – 08:01:40, 300 s.
    expect(
      total([
        [0, 10],
        [100, 300],
      ]),
    ).toBe(300);
    // Unsorted input gives the same.
    expect(
      total([
        [100, 300],
        [0, 10],
      ]),
    ).toBe(300);
  });
});
