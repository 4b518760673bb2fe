/**
 * The LevelDB log's identifier look-ups (one ordered pass / one iterator moved through the wanted
 * identifiers in index order) against a separately written model: the stored sightings filtered by
 * identifier. Identifiers are chosen to be hard on an ordered index — 12-byte IDs that are prefixes of
 * 16-byte RPIs, RPIs differing only in their last byte, identifiers with more entries than one read
 * chunk — and results must equal the memory log's (the other store) as well.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { createMemoryLog, openLevelLog, type Sighting, toHex } from "../../src/index";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 25 });

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "bluezone-level-index-"));
  dirs.push(dir);
  return dir;
}

/** A pool of identifiers that sort next to each other in the index. */
function identifierPool(): Uint8Array[] {
  const base = new Uint8Array(16).map((_, i) => 0x40 + i);
  const pool: Uint8Array[] = [];
  for (let v = 0; v < 4; v++) {
    const rpi = new Uint8Array(base);
    rpi[15] = v; // differ only in the last byte
    pool.push(rpi);
  }
  pool.push(base.slice(0, 12)); // a 12-byte ID equal to the RPIs' first 12 bytes
  pool.push(new Uint8Array(16)); // all zeros
  pool.push(new Uint8Array(16).fill(0xff)); // all ones
  pool.push(new Uint8Array(12).fill(0xff));
  return pool;
}
const POOL = identifierPool();

const sightingArb = fc.record({
  time: fc.integer({ min: 0, max: 10_000 }),
  id: fc.integer({ min: 0, max: POOL.length - 1 }),
  meanRssi: fc.integer({ min: -100, max: -30 }),
});

const toSighting = (s: { time: number; id: number; meanRssi: number }): Sighting => ({
  time: s.time,
  identifier: POOL[s.id]!,
  aem: POOL[s.id]!.length === 16 ? new Uint8Array(4).fill(s.id) : new Uint8Array(0),
  meanRssi: s.meanRssi,
  maxRssi: s.meanRssi + 5,
  packets: 1,
  secondsSinceLastScan: 60,
});

const norm = (s: Sighting) => `${s.time}|${toHex(s.identifier)}|${toHex(s.aem)}|${s.meanRssi}`;

/** Model: the batches in insertion order, stably sorted by time, filtered by identifier. */
function model(batches: Sighting[][], wanted: readonly Uint8Array[]): string[] {
  const want = new Set(wanted.map(toHex));
  return batches
    .flat()
    .map((s, seq) => ({ s, seq }))
    .filter(({ s }) => want.has(toHex(s.identifier)))
    .sort((a, b) => a.s.time - b.s.time || a.seq - b.seq)
    .map(({ s }) => norm(s));
}

describe("LevelDB identifier look-ups in index order", () => {
  it("find and distinct equal the model and the memory log", async () => {
    const level = await openLevelLog(join(tempDir(), "db"));
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(sightingArb, { maxLength: 40 }), { minLength: 1, maxLength: 4 }),
          fc.array(fc.integer({ min: 0, max: POOL.length + 1 }), { maxLength: 12 }),
          async (raw, picks) => {
            const batches = raw.map((b) => b.map(toSighting));
            // A fresh log per case: purge everything left by the previous one.
            await level.purge(Number.MAX_SAFE_INTEGER);
            const memory = createMemoryLog();
            for (const b of batches) {
              await level.record(b);
              await memory.record(b);
            }
            // Picks past the pool are identifiers never stored (a longer and a shorter one).
            const wanted = picks.map((p) =>
              p < POOL.length
                ? POOL[p]!
                : p === POOL.length
                  ? new Uint8Array(16).fill(0x41)
                  : new Uint8Array(8),
            );
            const expected = model(batches, wanted);
            expect((await level.findByIdentifiers(wanted)).map(norm)).toEqual(expected);
            expect((await memory.findByIdentifiers(wanted)).map(norm)).toEqual(expected);
            const distinct = [...new Set(batches.flat().map((s) => toHex(s.identifier)))].sort();
            expect((await level.distinctIdentifiers()).map(toHex).sort()).toEqual(distinct);
          },
        ),
      );
    } finally {
      await level.close();
    }
  });

  it("reads identifiers whose entries span read chunks, and survives reopening", async () => {
    const location = join(tempDir(), "db");
    let level = await openLevelLog(location);
    // 5,000 sightings of 3 identifiers, interleaved: 2 of them have more than one full scan chunk
    // (4,096) worth of entries between them, all of them more than one find chunk (16).
    const batch: Sighting[] = [];
    for (let i = 0; i < 5000; i++)
      batch.push(toSighting({ time: i, id: i % 10 === 0 ? 4 : i % 2, meanRssi: -50 - (i % 40) }));
    await level.record(batch);
    await level.close();
    level = await openLevelLog(location);
    try {
      expect((await level.distinctIdentifiers()).map(toHex).sort()).toEqual(
        [POOL[0]!, POOL[1]!, POOL[4]!].map(toHex).sort(),
      );
      for (const wanted of [[POOL[0]!], [POOL[4]!, POOL[1]!], [POOL[1]!, POOL[0]!, POOL[4]!, POOL[2]!]]) {
        expect((await level.findByIdentifiers(wanted)).map(norm)).toEqual(model([batch], wanted));
      }
    } finally {
      await level.close();
    }
  });
});
