/**
 * Matcher properties beyond tests/match/matcher-properties.test.ts: the replay window's exact edges,
 * near-miss identifiers (one byte off, a prefix of another scheme's length) never match, and matching
 * of Bluezone day keys (deriveBluezoneRuns) is sound and complete against a reference model.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BLUEZONE_ID_LENGTH,
  BLUEZONE_SLOT_MS,
  type BluezoneDayKey,
  createDerivedKeyIndex,
  createMemoryLog,
  DAY_MS,
  deriveBluezoneIds,
  deriveBluezoneRuns,
  deriveGaenRuns,
  type DerivedRun,
  INTERVAL_MS,
  type KeyMatch,
  matchLog,
  matchLogWithIndex,
  REPLAY_TOLERANCE_MS,
  type Sighting,
  toHex,
} from "../../src/index";
import { diagnosisKey, keySighting, TESTING_EPOCH_MS } from "../../src/testing";

async function bothDirections(sightings: readonly Sighting[], runs: () => Iterable<DerivedRun>) {
  const log = createMemoryLog();
  await log.record(sightings);
  const flat = (m: KeyMatch[]) =>
    m
      .flatMap((k) =>
        k.sightings.map((s) => `${k.keyIndex}|${toHex(s.sighting.identifier)}|${s.sighting.time}`),
      )
      .sort();
  const a = flat(await matchLog(log, runs()));
  const b = flat(await matchLogWithIndex(log, createDerivedKeyIndex(runs())));
  expect(b).toEqual(a);
  return a;
}

describe("replay window edges", () => {
  it("a sighting matches exactly when slotStart − 2 h ≤ time < slotEnd + 2 h", async () => {
    await fc.assert(
      fc.asyncProperty(
        diagnosisKey({ rollingPeriod: [144, 144] }),
        fc.nat(143),
        fc.integer({ min: -3 * 3600_000, max: 3 * 3600_000 }),
        fc.constantFrom(
          -REPLAY_TOLERANCE_MS,
          -REPLAY_TOLERANCE_MS - 1,
          INTERVAL_MS + REPLAY_TOLERANCE_MS,
          INTERVAL_MS + REPLAY_TOLERANCE_MS - 1,
        ),
        fc.boolean(),
        async (key, i, offset, edge, atEdge) => {
          const interval = key.rollingStartIntervalNumber + i;
          const slotStart = interval * INTERVAL_MS;
          const d = atEdge ? edge : offset;
          const s = keySighting(key, interval, slotStart + d, { meanRssi: -50 });
          const got = await bothDirections([s], () => deriveGaenRuns([key]));
          const inside = d >= -REPLAY_TOLERANCE_MS && d < INTERVAL_MS + REPLAY_TOLERANCE_MS;
          expect(got.length).toBe(inside && slotStart + d >= 0 ? 1 : 0);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe("near-miss identifiers never match", () => {
  it("an RPI with one byte changed, or cut to a Bluezone ID's length, matches nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(diagnosisKey(), { minLength: 1, maxLength: 3, selector: (k) => toHex(k.keyData) }),
        fc.nat(143),
        fc.nat(15),
        fc.integer({ min: 1, max: 255 }),
        async (keys, i, pos, xor) => {
          const key = keys[0]!;
          const interval = key.rollingStartIntervalNumber + (i % key.rollingPeriod);
          const genuine = keySighting(key, interval, interval * INTERVAL_MS, { meanRssi: -50 });
          const flipped = genuine.identifier.slice();
          flipped[pos]! ^= xor;
          const near: Sighting[] = [
            { ...genuine, identifier: flipped },
            {
              ...genuine,
              identifier: genuine.identifier.slice(0, BLUEZONE_ID_LENGTH),
              aem: new Uint8Array(0),
            },
          ];
          expect(await bothDirections(near, () => deriveGaenRuns(keys))).toEqual([]);
          expect(await bothDirections([...near, genuine], () => deriveGaenRuns(keys))).toHaveLength(1);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("Bluezone day keys", () => {
  const dayKeyArb = fc.record({
    dayKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    dayStart: fc
      .integer({ min: 1, max: 4 })
      .map((d) => Math.floor(TESTING_EPOCH_MS / DAY_MS) * DAY_MS + d * DAY_MS),
  });

  /** Reference: every key, slot and sighting compared directly. */
  function reference(keys: readonly BluezoneDayKey[], sightings: readonly Sighting[]): string[] {
    const out: string[] = [];
    keys.forEach((k, ki) => {
      const ids = deriveBluezoneIds(k.dayKey);
      for (let slot = 0; slot < 96; slot++) {
        const id = toHex(ids.subarray(slot * 12, slot * 12 + 12));
        const start = k.dayStart + slot * BLUEZONE_SLOT_MS;
        for (const s of sightings) {
          if (
            toHex(s.identifier) === id &&
            s.time >= start - REPLAY_TOLERANCE_MS &&
            s.time < start + BLUEZONE_SLOT_MS + REPLAY_TOLERANCE_MS
          )
            out.push(`${ki}|${id}|${s.time}`);
        }
      }
    });
    return out.sort();
  }

  it("matching is sound and complete, in both directions", async () => {
    const scenario = fc
      .uniqueArray(dayKeyArb, { minLength: 1, maxLength: 3, selector: (k) => toHex(k.dayKey) })
      .chain((keys) => {
        const genuine = fc
          .record({
            k: fc.nat(keys.length - 1),
            slot: fc.nat(95),
            offMin: fc.integer({ min: -180, max: 180 }),
          })
          .map(({ k, slot, offMin }): Sighting => {
            const key = keys[k]!;
            return {
              time: key.dayStart + slot * BLUEZONE_SLOT_MS + offMin * 60_000,
              identifier: deriveBluezoneIds(key.dayKey).slice(slot * 12, slot * 12 + 12),
              aem: new Uint8Array(0),
              meanRssi: -60,
              maxRssi: -55,
              packets: 2,
              secondsSinceLastScan: 260,
            };
          });
        const noise = fc
          .record({ id: fc.uint8Array({ minLength: 12, maxLength: 12 }), t: fc.nat(5 * 96) })
          .map(
            ({ id, t }): Sighting => ({
              time: Math.floor(TESTING_EPOCH_MS / DAY_MS) * DAY_MS + t * BLUEZONE_SLOT_MS,
              identifier: id,
              aem: new Uint8Array(0),
              meanRssi: -70,
              maxRssi: -70,
              packets: 1,
              secondsSinceLastScan: 260,
            }),
          );
        return fc.record({
          keys: fc.constant(keys),
          sightings: fc.array(fc.oneof(genuine, noise), { maxLength: 30 }),
        });
      });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ keys, sightings }) => {
        expect(await bothDirections(sightings, () => deriveBluezoneRuns(keys))).toEqual(
          reference(keys, sightings),
        );
      }),
      { numRuns: 40 },
    );
  });
});
