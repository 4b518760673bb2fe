/**
 * The fast matching path (`matchGaenKeys`, what `checkExposure` uses) against independent results:
 * the GAEN v1.2 published vectors, the nested-loop reference model, and the general path
 * (`matchLog(log, deriveGaenRuns(keys))`) — identical results, in the same order, on one thread and
 * with the keys partitioned over worker threads.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  closeMatchWorkers,
  createMemoryLog,
  deriveGaenRuns,
  deriveRpi,
  deriveRpik,
  type ExposureKey,
  fromHex,
  INTERVAL_MS,
  InvalidArgumentError,
  type KeyMatch,
  matchGaenKeys,
  matchLog,
  REPLAY_TOLERANCE_MS,
  type Sighting,
  toHex,
} from "../../src/index";
import { createRpiSet, packKeys, probeGaenKeys } from "../../src/match/gaen-probe";
import { matchScenario } from "../../src/testing";
import { repoData } from "../helpers/data";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 30 });

afterAll(() => closeMatchWorkers());

interface Vectors {
  enIntervalNumber: number;
  tek: string;
  intervals: { enIntervalNumber: number; rpi: string }[];
}
const V: Vectors = JSON.parse(readFileSync(repoData("gaen/test-vectors-v1.2.json"), "utf8"));

/** Every field of every match, identifiers as hex, in the order returned. */
const dump = (matches: readonly KeyMatch[]) =>
  matches.map((m) => ({
    keyIndex: m.keyIndex,
    sightings: m.sightings.map((s) => ({
      ...s.sighting,
      identifier: toHex(s.sighting.identifier),
      aem: toHex(s.sighting.aem),
      slotStart: s.slotStart,
      slotMs: s.slotMs,
    })),
  }));

/** Reference: nested loops over every key, interval and sighting (as in matcher-properties). */
function reference(keys: readonly ExposureKey[], sightings: readonly Sighting[]): string[] {
  const out: string[] = [];
  keys.forEach((k, keyIndex) => {
    const rpik = deriveRpik(k.keyData);
    for (let i = 0; i < k.rollingPeriod; i++) {
      const interval = k.rollingStartIntervalNumber + i;
      const rpi = toHex(deriveRpi(rpik, interval));
      const start = interval * INTERVAL_MS;
      for (const s of sightings) {
        if (
          toHex(s.identifier) === rpi &&
          s.time >= start - REPLAY_TOLERANCE_MS &&
          s.time < start + INTERVAL_MS + REPLAY_TOLERANCE_MS
        )
          out.push(`${keyIndex}|${rpi}|${s.time}|${s.meanRssi}`);
      }
    }
  });
  return out.sort();
}

const flat = (matches: readonly KeyMatch[]) =>
  matches
    .flatMap((m) =>
      m.sightings.map(
        (s) => `${m.keyIndex}|${toHex(s.sighting.identifier)}|${s.sighting.time}|${s.sighting.meanRssi}`,
      ),
    )
    .sort();

describe("matchGaenKeys", () => {
  it("finds the published vectors' RPIs at their intervals (GAEN v1.2 test vectors)", async () => {
    const tek: ExposureKey = {
      keyData: fromHex(V.tek, 16),
      rollingStartIntervalNumber: V.enIntervalNumber,
      rollingPeriod: 144,
    };
    const picked = [0, 1, 77, 143];
    const log = createMemoryLog();
    await log.record(
      picked.map((i) => ({
        time: V.intervals[i]!.enIntervalNumber * INTERVAL_MS + 1000,
        identifier: fromHex(V.intervals[i]!.rpi, 16),
        aem: new Uint8Array(4),
        meanRssi: -60 - (i % 50),
        maxRssi: -50,
        packets: 2,
        secondsSinceLastScan: 300,
      })),
    );
    const other: ExposureKey = { ...tek, keyData: new Uint8Array(16).fill(1) };
    for (const workers of [0, 1]) {
      const m = await matchGaenKeys(log, [other, tek, other], { workers });
      expect(m.map((x) => x.keyIndex)).toEqual([1]);
      expect(m[0]!.sightings.map((s) => [toHex(s.sighting.identifier), s.slotStart])).toEqual(
        picked.map((i) => [V.intervals[i]!.rpi, V.intervals[i]!.enIntervalNumber * INTERVAL_MS]),
      );
    }
  });

  it("probes exactly the RPIs present (packed keys, the set of the log's identifiers)", () => {
    const tek = fromHex(V.tek, 16);
    const present = [5, 6, 100].map((i) => fromHex(V.intervals[i]!.rpi, 16));
    // Identifiers that share the first word of a present RPI (they pass the bit filter) but differ later.
    const nearMiss = present.map((id) => {
      const c = new Uint8Array(id);
      c[15]! ^= 1;
      return c;
    });
    const set = createRpiSet([...present, ...nearMiss, new Uint8Array(12).fill(3)]);
    expect(set.size).toBe(6);
    const hits = probeGaenKeys(
      packKeys([{ keyData: tek, rollingStartIntervalNumber: V.enIntervalNumber, rollingPeriod: 144 }]),
      set,
    );
    expect(hits.keys).toEqual([0, 0, 0]);
    expect(hits.slots).toEqual([5, 6, 100]);
    expect(hits.ids.map(toHex)).toEqual([5, 6, 100].map((i) => V.intervals[i]!.rpi));
  });

  it("equals the reference model and the general path, with 0–3 worker threads, in the same order", async () => {
    await fc.assert(
      fc.asyncProperty(matchScenario(), fc.integer({ min: 0, max: 3 }), async ({ keys, sightings }, w) => {
        const log = createMemoryLog();
        await log.record(sightings);
        const general = await matchLog(log, deriveGaenRuns(keys));
        const single = await matchGaenKeys(log, keys, { workers: 0 });
        const parallel = await matchGaenKeys(log, keys, { workers: w });
        expect(flat(single)).toEqual(reference(keys, sightings));
        expect(dump(single)).toEqual(dump(general));
        expect(dump(parallel)).toEqual(dump(single));
      }),
    );
  });

  it("keeps key order when many keys are split over workers (hits in every part)", async () => {
    const base = 2_700_000 - (2_700_000 % 144);
    const keys: ExposureKey[] = Array.from({ length: 300 }, (_, i) => ({
      keyData: new Uint8Array(16).map((_, b) => (i * 31 + b * 7 + 1) & 255),
      rollingStartIntervalNumber: base + 144 * (i % 3),
      rollingPeriod: i % 5 === 0 ? 72 : 144,
    }));
    const sightings: Sighting[] = [];
    keys.forEach((k, i) => {
      if (i % 7 !== 0) return;
      const interval = k.rollingStartIntervalNumber + ((i * 13) % k.rollingPeriod);
      sightings.push({
        time: interval * INTERVAL_MS + i,
        identifier: deriveRpi(deriveRpik(k.keyData), interval),
        aem: new Uint8Array(4),
        meanRssi: -40 - (i % 50),
        maxRssi: -40,
        packets: 1,
        secondsSinceLastScan: 60,
      });
    });
    const log = createMemoryLog();
    await log.record(sightings);
    const single = await matchGaenKeys(log, keys, { workers: 0 });
    expect(single.map((m) => m.keyIndex)).toEqual(keys.map((_, i) => i).filter((i) => i % 7 === 0));
    for (const workers of [1, 2, 5])
      expect(dump(await matchGaenKeys(log, keys, { workers }))).toEqual(dump(single));
  });

  it("rejects a key whose data is not 16 bytes, with or without workers", async () => {
    const log = createMemoryLog();
    const bad = [{ keyData: new Uint8Array(15), rollingStartIntervalNumber: 0, rollingPeriod: 144 }];
    for (const workers of [0, 1]) {
      await expect(matchGaenKeys(log, bad, { workers })).rejects.toBeInstanceOf(InvalidArgumentError);
    }
  });

  it("returns nothing for an empty log or no keys", async () => {
    const log = createMemoryLog();
    const k = { keyData: new Uint8Array(16), rollingStartIntervalNumber: 0, rollingPeriod: 144 };
    expect(await matchGaenKeys(log, [k], { workers: 1 })).toEqual([]);
    expect(await matchGaenKeys(log, [], { workers: 1 })).toEqual([]);
  });
});
