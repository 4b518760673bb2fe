import { describe, expect, it } from "vitest";
import { createMemoryLog, type Sighting } from "../../src/index";
import { contactLogConformance } from "../../src/testing";

// Through the public entry (`bluezone/testing`), as a third-party store would run it.
contactLogConformance({
  describe,
  it,
  name: "memory",
  factory: async () => ({
    open: async () => createMemoryLog({ initialCapacity: 2 }),
    dispose: async () => undefined,
  }),
});

const sighting = (time: number, idByte: number): Sighting => ({
  time,
  identifier: new Uint8Array(16).fill(idByte),
  aem: Uint8Array.of(1, 2, 3, 4),
  meanRssi: -70,
  maxRssi: -60,
  packets: 3,
  secondsSinceLastScan: 300,
});

describe("memory log specifics", () => {
  it("grows by a sixteenth and shrinks when a purge leaves a quarter or less", () => {
    const log = createMemoryLog({ initialCapacity: 4 });
    log.recordSync(Array.from({ length: 100 }, (_, i) => sighting(i, i % 7)));
    expect(log.size).toBe(100);
    // Layout (src/log/memory-log.ts header): 20 bytes and 2 bits an identifier record, 4 a row, 6 a scan entry, 32 a
    // checkpoint (one per 32 entries). Every sighting is its own scan (its own time) and no identifier
    // is in the scan before, so: 100 records, 100 rows, 100 entries, 4 checkpoints.
    const used = (records: number, rows: number, entries: number, cps: number) =>
      20 * records + Math.ceil(records / 4) + 4 * rows + 6 * entries + 32 * cps;
    // Spare: a sixteenth of each table's use, at least 36 records, 64 rows, 16 entries, 1 checkpoint.
    const spare = (n: number) => n / 16 + 20.25 * 36 + 4 * 64 + 6 * 16 + 32;
    const full = used(100, 100, 100, 4);
    expect(log.columnBytes()).toBeGreaterThanOrEqual(full);
    expect(log.columnBytes()).toBeLessThanOrEqual(full + spare(full));
    expect(log.indexBytes()).toBe(0); // no index kept between queries
    expect(log.purgeSync(90)).toBe(90);
    // 10 records, rows and entries left, in the last 2 checkpoints (entries 64–95 and 96–99).
    const left = used(10, 10, 10, 2);
    expect(log.columnBytes()).toBeGreaterThanOrEqual(left);
    expect(log.columnBytes()).toBeLessThanOrEqual(left + spare(left));
    expect(log.rangeSync(0, 1000).map((s) => s.time)).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    expect(log.findByIdentifiersSync([new Uint8Array(16).fill(90 % 7)]).map((s) => s.time)).toEqual([90, 97]);
  });

  it("answers range queries in time order after out-of-order appends, and again after more appends", () => {
    const log = createMemoryLog();
    log.recordSync([sighting(30, 1), sighting(10, 2), sighting(20, 3)]);
    expect(log.rangeSync(10, 30).map((s) => s.time)).toEqual([10, 20]);
    log.recordSync([sighting(15, 1)]);
    expect(log.rangeSync(0, 100).map((s) => s.time)).toEqual([10, 15, 20, 30]);
    expect(log.purgeSync(15)).toBe(1);
    expect(log.rangeSync(-Infinity, Infinity).map((s) => s.time)).toEqual([15, 20, 30]);
  });

  it("rejects a bad initial capacity", () => {
    expect(() => createMemoryLog({ initialCapacity: 0 })).toThrow(/initialCapacity/);
  });
});

describe("memory log queried through a derived object", () => {
  it("indexes each row once whoever asks: a wrapper's query, then the log's, find every sighting once", async () => {
    // Wrappers such as the feed tests' crash injectors are `Object.create(log)`; the log indexes rows
    // lazily on the first query, and must not index them again for the next caller.
    const log = createMemoryLog();
    const id = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const s = (time: number): Sighting => ({
      time,
      identifier: id,
      aem: new Uint8Array(4),
      meanRssi: -60,
      maxRssi: -55,
      packets: 3,
      secondsSinceLastScan: 300,
    });
    log.recordSync([s(1_000), s(2_000)]);
    const wrapper = Object.create(log) as typeof log;
    expect((await wrapper.findByIdentifiers([id])).map((x) => x.time)).toEqual([1_000, 2_000]);
    log.recordSync([s(3_000)]);
    expect(log.findByIdentifiersSync([id]).map((x) => x.time)).toEqual([1_000, 2_000, 3_000]);
    expect((await wrapper.findByIdentifiers([id])).map((x) => x.time)).toEqual([1_000, 2_000, 3_000]);
  });
});
