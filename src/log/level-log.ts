/**
 * The LevelDB contact log (on `level`, i.e. classic-level under Node). Binary keys and values in
 * sublevels; every write is one atomic batch; retention deletes in batches through iterators.
 *
 * Sublevels: `k` own keys (rollingStartIntervalNumber → key), `s` sightings (time ‖ seq → value),
 * `i` identifier index (length ‖ identifier ‖ time ‖ seq → empty), `r` results (time ‖ id → JSON),
 * `n` result ids (id → time, so storing an id again replaces it), `t` caller state, `m` the log's own
 * metadata (the sequence counter, written in the same batch as the sightings it numbers).
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { Level } from "level";
import { BluezoneError, InvalidArgumentError } from "../errors";
import { checkOptionNames, type OptionNames } from "../options";
import type { TemporaryExposureKey } from "../protocol/gaen";
import {
  LogClosedError,
  LogCorruptError,
  LogFailedError,
  LogLockedError,
  LogOpenError,
  LogStoreError,
} from "./errors";
import { findWalDamage, inspectLevelDirectory, WAL_FILE, zeroDamagedBlocks } from "./level-files";
import {
  decodeOwnKey,
  decodeResultKey,
  decodeSeq,
  decodeSighting,
  encodeOwnKey,
  encodeSeq,
  encodeSighting,
  identifierPrefix,
  indexKey,
  MAX_SEQ,
  ownKeyKey,
  readTime,
  resultKey,
  sightingIdentifier,
  sightingKey,
  encodeTime,
  timeBound,
} from "./level-codec";
import { ownKeyExpired } from "./retention";
import type { ContactLog, LogStats, Sighting, StoredResult } from "./types";
import {
  resultToJson,
  validateOwnKeys,
  validateSightings,
  validateStateName,
  validateStateValue,
  validateTimeBound,
} from "./validate";

/**
 * Options of {@link openLevelLog}.
 * @public
 */
export interface LevelLogOptions {
  /**
   * Pass `{ sync: true }` on every write: LevelDB calls `fdatasync` on its write-ahead log before the
   * write's promise resolves, so a resolved write survives an OS crash or power loss as far as the
   * file system and disk honour `fdatasync` (default false: a resolved write is in the OS page cache
   * and survives the process being killed, not the machine going down).
   */
  sync?: boolean;
  /** Sightings (or results) deleted per atomic batch by `purge` (default 1000). */
  purgeBatchSize?: number;
  /**
   * Create the database if there is none at the path (default true). Never creates over a damaged
   * database: a directory with LevelDB files but no `CURRENT` is refused with `LogCorruptError`.
   */
  createIfMissing?: boolean;
  /**
   * After a purge that removed something, compact the purged key ranges so the deleted records leave
   * the files on disk (LevelDB deletes are tombstones: without compaction, purged identifiers can stay
   * readable in old table and log files for a long time). Default true.
   */
  compactAfterPurge?: boolean;
}

type Db = Level<Buffer, Buffer>;
const BINARY = { keyEncoding: "buffer", valueEncoding: "buffer" } as const;
/** A binary sublevel of the log's database. */
const binarySublevel = (db: Db, name: string) => db.sublevel<Buffer, Buffer>(name, BINARY);
type Sub = ReturnType<typeof binarySublevel>;
type Op =
  | { type: "put"; sublevel: Sub; key: Buffer; value: Buffer }
  | { type: "del"; sublevel: Sub; key: Buffer };

const SEQ_NAME = Buffer.from("seq");
const EMPTY = Buffer.alloc(0);

/** True when `err` (or its cause) is level's "another handle holds the lock" error. */
function isLockError(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code === "LEVEL_LOCKED" || e?.cause?.code === "LEVEL_LOCKED";
}

/**
 * LevelDB's own reason when an open failed because the database is damaged: a `Corruption:` status
 * (a manifest without its entries, a bad record) or a missing manifest that `CURRENT` names — what
 * `repairLevelLog` (RepairDB) rebuilds. Undefined for any other failure.
 */
function corruptionReason(err: unknown): string | undefined {
  for (let e = err as { message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    const m = typeof e.message === "string" ? e.message : "";
    if (/Corruption:/.test(m) || (/MANIFEST-\d+/.test(m) && /No such file/i.test(m)))
      return `LevelDB: ${m.replace(/^.*?(Corruption:|IO error:)/, "$1")}`;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** Index keys read per step when scanning the whole identifier index, and per identifier in a find. */
const SCAN_CHUNK = 4096;
const FIND_CHUNK = 16;

/** True when `key` starts with `prefix`. */
function hasPrefix(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

class LevelLog implements ContactLog {
  readonly kind = "level";
  private readonly keys: Sub;
  private readonly sightings: Sub;
  private readonly index: Sub;
  private readonly resultsByTime: Sub;
  private readonly resultIds: Sub;
  private readonly state: Sub;
  private readonly meta: Sub;
  private readonly writeOptions: { sync: boolean };
  private readonly purgeBatchSize: number;
  private readonly compactAfterPurge: boolean;
  /** Writes run one after another (putResult reads before it writes; purge spans several batches). */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /**
   * Set when a write failed in the store (disk full, I/O error): LevelDB may have left an incomplete
   * record in its write-ahead log, and records appended after it would be dropped by the next
   * recovery. Cleared by a successful {@link reopen}, which the next write attempts first.
   */
  private failed = false;
  /** The database is closed by a reopen that failed: reads are refused too. */
  private down = false;
  /** Why the last reopen failed. */
  private downCause: unknown;
  /** A reopen in progress: reads wait for it. */
  private reopening: Promise<void> | undefined;
  /** Reads in progress: a reopen waits for them before closing the database. */
  private readonly reads = new Set<Promise<unknown>>();
  private readonly prefixes = new Map<Sub, Buffer>();

  constructor(
    private readonly db: Db,
    private readonly path: string,
    /** The canonical location (see {@link canonicalLocation}) this handle holds open. */
    private readonly location: string,
    private nextSeq: number,
    options: LevelLogOptions,
  ) {
    const sub = (name: string) => binarySublevel(db, name);
    this.keys = sub("k");
    this.sightings = sub("s");
    this.index = sub("i");
    this.resultsByTime = sub("r");
    this.resultIds = sub("n");
    this.state = sub("t");
    this.meta = sub("m");
    this.writeOptions = { sync: options.sync ?? false };
    this.purgeBatchSize = options.purgeBatchSize ?? 1000;
    this.compactAfterPurge = options.compactAfterPurge ?? true;
  }

  /** Opens the sublevels and reads the persisted sequence counter. */
  static async open(db: Db, path: string, location: string, options: LevelLogOptions): Promise<LevelLog> {
    const log = new LevelLog(db, path, location, 0, options);
    const seq = await log.meta.get(SEQ_NAME);
    log.nextSeq = seq === undefined ? 0 : decodeSeq(seq);
    return log;
  }

  /** Runs `fn`, turning store failures into {@link LogStoreError}. */
  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof BluezoneError) throw err;
      throw new LogStoreError(`${what} on the contact log at "${this.path}"`, { cause: err });
    }
  }

  /** A read: {@link run} unless closed (after a reopen in progress; refused while the log is down). */
  private async io<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new LogClosedError(this.kind);
    while (this.reopening) await this.reopening;
    if (this.down) throw new LogFailedError(this.path, { cause: this.downCause });
    const p = this.run(what, fn);
    this.reads.add(p);
    try {
      return await p;
    } finally {
      this.reads.delete(p);
    }
  }

  /**
   * A write: unless closed at the time of the call, {@link run} after every earlier write has
   * finished (`close` waits for writes accepted before it). After a failed write the log is
   * reopened first; if that fails the write is refused with {@link LogFailedError}.
   */
  private write<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new LogClosedError(this.kind));
    const done = this.queue.then(async () => {
      if (this.failed) await this.reopen();
      try {
        return await this.run(what, fn);
      } catch (err) {
        // A store error (not a refusal of ours) may have left a partial record in the log.
        if (err instanceof LogStoreError && err.cause !== undefined) this.failed = true;
        throw err;
      }
    });
    this.queue = done.catch(() => undefined);
    return done;
  }

  /**
   * Closes and reopens the database after a failed write: LevelDB's recovery reads the write-ahead
   * log up to the failed write's incomplete record (its end) and starts a new log file, so later
   * writes cannot land behind the damage. Waits for reads in progress; new reads wait for it.
   * @throws LogFailedError when the reopen fails (e.g. the disk is still full); the next write retries
   */
  private async reopen(): Promise<void> {
    let release!: () => void;
    this.reopening = new Promise<void>((r) => {
      release = r;
    });
    try {
      await Promise.allSettled([...this.reads]);
      await this.db.close();
      checkBeforeOpen(this.path, false);
      await this.db.open({ createIfMissing: false });
      // Sublevels close with their parent and do not reopen with it.
      await Promise.all(
        [
          this.keys,
          this.sightings,
          this.index,
          this.resultsByTime,
          this.resultIds,
          this.state,
          this.meta,
        ].map((sub) => sub.open()),
      );
      const seq = await this.meta.get(SEQ_NAME);
      this.nextSeq = seq === undefined ? 0 : decodeSeq(seq);
      this.failed = false;
      this.down = false;
    } catch (err) {
      this.down = this.db.status !== "open";
      this.downCause = err;
      throw new LogFailedError(this.path, { cause: err });
    } finally {
      this.reopening = undefined;
      release();
    }
  }

  /**
   * Writes `ops` as one atomic batch. Keys are prefixed here and written through a chained batch on
   * the root database: the same bytes the sublevels would write, at about half the cost of
   * `db.batch([...])` with `sublevel` operations (which copies and re-encodes every operation).
   */
  private async batch(ops: Op[]): Promise<void> {
    const b = this.db.batch();
    for (const op of ops) {
      const key = Buffer.concat([this.prefix(op.sublevel), op.key]);
      if (op.type === "put") b.put(key, op.value);
      else b.del(key);
    }
    await b.write(this.writeOptions);
  }

  /** The key prefix of one of this log's sublevels, as bytes. */
  private prefix(sub: Sub): Buffer {
    let p = this.prefixes.get(sub);
    if (p === undefined) {
      p = Buffer.from(sub.prefix, "utf8");
      this.prefixes.set(sub, p);
    }
    return p;
  }

  async record(batch: readonly Sighting[]): Promise<void> {
    validateSightings(batch);
    if (batch.length === 0) return this.io("record", async () => undefined);
    return this.write("record", async () => {
      const first = this.nextSeq;
      const next = first + batch.length;
      if (next > MAX_SEQ) throw new LogStoreError(`record: sequence numbers exhausted at "${this.path}"`);
      const ops: Op[] = [];
      batch.forEach((s, i) => {
        const key = sightingKey(s.time, first + i);
        ops.push({ type: "put", sublevel: this.sightings, key, value: encodeSighting(s) });
        ops.push({ type: "put", sublevel: this.index, key: indexKey(s.identifier, key), value: EMPTY });
      });
      ops.push({ type: "put", sublevel: this.meta, key: SEQ_NAME, value: encodeSeq(next) });
      await this.batch(ops);
      this.nextSeq = next;
    });
  }

  async range(from: number, to: number): Promise<Sighting[]> {
    validateTimeBound(from, "range start");
    validateTimeBound(to, "range end");
    return this.io("range", async () => {
      if (!(from < to)) return [];
      const entries = await this.sightings.iterator({ gte: timeBound(from), lt: timeBound(to) }).all();
      return entries.map(([k, v]) => decodeSighting(k, v));
    });
  }

  async findByIdentifiers(identifiers: Iterable<Uint8Array>): Promise<Sighting[]> {
    const wanted = new Map<string, Buffer>();
    for (const id of identifiers) {
      if (!(id instanceof Uint8Array)) throw new InvalidArgumentError("identifiers must be Uint8Arrays");
      const prefix = identifierPrefix(id);
      wanted.set(prefix.toString("latin1"), prefix);
    }
    return this.io("findByIdentifiers", async () => {
      // One iterator over the identifier index, moved forward through the wanted identifiers in
      // index order (length ‖ identifier): a seek and one chunked read per identifier, instead of
      // one iterator per identifier.
      const prefixes = [...wanted.values()].sort(Buffer.compare);
      const keys: Buffer[] = [];
      if (prefixes.length > 0) {
        const it = this.index.keys();
        try {
          for (const prefix of prefixes) {
            it.seek(prefix);
            let more = true;
            while (more) {
              const chunk = await it.nextv(FIND_CHUNK);
              more = chunk.length === FIND_CHUNK;
              for (const k of chunk) {
                if (!hasPrefix(k, prefix)) {
                  more = false;
                  break;
                }
                keys.push(asBuffer(k.subarray(prefix.length)));
              }
            }
          }
        } finally {
          await it.close();
        }
      }
      keys.sort(Buffer.compare);
      const values = await this.sightings.getMany(keys);
      const out: Sighting[] = [];
      values.forEach((v, i) => {
        if (v !== undefined) out.push(decodeSighting(keys[i]!, v));
      });
      return out;
    });
  }

  async distinctIdentifiers(): Promise<Uint8Array[]> {
    return this.io("distinctIdentifiers", async () => {
      // One ordered pass over the identifier index in chunks: an identifier's entries are adjacent
      // (keys sort by length ‖ identifier ‖ time ‖ seq), so each new prefix is a new identifier. The
      // pass reads the root database within the sublevel's prefix, which skips the sublevel's
      // per-key decoding (about half the cost of the pass).
      const p = this.prefix(this.index);
      const out: Uint8Array[] = [];
      const it = this.db.keys({
        gt: p,
        lt: Buffer.concat([p.subarray(0, -1), Buffer.from([p.at(-1)! + 1])]),
      });
      let last: Uint8Array = EMPTY;
      const skip = p.length;
      try {
        for (let chunk = await it.nextv(SCAN_CHUNK); chunk.length > 0; chunk = await it.nextv(SCAN_CHUNK)) {
          for (const key of chunk) {
            const k = key.subarray(skip);
            if (last.length > 0 && hasPrefix(k, last)) continue;
            last = k.subarray(0, 1 + k[0]!);
            out.push(new Uint8Array(last.subarray(1)));
          }
        }
      } finally {
        await it.close();
      }
      return out;
    });
  }

  async purge(before: number): Promise<number> {
    validateTimeBound(before, "purge cutoff");
    return this.write("purge", async () => {
      const bound = timeBound(before);
      let removed = 0;
      let touched = false;
      for (;;) {
        const entries = await this.sightings.iterator({ lt: bound, limit: this.purgeBatchSize }).all();
        if (entries.length === 0) break;
        const ops: Op[] = [];
        for (const [k, v] of entries) {
          ops.push({ type: "del", sublevel: this.sightings, key: k });
          ops.push({ type: "del", sublevel: this.index, key: indexKey(sightingIdentifier(v), k) });
        }
        await this.batch(ops);
        removed += entries.length;
      }
      const keyOps: Op[] = [];
      for (const [k, v] of await this.keys.iterator().all()) {
        if (ownKeyExpired(decodeOwnKey(k, v), before))
          keyOps.push({ type: "del", sublevel: this.keys, key: k });
      }
      if (keyOps.length > 0) await this.batch(keyOps);
      touched ||= removed > 0 || keyOps.length > 0;
      for (;;) {
        const keys = await this.resultsByTime.keys({ lt: bound, limit: this.purgeBatchSize }).all();
        if (keys.length === 0) break;
        const ops: Op[] = [];
        for (const k of keys) {
          ops.push({ type: "del", sublevel: this.resultsByTime, key: k });
          ops.push({
            type: "del",
            sublevel: this.resultIds,
            key: Buffer.from(decodeResultKey(k).id, "utf8"),
          });
        }
        await this.batch(ops);
        touched = true;
      }
      if (touched && this.compactAfterPurge) await this.compactPurged(bound);
      return removed;
    });
  }

  /**
   * Compacts what a purge deleted from: sightings and results up to the cutoff, and the whole index,
   * own-key and result-id sublevels (their keys do not sort by time). classic-level (Node) has
   * `compactRange`; other `level` backends (browser) have no files to scrub.
   */
  private async compactPurged(bound: Buffer): Promise<void> {
    const db = this.db as unknown as { compactRange?: (start: Buffer, end: Buffer) => Promise<void> };
    if (typeof db.compactRange !== "function") return;
    const whole = (sub: Sub) => {
      const p = this.prefix(sub);
      return [p, Buffer.concat([p, Buffer.from([0xff])])] as const;
    };
    const upTo = (sub: Sub) => [this.prefix(sub), Buffer.concat([this.prefix(sub), bound])] as const;
    for (const [start, end] of [
      upTo(this.sightings),
      whole(this.index),
      whole(this.keys),
      upTo(this.resultsByTime),
      whole(this.resultIds),
    ]) {
      await db.compactRange.call(this.db, start, end);
    }
  }

  async putOwnKeys(keys: readonly TemporaryExposureKey[]): Promise<void> {
    validateOwnKeys(keys);
    return this.write("putOwnKeys", async () => {
      if (keys.length === 0) return;
      await this.batch(
        keys.map((k) => ({
          type: "put",
          sublevel: this.keys,
          key: ownKeyKey(k.rollingStartIntervalNumber),
          value: encodeOwnKey(k),
        })),
      );
    });
  }

  async ownKeys(): Promise<TemporaryExposureKey[]> {
    return this.io("ownKeys", async () =>
      (await this.keys.iterator().all()).map(([k, v]) => decodeOwnKey(k, v)),
    );
  }

  async putResult(result: StoredResult): Promise<void> {
    const json = resultToJson(result);
    return this.write("putResult", async () => {
      const idKey = Buffer.from(result.id, "utf8");
      const ops: Op[] = [];
      const old = await this.resultIds.get(idKey);
      if (old !== undefined)
        ops.push({ type: "del", sublevel: this.resultsByTime, key: resultKey(readTime(old, 0), result.id) });
      ops.push({
        type: "put",
        sublevel: this.resultsByTime,
        key: resultKey(result.time, result.id),
        value: Buffer.from(json, "utf8"),
      });
      ops.push({ type: "put", sublevel: this.resultIds, key: idKey, value: encodeTime(result.time) });
      await this.batch(ops);
    });
  }

  async results(): Promise<StoredResult[]> {
    return this.io("results", async () =>
      (await this.resultsByTime.iterator().all()).map(([k, v]) => ({
        ...decodeResultKey(k),
        value: JSON.parse(v.toString("utf8")) as unknown,
      })),
    );
  }

  async putState(name: string, value: Uint8Array | undefined): Promise<void> {
    validateStateName(name);
    validateStateValue(value);
    return this.write("putState", async () => {
      const key = Buffer.from(name, "utf8");
      await this.batch([
        value === undefined
          ? { type: "del", sublevel: this.state, key }
          : { type: "put", sublevel: this.state, key, value: Buffer.from(value) },
      ]);
    });
  }

  async getState(name: string): Promise<Uint8Array | undefined> {
    validateStateName(name);
    return this.io("getState", async () => {
      const v = await this.state.get(Buffer.from(name, "utf8"));
      return v === undefined ? undefined : new Uint8Array(v);
    });
  }

  async stats(): Promise<LogStats> {
    const identifiers = (await this.distinctIdentifiers()).length;
    return this.io("stats", async () => {
      let sightings = 0;
      const it = this.sightings.keys();
      try {
        for (let chunk = await it.nextv(1000); chunk.length > 0; chunk = await it.nextv(1000)) {
          sightings += chunk.length;
        }
      } finally {
        await it.close();
      }
      const [first] = await this.sightings.keys({ limit: 1 }).all();
      const [last] = await this.sightings.keys({ limit: 1, reverse: true }).all();
      const ownKeys = (await this.keys.keys().all()).length;
      const stats: LogStats = { sightings, identifiers, ownKeys };
      if (first && last) {
        stats.oldest = readTime(first, 0);
        stats.newest = readTime(last, 0);
      }
      return stats;
    });
  }

  async close(): Promise<void> {
    if (this.closed) throw new LogClosedError(this.kind);
    this.closed = true;
    await this.queue;
    await Promise.allSettled([...this.reads]);
    try {
      await this.db.close();
    } finally {
      openLocations.delete(this.location);
    }
  }
}

/**
 * Locations (canonical paths) at which this process holds a contact log open: a second open under
 * another spelling of the path, and a repair, are refused while one is.
 */
const openLocations = new Set<string>();

/**
 * One spelling per database directory: absolute, symbolic links resolved (for a directory not yet
 * made, its parent's real path and its name), so `dir`, `dir/`, `./dir` and a link to it are one
 * location — LevelDB's lock is per process, and classic-level tells a second open in the same process
 * by its location string.
 */
function canonicalLocation(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    try {
      return join(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

/** A location given as a non-empty string (an empty one would resolve to the working directory). */
function checkLocation(path: unknown): asserts path is string {
  if (typeof path !== "string" || path.trim() === "")
    throw new InvalidArgumentError(
      `a contact log's location must be a non-empty path, got ${JSON.stringify(path)}`,
    );
}

/** The names of {@link LevelLogOptions} (misspelt ones are refused). */
const LEVEL_LOG_OPTIONS = {
  sync: true,
  purgeBatchSize: true,
  createIfMissing: true,
  compactAfterPurge: true,
} as const satisfies OptionNames<LevelLogOptions>;

/**
 * Refuses to open a directory LevelDB would silently lose records in (see `level-files.ts`).
 * @throws LogCorruptError when `CURRENT` is missing beside data files, or a write-ahead log is damaged
 * @throws LogOpenError when nothing is there and `createIfMissing` is false
 */
function checkBeforeOpen(path: string, createIfMissing: boolean): void {
  const dir = inspectLevelDirectory(path);
  if (dir.kind === "missing" && !createIfMissing)
    throw new LogOpenError(path, {
      cause: new Error("no contact log there (no such directory), and createIfMissing is false"),
    });
  if (dir.kind !== "directory") return; // a file: LevelDB reports it
  // An existing directory without a database: LevelDB would leave its LOCK and LOG files in it and
  // say the directory "does not exist".
  if (!dir.hasCurrent && dir.dataFiles.length === 0 && !createIfMissing)
    throw new LogOpenError(path, {
      cause: new Error(
        "the directory holds no contact log (no LevelDB CURRENT file), and createIfMissing is false",
      ),
    });
  if (!dir.hasCurrent && dir.dataFiles.length > 0) {
    const shown = dir.dataFiles.slice(0, 3).join(", ") + (dir.dataFiles.length > 3 ? ", …" : "");
    throw new LogCorruptError(
      path,
      `its CURRENT file is missing but it holds ${dir.dataFiles.length} LevelDB file(s): ${shown}`,
    );
  }
  const damage = findWalDamage(path, dir.dataFiles);
  if (damage)
    throw new LogCorruptError(
      path,
      `write-ahead log ${damage.file} at byte ${damage.offset}: ${damage.reason}; LevelDB would drop ` +
        (damage.reason === "checksum mismatch" || damage.reason === "bad record length"
          ? "the rest of that 32 KiB block"
          : "that record") +
        " without an error",
    );
}

/**
 * Opens (creating if needed) the LevelDB contact log at `path`.
 *
 * Before LevelDB opens it, the directory is checked for the damage LevelDB would silently lose
 * records over: a missing `CURRENT` file beside data files, and damaged records in the write-ahead
 * logs (`*.log`, every record's CRC-32C verified). Not detectable: a log cut at a record boundary
 * or inside its last record (that is what a crash leaves; the records after the cut are gone), and
 * damage inside table files (`*.ldb`), whose block checksums classic-level does not verify on read.
 *
 * After a write fails in the store (disk full, I/O error) the handle reopens the database before
 * the next write, and refuses writes with `LogFailedError` while that fails.
 * @throws LogLockedError when the location is already open (in this or another process; in this one
 *   under any spelling of the path: `dir`, `dir/`, `./dir`, a symbolic link)
 * @throws InvalidArgumentError when `path` is empty, `purgeBatchSize` is not an integer ≥ 1, or an
 *   option's name is not one of {@link LevelLogOptions} (`unknown option "x"`, with the nearest name)
 * @throws LogCorruptError when the database is damaged as above, or LevelDB finds it damaged when
 *   opening (a manifest emptied or missing: a `Corruption:` status); none of its data files is changed (LevelDB's failed open rotates its info log, `LOG`)
 * @throws LogOpenError on any other failure (permissions, not a directory, a missing database with
 *   `createIfMissing: false`), its message carrying the store's own reason
 * @public
 */
export async function openLevelLog(path: string, options: LevelLogOptions = {}): Promise<ContactLog> {
  checkLocation(path);
  checkOptionNames(options, LEVEL_LOG_OPTIONS, "openLevelLog");
  const batch = options.purgeBatchSize;
  if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1))
    throw new InvalidArgumentError(`purgeBatchSize must be an integer ≥ 1, got ${String(batch)}`);
  const createIfMissing = options.createIfMissing ?? true;
  const location = canonicalLocation(path);
  // Before checkBeforeOpen: it reads the write-ahead logs, which an open handle may be writing.
  if (openLocations.has(location)) throw new LogLockedError(path);
  checkBeforeOpen(path, createIfMissing);
  const db: Db = new Level<Buffer, Buffer>(location, { ...BINARY, createIfMissing });
  try {
    await db.open();
  } catch (err) {
    if (isLockError(err)) throw new LogLockedError(path, { cause: err });
    const corrupt = corruptionReason(err);
    throw corrupt !== undefined
      ? new LogCorruptError(path, corrupt, { cause: err })
      : new LogOpenError(path, { cause: err });
  }
  try {
    const log = await LevelLog.open(db, path, location, options);
    openLocations.add(location);
    return log;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw new LogOpenError(path, { cause: err });
  }
}

/**
 * What {@link repairLevelLog} found in the write-ahead logs before LevelDB's repair ran.
 * @public
 */
export interface LogRepairReport {
  /**
   * Damaged records in write-ahead logs (file, byte offset, LevelDB's reason). Each file with a
   * damaged record is copied to `lost/<file>.damaged` before its damaged blocks are cut out.
   */
  walDamage: { file: string; offset: number; reason: string }[];
}

/**
 * Repairs a damaged LevelDB contact log in place, then LevelDB's `RepairDB` (classic-level's
 * `repair`) rebuilds `CURRENT` and the manifest from the table and log files, converts write-ahead
 * logs to tables and moves files it could not use to `<path>/lost/`.
 *
 * `RepairDB` reads write-ahead logs *without* checksums, so it would keep a damaged record's bytes
 * as sightings. First, therefore, each damaged record is zeroed from its header to the end of its
 * 32 KiB block (the original file kept as `lost/<file>.damaged`): the repair then drops exactly what
 * LevelDB's checking reader drops — the damaged record and the rest of its block — and keeps every
 * record before it and every record starting in a later block.
 *
 * Close every handle on the log first; copy the directory before repairing. A handle this process
 * holds open at the location (under any spelling of the path) is refused; one held by another process
 * is not detected.
 * @returns the write-ahead-log damage found (empty when only `CURRENT` or tables were at fault)
 * @throws LogLockedError when this process holds the log open
 * @throws InvalidArgumentError when `path` is empty
 * @throws LogOpenError when there is no directory at `path`
 * @throws LogStoreError when the repair fails, with LevelDB's reason
 * @public
 */
export async function repairLevelLog(path: string): Promise<LogRepairReport> {
  checkLocation(path);
  // Repairing under an open handle moves its live write-ahead log aside: its later writes are lost.
  if (openLocations.has(canonicalLocation(path))) throw new LogLockedError(path);
  const dir = inspectLevelDirectory(path);
  if (dir.kind !== "directory")
    throw new LogOpenError(path, { cause: new Error("no such directory: nothing to repair") });
  const repair = (Level as unknown as { repair?: (location: string) => Promise<void> }).repair;
  if (typeof repair !== "function")
    throw new LogStoreError(`repair of the contact log at "${path}"`, {
      cause: new Error("this level backend has no repair (classic-level, i.e. Node.js, has)"),
    });
  const walDamage: LogRepairReport["walDamage"] = [];
  try {
    for (const file of dir.dataFiles.filter((f) => WAL_FILE.test(f))) {
      const original = readFileSync(join(path, file));
      const { bytes, damages } = zeroDamagedBlocks(original);
      if (damages.length === 0) continue;
      for (const d of damages) walDamage.push({ file, ...d });
      mkdirSync(join(path, "lost"), { recursive: true });
      const kept = join(path, "lost", `${file}.damaged`);
      if (!existsSync(kept)) copyFileSync(join(path, file), kept);
      writeFileDurably(join(path, file), bytes);
    }
    await repair.call(Level, path);
  } catch (err) {
    throw new LogStoreError(`repair of the contact log at "${path}"`, { cause: err });
  }
  return { walDamage };
}

/** Replaces a file's contents atomically and durably (temporary file, fsync, rename, fsync dir). */
function writeFileDurably(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.repair-tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dirFd = openSync(dirname(file), "r");
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
