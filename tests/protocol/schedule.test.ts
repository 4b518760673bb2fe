import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bluezoneDayKey,
  createBluezoneSchedule,
  createGaenSchedule,
  cryptAem,
  DAY_MS,
  decodeMetadata,
  deriveAemk,
  encodeMetadata,
  deriveBluezoneIds,
  deriveRpi,
  deriveRpik,
  INTERVAL_MS,
  intervalNumber,
  type TemporaryExposureKey,
  toHex,
  virtualClock,
} from "../../src/index";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 60 });

/** Deterministic random source for tests. */
function counterRandom() {
  let c = 0;
  return (n: number) =>
    new Uint8Array(n).map((_, i) => (c * 31 + i * 7 + 1) & 0xff).map((v, i) => (i === 0 ? ++c & 0xff : v));
}

const T0 = Date.UTC(2021, 6, 24, 9, 3, 0); // Hanoi lockdown, 24 July 2021

describe("Exposure Notification key schedule", () => {
  it("broadcasts the RPI of the current interval and rotates at the interval boundary", () => {
    const clock = virtualClock(T0);
    const s = createGaenSchedule({ clock, random: counterRandom(), metadata: { txPower: -12 } });
    const b = s.current();
    expect(b.slot).toBe(intervalNumber(T0));
    expect(s.nextRotationAt()).toBe((intervalNumber(T0) + 1) * INTERVAL_MS);
    const [tek] = s.keys();
    expect(tek!.rollingStartIntervalNumber % 144).toBe(0);
    expect(tek!.rollingPeriod).toBe(144);
    expect(toHex(b.identifier)).toBe(toHex(deriveRpi(deriveRpik(tek!.keyData), b.slot)));
    const meta = cryptAem(
      deriveAemk(tek!.keyData),
      b.identifier,
      b.payload.scheme === "gaen" ? b.payload.aem : new Uint8Array(4),
    );
    expect(decodeMetadata(meta).txPower).toBe(-12);
    clock.advanceTo(s.nextRotationAt() - 1);
    expect(toHex(s.current().identifier)).toBe(toHex(b.identifier));
    clock.advance(1);
    expect(toHex(s.current().identifier)).not.toBe(toHex(b.identifier));
  });

  it("gives every kept key's RPIs, from the published derivation, in any order of days asked", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 13 * 144 + 143 }), { minLength: 1, maxLength: 40 }),
        (asked) => {
          // Fourteen days of keys drawn first, then intervals asked for in any order: the schedule keeps
          // only the newest keys' derived identifiers, so old days are derived again when asked.
          const clock = virtualClock(T0);
          const s = createGaenSchedule({ clock, random: counterRandom() });
          const first = intervalNumber(T0) - (intervalNumber(T0) % 144);
          for (let d = 0; d < 14; d++) s.at((first + d * 144) * INTERVAL_MS);
          clock.advanceTo((first + 13 * 144) * INTERVAL_MS);
          const keys = s.keys();
          expect(keys).toHaveLength(14);
          for (const k of asked) {
            const interval = first + k;
            const key = keys.find(
              (x) =>
                interval >= x.rollingStartIntervalNumber && interval < x.rollingStartIntervalNumber + 144,
            )!;
            const b = s.at(interval * INTERVAL_MS);
            expect(toHex(b.identifier)).toBe(toHex(deriveRpi(deriveRpik(key.keyData), interval)));
          }
        },
      ),
    );
  });

  it("writes the RPI and AEM of any kept interval into a buffer, as the published derivation gives them", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 13 * 144 + 143 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: -30, max: 30 }),
        (asked, txPower) => {
          const clock = virtualClock(T0);
          const s = createGaenSchedule({ clock, random: counterRandom(), metadata: { txPower } });
          const first = intervalNumber(T0) - (intervalNumber(T0) % 144);
          for (let d = 0; d < 14; d++)
            expect(s.slotAt((first + d * 144) * INTERVAL_MS)).toBe(first + d * 144);
          clock.advanceTo((first + 13 * 144) * INTERVAL_MS);
          const keys = s.keys();
          expect(keys).toHaveLength(14);
          const out = new Uint8Array(7 + 20 * asked.length);
          asked.forEach((k, i) => {
            const interval = first + k;
            const t = interval * INTERVAL_MS + ((k * 7919) % INTERVAL_MS);
            expect(s.slotAt(t)).toBe(interval);
            expect(s.identifierInto(t, out, 7 + 20 * i)).toBe(interval);
            const key = keys.find(
              (x) =>
                interval >= x.rollingStartIntervalNumber && interval < x.rollingStartIntervalNumber + 144,
            )!;
            const rpi = out.subarray(7 + 20 * i, 7 + 20 * i + 16);
            expect(toHex(rpi)).toBe(toHex(deriveRpi(deriveRpik(key.keyData), interval)));
            const aem = out.subarray(7 + 20 * i + 16, 7 + 20 * i + 20);
            expect(decodeMetadata(cryptAem(deriveAemk(key.keyData), rpi, aem)).txPower).toBe(txPower);
          });
          // Nothing new was drawn: the same 14 keys.
          expect(s.keys().map((k) => toHex(k.keyData))).toEqual(keys.map((k) => toHex(k.keyData)));
        },
      ),
    );
  });

  it("gives the RPIs of the key covering any kept interval, as the published derivation gives them, released keys included", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 * 144 + 143 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 143 }),
        (asked, releasedAt) => {
          const clock = virtualClock(T0);
          const s = createGaenSchedule({ clock, random: counterRandom() });
          const first = intervalNumber(T0) - (intervalNumber(T0) % 144);
          for (let d = 0; d < 3; d++) s.slotAt((first + d * 144) * INTERVAL_MS);
          // A release in the third day: its key truncated, a fresh key from the next interval on.
          clock.advanceTo((first + 2 * 144 + releasedAt) * INTERVAL_MS);
          s.releaseKeys({ includeToday: true });
          s.slotAt((first + 2 * 144 + releasedAt + 1) * INTERVAL_MS);
          const keys = s.keys();
          expect(keys).toHaveLength(4);
          for (const k of asked) {
            const interval = first + k;
            const key = keys.find(
              (x) =>
                interval >= x.rollingStartIntervalNumber &&
                interval < x.rollingStartIntervalNumber + x.rollingPeriod,
            )!;
            const { first: start, count, rpis, aems } = s.rpisAt(interval);
            expect(start).toBe(key.rollingStartIntervalNumber);
            // The key's period now: the released key's is cut at the release.
            expect(count).toBe(key.rollingPeriod);
            const j = interval - start;
            const rpi = deriveRpi(deriveRpik(key.keyData), interval);
            expect(toHex(rpis.subarray(16 * j, 16 * j + 16))).toBe(toHex(rpi));
            // Its AEM decrypts (published derivation) to the schedule's (default) metadata.
            const aem = aems.subarray(4 * j, 4 * j + 4);
            expect(toHex(cryptAem(deriveAemk(key.keyData), rpi, aem))).toBe(toHex(encodeMetadata()));
            // The same bytes the schedule broadcasts in that interval.
            const broadcast = s.at(interval * INTERVAL_MS);
            expect(toHex(broadcast.identifier)).toBe(toHex(rpis.subarray(16 * j, 16 * j + 16)));
            if (broadcast.payload.scheme !== "gaen")
              throw new Error("a GAEN schedule broadcast another scheme");
            expect(toHex(broadcast.payload.aem)).toBe(toHex(aem));
          }
          expect(s.keys()).toHaveLength(4);
        },
      ),
    );
  });

  it("refuses to write an identifier that does not fit in the buffer", () => {
    const s = createGaenSchedule({ clock: virtualClock(T0), random: counterRandom() });
    expect(() => s.identifierInto(T0, new Uint8Array(19), 0)).toThrow(RangeError);
    expect(() => s.identifierInto(T0, new Uint8Array(40), 21)).toThrow(RangeError);
    expect(() => s.identifierInto(T0, new Uint8Array(40), -1)).toThrow(RangeError);
    expect(() => s.identifierInto(T0, new Uint8Array(40), 1.5)).toThrow(RangeError);
    expect(s.identifierInto(T0, new Uint8Array(40), 20)).toBe(intervalNumber(T0));
  });

  it("never broadcasts one RPI in two intervals, over arbitrary clock walks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 * 3600_000 }), { minLength: 1, maxLength: 60 }),
        (steps) => {
          const clock = virtualClock(T0);
          const s = createGaenSchedule({ clock, random: counterRandom() });
          const seen = new Map<string, number>();
          for (const dt of steps) {
            clock.advance(dt);
            const b = s.current();
            const prev = seen.get(toHex(b.identifier));
            expect(prev === undefined || prev === b.slot).toBe(true);
            seen.set(toHex(b.identifier), b.slot);
          }
        },
      ),
    );
  });

  it("uses a fresh TEK every UTC day and keeps 14 days of them", () => {
    const clock = virtualClock(T0);
    const created: TemporaryExposureKey[] = [];
    const s = createGaenSchedule({ clock, random: counterRandom(), onKeyChange: (k) => created.push(k) });
    for (let d = 0; d < 20; d++) {
      s.current();
      clock.advance(DAY_MS);
    }
    expect(created).toHaveLength(20);
    expect(new Set(created.map((k) => toHex(k.keyData))).size).toBe(20);
    s.current();
    const keys = s.keys();
    expect(keys).toHaveLength(14);
    const today = Math.floor(intervalNumber(clock.now()) / 144) * 144;
    expect(keys.at(-1)!.rollingStartIntervalNumber).toBe(today);
    expect(keys[0]!.rollingStartIntervalNumber).toBe(today - 13 * 144);
  });

  it("continues the day's key after a restart from stored keys", () => {
    const clock = virtualClock(T0);
    const a = createGaenSchedule({ clock, random: counterRandom() });
    const before = a.current();
    clock.advance(3 * INTERVAL_MS);
    const b = createGaenSchedule({ clock, keys: a.keys(), random: () => new Uint8Array(16).fill(9) });
    expect(toHex(b.at(before.start).identifier)).toBe(toHex(before.identifier));
    expect(b.keys()).toHaveLength(1);
  });

  it("releases past keys, and today's truncated key only on request, then switches keys", () => {
    const clock = virtualClock(T0);
    const s = createGaenSchedule({ clock, random: counterRandom() });
    s.current();
    clock.advance(DAY_MS);
    const now = s.current();
    expect(s.releaseKeys()).toHaveLength(1);
    const released = s.releaseKeys({ includeToday: true });
    expect(released).toHaveLength(2);
    const today = released[1]!;
    // The current interval's RPI is on air already: the released key covers it.
    expect(today.rollingStartIntervalNumber + today.rollingPeriod).toBe(now.slot + 1);
    expect(toHex(deriveRpi(deriveRpik(today.keyData), now.slot))).toBe(toHex(now.identifier));
    // The identifier on air stays until the rotation; the next interval uses a fresh key.
    expect(toHex(s.current().identifier)).toBe(toHex(now.identifier));
    clock.advanceTo(s.nextRotationAt());
    const after = s.current();
    expect(after.slot).toBe(now.slot + 1);
    const fresh = s.keys().at(-1)!;
    expect(fresh.rollingStartIntervalNumber).toBe(now.slot + 1);
    expect((fresh.rollingStartIntervalNumber + fresh.rollingPeriod) % 144).toBe(0);
    expect(toHex(after.identifier)).toBe(toHex(deriveRpi(deriveRpik(fresh.keyData), after.slot)));
    expect(released.some((k) => toHex(k.keyData) === toHex(fresh.keyData))).toBe(false);
  });

  it("releases today's key at 10:05 UTC with rolling period 61 (intervals 0…60 of the day)", () => {
    // Hand-worked: 2021-07-24 10:05 UTC is 18,832 days after the epoch; day start interval
    // 18,832 × 144 = 2,711,808; 10:05 is 605 min = interval 60 of the day (600…610 min), whose RPI is
    // on air, so the key covers intervals 0…60: period 61. A contact during 10:00–10:10 must match.
    const t = Date.UTC(2021, 6, 24, 10, 5);
    const clock = virtualClock(t);
    const changes: TemporaryExposureKey[] = [];
    const s = createGaenSchedule({ clock, random: counterRandom(), onKeyChange: (k) => changes.push(k) });
    const onAir = s.current();
    expect(onAir.slot).toBe(2_711_808 + 60);
    const [key, ...more] = s.releaseKeys({ includeToday: true });
    expect(more).toHaveLength(0);
    expect(key!.rollingStartIntervalNumber).toBe(2_711_808);
    expect(key!.rollingPeriod).toBe(61);
    expect(toHex(deriveRpi(deriveRpik(key!.keyData), 2_711_808 + 60))).toBe(toHex(onAir.identifier));
    // Persisted: the day's key (144), its truncation (61), the fresh key 61…143 (83 intervals).
    expect(changes.map((k) => [k.rollingStartIntervalNumber - 2_711_808, k.rollingPeriod])).toEqual([
      [0, 144],
      [0, 61],
      [61, 83],
    ]);
    // Released again in the same interval: the same key, no new key drawn.
    const again = s.releaseKeys({ includeToday: true });
    expect(again.map((k) => [toHex(k.keyData), k.rollingPeriod])).toEqual([[toHex(key!.keyData), 61]]);
    expect(changes).toHaveLength(3);
  });

  it("releases today's key at 00:05 UTC with rolling period 1, and at 23:55 without a fresh key", () => {
    const dayStart = 2_711_808; // 2021-07-24 00:00 UTC
    const early = createGaenSchedule({
      clock: virtualClock(Date.UTC(2021, 6, 24, 0, 5)),
      random: counterRandom(),
    });
    const first = early.current();
    const [k] = early.releaseKeys({ includeToday: true });
    expect([k!.rollingStartIntervalNumber, k!.rollingPeriod]).toEqual([dayStart, 1]);
    expect(toHex(deriveRpi(deriveRpik(k!.keyData), dayStart))).toBe(toHex(first.identifier));
    // 23:55 is interval 143, the day's last: period 144, and the next day's key comes at the rotation.
    const clock = virtualClock(Date.UTC(2021, 6, 24, 23, 55));
    const late = createGaenSchedule({ clock, random: counterRandom() });
    late.current();
    const [l] = late.releaseKeys({ includeToday: true });
    expect(l!.rollingPeriod).toBe(144);
    expect(late.keys()).toHaveLength(1);
    clock.advanceTo(late.nextRotationAt());
    expect(late.current().slot).toBe(dayStart + 144);
    expect(late.keys().at(-1)!.rollingStartIntervalNumber).toBe(dayStart + 144);
  });
});

describe("Bluezone v2 compatibility schedule", () => {
  it("hashes the base key forward once per day and picks the slot's ID", () => {
    const clock = virtualClock(T0);
    const baseKey = new Uint8Array(32).fill(3);
    const s = createBluezoneSchedule({ clock, baseKey, baseDay: Math.floor(T0 / DAY_MS) - 2 });
    const b = s.current();
    const slot = Math.floor((T0 % DAY_MS) / (15 * 60_000));
    const ids = deriveBluezoneIds(bluezoneDayKey(baseKey, 2));
    expect(toHex(b.identifier)).toBe(toHex(ids.subarray(slot * 12, slot * 12 + 12)));
    expect(b.end - b.start).toBe(15 * 60_000);
    // The slot without the broadcast: day × 96 + the quarter-hour of the day.
    expect(s.slotAt(T0)).toBe(Math.floor(T0 / DAY_MS) * 96 + slot);
    expect(s.slotAt(T0)).toBe(b.slot);
    expect(() => s.slotAt(T0 - 3 * DAY_MS)).toThrow(/before the base key's day/);
    const records = s.releaseKeys();
    expect(records).toHaveLength(3);
    expect(records[2]!.daily_key).toBe(toHex(bluezoneDayKey(baseKey, 2)));
    // Anyone holding one day key computes all later ones: the chain's weakness, documented in the README.
    expect(toHex(bluezoneDayKey(bluezoneDayKey(baseKey, 1), 1))).toBe(records[2]!.daily_key);
  });

  it("derives 96 distinct 12-byte IDs per day, the first from SHA-256(D ‖ 'bluzonesubkey')", async () => {
    const { createHash } = await import("node:crypto");
    const day = new Uint8Array(32).fill(0x42);
    const ids = deriveBluezoneIds(day);
    expect(ids.length).toBe(96 * 12);
    const s0 = createHash("sha256")
      .update(Buffer.concat([day, Buffer.from("bluzonesubkey")]))
      .digest();
    const pick = [0, 4, 8, 12, 16, 18, 20, 22, 24, 26, 28, 30].map((o) => s0[o]!);
    expect(toHex(ids.subarray(0, 12))).toBe(toHex(new Uint8Array(pick)));
    const set = new Set(Array.from({ length: 96 }, (_, i) => toHex(ids.subarray(i * 12, i * 12 + 12))));
    expect(set.size).toBe(96);
  });
});
