/**
 * Bluezone's "unfair play" threat: an attacker records identifiers near a future case (a clinic) and
 * re-broadcasts them elsewhere after a delay. Matching accepts a sighting only within ±2 hours of its
 * identifier's interval, so a replay can only cause a false F1 inside that window.
 */
import { describe, expect, it } from "vitest";
import {
  advanceAndSettle,
  checkExposure,
  createMemoryLog,
  createSimulatedMedium,
  createTracer,
  type GaenSchedule,
  type Payload,
  virtualClock,
} from "../../src/index";
import { seededBytes as seeded } from "../helpers/random";

const T0 = Date.UTC(2021, 7, 2, 8, 0, 0);

/** One attack: record the case's identifier at 08:00, replay it next to the victim `delayMin` later for 30 min. */
async function attack(delayMin: number): Promise<string> {
  const clock = virtualClock(T0);
  const near = new Set<string>(); // "advertiser>scanner" links that are 1 m apart
  const medium = createSimulatedMedium({
    clock,
    random: seeded(3),
    link: (a, s, from, to) =>
      near.has(`${a}>${s}`) ? Array.from({ length: Math.floor((to - from) / 250) }, () => -52) : [],
  });
  const caseLog = createMemoryLog();
  const victimLog = createMemoryLog();
  const f0 = createTracer({
    transport: medium.createTransport("case"),
    log: caseLog,
    clock,
    random: seeded(1),
    metadata: { txPower: -8 },
  });
  const victim = createTracer({
    transport: medium.createTransport("victim"),
    log: victimLog,
    clock,
    random: seeded(2),
  });
  const attacker = medium.createTransport("attacker");
  await f0.start();
  await victim.start();

  // 08:00 at the clinic: the attacker's radio records the case's current payload.
  near.add("case>attacker");
  let recorded: Payload | undefined;
  await attacker.startScanning({ onReport: (r) => (recorded ??= r.payload) });
  await advanceAndSettle(clock, 4_000);
  await attacker.stopScanning();
  near.delete("case>attacker");
  expect(recorded?.scheme).toBe("gaen");

  // Later, elsewhere: the attacker re-broadcasts it next to the victim for 30 minutes.
  await advanceAndSettle(clock, delayMin * 60_000);
  near.add("attacker>victim");
  await attacker.startAdvertising(recorded!);
  await advanceAndSettle(clock, 30 * 60_000);
  await attacker.stopAdvertising();
  await f0.stop();
  await victim.stop();

  // The case is confirmed; its keys are published and the victim matches them.
  const keys = (f0.schedule() as GaenSchedule)
    .releaseKeys({ includeToday: true })
    .map((k) => ({ ...k, reportType: 1 as const }));
  return (await checkExposure(victimLog, keys)).assessment.status;
}

describe("relay/replay attack", () => {
  it("causes a false F1 only while the replay stays within ±2 h of the identifier's interval", async () => {
    const results: Record<number, string> = {};
    for (const delay of [0, 60, 100, 125, 180, 360]) results[delay] = await attack(delay);
    // Up to 1 h 40 min later, the whole 30-minute replay is inside the window: a false F1.
    expect(results[0]).toBe("F1");
    expect(results[60]).toBe("F1");
    expect(results[100]).toBe("F1");
    // From 2 h 5 min on (the identifier's interval began at 08:00, ended 08:10), nothing matches.
    expect(results[125]).toBe("none");
    expect(results[180]).toBe("none");
    expect(results[360]).toBe("none");
  });
});
