/**
 * The LevelDB contact log (on `level`, i.e. classic-level under Node). Binary keys and values in
 * sublevels; every write is one atomic batch; retention deletes in batches through iterators.
 *
 * Sublevels: `k` own keys (rollingStartIntervalNumber → key), `s` sightings (time ‖ seq → value),
 * `i` identifier index (length ‖ identifier ‖ time ‖ seq → empty), `r` results (time ‖ id → JSON),
 * `n` result ids (id → time, so storing an id again replaces it), `t` caller state, `m` the log's own
 * metadata (the sequence counter, written in the same batch as the sightings it numbers).
 */
import { Level } from "level";
import { BluezoneError, InvalidArgumentError } from "../errors";
import type { TemporaryExposureKey } from "../protocol/gaen";
import { LogClosedError, LogLockedError, LogOpenError, LogStoreError } from "./errors";
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

/** Options of {@link openLevelLog}. */
export interface LevelLogOptions {
  /** Pass `{ sync: true }` on every write, so a resolved write survives an OS crash (default false). */
  sync?: boolean;
  /** Sightings (or results) deleted per atomic batch by `purge` (default 1000). */
  purgeBatchSize?: number;
  /** Create the database if it does not exist (default true). */
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
  private readonly prefixes = new Map<Sub, Buffer>();

  constructor(
    private readonly db: Db,
    private readonly path: string,
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
  static async open(db: Db, path: string, options: LevelLogOptions): Promise<LevelLog> {
    const log = new LevelLog(db, path, 0, options);
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

  /** A read: {@link run} unless closed. */
  private async io<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new LogClosedError(this.kind);
    return this.run(what, fn);
  }

  /**
   * A write: unless closed at the time of the call, {@link run} after every earlier write has
   * finished (`close` waits for writes accepted before it).
   */
  private write<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new LogClosedError(this.kind));
    const done = this.queue.then(() => this.run(what, fn));
    this.queue = done.catch(() => undefined);
    return done;
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
    await this.db.close();
  }
}

/**
 * Opens (creating if needed) the LevelDB contact log at `path`.
 * @throws LogLockedError when the location is already open (in this or another process)
 * @throws LogOpenError on any other failure (corruption, permissions), with the store's error as cause
 */
export async function openLevelLog(path: string, options: LevelLogOptions = {}): Promise<ContactLog> {
  const db: Db = new Level<Buffer, Buffer>(path, {
    ...BINARY,
    createIfMissing: options.createIfMissing ?? true,
  });
  try {
    await db.open();
  } catch (err) {
    throw isLockError(err)
      ? new LogLockedError(path, { cause: err })
      : new LogOpenError(path, { cause: err });
  }
  try {
    return await LevelLog.open(db, path, options);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw new LogOpenError(path, { cause: err });
  }
}
