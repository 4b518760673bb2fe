/**
 * Contact detection over all app users on tiny replayed traces whose ground truth is worked out by hand,
 * and the breakdown's bookkeeping.
 */
import { describe, expect, it } from "vitest";
import { parseContactTrace } from "../../sim/world/contact-trace";
import { createDetectionTally, distanceBand, type PairDay } from "../../sim/app/detection";
import { runSimulation } from "../../sim/run";
import { loadScenario } from "../../sim/scenario";

const office = loadScenario("office"); // UTC+7, starting 2021-07-12
const at = (iso: string) => Date.parse(iso) / 1000;

/** Runs the app on everyone of `trace` (KONECT lines) for `days` days. */
async function replay(lines: string[], days: number, utcOffsetHours = office.utcOffsetHours) {
  const { summary } = await runSimulation({
    scenario: { ...office, utcOffsetHours, epidemic: { ...office.epidemic, initialInfected: 1 } },
    contacts: parseContactTrace(lines.join("\n")),
    days,
    adoption: 1,
    seed: 5,
    counterfactual: false,
  });
  return summary;
}

describe("detection on a four-person trace", () => {
  it("finds exactly the hand-counted close pairs: A–B (16 min) and A–C (2 × 10 min), not C–D (14 min)", async () => {
    // A = 1, B = 2, C = 3, D = 4; weights are 20-second intervals; 10:00 local = 03:00 UTC.
    const t = at("2021-07-12T03:00:00Z");
    const s = await replay([`1 2 48 ${t}`, `3 4 42 ${t}`, `1 3 30 ${t + 3600}`, `1 3 30 ${t + 7200}`], 1);
    expect(s.closeContactPairDays).toBe(2);
    const d = s.detection;
    expect(d.trueCloseContacts).toBe(4); // A→B, B→A, A→C, C→A
    expect(d.byDistance["0-1m"].trueCloseContacts + d.byDistance["1-2m"].trueCloseContacts).toBe(4);
    expect(d.byDistance["2-4m"].trueCloseContacts + d.byDistance[">4m"].trueCloseContacts).toBe(0);
    expect(d.bySetting.other.trueCloseContacts).toBe(4); // the trace's venue is of kind "other"
    expect(d.detected).toBeLessThanOrEqual(4);
    expect(d.sensitivity).toBe(d.detected / 4);
    const carriage = Object.values(d.byCarriage);
    expect(carriage.reduce((n, c) => n + c.trueCloseContacts, 0)).toBe(4);
    expect(carriage.reduce((n, c) => n + c.falseAlarms, 0)).toBe(d.falseAlarms);
  }, 120_000);

  it("judges a contact from 23:50 to 00:10 local time as the truth does: two days of 10 minutes", async () => {
    // 16:50–17:10 UTC is 23:50–00:10 in UTC+7.
    const lines = [`1 2 60 ${at("2021-07-12T16:50:00Z")}`];
    const local = await replay(lines, 2);
    expect(local.closeContactPairDays).toBe(0);
    expect(local.detection).toMatchObject({ trueCloseContacts: 0, detected: 0, falseAlarms: 0 });
    // With UTC days the same 20 minutes fall in one day: a close pair for the truth (both directions).
    const utc = await replay(lines, 1, 0);
    expect(utc.closeContactPairDays).toBe(1);
    expect(utc.detection.trueCloseContacts).toBe(2);
  }, 120_000);
});

describe("detection tally", () => {
  const pair = (
    a: number,
    b: number,
    m1: number,
    m2: number,
    m4: number,
    setting: PairDay["setting"],
  ): PairDay => ({
    a,
    b,
    minutes: [m1, m2, m4],
    setting,
  });

  it("bands a pair-day by the nearest distance within which it spent 15 minutes", () => {
    expect(distanceBand([15, 15, 15])).toBe("0-1m");
    expect(distanceBand([14, 15, 30])).toBe("1-2m");
    expect(distanceBand([14, 14, 15])).toBe("2-4m");
    expect(distanceBand([14, 14, 14])).toBe(">4m");
    expect(distanceBand([0, 14.9995, 14.9995])).toBe("1-2m"); // 45 steps of ⅓ min in floating point
  });

  it("counts ordered pair-days: each direction on its own, false alarms away from any truth", () => {
    // carriage: person 0 hand, 1 pocket, 2 bag, 3 hand
    const tally = createDetectionTally([0, 1, 2, 0]);
    tally.addDay(
      [pair(0, 1, 20, 20, 20, "household"), pair(1, 2, 0, 5, 30, "work")],
      [0, 1, 2, 1, 3, 0], // 0 heard 1 (true), 2 heard 1 (false, 2–4 m), 3 heard 0 (never within 4 m)
    );
    const s = tally.summary();
    expect(s).toMatchObject({ trueCloseContacts: 2, detected: 1, falseAlarms: 2, sensitivity: 0.5 });
    expect(s.precision).toBeCloseTo(1 / 3, 12);
    expect(s.bySetting.household).toMatchObject({ trueCloseContacts: 2, detected: 1, falseAlarms: 0 });
    expect(s.bySetting.work).toMatchObject({ trueCloseContacts: 0, falseAlarms: 1 });
    expect(s.bySetting.none).toMatchObject({ trueCloseContacts: 0, falseAlarms: 1 });
    expect(s.byCarriage["hand-pocket"]).toMatchObject({ trueCloseContacts: 1, detected: 1 });
    expect(s.byCarriage["pocket-hand"]).toMatchObject({ trueCloseContacts: 1, detected: 0 });
    expect(s.byCarriage["bag-pocket"]).toMatchObject({ falseAlarms: 1 });
    expect(s.byCarriage["hand-hand"]).toMatchObject({ falseAlarms: 1 });
    expect(s.byDistance["0-1m"]).toMatchObject({ trueCloseContacts: 2, detected: 1 });
    expect(s.byDistance["2-4m"]).toMatchObject({ falseAlarms: 1 });
    expect(s.byDistance[">4m"]).toMatchObject({ falseAlarms: 1 });
    expect(s.byDistance[">4m"].sensitivity).toBeNaN();
  });
});
