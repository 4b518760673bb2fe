/**
 * `probeIdentifiersSync` against a model: the log's sightings as recorded, stably sorted by time (the
 * order of `rangeSync` and `findByIdentifiersSync`), kept when the probe wants their identifier — over
 * the whole log and over a time range, with identifiers heard again after gaps (several records per
 * identifier), 12- and 16-byte identifiers, out-of-order appends and purges.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryLog, type IdentifierProbe, LogClosedError, type Sighting, toHex } from "../../src/index";

/** A small alphabet of identifiers, so that they repeat across scans, some 12 bytes long. */
const ALPHABET = Array.from({ length: 12 }, (_, i) => {
  const id = new Uint8Array(i % 4 === 3 ? 12 : 16);
  for (let k = 0; k < id.length; k++) id[k] = (i * 37 + k * 11) & 255;
  return id;
});

const sightingArb = fc
  .record({
    id: fc.nat(ALPHABET.length - 1),
    t: fc.nat(40),
    rssi: fc.integer({ min: -100, max: -30 }),
    aem: fc.boolean(),
    packets: fc.integer({ min: 1, max: 400 }),
  })
  .map(({ id, t, rssi, aem, packets }) => ({
    alphabet: id,
    sighting: {
      time: 1_000_000 + t * 300_000,
      identifier: ALPHABET[id]!,
      aem: aem ? Uint8Array.of(id, 1, 2, 3) : new Uint8Array(0),
      meanRssi: rssi,
      maxRssi: rssi + 3,
      packets,
      secondsSinceLastScan: 300,
    } satisfies Sighting,
  }));

/** Batches recorded one after another (each one scan time, so a batch is one or more entries). */
const batchesArb = fc.array(
  fc.array(sightingArb, { minLength: 1, maxLength: 6 }).map((b) => {
    const time = b[0]!.sighting.time;
    return b.map((x) => ({ ...x, sighting: { ...x.sighting, time } }));
  }),
  { maxLength: 30 },
);

const show = (s: Sighting) =>
  `${toHex(s.identifier)}|${toHex(s.aem)}|${s.time}|${s.meanRssi}|${s.maxRssi}|${s.packets}|${s.secondsSinceLastScan}`;

/** The probe of a wanted subset of the alphabet: its position in the alphabet, else −1. */
function probeOf(wanted: readonly boolean[]): IdentifierProbe {
  return (bytes, offset, length) => {
    for (let a = 0; a < ALPHABET.length; a++) {
      const id = ALPHABET[a]!;
      if (!wanted[a] || id.length !== length) continue;
      let k = 0;
      while (k < length && bytes[offset + k] === id[k]) k++;
      if (k === length) return a;
    }
    return -1;
  };
}

describe("memory log probeIdentifiersSync", () => {
  it("finds the wanted identifiers' sightings, by time, with the probe's values, whole log and range", () => {
    fc.assert(
      fc.property(
        batchesArb,
        fc.array(fc.boolean(), { minLength: ALPHABET.length, maxLength: ALPHABET.length }),
        fc.nat(45),
        fc.nat(45),
        fc.option(fc.nat(45)),
        (batches, wanted, a, b, purgeAt) => {
          const log = createMemoryLog({ initialCapacity: 2 });
          let model: { alphabet: number; sighting: Sighting }[] = [];
          for (const batch of batches) {
            log.recordSync(batch.map((x) => x.sighting));
            model.push(...batch);
          }
          if (purgeAt !== null) {
            const cutoff = 1_000_000 + purgeAt * 300_000;
            log.purgeSync(cutoff);
            model = model.filter((x) => x.sighting.time >= cutoff);
          }
          // Stable by time: the order recorded among equal times.
          const sorted = [...model].sort((x, y) => x.sighting.time - y.sighting.time);
          const probe = probeOf(wanted);
          const whole = log.probeIdentifiersSync(probe);
          const expected = sorted.filter((x) => wanted[x.alphabet]);
          expect(whole.sightings.map(show)).toEqual(expected.map((x) => show(x.sighting)));
          expect(whole.values).toEqual(expected.map((x) => x.alphabet));
          const from = 1_000_000 + Math.min(a, b) * 300_000;
          const to = 1_000_000 + Math.max(a, b) * 300_000;
          const ranged = log.probeIdentifiersSync(probe, from, to);
          const inRange = expected.filter((x) => x.sighting.time >= from && x.sighting.time < to);
          expect(ranged.sightings.map(show)).toEqual(inRange.map((x) => show(x.sighting)));
          expect(ranged.values).toEqual(inRange.map((x) => x.alphabet));
          // The same sightings the log's other queries give.
          const ids = ALPHABET.filter((_, i) => wanted[i]);
          expect(whole.sightings.map(show)).toEqual(log.findByIdentifiersSync(ids).map(show));
          expect(ranged.sightings.map(show)).toEqual(
            log
              .rangeSync(from, to)
              .filter((s) => probe(s.identifier, 0, s.identifier.length) >= 0)
              .map(show),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("takes one open bound, rejects a bound that is not a number, and refuses after close", async () => {
    const log = createMemoryLog();
    const s = (time: number, b: number): Sighting => ({
      time,
      identifier: new Uint8Array(16).fill(b),
      aem: new Uint8Array(0),
      meanRssi: -70,
      maxRssi: -60,
      packets: 1,
      secondsSinceLastScan: 300,
    });
    log.recordSync([s(10, 1), s(20, 2), s(30, 1)]);
    const all: IdentifierProbe = (bytes, offset) => bytes[offset]!;
    expect(log.probeIdentifiersSync(all, 20).values).toEqual([2, 1]);
    expect(log.probeIdentifiersSync(all, undefined, 20).values).toEqual([1]);
    expect(() => log.probeIdentifiersSync(all, Number.NaN, 5)).toThrow(/range start/);
    await log.close();
    expect(() => log.probeIdentifiersSync(all)).toThrow(LogClosedError);
    // A memory log cannot be reopened: the message does not say to open it again.
    await expect(log.stats()).rejects.toThrow(
      "the memory contact log is closed: its contents are gone (a memory log cannot be reopened)",
    );
  });
});
