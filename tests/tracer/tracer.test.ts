import { describe, expect, it } from "vitest";
import {
  advanceAndSettle,
  type ContactLog,
  createMemoryLog,
  createSimulatedMedium,
  createTracer,
  DAY_MS,
  INTERVAL_MS,
  intervalNumber,
  type Sighting,
  type TracerOptions,
  toHex,
  virtualClock,
} from "../../src/index";
import { seededBytes as seeded } from "../helpers/random";

const T0 = Date.UTC(2021, 6, 24, 8, 0, 0);

/** Two phones 1.5 m apart on a simulated medium (packets every 250 ms at −65 dBm). */
function world(extra: Partial<TracerOptions> = {}) {
  const clock = virtualClock(T0);
  const medium = createSimulatedMedium({
    clock,
    random: seeded(99),
    link: (_a, _s, from, to) =>
      Array.from({ length: Math.floor((to - from) / 250) }, (_, i) => -65 - (i % 3)),
  });
  const phone = (id: string, seed: number, log: ContactLog = createMemoryLog()) => {
    const transport = medium.createTransport(id);
    const tracer = createTracer({
      transport,
      log,
      clock,
      random: seeded(seed),
      metadata: { txPower: -10 },
      ...extra,
    });
    return { transport, log, tracer };
  };
  return { clock, medium, phone };
}

describe("tracer on the simulated medium", () => {
  it("a second start, at once or later, is a TracerStateError and leaves one scan loop", async () => {
    const w = world();
    const a = w.phone("a", 1);
    const b = w.phone("b", 2);
    // Two starts at once: the second is refused before it arms anything (it used to arm a second scan
    // loop that spun on the first's pending scan until the heap ran out).
    const both = await Promise.allSettled([a.tracer.start(), a.tracer.start()]);
    expect(both[0].status).toBe("fulfilled");
    expect(both[1]).toMatchObject({ status: "rejected", reason: { code: "ERR_TRACER_STATE" } });
    await expect(a.tracer.start()).rejects.toMatchObject({ code: "ERR_TRACER_STATE" });
    await b.tracer.start();
    // One hour: one 4-s scan every 5 minutes ± 1 (GAEN cycle), i.e. 10 to 15 scans, as with one start.
    await advanceAndSettle(w.clock, 3600_000);
    const scans = a.tracer.status().scans;
    expect(scans).toBeGreaterThanOrEqual(10);
    expect(scans).toBeLessThanOrEqual(15);
    await a.tracer.stop();
    await b.tracer.stop();
    // Stopped, it starts again.
    await a.tracer.start();
    await a.tracer.stop();
  });

  it("two phones log each other's identifier for every interval of an hour", async () => {
    const w = world();
    const a = w.phone("a", 1);
    const b = w.phone("b", 2);
    const rotations: number[] = [];
    a.tracer.on("rotation", (r) => rotations.push(r.slot));
    await a.tracer.start();
    await b.tracer.start();
    await advanceAndSettle(w.clock, 3600_000);
    await a.tracer.stop();
    await b.tracer.stop();

    expect(rotations).toEqual(Array.from({ length: 7 }, (_, i) => intervalNumber(T0) + i));
    const bIds = new Set(
      Array.from({ length: 6 }, (_, i) => toHex(b.tracer.schedule().at(T0 + i * INTERVAL_MS).identifier)),
    );
    const heard = await a.log.range(T0, T0 + 3600_000);
    const heardIds = new Set(heard.map((s) => toHex(s.identifier)));
    for (const id of bIds) expect(heardIds.has(id)).toBe(true);
    for (const s of heard) {
      expect(s.meanRssi).toBeLessThanOrEqual(-65);
      expect(s.maxRssi).toBe(-65);
      expect(s.packets).toBe(16); // 4 s scan, a packet every 250 ms
      expect(s.secondsSinceLastScan).toBeLessThanOrEqual(300);
    }
    const st = a.tracer.status();
    expect(st.state).toBe("stopped");
    expect(st.scans).toBeGreaterThanOrEqual(10);
    expect(st.sightingsLogged).toBe(heard.length);
  });

  it("retries a failing radio with back-off and reports the errors", async () => {
    const w = world();
    const a = w.phone("a", 1);
    w.phone("b", 2);
    a.transport.failNext("startAdvertising", 3);
    a.transport.failNext("startScanning", 2);
    const errors: string[] = [];
    a.tracer.on("error", (e) => errors.push(e.message));
    await a.tracer.start();
    await advanceAndSettle(w.clock, 60_000);
    expect(errors.filter((m) => m.includes("startAdvertising"))).toHaveLength(3);
    expect(errors.filter((m) => m.includes("startScanning"))).toHaveLength(2);
    expect(a.tracer.status().advertising).toBe(true);
    expect(a.tracer.status().radioFailures).toBe(5);
    await a.tracer.stop();
  });

  it("waits for the adapter and resumes when it powers on again", async () => {
    const w = world();
    const a = w.phone("a", 1);
    const b = w.phone("b", 2);
    a.transport.setState("poweredOff");
    await a.tracer.start();
    await b.tracer.start();
    expect(a.tracer.status().state).toBe("waiting-for-adapter");
    await advanceAndSettle(w.clock, 600_000);
    expect(await a.log.range(0, Number.MAX_SAFE_INTEGER)).toHaveLength(0);
    a.transport.setState("poweredOn");
    await advanceAndSettle(w.clock, 600_000);
    expect(a.tracer.status().state).toBe("running");
    expect((await a.log.range(0, Number.MAX_SAFE_INTEGER)).length).toBeGreaterThan(0);
    await a.tracer.stop();
    await b.tracer.stop();
  });

  it("keeps sightings when the log fails and writes them later: nothing lost", async () => {
    const w = world();
    const inner = createMemoryLog();
    let failures = 2;
    const flaky: ContactLog = Object.create(inner, {
      record: {
        value: async (s: readonly Sighting[]) => {
          if (failures-- > 0) throw new Error("disk full");
          return inner.record(s);
        },
      },
    });
    const a = w.phone("a", 1, flaky);
    const b = w.phone("b", 2);
    await a.tracer.start();
    await b.tracer.start();
    await advanceAndSettle(w.clock, 1800_000);
    await a.tracer.stop();
    await b.tracer.stop();
    const st = a.tracer.status();
    expect(st.pendingSightings).toBe(0);
    expect(st.sightingsLogged).toBe(st.scans);
    expect(await inner.range(0, Number.MAX_SAFE_INTEGER)).toHaveLength(st.scans);
  });

  it("writes sightings kept after a failed write when stopped between scans: nothing lost at stop", async () => {
    const w = world();
    const inner = createMemoryLog();
    let failing = false;
    const flaky: ContactLog = Object.create(inner, {
      record: {
        value: async (s: readonly Sighting[]) => {
          if (failing) throw new Error("disk full");
          return inner.record(s);
        },
      },
    });
    const a = w.phone("a", 1, flaky);
    const b = w.phone("b", 2);
    await a.tracer.start();
    await b.tracer.start();
    await advanceAndSettle(w.clock, 600_000);
    const logged = a.tracer.status().sightingsLogged;
    expect(logged).toBeGreaterThan(0);
    // The next scan's write fails; the tracer is stopped before another scan could retry it.
    failing = true;
    const scans = a.tracer.status().scans;
    while (a.tracer.status().scans === scans) await advanceAndSettle(w.clock, 10_000);
    expect(a.tracer.status().scanning).toBe(false);
    expect(a.tracer.status().pendingSightings).toBe(1);
    failing = false;
    await a.tracer.stop();
    await b.tracer.stop();
    const st = a.tracer.status();
    expect(st.pendingSightings).toBe(0);
    expect(st.sightingsLogged).toBe(logged + 1);
    expect(await inner.range(0, Number.MAX_SAFE_INTEGER)).toHaveLength(st.scans);
  });

  it("enforces retention on sightings and own keys over 16 days, and continues keys after a restart", async () => {
    const w = world({ scan: { durationMs: 4_000, periodMs: 3600_000, jitterMs: 0, continuous: false } });
    const log = createMemoryLog();
    const a = w.phone("a", 1, log);
    w.phone("b", 2).tracer.start();
    await a.tracer.start();
    await advanceAndSettle(w.clock, 16 * DAY_MS);
    const now = w.clock.now();
    const kept = await log.range(0, Number.MAX_SAFE_INTEGER);
    expect(kept.length).toBeGreaterThan(0);
    expect(Math.min(...kept.map((s) => s.time))).toBeGreaterThanOrEqual(now - 14 * DAY_MS - 3600_000);
    expect((await log.ownKeys()).length).toBeLessThanOrEqual(15);
    const before = a.tracer.schedule().current();
    await a.tracer.stop();
    const again = createTracer({
      transport: w.medium.createTransport("a2"),
      log,
      clock: w.clock,
      random: seeded(5),
    });
    await again.start();
    expect(toHex(again.schedule().current().identifier)).toBe(toHex(before.identifier));
    await again.stop();
  });
});
