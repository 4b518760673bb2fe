/**
 * A scan stands for the seconds before its scan time (`secondsSinceLastScan`), so the first scan after
 * midnight stands partly for the day before. The day rule ("≤ 2 m for ≥ 15 minutes in a day") must
 * count those seconds on the day they happened, not on the day of the scan.
 *
 * Hand-worked example (default policy, UTC days): one person's key for day N and key for day N + 1,
 * each heard close (mean RSSI −60 dBm, the fallback tx power: attenuation well under the close limit)
 * by scans every 5 minutes at midnight −270 s, +30 s, +330 s and +630 s, each standing for 300 s. The
 * contact runs 23:50:30 – 00:10:30: 570 s on day N (the first scan's 300 and 270 of the second's) and
 * 630 s on day N + 1 (30 + 300 + 300). Neither reaches 900 s: no F1. (Counted by scan time, day N + 1
 * had 900 s and the person was told F1.) Two more scans at +930 s and +1,230 s make day N + 1 1,230 s:
 * F1 on that day only.
 */
import { describe, expect, it } from "vitest";
import { checkExposure, createMemoryLog, type ExposureKey, getPolicy } from "../../src/index";
import { keySighting, TESTING_EPOCH_INTERVAL } from "../../src/testing";

const INTERVAL = 600_000;
const N = TESTING_EPOCH_INTERVAL + 144;
const midnight = (N + 144) * INTERVAL;
const key = (fill: number, first: number): ExposureKey => ({
  keyData: new Uint8Array(16).fill(fill),
  rollingStartIntervalNumber: first,
  rollingPeriod: 144,
  reportType: 1,
});
const dayN = key(1, N);
const dayN1 = key(2, N + 144);

async function days(offsetsS: number[]) {
  const log = createMemoryLog();
  await log.record(
    offsetsS.map((s) => {
      const t = midnight + s * 1000;
      return keySighting(t < midnight ? dayN : dayN1, Math.floor(t / INTERVAL), t, {
        meanRssi: -60,
        secondsSinceLastScan: 300,
      });
    }),
  );
  const r = await checkExposure(log, [dayN, dayN1], { policy: getPolicy("default"), workers: 0 });
  return { days: r.assessment.days.map((d) => [d.day, d.closeSeconds, d.met]), status: r.assessment.status };
}

describe("a contact across midnight", () => {
  it("counts each scan's seconds on the day they happened", async () => {
    const dateN = new Date(N * INTERVAL).toISOString().slice(0, 10);
    const dateN1 = new Date(midnight).toISOString().slice(0, 10);
    expect(await days([-270, 30, 330, 630])).toEqual({
      days: [
        [dateN, 570, false],
        [dateN1, 630, false],
      ],
      status: "none",
    });
    expect(await days([-270, 30, 330, 630, 930, 1230])).toEqual({
      days: [
        [dateN, 570, false],
        [dateN1, 1230, true],
      ],
      status: "F1",
    });
  });
});

describe("a contact across midnight with windows shorter than the scans' claims", () => {
  it("still counts each scan's seconds on the day they happened (60-s windows, 300-s scans)", async () => {
    // Scans at midnight −790 s (claiming 260 s), −530, −230 and +70 s (300 s each): they stand for
    // 23:42:30 – 00:01:10 without a gap (the second claim overlaps the first by 40 s, counted once):
    // 260 + 260 + 300 + 230 = 1,050 s on day N, 70 s on day N + 1 → F1 on day N. With 60-s windows the
    // scan at +70 s lies in the window 00:01–00:02, which does not start the day; its 230 s before
    // midnight still belong to day N.
    const scans: [number, number][] = [
      [-790, 260],
      [-530, 300],
      [-230, 300],
      [70, 300],
    ];
    const log = createMemoryLog();
    await log.record(
      scans.map(([s, claim]) => {
        const t = midnight + s * 1000;
        return keySighting(t < midnight ? dayN : dayN1, Math.floor(t / INTERVAL), t, {
          meanRssi: -60,
          secondsSinceLastScan: claim,
        });
      }),
    );
    const dateN = new Date(N * INTERVAL).toISOString().slice(0, 10);
    const dateN1 = new Date(midnight).toISOString().slice(0, 10);
    for (const windowSeconds of [60, 300]) {
      const r = await checkExposure(log, [dayN, dayN1], {
        policy: getPolicy("default"),
        workers: 0,
        windowSeconds,
      });
      expect(r.assessment.days.map((d) => [d.day, d.closeSeconds, d.met])).toEqual([
        [dateN, 1050, true],
        [dateN1, 70, false],
      ]);
    }
  });
});
