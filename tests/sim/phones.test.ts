/**
 * Partitioned phone fleets: a phone's contact log must not depend on whether the phones it hears are
 * simulated next to it (local stations) or elsewhere (shadows replaying their broadcasts), including
 * across identifier rotations, UTC midnight and a key release mid-run.
 */
import { describe, expect, it } from "vitest";
import type { Broadcast } from "../../src/index";
import { createEpidemic } from "../../sim/epidemic/epidemic";
import { partitionOf } from "../../sim/app/partition";
import { createPhoneFleet, createShadowPhone, phoneIdentity } from "../../sim/app/phones";
import { loadScenario, withPopulation } from "../../sim/scenario";
import { allAppWorld, runDaySteps } from "../helpers/sim-world";

const SEED = 0x5eed;

describe("phone fleet partitions", () => {
  it("gives a phone the same log whether its advertisers are local or remote shadows", async () => {
    const { epi } = allAppWorld("hanoi-ward", 150, 99);
    const owner = partitionOf(epi.world.hasApp, 2);
    // The same mobility drives both fleets: one owning every phone, one owning half of them.
    const whole = createPhoneFleet({ mobility: epi.mobility, seed: SEED });
    const half = createPhoneFleet({ mobility: epi.mobility, seed: SEED, owns: (p) => owner[p] === 1 });
    expect(half.phones.length).toBeGreaterThan(50);
    expect(half.phones.length).toBeLessThan(whole.phones.length);
    await whole.start();
    await half.start();
    const runSteps = (day: number, steps: number) =>
      runDaySteps(epi, day, steps, async (t) => {
        await whole.advanceTo(t);
        await half.advanceTo(t);
      });
    await runSteps(0, epi.steps);
    epi.finishDay();

    // Releases at the end of the day, on phones and shadows alike (their keys: the next test).
    const released = whole.phones.filter((_, i) => i % 5 === 0).map((ph) => ph.person);
    expect(released.some((p) => owner[p] === 0) && released.some((p) => owner[p] === 1)).toBe(true);
    for (const p of released) {
      const keys = whole.releaseKeys(p);
      expect(keys?.length).toBeGreaterThan(0);
      expect(half.releaseKeys(p)).toEqual(owner[p] === 1 ? keys : undefined);
    }
    // Six hours of the next day: the identifier on air when the key was released, then the fresh key.
    await runSteps(1, 72);

    let sightings = 0;
    for (const ph of half.phones) {
      const expected = whole.byPerson[ph.person]!.log.rangeSync(0, Number.POSITIVE_INFINITY);
      const got = ph.log.rangeSync(0, Number.POSITIVE_INFINITY);
      expect(got).toEqual(expected);
      sightings += got.length;
      const status = ph.tracer.status();
      expect(status.sightingsLogged).toBe(whole.byPerson[ph.person]!.tracer.status().sightingsLogged);
    }
    expect(sightings).toBeGreaterThan(10_000);
    // Every app user's keys are known in both fleets, from the phone or from its shadow (which keeps the
    // current and the previous UTC day): what the detection measure matches every log against.
    const oldest = (Math.floor(whole.clock.now() / 86_400_000) - 1) * 144;
    const recent = (keys: { rollingStartIntervalNumber: number; rollingPeriod: number }[]) =>
      keys.filter((k) => k.rollingStartIntervalNumber + k.rollingPeriod > oldest);
    let keyed = 0;
    for (const ph of whole.phones) {
      const expected = recent(whole.keysOf(ph.person));
      expect(recent(half.keysOf(ph.person))).toEqual(expected);
      keyed += expected.length;
    }
    expect(keyed).toBeGreaterThan(whole.phones.length); // released phones hold a truncated and a fresh key
  }, 300_000);

  it("replays a phone's keys and broadcasts from its identity alone", async () => {
    const base = loadScenario("office");
    const scenario = {
      ...withPopulation(base, 20),
      app: { ...base.app, adoption: 1, byAgeGroup: undefined },
    };
    const epi = createEpidemic(scenario, { seed: 3 });
    const fleet = createPhoneFleet({ mobility: epi.mobility, seed: SEED });
    const phone = fleet.phones[0]!;
    let advertised: Broadcast | undefined;
    phone.tracer.on("rotation", (b) => {
      advertised = b;
    });
    await fleet.start();
    const startMs = epi.mobility.dayStartMs(0);
    const shadow = createShadowPhone(phoneIdentity(SEED, phone.person), fleet.clock, startMs);
    // A second shadow asked only for its keys' bytes (as the batched fleet asks): the same identifiers.
    const bytesOnly = createShadowPhone(phoneIdentity(SEED, phone.person), fleet.clock, startMs);
    // Across two UTC midnights and a release in the middle of an interval, the shadow answers with
    // what the tracer has on air.
    // One release at an interval boundary (just after the tracer's rotation), one in mid-interval.
    const releaseAt = [startMs + 86_400_000 + 20 * 60_000, startMs + 86_400_000 + 123 * 60_000];
    let releases = 0;
    for (let t = startMs; t < startMs + 2 * 86_400_000; t += 60_000) {
      await fleet.advanceTo(t);
      if (releaseAt.includes(t)) {
        const keys = fleet.releaseKeys(phone.person);
        expect(shadow.releaseKeys()).toEqual(keys);
        expect(bytesOnly.releaseKeys()).toEqual(keys);
        releases++;
      }
      const air = shadow.onAir(t);
      expect(air.payload).toEqual(advertised!.payload);
      expect(air.since).toBe(Math.max(startMs, advertised!.start));
      const slot = Math.floor(t / 600_000);
      expect(slot).toBe(advertised!.slot);
      const key = bytesOnly.rpisAt(slot);
      const j = slot - key.first;
      expect(j >= 0 && j < key.count).toBe(true);
      const payload = advertised!.payload;
      if (payload.scheme !== "gaen") throw new Error("a GAEN phone advertised another scheme");
      expect([...key.rpis.subarray(16 * j, 16 * j + 16)]).toEqual([...payload.rpi]);
      expect([...key.aems.subarray(4 * j, 4 * j + 4)]).toEqual([...payload.aem]);
    }
    expect(releases).toBe(2);
  }, 60_000);
});
