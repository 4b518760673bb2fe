/**
 * Storage faults of the LevelDB contact log on real files: a full disk (a real 1 MB tmpfs), a
 * database that lost its CURRENT file, a damaged or truncated write-ahead log. The expected records
 * are the ones each test acknowledged itself, never the log's own account.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  type ContactLog,
  LogCorruptError,
  LogOpenError,
  openLevelLog,
  repairLevelLog,
  type Sighting,
} from "../../src/index";
import { crc32c, verifyWriteAheadLog } from "../../src/log/level-files";
import { mountTmpfs } from "../helpers/tmpfs";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "bluezone-faults-"));
  dirs.push(dir);
  return dir;
}
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Sighting number `n`: its identifier spells n, so a stored sighting names the write it came from. */
function sighting(n: number): Sighting {
  const identifier = new Uint8Array(16);
  new DataView(identifier.buffer).setUint32(0, n);
  identifier.fill(0xa5, 4);
  return {
    time: 1_600_000_000_000 + n * 1000,
    identifier,
    aem: new Uint8Array([1, 2, 3, 4]),
    meanRssi: -60 - (n % 30),
    maxRssi: -55,
    packets: 4,
    secondsSinceLastScan: 300,
  };
}
const batchOf = (first: number, count: number) =>
  Array.from({ length: count }, (_, i) => sighting(first + i));
const numbers = (ss: readonly Sighting[]) =>
  ss.map((s) => new DataView(s.identifier.buffer, s.identifier.byteOffset).getUint32(0));
const everything = (log: ContactLog) => log.range(0, Number.MAX_SAFE_INTEGER);

/** A directory's files with a hash of each, to show nothing was changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    out[name] = createHash("sha256")
      .update(readFileSync(join(dir, name)))
      .digest("hex");
  }
  return out;
}
const walFile = (dir: string) => readdirSync(dir).find((n) => /^\d+\.log$/.test(n))!;

describe("disk full (a real 1 MB tmpfs)", () => {
  it("refuses writes after ENOSPC until reopened, then keeps every acknowledged record across a reopen", async () => {
    const fs = mountTmpfs("1m");
    cleanups.push(fs.unmount);
    // A filler leaves ~300 KB for the log; removing it later is "space returns".
    const filler = join(fs.dir, "filler");
    writeFileSync(filler, Buffer.alloc(700 * 1024));
    const location = join(fs.dir, "db");
    const log = await openLevelLog(location);
    const acked: number[] = [];
    let n = 0;
    let failure: unknown;
    while (failure === undefined && n < 100_000) {
      const batch = batchOf(n, 50);
      n += 50;
      try {
        await log.record(batch);
        acked.push(...numbers(batch));
      } catch (err) {
        failure = err;
      }
    }
    expect(acked.length).toBeGreaterThan(1000);
    expect(failure).toMatchObject({ code: "ERR_LOG_STORE" });
    expect((failure as Error).message).toContain(location);
    expect((failure as Error).message).toMatch(/No space left on device/);

    // Still full: the handle tries to reopen (LevelDB must write a new manifest) and refuses.
    const refused = await log.record(batchOf(n, 50)).catch((e: unknown) => e);
    n += 50;
    expect(refused).toMatchObject({ code: "ERR_LOG_FAILED", path: location });
    expect((refused as Error).message).toMatch(/No space left on device/);
    await expect(log.range(0, 1)).rejects.toMatchObject({ code: "ERR_LOG_FAILED" });

    // Space returns: the next write reopens the log and succeeds; so do later ones.
    unlinkSync(filler);
    for (let i = 0; i < 5; i++) {
      const batch = batchOf(n, 50);
      n += 50;
      await log.record(batch);
      acked.push(...numbers(batch));
    }
    expect(numbers(await everything(log))).toEqual(acked);
    await log.close();

    // Before the fix these later writes were readable here and gone after this reopen.
    const again = await openLevelLog(location);
    expect(numbers(await everything(again))).toEqual(acked);
    await again.record(batchOf(n, 1)); // numbering continues after the reopen
    expect(numbers(await everything(again))).toEqual([...acked, n]);
    await again.close();
  });
});

describe("a database that lost its CURRENT file", () => {
  async function damagedDb(): Promise<{ location: string; written: number[] }> {
    const location = join(tempDir(), "db");
    const log = await openLevelLog(location);
    const written: number[] = [];
    for (let i = 0; i < 60; i++) {
      const batch = batchOf(i * 1000, 1000);
      await log.record(batch);
      written.push(...numbers(batch));
    }
    await log.close();
    unlinkSync(join(location, "CURRENT"));
    return { location, written };
  }

  it("is never created over: a typed error names the path and the repair; then repair recovers all 60,000", async () => {
    const { location, written } = await damagedDb();
    const files = readdirSync(location);
    expect(files.some((f) => f.endsWith(".ldb"))).toBe(true); // 60,000 sightings overflow into tables
    const before = snapshot(location);
    for (const createIfMissing of [true, false]) {
      const err = await openLevelLog(location, { createIfMissing }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LogCorruptError);
      expect(err).toMatchObject({ code: "ERR_LOG_CORRUPT", path: location });
      expect((err as Error).message).toContain(`"${location}"`);
      expect((err as Error).message).toMatch(/CURRENT file is missing/);
      expect((err as Error).message).toContain(`repairLevelLog("${location}")`);
    }
    expect(snapshot(location)).toEqual(before);

    expect(await repairLevelLog(location)).toEqual({ walDamage: [] });
    const log = await openLevelLog(location);
    expect(numbers(await everything(log))).toEqual(written);
    await log.record([sighting(999_999)]);
    expect((await log.stats()).sightings).toBe(60_001);
    await log.close();
  });

  it("a manifest emptied, or missing where CURRENT points, is ERR_LOG_CORRUPT with LevelDB's reason; repair recovers all", async () => {
    for (const damage of ["empty", "missing"] as const) {
      const { location, written } = await damagedDb();
      // Put CURRENT back (damagedDb removed it), pointing at the manifest, then damage the manifest.
      const manifest = readdirSync(location).find((f) => f.startsWith("MANIFEST-"))!;
      writeFileSync(join(location, "CURRENT"), `${manifest}\n`);
      if (damage === "empty") writeFileSync(join(location, manifest), "");
      else unlinkSync(join(location, manifest));
      const data = (dir: string) =>
        Object.fromEntries(Object.entries(snapshot(dir)).filter(([name]) => !name.startsWith("LOG")));
      const before = data(location);
      const err = await openLevelLog(location).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LogCorruptError);
      expect(err).toMatchObject({ code: "ERR_LOG_CORRUPT", path: location });
      expect((err as LogCorruptError).damage).toMatch(
        damage === "empty" ? /^LevelDB: Corruption: / : /^LevelDB: IO error: .*MANIFEST-\d+/,
      );
      expect((err as Error).message).toContain(`repairLevelLog("${location}")`);
      // Nothing but LevelDB's own info log (LOG) changed.
      expect(data(location)).toEqual(before);
      await repairLevelLog(location);
      const log = await openLevelLog(location);
      expect(numbers(await everything(log))).toEqual(written);
      await log.close();
    }
  });

  it("repairLevelLog refuses a path with nothing there", async () => {
    const missing = join(tempDir(), "nothing");
    await expect(repairLevelLog(missing)).rejects.toMatchObject({ code: "ERR_LOG_OPEN", path: missing });
  });
});

describe("a damaged or truncated write-ahead log", () => {
  /** A log of 200 batches of 20 in one .log file, with each batch's end offset in that file. */
  async function logWithBatches(): Promise<{ location: string; file: string; ends: number[] }> {
    const location = join(tempDir(), "db");
    const log = await openLevelLog(location);
    const ends: number[] = [];
    for (let b = 0; b < 200; b++) {
      await log.record(batchOf(b * 20, 20));
      ends.push(statSync(join(location, walFile(location))).size); // each write reaches the file
    }
    await log.close();
    return { location, file: walFile(location), ends };
  }
  /** Batch numbers whose sightings are in `ss` (each batch all or nothing). */
  const batchesIn = (ss: readonly Sighting[]) => {
    const count = new Map<number, number>();
    for (const n of numbers(ss)) count.set(Math.floor(n / 20), (count.get(Math.floor(n / 20)) ?? 0) + 1);
    for (const c of count.values()) expect(c).toBe(20);
    return [...count.keys()];
  };

  it("a flipped bit is reported with file, offset and cause, nothing changed; repair keeps the rest", async () => {
    const { location, file, ends } = await logWithBatches();
    const wal = join(location, file);
    const bytes = readFileSync(wal);
    const flipped = Math.floor(ends[99]! + (ends[100]! - ends[99]!) / 2); // inside batch 100
    bytes[flipped]! ^= 0x10;
    writeFileSync(wal, bytes);
    const before = snapshot(location);

    const err = await openLevelLog(location).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogCorruptError);
    const damage = (err as LogCorruptError).damage;
    expect(damage).toContain(`write-ahead log ${file} at byte `);
    expect(damage).toContain("checksum mismatch");
    const offset = Number(/at byte (\d+)/.exec(damage)![1]);
    expect(offset).toBeGreaterThanOrEqual(ends[99]!); // the record of batch 100 (it may span blocks)
    expect(offset).toBeLessThanOrEqual(flipped);
    expect((err as Error).message).toContain(`repairLevelLog("${location}")`);
    expect(snapshot(location)).toEqual(before);

    const report = await repairLevelLog(location);
    expect(report.walDamage[0]).toEqual({ file, offset, reason: "checksum mismatch" });
    // The damaged log is kept as it was.
    expect(readFileSync(join(location, "lost", `${file}.damaged`))).toEqual(bytes);
    const log = await openLevelLog(location);
    const kept = batchesIn(await everything(log));
    // Batches before the damaged one are whole, none holds the flipped byte: batch 100 is gone with
    // the rest of its 32 KiB block (as LevelDB's recovery drops it); every batch starting in a later
    // block is kept. (LevelDB's RepairDB alone reads logs without checksums and kept batch 100.)
    const nextBlock = (Math.floor(offset / 32768) + 1) * 32768;
    const expected = ends
      .map((end, b) => ({ b, end, start: b === 0 ? 0 : ends[b - 1]! }))
      .filter(({ end, start }) => end <= offset || start >= nextBlock)
      .map(({ b }) => b);
    expect(kept).toEqual(expected);
    expect(expected.length).toBeGreaterThan(150);
    await log.close();
  });

  it("a log cut inside a record opens without error, the records after the cut gone (not detectable)", async () => {
    const { location, file, ends } = await logWithBatches();
    truncateSync(join(location, file), ends[149]! + 100); // 100 bytes into batch 150's record
    const log = await openLevelLog(location);
    expect(batchesIn(await everything(log))).toEqual(Array.from({ length: 150 }, (_, b) => b));
    await log.close();
  });
});

describe("open errors carry the store's reason", () => {
  it("LogOpenError says why, not just 'Database failed to open'", async () => {
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "x");
    const err = await openLevelLog(join(file, "db")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogOpenError);
    expect((err as Error).message).not.toContain("Database failed to open");
    expect((err as Error).message).toMatch(/ENOTDIR|not a directory/i);
  });

  it("createIfMissing: false on a missing directory neither opens nor creates it", async () => {
    const missing = join(tempDir(), "missing");
    const err = await openLevelLog(missing, { createIfMissing: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_LOG_OPEN", path: missing });
    expect((err as Error).message).toMatch(/no such directory/);
    expect(() => statSync(missing)).toThrow(/ENOENT/);
  });
});

describe("write-ahead log verifier", () => {
  it("CRC-32C matches the published check value and RFC 3720 B.4 vectors", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });

  it("accepts a hand-built record and rejects each damage LevelDB's reader names", () => {
    // One FULL record "abc": header = masked crc32c(type ‖ payload), length 3, type 1.
    const payload = [0x61, 0x62, 0x63];
    const crc = crc32c(new Uint8Array([1, ...payload]));
    const rot = ((crc >>> 15) | (crc << 17)) >>> 0;
    const masked = (rot + 0xa282ead8) >>> 0;
    const rec = (type: number, crcValue = masked) => {
      const b = new Uint8Array(10);
      new DataView(b.buffer).setUint32(0, crcValue, true);
      new DataView(b.buffer).setUint16(4, 3, true);
      b[6] = type;
      b.set(payload, 7);
      return b;
    };
    expect(verifyWriteAheadLog(rec(1))).toBeUndefined();
    expect(verifyWriteAheadLog(rec(1, masked ^ 1))).toEqual({ offset: 0, reason: "checksum mismatch" });
    expect(verifyWriteAheadLog(rec(1).subarray(0, 9))).toBeUndefined(); // incomplete tail = crash
    const twice = new Uint8Array(20);
    twice.set(rec(1), 0);
    twice.set(rec(1), 10);
    expect(verifyWriteAheadLog(twice)).toBeUndefined();
  });
});

describe("one open handle per location in this process", () => {
  it("refuses a second open under any spelling of the path, and a repair under an open handle", async () => {
    const dir = tempDir();
    const path = join(dir, "contacts");
    const log = await openLevelLog(path);
    await log.record(batchOf(0, 100));
    symlinkSync(path, join(dir, "link"));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      // Each spelling names the same directory: each would have written over the other's records.
      for (const spelling of [
        path,
        `${path}/`,
        `${dir}/./contacts`,
        "contacts",
        "./contacts",
        join(dir, "link"),
      ])
        await expect(openLevelLog(spelling), spelling).rejects.toMatchObject({ code: "ERR_LOG_LOCKED" });
      // A repair would move the live write-ahead log aside; the handle's later writes would be lost.
      await expect(repairLevelLog("./contacts/")).rejects.toMatchObject({ code: "ERR_LOG_LOCKED" });
    } finally {
      process.chdir(cwd);
    }
    await log.record(batchOf(100, 100));
    await log.close();
    // Closed, it opens under another spelling with every acknowledged record.
    const again = await openLevelLog(`${path}/`);
    expect(numbers(await everything(again)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, i) => i),
    );
    await again.close();
  });

  it("refuses an empty location and a purge batch that is not an integer ≥ 1, before opening", async () => {
    await expect(openLevelLog("")).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
    await expect(repairLevelLog("")).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
    const path = join(tempDir(), "never");
    for (const purgeBatchSize of [0, -1, 2.5, Number.NaN])
      await expect(openLevelLog(path, { purgeBatchSize }), String(purgeBatchSize)).rejects.toMatchObject({
        code: "ERR_INVALID_ARGUMENT",
      });
    expect(existsSync(path)).toBe(false);
  });
});
