/**
 * The key server's LevelDB store. Sublevels: `codes` and `tokens` (by SHA-256 of the secret, never
 * the secret itself), `certs` (used certificate ids), `pending` (accepted keys by availability time,
 * so the publisher reads only what is due), `seen` (key bytes already accepted), `batches` (publish
 * runs) with `published` keys, and `meta`. Writes run one after another, and each request's writes are
 * one atomic batch: a bad or interrupted upload stores nothing.
 */
import { createHash } from "node:crypto";
import { Level } from "level";
import { LogLockedError } from "../../src/index";

/** A key as stored: hex key bytes plus the export fields. */
export interface StoredKey {
  /** Hex of the 16 key bytes. */
  keyData: string;
  /** ENIntervalNumber of the key's start. */
  rollingStartIntervalNumber: number;
  /** Intervals, 1…144. */
  rollingPeriod: number;
  /** Report type (1 confirmed, 4 recursive). */
  reportType: number;
  /** For recursive keys, the publisher's level. */
  transmissionRiskLevel?: number;
  /** Days from symptom onset to the key's day. */
  daysSinceOnsetOfSymptoms?: number;
  /** Unix ms the key becomes publishable (embargo). */
  availableAt: number;
}

/** A one-time verification code as stored. */
export interface CodeRecord {
  /** `confirmed` or `recursive`. */
  reportType: "confirmed" | "recursive";
  /** Contact level of the uploader (0 for a confirmed case, 1 for F1 …). */
  level: number;
  /** Symptom onset (YYYY-MM-DD), if known. */
  onsetDate?: string;
  /** Unix ms of issue and expiry. */
  createdAt: number;
  expiresAt: number;
  /** Unix ms the code was exchanged for a token. */
  usedAt?: number;
}

/** A verification token (what the code was exchanged for). */
export interface TokenRecord extends Omit<CodeRecord, "createdAt" | "usedAt"> {
  /** Unix ms the token was exchanged for a certificate. */
  usedAt?: number;
}

/** One file of a publish run. */
export interface BatchFileRecord {
  /** File name under the feed directory. */
  name: string;
  /** Keys in it. */
  keys: number;
}

/** A publish run. */
export interface BatchRecord {
  /** Run number, from 1. */
  batchNum: number;
  /** Unix ms of the run. */
  createdAt: number;
  /** Its files, in part order. */
  files: BatchFileRecord[];
}

/** SHA-256 hex of a secret (codes and tokens are stored only as hashes). */
export function secretHash(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

const pad = (n: number) => String(n).padStart(16, "0");

/**
 * Opens (creating) the store at `path`.
 * @throws LogLockedError (exit 2, naming the path) when another process (the server, or a publish run)
 *   holds it: LevelDB admits one process
 */
export async function openKeyStore(path: string) {
  const db = new Level<string, unknown>(path, { valueEncoding: "json" });
  try {
    await db.open();
  } catch (err) {
    const e = err as { code?: string; cause?: { code?: string } };
    if (e.code === "LEVEL_LOCKED" || e.cause?.code === "LEVEL_LOCKED")
      throw new LogLockedError(path, { cause: err });
    throw err;
  }
  const sub = <V>(name: string) => db.sublevel<string, V>(name, { valueEncoding: "json" });
  const codes = sub<CodeRecord>("codes");
  const tokens = sub<TokenRecord>("tokens");
  const certs = sub<{ usedAt: number }>("certs");
  const pending = sub<StoredKey>("pending");
  const seen = sub<number>("seen");
  const batches = sub<BatchRecord>("batches");
  const published = sub<StoredKey>("published");
  const meta = sub<unknown>("meta");
  let queue: Promise<unknown> = Promise.resolve();
  /** Runs `fn` after every write accepted before it (read-check-write sequences cannot interleave). */
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    exclusive,
    /** Stores a new code (by hash). */
    putCode: (hash: string, rec: CodeRecord) => codes.put(hash, rec),
    getCode: (hash: string): Promise<CodeRecord | undefined> => codes.get(hash),
    /** Marks the code used and stores its token, atomically. */
    exchangeCode: (codeHash: string, code: CodeRecord, tokenHash: string, token: TokenRecord) =>
      db.batch([
        { type: "put", sublevel: codes, key: codeHash, value: code },
        { type: "put", sublevel: tokens, key: tokenHash, value: token },
      ]),
    getToken: (hash: string): Promise<TokenRecord | undefined> => tokens.get(hash),
    putToken: (hash: string, rec: TokenRecord) => tokens.put(hash, rec),
    certUsed: async (jti: string) => (await certs.get(jti)) !== undefined,
    /** Which of these hex keys were accepted before. */
    async knownKeys(hexKeys: readonly string[]): Promise<Set<string>> {
      const values = await seen.getMany([...hexKeys]);
      return new Set(hexKeys.filter((_, i) => values[i] !== undefined));
    },
    /** Marks the certificate used and stores the keys, in one atomic batch. */
    acceptUpload: (jti: string, now: number, keys: readonly StoredKey[]) =>
      db.batch([
        { type: "put", sublevel: certs, key: jti, value: { usedAt: now } },
        ...keys.flatMap((k) => [
          { type: "put" as const, sublevel: pending, key: `${pad(k.availableAt)}/${k.keyData}`, value: k },
          { type: "put" as const, sublevel: seen, key: k.keyData, value: now },
        ]),
      ]),
    /** Pending keys available at `now`, with their store keys. */
    duePending: async (now: number) => pending.iterator({ lt: `${pad(now + 1)}` }).all(),
    /** Number of keys still under embargo (or not yet published). */
    pendingCount: async () => (await pending.keys().all()).length,
    /** Moves due keys into a publish run, atomically: the run, its keys, the next run number. */
    async commitBatch(batch: BatchRecord, pendingKeys: readonly string[], parts: readonly StoredKey[][]) {
      await db.batch([
        { type: "put", sublevel: batches, key: pad(batch.batchNum), value: batch },
        { type: "put", sublevel: meta, key: "nextBatchNum", value: batch.batchNum + 1 },
        ...pendingKeys.map((key) => ({ type: "del" as const, sublevel: pending, key })),
        ...parts.flatMap((keys, p) =>
          keys.map((k, i) => ({
            type: "put" as const,
            sublevel: published,
            key: `${pad(batch.batchNum)}/${pad(p)}/${pad(i)}`,
            value: k,
          })),
        ),
      ]);
    },
    nextBatchNum: async () => ((await meta.get("nextBatchNum")) as number | undefined) ?? 1,
    /** Every publish run, oldest first. */
    batches: async () => (await batches.values().all()) as BatchRecord[],
    /** The keys of one file of a run. */
    publishedKeys: async (batchNum: number, part: number) =>
      published.values({ gte: `${pad(batchNum)}/${pad(part)}/`, lt: `${pad(batchNum)}/${pad(part)}0` }).all(),
    /** Forgets a run older than retention, and its keys. */
    async dropBatch(batchNum: number) {
      const keys = await published.keys({ gte: `${pad(batchNum)}/`, lt: `${pad(batchNum)}0` }).all();
      await db.batch([
        { type: "del", sublevel: batches, key: pad(batchNum) },
        ...keys.map((key) => ({ type: "del" as const, sublevel: published, key })),
      ]);
    },
    /** A persistent random secret (created on first use). */
    async secret(name: string, make: () => string): Promise<string> {
      const existing = (await meta.get(name)) as string | undefined;
      if (existing) return existing;
      const value = make();
      await meta.put(name, value);
      return value;
    },
    close: () => db.close(),
  };
}

/** The store's interface. */
export type KeyStore = Awaited<ReturnType<typeof openKeyStore>>;
