/**
 * The batched fleet (tracer cores stepped without timers) against the device fleet (the device tracer
 * on a virtual clock and the simulated medium, each timer's asynchronous work settled before the next
 * timer fires): identical contact logs, own keys and sighting counts for every phone, across identifier
 * rotations, UTC midnight, the local day's end and a key release mid-run, with both radio samplings —
 * and the same logs when the batched fleet owns only a partition of the phones (the rest shadows), and
 * when it runs its phones phone-major through an hour of noted mobility steps at a time.
 */
import { describe, expect, it } from "vitest";
import { createBatchedFleet } from "../../sim/app/fleet";
import { partitionOf } from "../../sim/app/partition";
import { createPhoneFleet } from "../../sim/app/phones";
import type { RadioSampling } from "../../sim/radio/radio";
import { allAppWorld, runDaySteps } from "../helpers/sim-world";

const SEED = 0xf1ee7;

describe.each<RadioSampling>(["scan", "packets"])("batched fleet, radio %s", (radio) => {
  it("logs what the device tracers log, phone for phone", async () => {
    const { epi } = allAppWorld("hanoi-ward", 120, 41);
    const owner = partitionOf(epi.world.hasApp, 2);
    const device = createPhoneFleet({ mobility: epi.mobility, seed: SEED, radio, timerByTimer: true });
    const batched = createBatchedFleet({ mobility: epi.mobility, seed: SEED, radio });
    const half = createBatchedFleet({
      mobility: epi.mobility,
      seed: SEED,
      radio,
      owns: (p) => owner[p] === 1,
    });
    // Phone-major, partitioned the other way: neighbours noted every step, an advance every hour.
    const hourly = createBatchedFleet({
      mobility: epi.mobility,
      seed: SEED,
      radio,
      owns: (p) => owner[p] === 0,
    });
    await device.start();
    batched.start();
    half.start();
    hourly.start();
    const runSteps = (day: number, steps: number) =>
      runDaySteps(epi, day, steps, async (t) => {
        await device.advanceTo(t);
        batched.advanceTo(t);
        half.advanceTo(t);
        hourly.observe(t);
        if ((t - epi.mobility.dayStartMs(0)) % 3_600_000 === 0) hourly.advanceTo(t);
      });
    await runSteps(0, epi.steps);
    epi.finishDay();
    // Releases at the local day's end: the identifier on air stays until the next rotation.
    const released = device.phones.filter((_, i) => i % 4 === 0).map((ph) => ph.person);
    for (const p of released) {
      const keys = device.releaseKeys(p);
      expect(batched.releaseKeys(p)).toEqual(keys);
      expect(half.releaseKeys(p)).toEqual(owner[p] === 1 ? keys : undefined);
      expect(hourly.releaseKeys(p)).toEqual(owner[p] === 0 ? keys : undefined);
    }
    // 47 steps: the last advance of the phone-major fleet comes after 11 noted steps, not 12.
    await runSteps(1, 47);
    hourly.advanceTo(epi.mobility.dayStartMs(1) + 47 * epi.mobility.stepMinutes * 60_000);

    let sightings = 0;
    for (const ph of device.phones) {
      const expected = ph.log.rangeSync(0, Number.POSITIVE_INFINITY);
      expect(batched.byPerson[ph.person]!.log.rangeSync(0, Number.POSITIVE_INFINITY)).toEqual(expected);
      expect(await batched.byPerson[ph.person]!.log.ownKeys()).toEqual(await ph.log.ownKeys());
      expect(batched.keysOf(ph.person)).toEqual(device.keysOf(ph.person));
      const local = half.byPerson[ph.person];
      if (local) expect(local.log.rangeSync(0, Number.POSITIVE_INFINITY)).toEqual(expected);
      const major = hourly.byPerson[ph.person];
      if (major) {
        expect(major.log.rangeSync(0, Number.POSITIVE_INFINITY)).toEqual(expected);
        expect(await major.log.ownKeys()).toEqual(await ph.log.ownKeys());
      }
      sightings += expected.length;
    }
    expect(batched.sightingsLogged()).toBe(device.sightingsLogged());
    expect(sightings).toBe(device.sightingsLogged());
    expect(sightings).toBeGreaterThan(20_000);
    expect(half.phones.length).toBeGreaterThan(40);
    expect(half.phones.length + hourly.phones.length).toBe(device.phones.length);
    expect(half.sightingsLogged() + hourly.sightingsLogged()).toBe(device.sightingsLogged());
  }, 300_000);
});
