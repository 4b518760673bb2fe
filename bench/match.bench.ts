/**
 * Matching published keys against a busy phone's 14-day log (60,000 scan instances), for 1k, 10k,
 * 100k and 1M keys:
 * - `singleThread`: `matchGaenKeys` on this thread only; keys/s on one core and its ratio to raw
 *   per-key AES-128-ECB (`createCipheriv` + one `update()` + `final()` over each key's 144 blocks under
 *   that key's own AES key, the least work the scheme allows), the two timed alternately in the same
 *   rounds so machine load affects both alike;
 * - `withWorkers`: the same with the default worker pool (warm), wall time;
 * - `checkExposure`: the whole phone-side call (match, windows, verdict) with defaults, wall time;
 * - `legacy`: the previous path, `matchLog(log, deriveGaenRuns(keys))`, for comparison.
 * - `simulator`: what the simulator's phones run every day (`sim/app/partition.ts`): building a
 *   derived key index of 12,000 keys × 72 RPIs (the daily detection measure) by `createDerivedKeyIndex`
 *   and by the previous build (an `IdentifierTable` insertion per identifier, a view per identifier);
 *   matching 200 phones' 14-day logs (≈ 430 sightings a phone-day) against a day's published file
 *   (300 keys) with `matchLogWithIndex` (each identifier record probed against the index) and by the
 *   previous path (distinct identifiers merged, looked up, then fetched by `findByIdentifiers`: the
 *   same log seen as any other contact log); and one day of those logs matched against the 12,000
 *   keys in place (`range`; every sighting of that day is of an indexed key, as in the simulator) and
 *   by the previous way (the day copied into a new memory log, matched by the generic path: distinct
 *   identifiers, looked up in the new index, fetched by `findByIdentifiers`). Each pair is timed alternately in the
 *   same rounds, the results compared. The index builds follow one another within the GC's reach, so
 *   they mostly run on fresh tables (the simulator's daily build reuses a collected index's table).
 *   `MATCH_BENCH_SIMULATOR_ONLY=1` runs this part alone.
 * Also: HKDF-SHA256 (the RPIK derivation) by the project's own code, `hkdfSync`, `@noble/hashes` and
 * HMAC over `createHmac`; and a phone's key-feed sync of 100,000 keys (download over loopback, verify,
 * match, store the verdict) against a memory log and a LevelDB log of 200,000 sightings.
 */
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { hkdf as nobleHkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  type ContactLog,
  checkExposure,
  closeMatchWorkers,
  createDerivedKeyIndex,
  createMemoryLog,
  DAY_MS,
  deriveGaenRuns,
  deriveRpi,
  deriveRpik,
  type DerivedRun,
  type ExposureKey,
  INTERVAL_MS,
  matchGaenKeys,
  type KeyMatch,
  matchLog,
  matchLogWithIndex,
  type MemoryContactLog,
  openLevelLog,
  readKeyFile,
  rpiPaddedData,
  type Sighting,
  warmMatchWorkers,
} from "../src/index";
import { IdentifierTable } from "../src/match/identifier-table";
import { PARALLEL_MIN_KEYS } from "../src/match/match-workers";
import { aes128Ecb } from "../src/protocol/gaen";
import { publishCase, sightings, syncCase, trusted } from "./feed.bench";
import { type Bench, sig3 } from "./harness";

const DAY0 = 2_700_000 - (2_700_000 % 144);
const SIGHTINGS = 60_000;
const SIZES = [1_000, 10_000, 100_000, 1_000_000];

function keys(n: number): ExposureKey[] {
  const bytes = randomBytes(n * 16);
  return Array.from({ length: n }, (_, i) => ({
    keyData: new Uint8Array(bytes.buffer, bytes.byteOffset + i * 16, 16),
    rollingStartIntervalNumber: DAY0 + 144 * (i % 14),
    rollingPeriod: 144,
    reportType: 1,
  }));
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return [seconds(t0), r];
}

/** Wall and CPU seconds (user + system, all threads of the process) of `fn`. */
async function timedCpu<T>(fn: () => Promise<T> | T): Promise<[number, number, T]> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = await fn();
  const c = process.cpuUsage(c0);
  return [seconds(t0), (c.user + c.system) / 1e6, r];
}

/** µs per key of `fn` over `ks`, best of 3 rounds. */
function perKeyMicros(ks: readonly Uint8Array[], fn: (k: Uint8Array) => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    for (const k of ks) fn(k);
    best = Math.min(best, (seconds(t0) * 1e6) / ks.length);
  }
  return best;
}

function hkdfComparison() {
  const ks = keys(20_000).map((k) => k.keyData);
  const info = Buffer.from("EN-RPIK", "ascii");
  const zeros = Buffer.alloc(32);
  const one = Buffer.from([1]);
  const impls: Record<string, (k: Uint8Array) => unknown> = {
    own: (k) => deriveRpik(k),
    nodeHkdfSync: (k) => hkdfSync("sha256", k, Buffer.alloc(0), info, 16),
    nobleHashes: (k) => nobleHkdf(sha256, k, undefined, info, 16),
    nodeCreateHmac: (k) => {
      const prk = createHmac("sha256", zeros).update(k).digest();
      return createHmac("sha256", prk).update(info).update(one).digest().subarray(0, 16);
    },
  };
  // Same output first (the published vectors are checked in tests/protocol).
  const expected = Buffer.from(deriveRpik(ks[0]!)).toString("hex");
  for (const [name, f] of Object.entries(impls)) {
    const got = Buffer.from(f(ks[0]!) as Uint8Array).toString("hex");
    if (got !== expected) throw new Error(`HKDF ${name} differs: ${got} ≠ ${expected}`);
  }
  const micros: Record<string, number> = {};
  // Two passes, keeping each one's best, so load drift hits all alike.
  for (let pass = 0; pass < 2; pass++)
    for (const [name, f] of Object.entries(impls))
      micros[name] = Math.min(micros[name] ?? Number.POSITIVE_INFINITY, perKeyMicros(ks, f));
  return Object.fromEntries(
    Object.entries(micros).map(([name, us]) => [
      name,
      { microsPerKey: sig3(us), timesOwn: sig3(us / micros.own!) },
    ]),
  );
}

/** Raw per-key AES over `ks` (144 blocks each under its own key): wall and CPU seconds. */
async function aesPerKey(ks: readonly ExposureKey[], pad: Buffer): Promise<[number, number]> {
  const [wall, cpu] = await timedCpu(() => {
    for (const k of ks) aes128Ecb(k.keyData, pad);
  });
  return [wall, cpu];
}

async function busyMemoryLog(published: readonly ExposureKey[]) {
  // A busy phone: 60k scan instances over 14 days, 1% of them from 20 of the published keys.
  const log = createMemoryLog();
  const batch: Sighting[] = [];
  for (let i = 0; i < SIGHTINGS; i++) {
    const t = DAY0 * INTERVAL_MS + Math.floor((i / SIGHTINGS) * 14 * DAY_MS);
    const k = published[(i / 100) % 20]!;
    const interval = Math.floor(t / INTERVAL_MS);
    const mine =
      i % 100 === 0 &&
      interval >= k.rollingStartIntervalNumber &&
      interval < k.rollingStartIntervalNumber + 144;
    batch.push({
      time: t,
      identifier: mine ? deriveRpi(deriveRpik(k.keyData), interval) : new Uint8Array(randomBytes(16)),
      aem: new Uint8Array(4),
      meanRssi: -60,
      maxRssi: -55,
      packets: 4,
      secondsSinceLastScan: 300,
    });
  }
  await log.record(batch);
  return log;
}

async function feedSync() {
  const memory = createMemoryLog();
  const busy = sightings(200_000, 100_000);
  await memory.record(busy);
  const levelDir = mkdtempSync(join(tmpdir(), "bluezone-match-bench-log-"));
  const level = await openLevelLog(levelDir);
  for (let i = 0; i < busy.length; i += 1000) await level.record(busy.slice(i, i + 1000));
  const c = await publishCase(100_000);
  try {
    const memoryMs = await syncCase(c.url, memory);
    const levelMs = await syncCase(c.url, level);
    // The parts of a sync: reading (verifying, decoding, validating) the files, then matching.
    const index = (await (await fetch(`${c.url}/feed/index.json`)).json()) as {
      batches: { name: string; url?: string }[];
    };
    const files = await Promise.all(
      index.batches.map(
        async (b) =>
          new Uint8Array(await (await fetch(new URL(b.url ?? b.name, `${c.url}/feed/`))).arrayBuffer()),
      ),
    );
    const [readSeconds, read] = await timed(() =>
      files.map((f) => readKeyFile(f, { trustedKeys: [trusted] })),
    );
    const all = read.flatMap((f) => f.keys);
    const [memoryMatchSeconds] = await timed(() => checkExposure(memory, all));
    const [levelMatchSeconds] = await timed(() => checkExposure(level, all));
    const [distinctSeconds, distinct] = await timed(() => level.distinctIdentifiers());
    return {
      keys: 100_000,
      files: files.length,
      logSightings: busy.length,
      logIdentifiers: distinct.length,
      memorySyncMs: memoryMs,
      levelSyncMs: levelMs,
      readKeyFilesMs: sig3(readSeconds * 1000),
      memoryCheckExposureMs: sig3(memoryMatchSeconds * 1000),
      levelCheckExposureMs: sig3(levelMatchSeconds * 1000),
      levelDistinctIdentifiersMs: sig3(distinctSeconds * 1000),
    };
  } finally {
    await c.server.close();
    rmSync(c.dataDir, { recursive: true, force: true });
    await level.close();
    rmSync(levelDir, { recursive: true, force: true });
  }
}

/** The previous `createDerivedKeyIndex` build: a view and an `IdentifierTable` insertion per identifier. */
function previousIndexBuild(runs: readonly DerivedRun[]): number {
  const total = runs.reduce((n, r) => n + r.count, 0);
  const table = new IdentifierTable(total);
  runs.forEach((run, r) => {
    for (let i = 0; i < run.count; i++)
      table.insert(run.ids.subarray(i * run.idLength, (i + 1) * run.idLength), r * 256 + i);
  });
  return table.size;
}

/** The same log seen as any other contact log: the matcher takes the previous, generic path. */
function asOtherLog(log: ContactLog): ContactLog {
  const other = Object.create(log) as ContactLog;
  Object.defineProperty(other, "kind", { value: "level" });
  return other;
}

const matchedCount = (ms: readonly KeyMatch[]) => ms.reduce((n, m) => n + m.sightings.length, 0);

/** Times `a` and `b` alternately, best of `rounds` each, checking that they return the same count. */
async function pair<T>(
  rounds: number,
  a: () => Promise<T> | T,
  b: () => Promise<T> | T,
  count: (x: T) => number,
): Promise<{ a: number; b: number; count: number }> {
  let ta = Number.POSITIVE_INFINITY;
  let tb = Number.POSITIVE_INFINITY;
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    const [sa, ra] = await timed(a);
    const [sb, rb] = await timed(b);
    if (count(ra) !== count(rb)) throw new Error(`results differ: ${count(ra)} ≠ ${count(rb)}`);
    n = count(ra);
    ta = Math.min(ta, sa);
    tb = Math.min(tb, sb);
  }
  return { a: ta, b: tb, count: n };
}

/** A simulator-like phone log: `days` days of scans every 5 minutes, ≈ 300 sightings a day. */
/**
 * A simulator-like phone log: `days` days of scans every 5 minutes, 1–2 identifiers a scan, each heard
 * in two consecutive scans (identifiers rotate every 10 minutes); in the slots of `onAir` (the
 * detection measure's runs, all of one time span) the identifiers are theirs, as every phone a phone
 * hears in the simulator is an app user's; one in 400 scans also hears a key of `published`.
 */
function phoneLog(
  days: number,
  start: number,
  published: readonly ExposureKey[],
  onAir: readonly DerivedRun[],
  salt: number,
) {
  const log = createMemoryLog();
  const scans = (days * DAY_MS) / 300_000;
  const airStart = onAir[0]!.firstSlotStart;
  let ids = Array.from({ length: 2 }, () => new Uint8Array(randomBytes(16)));
  for (let s = 0; s < scans; s++) {
    const time = start + s * 300_000;
    if (s % 2 === 0) {
      const slot = Math.floor((time - airStart) / INTERVAL_MS);
      ids = Array.from({ length: 1 + ((s * 7 + salt) % 2) }, (_, j) => {
        const run = onAir[(s * 7 + salt * 13 + j * 101) % onAir.length]!;
        return slot >= 0 && slot < run.count
          ? run.ids.slice(slot * run.idLength, (slot + 1) * run.idLength)
          : new Uint8Array(randomBytes(16));
      });
    }
    const batch: Sighting[] = ids.map((identifier) => ({
      time,
      identifier,
      aem: new Uint8Array(4),
      meanRssi: -70,
      maxRssi: -62,
      packets: 5,
      secondsSinceLastScan: 300,
    }));
    if ((s + salt) % 400 === 0) {
      const k = published[(s + salt) % published.length]!;
      const interval = Math.floor(time / INTERVAL_MS);
      if (
        interval >= k.rollingStartIntervalNumber &&
        interval < k.rollingStartIntervalNumber + k.rollingPeriod
      )
        batch.push({ ...batch[0]!, identifier: deriveRpi(deriveRpik(k.keyData), interval) });
    }
    log.recordSync(batch);
  }
  return log;
}

async function simulatorMatching() {
  const start = DAY0 * INTERVAL_MS;
  // Detection: 12,000 keys, each derived for the 72 intervals of a half day.
  const everyone = keys(12_000).map((k) => ({
    ...k,
    rollingStartIntervalNumber: DAY0 + 13 * 144,
    rollingPeriod: 72,
  }));
  const runs = [...deriveGaenRuns(everyone)];
  const build = await pair(
    3,
    () => createDerivedKeyIndex(runs).identifiers,
    () => previousIndexBuild(runs),
    (n) => n,
  );
  // A day's published file: 300 keys of the last 14 days.
  const published = keys(300);
  const phones: MemoryContactLog[] = [];
  for (let p = 0; p < 200; p++) phones.push(phoneLog(14, start, published, runs, p));
  const sightingsPerPhone = phones.reduce((n, l) => n + l.size, 0) / phones.length;
  const fileIndex = createDerivedKeyIndex(deriveGaenRuns(published));
  const matchAll = async (view: (l: MemoryContactLog) => ContactLog) => {
    const out: KeyMatch[] = [];
    for (const l of phones) out.push(...(await matchLogWithIndex(view(l), fileIndex)));
    return out;
  };
  const daily = await pair(
    3,
    () => matchAll((l) => l),
    () => matchAll(asOtherLog),
    matchedCount,
  );
  // Detection: the last day of each log against the 12,000 keys.
  const detectIndex = createDerivedKeyIndex(runs);
  const range = { from: start + 13 * DAY_MS, to: start + 14 * DAY_MS };
  const onAirSightings = phones.reduce(
    (n, l) => n + l.rangeSync(range.from, range.from + DAY_MS / 2).length,
    0,
  );
  const detect = await pair(
    3,
    async () => {
      const out: KeyMatch[] = [];
      for (const l of phones) out.push(...(await matchLogWithIndex(l, detectIndex, range)));
      return out;
    },
    async () => {
      const out: KeyMatch[] = [];
      for (const l of phones) {
        const sightings = l.rangeSync(range.from, range.to);
        const day = createMemoryLog({ initialCapacity: Math.max(1, sightings.length) });
        day.recordSync(sightings);
        out.push(...(await matchLogWithIndex(asOtherLog(day), detectIndex)));
        await day.close();
      }
      return out;
    },
    matchedCount,
  );
  for (const l of phones) await l.close();
  return {
    derivedKeyIndex: {
      identifiers: build.count,
      nsPerIdentifier: sig3((build.a * 1e9) / build.count),
      previousNsPerIdentifier: sig3((build.b * 1e9) / build.count),
      speedup: sig3(build.b / build.a),
    },
    dailyFileMatch: {
      phones: phones.length,
      sightingsPerPhone: sig3(sightingsPerPhone),
      publishedKeys: published.length,
      matchedSightings: daily.count,
      microsPerPhone: sig3((daily.a * 1e6) / phones.length),
      previousMicrosPerPhone: sig3((daily.b * 1e6) / phones.length),
      speedup: sig3(daily.b / daily.a),
    },
    detectionDay: {
      phones: phones.length,
      keys: everyone.length,
      sightingsHeardFromKeys: onAirSightings,
      matchedSightings: detect.count,
      microsPerPhone: sig3((detect.a * 1e6) / phones.length),
      previousMicrosPerPhone: sig3((detect.b * 1e6) / phones.length),
      speedup: sig3(detect.b / detect.a),
    },
  };
}

const bench: Bench = {
  name: "match",
  async run() {
    const simulator = await simulatorMatching();
    if (process.env.MATCH_BENCH_SIMULATOR_ONLY === "1") return { simulator };
    const hkdf = hkdfComparison();
    const published = keys(Math.max(...SIZES));
    const log = await busyMemoryLog(published);
    const pad = rpiPaddedData(DAY0, 144);
    warmMatchWorkers();
    // The pool starts asynchronously: one small parallel match waits for it.
    await matchGaenKeys(log, published.slice(0, 2_000), { workers: availableParallelism() - 1 });
    const rows = [];
    for (const n of SIZES) {
      const ks = published.slice(0, n);
      const rounds = n >= 1_000_000 ? 1 : 3;
      // Alternate AES and single-thread matching in each round; keep each one's best (wall and CPU).
      let aes = Number.POSITIVE_INFINITY;
      let aesCpu = Number.POSITIVE_INFINITY;
      let single = Number.POSITIVE_INFINITY;
      let singleCpu = Number.POSITIVE_INFINITY;
      let matched = 0;
      for (let r = 0; r < rounds; r++) {
        const [aw, ac] = await aesPerKey(ks, pad);
        aes = Math.min(aes, aw);
        aesCpu = Math.min(aesCpu, ac);
        const [s, c, m] = await timedCpu(() => matchGaenKeys(log, ks, { workers: 0 }));
        single = Math.min(single, s);
        singleCpu = Math.min(singleCpu, c);
        matched = m.length;
      }
      let parallel = Number.POSITIVE_INFINITY;
      let workers = 0;
      for (let r = 0; r < rounds; r++) {
        const [s, m] = await timed(() => matchGaenKeys(log, ks));
        if (m.length !== matched) throw new Error("parallel and single-thread matches differ");
        parallel = Math.min(parallel, s);
      }
      workers = n >= PARALLEL_MIN_KEYS ? availableParallelism() - 1 : 0;
      const [check] = n <= 100_000 ? await timed(() => checkExposure(log, ks)) : [undefined];
      const [legacy] = n <= 100_000 ? await timed(() => matchLog(log, deriveGaenRuns(ks))) : [undefined];
      rows.push({
        keys: n,
        matchedKeys: matched,
        rawAesPerKey: { keysPerSecond: sig3(n / aes), keysPerCpuSecond: sig3(n / aesCpu) },
        singleThread: {
          seconds: sig3(single),
          cpuSeconds: sig3(singleCpu),
          keysPerSecond: sig3(n / single),
          keysPerCpuSecond: sig3(n / singleCpu),
          perCoreRatioToAesPerKey: sig3(aes / single),
          perCoreRatioToAesPerKeyCpu: sig3(aesCpu / singleCpu),
        },
        withWorkers: {
          workerThreads: workers,
          seconds: sig3(parallel),
          keysPerSecond: sig3(n / parallel),
          speedup: sig3(single / parallel),
        },
        ...(check === undefined ? {} : { checkExposureSeconds: sig3(check) }),
        ...(legacy === undefined
          ? {}
          : { legacy: { seconds: sig3(legacy), fastPathSpeedupSingleThread: sig3(legacy / single) } }),
      });
    }
    await closeMatchWorkers();
    return {
      logScanInstances: SIGHTINGS,
      cores: availableParallelism(),
      hkdf,
      simulator,
      rows,
      feedSync100kKeys: await feedSync(),
    };
  },
};
export default bench;
