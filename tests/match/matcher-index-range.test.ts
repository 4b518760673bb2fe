/**
 * The derived key index and `matchLogWithIndex` with a heard range, against models: matching the
 * sightings of `[from, to)` in place gives what matching a log holding only them gives, and what the
 * reference (nested loops over keys, intervals and sightings) keeps in the range; a memory log (whose
 * identifier records are probed against the index) and the same log seen as any other contact log
 * (whose distinct identifiers are looked up) agree; the index maps a repeated identifier to its first
 * key, as the table it replaced did; an index built on a reused table finds only its own identifiers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ContactLog,
  checkExposure,
  createDerivedKeyIndex,
  createMemoryLog,
  deriveBluezoneRuns,
  deriveGaenRuns,
  deriveRpi,
  deriveRpik,
  type ExposureKey,
  INTERVAL_MS,
  type KeyMatch,
  matchLogWithIndex,
  REPLAY_TOLERANCE_MS,
  type Sighting,
  toHex,
} from "../../src/index";
import { giveBackTable, REUSED_TABLE_BYTES, takeTable } from "../../src/match/identifier-table";
import { matchScenario, TESTING_EPOCH_INTERVAL } from "../../src/testing";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 60 });

const show = (m: readonly KeyMatch[]) =>
  m.map((k) => ({
    keyIndex: k.keyIndex,
    sightings: k.sightings.map(
      (s) =>
        `${toHex(s.sighting.identifier)}|${s.sighting.time}|${s.sighting.meanRssi}|${s.slotStart}|${s.slotMs}`,
    ),
  }));

/** Reference: every (key, interval, sighting) whose RPI matches within the replay window and the range. */
function reference(keys: readonly ExposureKey[], sightings: readonly Sighting[], from: number, to: number) {
  const out: string[] = [];
  keys.forEach((k, ki) => {
    const rpik = deriveRpik(k.keyData);
    for (let i = 0; i < k.rollingPeriod; i++) {
      const interval = k.rollingStartIntervalNumber + i;
      const rpi = toHex(deriveRpi(rpik, interval));
      const start = interval * INTERVAL_MS;
      for (const s of sightings)
        if (
          toHex(s.identifier) === rpi &&
          s.time >= from &&
          s.time < to &&
          s.time >= start - REPLAY_TOLERANCE_MS &&
          s.time < start + INTERVAL_MS + REPLAY_TOLERANCE_MS
        )
          out.push(`${ki}|${rpi}|${s.time}`);
    }
  });
  return out.sort();
}

/** The log seen through the generic contact-log path (not recognised as a memory log). */
function asOtherLog(log: ContactLog): ContactLog {
  const other = Object.create(log) as ContactLog;
  Object.defineProperty(other, "kind", { value: "level" });
  return other;
}

/** A range of whole intervals around the scenarios' days (sightings fall up to a day before). */
const rangeArb = fc.tuple(fc.nat(6 * 144), fc.nat(6 * 144)).map(([a, b]) => ({
  from: (TESTING_EPOCH_INTERVAL + Math.min(a, b) - 144) * INTERVAL_MS,
  to: (TESTING_EPOCH_INTERVAL + Math.max(a, b) - 144) * INTERVAL_MS,
}));

describe("matchLogWithIndex with a heard range", () => {
  it("matches the range in place as a log of only its sightings, on both paths, as the reference", async () => {
    await fc.assert(
      fc.asyncProperty(matchScenario(), rangeArb, async ({ keys, sightings }, range) => {
        const log = createMemoryLog({ initialCapacity: 2 });
        await log.record(sightings);
        const index = createDerivedKeyIndex(deriveGaenRuns(keys));
        const ranged = await matchLogWithIndex(log, index, range);
        const dayLog = createMemoryLog();
        await dayLog.record(log.rangeSync(range.from, range.to));
        expect(show(ranged)).toEqual(show(await matchLogWithIndex(dayLog, index)));
        expect(show(ranged)).toEqual(show(await matchLogWithIndex(asOtherLog(log), index, range)));
        expect(show(await matchLogWithIndex(log, index))).toEqual(
          show(await matchLogWithIndex(asOtherLog(log), index)),
        );
        expect(
          ranged
            .flatMap((m) =>
              m.sightings.map((s) => `${m.keyIndex}|${toHex(s.sighting.identifier)}|${s.sighting.time}`),
            )
            .sort(),
        ).toEqual(reference(keys, sightings, range.from, range.to));
        // The whole check, with the range, as on the day's log.
        const options = { index, range };
        expect(await checkExposure(log, keys, options)).toEqual(await checkExposure(dayLog, keys, { index }));
      }),
    );
  });

  it("maps a repeated identifier to its first key and slot; unknown and near-miss identifiers to none", () => {
    fc.assert(
      fc.property(matchScenario(), ({ keys }) => {
        const twice = [...keys, ...keys];
        const index = createDerivedKeyIndex(deriveGaenRuns(twice));
        const first = new Map<string, { keyIndex: number; slotStart: number; slotMs: number }>();
        twice.forEach((k, keyIndex) => {
          const rpik = deriveRpik(k.keyData);
          for (let i = 0; i < k.rollingPeriod; i++) {
            const interval = k.rollingStartIntervalNumber + i;
            const hex = toHex(deriveRpi(rpik, interval));
            if (!first.has(hex))
              first.set(hex, { keyIndex, slotStart: interval * INTERVAL_MS, slotMs: INTERVAL_MS });
          }
        });
        expect(index.identifiers).toBe(first.size);
        for (const [hex, hit] of first) {
          const id = Uint8Array.from(Buffer.from(hex, "hex"));
          expect(index.lookup(id)).toEqual(hit);
          const off = id.slice();
          off[15] = off[15]! ^ 1;
          if (!first.has(toHex(off))) expect(index.lookup(off)).toBeUndefined();
          expect(index.lookup(id.subarray(0, 12))).toBeUndefined();
        }
      }),
      { numRuns: 20 },
    );
  });

  it("indexes 12-byte Bluezone IDs zero-padded: a 16-byte identifier ending in four zero bytes is the same", () => {
    const dayKey = new Uint8Array(32).fill(7);
    const [run] = [...deriveBluezoneRuns([{ dayKey, dayStart: 0 }])];
    const index = createDerivedKeyIndex(deriveBluezoneRuns([{ dayKey, dayStart: 0 }]));
    const id = run!.ids.slice(12 * 5, 12 * 6);
    expect(index.lookup(id)).toEqual({ keyIndex: 0, slotStart: 5 * run!.slotMs, slotMs: run!.slotMs });
    const padded = new Uint8Array(16);
    padded.set(id);
    expect(index.lookup(padded)).toEqual(index.lookup(id));
  });
});

describe("derived key index tables", () => {
  it("an index built on a spare table (full of another index's entries) finds exactly its own identifiers", () => {
    // 700 distinct keys (the index in the first two bytes).
    const keys: ExposureKey[] = Array.from({ length: 700 }, (_, i) => ({
      keyData: Uint8Array.from({ length: 16 }, (_, j) => (j === 0 ? i & 255 : j === 1 ? i >> 8 : j * 17)),
      rollingStartIntervalNumber: TESTING_EPOCH_INTERVAL,
      rollingPeriod: 144,
    }));
    // 100,800 identifiers: a table of 262,144 slot pairs (2 MiB) and a filter of 2^21 bits (≥ 16 per
    // identifier) in one buffer, above the reuse threshold.
    const length = 262_144 * 2 + 2 ** 21 / 32;
    expect(length * 4).toBeGreaterThanOrEqual(REUSED_TABLE_BYTES);
    const dirty = new Int32Array(length).map((_, i) => (i % 2 === 0 ? i * 2654435761 : (i % 1000) + 1));
    giveBackTable(dirty);
    const index = createDerivedKeyIndex(deriveGaenRuns(keys));
    // The spare went to the index: none of that length is left.
    expect(takeTable(length)).not.toBe(dirty);
    expect(index.identifiers).toBe(700 * 144);
    for (const k of [0, 350, 699]) {
      const rpik = deriveRpik(keys[k]!.keyData);
      for (const i of [0, 71, 143]) {
        const interval = TESTING_EPOCH_INTERVAL + i;
        expect(index.lookup(deriveRpi(rpik, interval))).toEqual({
          keyIndex: k,
          slotStart: interval * INTERVAL_MS,
          slotMs: INTERVAL_MS,
        });
      }
    }
    expect(index.lookup(new Uint8Array(16).fill(9))).toBeUndefined();
  });
});

describe("checkExposure's arguments", () => {
  it("a missing key list or log is an InvalidArgumentError, not a TypeError deep inside", async () => {
    const log = createMemoryLog();
    for (const keys of [null, undefined, "keys", { length: 1 }])
      await expect(checkExposure(log, keys as unknown as ExposureKey[]), String(keys)).rejects.toMatchObject({
        code: "ERR_INVALID_ARGUMENT",
      });
    await expect(checkExposure(null as unknown as typeof log, [])).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
    });
    const { status } = (await checkExposure(log, [])).assessment;
    expect(status).toBe("none");
    // The status is typed "none" | `F${number}`: a misspelt comparison does not compile.
    // @ts-expect-error "f1" is not an ExposureStatus
    expect(status === "f1").toBe(false);
  });
});
