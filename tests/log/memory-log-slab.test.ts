import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMemoryLog, type MemoryContactLog, type Sighting } from "../../src/index";
import { MIN_SLAB, type RegionAllocator, SlabAllocator, useLogAllocator } from "../../src/log/slab";

// The memory log's tables live in regions of the thread's slabs (src/log/slab.ts). Each test gets a
// fresh allocator, so its figures are its own logs'.
let heap: SlabAllocator;
let previous: RegionAllocator;
beforeEach(() => {
  heap = new SlabAllocator();
  previous = useLogAllocator(heap);
});
afterEach(() => {
  useLogAllocator(previous);
});

const sighting = (time: number, id: number, rssi: number): Sighting => {
  const identifier = new Uint8Array(16);
  new DataView(identifier.buffer).setUint32(0, id);
  return {
    time,
    identifier,
    aem: Uint8Array.of(id & 0xff, 2, 3, 4),
    meanRssi: rssi,
    maxRssi: rssi + 5,
    packets: 1 + (id % 40),
    secondsSinceLastScan: 300,
  };
};

const plain = (s: Sighting) => ({ ...s, identifier: [...s.identifier], aem: [...s.aem] });

describe("memory logs sharing a thread's slabs", () => {
  it("never alias one another: many logs growing, purged and closed in any interleaving keep their own rows (property)", async () => {
    // Each step appends a scan to one log, purges one, or closes one (and opens a new one in its place).
    const step = fc.oneof(
      {
        weight: 12,
        arbitrary: fc.record({
          kind: fc.constant("scan" as const),
          log: fc.nat(),
          rows: fc.integer({ min: 1, max: 12 }),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("purge" as const), log: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("close" as const), log: fc.nat() }) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 12 }),
        fc.array(step, { maxLength: 400 }),
        async (n, steps) => {
          heap = new SlabAllocator();
          useLogAllocator(heap);
          const logs: MemoryContactLog[] = [];
          const models: Sighting[][] = [];
          const clocks: number[] = [];
          for (let i = 0; i < n; i++) {
            logs.push(createMemoryLog({ initialCapacity: 1 + (i % 3) }));
            models.push([]);
            clocks.push(0);
          }
          let id = 0;
          for (const s of steps) {
            const i = s.log % n;
            if (s.kind === "scan") {
              // Identifiers unique to the log (a row read from another log's region would show).
              const time = ++clocks[i]! * 300_000;
              const batch = Array.from({ length: s.rows }, (_, r) =>
                sighting(time, (i << 20) | id++, -40 - r),
              );
              logs[i]!.recordSync(batch);
              models[i]!.push(...batch);
            } else if (s.kind === "purge") {
              const cut = Math.floor(clocks[i]! / 2) * 300_000;
              const kept = models[i]!.filter((x) => x.time >= cut);
              expect(logs[i]!.purgeSync(cut)).toBe(models[i]!.length - kept.length);
              models[i] = kept;
            } else {
              await logs[i]!.close();
              logs[i] = createMemoryLog();
              models[i] = [];
            }
          }
          for (let i = 0; i < n; i++) {
            expect(logs[i]!.rangeSync(0, Number.MAX_SAFE_INTEGER).map(plain)).toEqual(models[i]!.map(plain));
          }
          heap.verify();
          // One region per open log (an empty log still has its smallest tables), and the logs' column
          // bytes are their regions (no side column here: every packet count and reference fits a byte).
          const stats = heap.stats();
          expect(stats.regions).toBe(n);
          expect(stats.used).toBe(logs.reduce((sum, log) => sum + log.columnBytes(), 0));
          for (const log of logs) await log.close();
          expect(heap.stats()).toEqual({ slabs: 0, reserved: 0, used: 0, regions: 0 });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a log alone reserves one small slab, and a day's log (≈ 1,000 sightings) under 64 KB", () => {
    const log = createMemoryLog();
    expect(heap.stats()).toEqual({ slabs: 1, reserved: MIN_SLAB, used: log.columnBytes(), regions: 1 });
    // A day of 5-minute scans hearing 4 identifiers each, 2 of them heard in the scan before.
    for (let scan = 0; scan < 250; scan++) {
      log.recordSync([0, 1, 2, 3].map((r) => sighting(scan * 300_000, 2 * scan + r, -60)));
    }
    expect(log.size).toBe(1000);
    const { reserved, used } = heap.stats();
    expect(used).toBe(log.columnBytes());
    expect(reserved).toBeLessThan(64 * 1024);
  });

  it("closing a log and an out-of-order purge give their regions back", async () => {
    const a = createMemoryLog();
    const b = createMemoryLog();
    b.recordSync([sighting(3000, 1, -50), sighting(1000, 2, -50)]);
    b.recordSync([sighting(2000, 3, -50)]);
    // Out of time order: the purge moves the kept rows to new tables and frees the old ones.
    expect(b.purgeSync(1500)).toBe(1);
    expect(heap.stats().regions).toBe(2);
    expect(heap.stats().used).toBe(a.columnBytes() + b.columnBytes());
    await a.close();
    expect(a.columnBytes()).toBe(0);
    expect(heap.stats().regions).toBe(1);
    await b.close();
    expect(heap.stats().slabs).toBe(0);
  });

  it("frees the region of a log dropped without being closed, once it is garbage collected", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const kept = createMemoryLog();
    (() => {
      const dropped = createMemoryLog();
      dropped.recordSync([sighting(1, 1, -50)]);
    })();
    expect(heap.stats().regions).toBe(2);
    // Finalization runs after a collection, in a later task.
    for (let i = 0; i < 20 && heap.stats().regions > 1; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(heap.stats().regions).toBe(1);
    expect(heap.stats().used).toBe(kept.columnBytes());
  });
});
