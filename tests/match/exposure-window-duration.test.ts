/**
 * Exposure windows never stand for more time than they span: a window of at most 30 minutes sums to at
 * most 1,800 s of contact (the CLI once reported 2,040 s), and for a consistent log (each sighting
 * standing for at most the time since the key's previous sighting) no contact time is lost by windowing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildExposureWindows, exposureWindowSeconds, type KeyMatch, type Sighting } from "../../src/index";

const WINDOW_MS = 30 * 60_000;

const sighting = (time: number, secondsSinceLastScan: number): Sighting => ({
  time,
  identifier: new Uint8Array(16),
  aem: new Uint8Array(0),
  meanRssi: -60,
  maxRssi: -55,
  packets: 3,
  secondsSinceLastScan,
});

const windowsOf = (sightings: Sighting[]) => {
  const match: KeyMatch = {
    keyIndex: 0,
    sightings: sightings.map((s) => ({ sighting: s, slotStart: s.time, slotMs: 600_000 })),
  };
  return buildExposureWindows([match], () => undefined, { receiverRssiCorrection: 0, fallbackTxPower: -10 });
};

describe("exposure window duration", () => {
  it("hand-worked: scans every 4 min for 40 min, each standing for 240 s", () => {
    // Scans at 4, 8, …, 40 min (10 scans, 240 s each = 2,400 s in all). The first window begins at 0
    // (the first scan's 240 s) and holds the scans with times before 30 min: 4…28 (7 scans, 1,680 s).
    // The second begins at 32 − 4 = 28 min and holds 32, 36, 40 (720 s).
    const ss = Array.from({ length: 10 }, (_, i) => sighting((i + 1) * 240_000, 240));
    const ws = windowsOf(ss);
    expect(ws.map((w) => w.start)).toEqual([0, 28 * 60_000]);
    expect(ws.map(exposureWindowSeconds)).toEqual([1680, 720]);
  });

  it("a window's seconds never exceed its length, and consistent logs lose no contact time", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ gapS: fc.integer({ min: 1, max: 900 }), standsForS: fc.integer({ min: 0, max: 300 }) }),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.boolean(),
        (steps, consistent) => {
          let t = 1_700_000_000_000;
          const ss = steps.map(({ gapS, standsForS }) => {
            t += gapS * 1000;
            return sighting(t, consistent ? Math.min(standsForS, gapS) : standsForS);
          });
          const ws = windowsOf(ss);
          for (const w of ws) {
            expect(exposureWindowSeconds(w)).toBeLessThanOrEqual(WINDOW_MS / 1000);
            for (const inst of w.scanInstances) {
              expect(inst.time).toBeGreaterThanOrEqual(w.start);
              expect(inst.time).toBeLessThan(w.start + WINDOW_MS);
            }
          }
          if (consistent) {
            const total = ws.reduce((s, w) => s + exposureWindowSeconds(w), 0);
            expect(total).toBe(ss.reduce((s, x) => s + x.secondsSinceLastScan, 0));
          }
        },
      ),
    );
  });
});
