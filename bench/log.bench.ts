/**
 * Contact-log stores against their floors, measured in the same run.
 *
 * LevelDB: `record()` of 100-sighting batches against raw `level` batches for 100 sightings of equally sized
 * binary keys and values (`rawSameValue`: one put per sighting, 12-byte key and the 27-byte encoded
 * sighting; `rawSameOps`: the two puts per sighting the log makes, a sighting and an index entry, at
 * the log's key and value sizes). Reads:
 * `range()` over 5-minute windows and `findByIdentifiers()` of 100 identifiers, as sightings/s.
 *
 * Memory: `recordSync()` of 1M sightings in 20-sighting scans over 250k identifiers (each seen in 4
 * scans), records/s, and bytes per sighting from `process.memoryUsage()` (heap + array buffers) after
 * forced garbage collections.
 *
 * Many memory logs in one thread (the simulator's case): 2,000 logs, each receiving a day of scans
 * (250 scans of 4 sightings, 2 of them heard in the scan before) round-robin through `recordScan`,
 * as sightings/s, with the logs' tables in regions of the thread's slabs (`src/log/slab.ts`) and, in
 * the same run, in a new ArrayBuffer per region (the previous design: the same tables and growths).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Level } from "level";
import {
  createMemoryLog,
  type MemoryContactLog,
  openLevelLog,
  type ScanBatch,
  type Sighting,
} from "../src/index";
import { type Region, type RegionAllocator, SlabAllocator, useLogAllocator } from "../src/log/slab";
import { type Bench, measure, measureAsync, sig3 } from "./harness";

const BATCH = 100;
const SCAN = 20;
const MEMORY_SIGHTINGS = 1_000_000;
const SCANS_PER_IDENTIFIER = 4;
const FIVE_MINUTES = 300_000;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Bytes in use (JS heap + typed-array backing stores) after full collections. */
function bytesInUse(): number {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** `count` identifiers (16-byte RPIs) as views of one buffer. */
function identifiers(count: number): Uint8Array[] {
  const all = new Uint8Array(randomBytes(count * 16));
  return Array.from({ length: count }, (_, i) => all.subarray(i * 16, i * 16 + 16));
}

/** A reusable batch whose times and identifiers the caller rewrites before each use. */
function batchOf(n: number, ids: Uint8Array[]): Sighting[] {
  const aem = new Uint8Array(randomBytes(4));
  return Array.from({ length: n }, (_, i) => ({
    time: 0,
    identifier: ids[i % ids.length]!,
    aem,
    meanRssi: -70,
    maxRssi: -60,
    packets: 4,
    secondsSinceLastScan: 300,
  }));
}

async function levelFigures(dir: string): Promise<Record<string, unknown>> {
  const ids = identifiers(50_000);
  const log = await openLevelLog(join(dir, "log"));
  const batch = batchOf(BATCH, ids);
  let scan = 0;
  let next = 0;
  const record = measureAsync(async () => {
    // One batch = one 5-minute scan hearing 100 identifiers (each identifier heard in ~4 scans).
    const time = scan++ * FIVE_MINUTES;
    for (const s of batch) {
      s.time = time;
      s.identifier = ids[next++ % ids.length]!;
    }
    await log.record(batch);
  }, BATCH);
  const recordPerSecond = await record;
  const stored = (await log.stats()).sightings;

  const raw = new Level<Buffer, Buffer>(join(dir, "raw"), { keyEncoding: "buffer", valueEncoding: "buffer" });
  await raw.open();
  const randomValue = randomBytes(64);
  let k = 0;
  /**
   * Raw chained batches (level's fastest batch write) of 100 sightings, each written as puts of the
   * given [key bytes, value bytes].
   */
  const rawBatch = (puts: [number, number][]) =>
    measureAsync(async () => {
      const b = raw.batch();
      for (let i = 0; i < BATCH; i++) {
        for (const [keyBytes, valueBytes] of puts) {
          const key = Buffer.alloc(keyBytes);
          key.writeUInt32BE(k++, keyBytes - 4);
          b.put(key, randomValue.subarray(0, valueBytes));
        }
      }
      await b.write();
    }, BATCH);
  // The log writes per sighting: key "!s!" ‖ time ‖ seq (15 B) → 27 B value, and an index entry
  // "!i!" ‖ length ‖ RPI ‖ time ‖ seq (32 B) → empty.
  const rawSameValue = await rawBatch([[12, 27]]);
  const rawSameOps = await rawBatch([
    [15, 27],
    [32, 0],
  ]);
  await raw.close();

  const scans = scan;
  let q = 0;
  let rangeRead = 0;
  const rangeQps = await measureAsync(async () => {
    const t = (q++ % scans) * FIVE_MINUTES;
    rangeRead += (await log.range(t, t + FIVE_MINUTES)).length;
  }, 1);
  const perRange = rangeRead / Math.max(1, q);
  let findRead = 0;
  let f = 0;
  let finds = 0;
  const findQps = await measureAsync(async () => {
    // Identifiers that were recorded (each in ~4 sightings, unless only recently first heard).
    const heard = Math.min(next, ids.length);
    const wanted = Array.from({ length: 100 }, () => ids[(f++ * 7919) % heard]!);
    findRead += (await log.findByIdentifiers(wanted)).length;
    finds++;
  }, 1);
  const perFind = findRead / Math.max(1, finds);
  await log.close();
  return {
    storedSightings: stored,
    recordSightingsPerSecond: sig3(recordPerSecond),
    rawSameValueSightingsPerSecond: sig3(rawSameValue),
    rawSameOpsSightingsPerSecond: sig3(rawSameOps),
    ratioToRawSameValue: sig3(recordPerSecond / rawSameValue),
    ratioToRawSameOps: sig3(recordPerSecond / rawSameOps),
    rangeQueriesPerSecond: sig3(rangeQps),
    rangeSightingsPerSecond: sig3(rangeQps * perRange),
    sightingsPerRange: sig3(perRange),
    findQueriesPerSecond: sig3(findQps),
    findSightingsPerSecond: sig3(findQps * perFind),
    sightingsPerFindOf100Ids: sig3(perFind),
  };
}

async function memoryFigures(): Promise<Record<string, unknown>> {
  const ids = identifiers(MEMORY_SIGHTINGS / SCANS_PER_IDENTIFIER);
  const batch = batchOf(SCAN, ids);
  const fill = (log: ReturnType<typeof createMemoryLog>) => {
    for (let i = 0, scan = 0; i < MEMORY_SIGHTINGS; scan++) {
      // Scan `scan` hears identifiers of a sliding window, so each one appears in 4 consecutive scans.
      for (let j = 0; j < SCAN; j++, i++) {
        const s = batch[j]!;
        s.time = scan * FIVE_MINUTES;
        s.identifier = ids[(Math.floor(scan / SCANS_PER_IDENTIFIER) * SCAN + j) % ids.length]!;
      }
      log.recordSync(batch);
    }
  };
  const before = bytesInUse();
  const log = createMemoryLog();
  fill(log);
  const after = bytesInUse();
  const stats = { size: log.size, columnBytes: log.columnBytes(), indexBytes: log.indexBytes() };
  const identifiersStored = (await log.stats()).identifiers;
  const rate = measure(() => fill(createMemoryLog()), MEMORY_SIGHTINGS, 1000, 3);
  const rangeRate = measure(() => {
    log.rangeSync(0, 1000 * FIVE_MINUTES);
  }, 1000 * SCAN);
  return {
    sightings: stats.size,
    distinctIdentifiers: identifiersStored,
    recordsPerSecond: sig3(rate),
    bytesPerSighting: sig3((after - before) / stats.size),
    columnBytesPerSighting: sig3(stats.columnBytes / stats.size),
    indexBytesPerIdentifier: sig3(stats.indexBytes / identifiersStored),
    // Heap beyond the tables (the log's objects, and garbage not yet collected), per identifier.
    otherHeapBytesPerIdentifier: sig3(
      (after - before - stats.columnBytes - stats.indexBytes) / identifiersStored,
    ),
    rangeSyncSightingsPerSecond: sig3(rangeRate),
  };
}

const MANY_LOGS = 2000;
const SCANS_PER_DAY = 250;
const ROWS_PER_SCAN = 4;

/** The previous design: every region its own new ArrayBuffer (freed by the garbage collector). */
class BufferPerRegion implements RegionAllocator {
  allocate(bytes: number): Region {
    return { buffer: new ArrayBuffer(bytes), offset: 0, size: bytes };
  }
  free(): void {}
}

/** Counts the regions an allocator hands out (the logs' growths, plus one each to start). */
class Counting implements RegionAllocator {
  regions = 0;
  constructor(readonly inner: RegionAllocator) {}
  allocate(bytes: number): Region {
    this.regions++;
    return this.inner.allocate(bytes);
  }
  free(region: Region): void {
    this.inner.free(region);
  }
}

/**
 * A day of scans for {@link MANY_LOGS} logs taking regions from `allocator`, round-robin; returns
 * sightings/s, regions allocated per log and, for slabs, the part of them free at the end of the day.
 */
async function manyLogsDay(
  allocator: RegionAllocator,
): Promise<{ rate: number; regionsPerLog: number; free?: number }> {
  const counting = new Counting(allocator);
  const previous = useLogAllocator(counting);
  const n = ROWS_PER_SCAN;
  const ids = new Uint8Array(16 * n);
  const view = new DataView(ids.buffer);
  const batch: ScanBatch & { time: number } = {
    count: n,
    time: 0,
    secondsSinceLastScan: 300,
    ids,
    idLengths: new Uint8Array(n).fill(16),
    aems: new Uint8Array(4 * n),
    aemLengths: new Uint8Array(n).fill(4),
    meanRssi: new Int16Array(n).fill(-70),
    maxRssi: new Int16Array(n).fill(-60),
    packets: new Int32Array(n).fill(3),
  };
  try {
    const t0 = process.hrtime.bigint();
    const logs: MemoryContactLog[] = [];
    // The simulator's initial capacity (sim/app/phones.ts).
    for (let i = 0; i < MANY_LOGS; i++) logs.push(createMemoryLog({ initialCapacity: 256 }));
    for (let scan = 0; scan < SCANS_PER_DAY; scan++) {
      batch.time = scan * FIVE_MINUTES;
      for (let l = 0; l < MANY_LOGS; l++) {
        // Identifiers 2·scan … 2·scan + 3 of log l: two heard in the scan before, two new.
        for (let r = 0; r < n; r++) view.setUint32(16 * r, l * 1_000_000 + 2 * scan + r);
        logs[l]!.recordScan(batch);
      }
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const stats = allocator instanceof SlabAllocator ? allocator.stats() : undefined;
    for (const log of logs) await log.close();
    return {
      rate: (MANY_LOGS * SCANS_PER_DAY * n) / seconds,
      regionsPerLog: counting.regions / MANY_LOGS,
      free: stats && (stats.reserved - stats.used) / stats.reserved,
    };
  } finally {
    useLogAllocator(previous);
  }
}

async function manyLogsFigures(): Promise<Record<string, unknown>> {
  // Alternating rounds (the machine's load changes), the best of each.
  const slab: Awaited<ReturnType<typeof manyLogsDay>>[] = [];
  const buffers: Awaited<ReturnType<typeof manyLogsDay>>[] = [];
  for (let round = 0; round < 3; round++) {
    buffers.push(await manyLogsDay(new BufferPerRegion()));
    slab.push(await manyLogsDay(new SlabAllocator()));
  }
  const best = (runs: { rate: number }[]) => Math.max(...runs.map((r) => r.rate));
  return {
    logs: MANY_LOGS,
    sightingsPerLog: SCANS_PER_DAY * ROWS_PER_SCAN,
    regionsPerLog: sig3(slab[0]!.regionsPerLog),
    slabSightingsPerSecond: sig3(best(slab)),
    bufferPerRegionSightingsPerSecond: sig3(best(buffers)),
    ratioToBufferPerRegion: sig3(best(slab) / best(buffers)),
    slabFreeAtEndOfDay: sig3(slab[0]!.free!),
  };
}

const bench: Bench = {
  name: "log",
  async run() {
    const dir = mkdtempSync(join(tmpdir(), "bluezone-bench-log-"));
    try {
      const level = await levelFigures(dir);
      const memory = await memoryFigures();
      const manyMemoryLogs = await manyLogsFigures();
      return { level, memory, manyMemoryLogs };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
