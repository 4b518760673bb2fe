/**
 * The publisher: moves keys past their embargo into a publish run (atomically, in the store), writes
 * the run's signed files (split at `maxKeysPerFile`, keys sorted by their random bytes so a file's
 * order does not reveal who uploaded together), drops runs older than retention, and rewrites
 * `index.json`. Files are written to a temporary name and renamed, and any run whose file is missing
 * (a crash after the store commit) is written again from the store, so a crash never loses or
 * duplicates keys. Output is a plain directory: serve it statically or sync it to an object store.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createKeyFile,
  DAY_MS,
  type ExposureKey,
  FEED_INDEX_VERSION,
  type FeedBatch,
  type FeedIndex,
  fromHex,
  type KeyFileSigner,
  type ReportType,
} from "../../src/index";
import type { BatchRecord, KeyStore, StoredKey } from "./store";

/** Name of the index file in the feed directory. */
export const INDEX_NAME = "index.json";

/** Options of {@link publishBatches}. */
export interface PublishOptions {
  /** The key store. */
  store: KeyStore;
  /** Directory the files and the index go to. */
  feedDir: string;
  /** Signs the files. */
  signer: KeyFileSigner;
  /** Current time, unix ms. */
  now: number;
  /** Region written into files and index; default "". */
  region?: string;
  /** Most keys per file; default 50 000 (larger runs are split into parts). */
  maxKeysPerFile?: number;
  /** Days a run stays listed; default 14. */
  retentionDays?: number;
}

/** What a publish did. */
export interface PublishSummary {
  /** The run created, if keys were due. */
  batch?: BatchRecord;
  /** Keys published by this run. */
  keys: number;
  /** Keys still under embargo. */
  embargoed: number;
  /** Runs dropped by retention. */
  dropped: number;
  /** Files listed in the index now. */
  listed: number;
}

function toExposureKey(k: StoredKey): ExposureKey {
  return {
    keyData: fromHex(k.keyData),
    rollingStartIntervalNumber: k.rollingStartIntervalNumber,
    rollingPeriod: k.rollingPeriod,
    reportType: k.reportType as ReportType,
    ...(k.transmissionRiskLevel !== undefined ? { transmissionRiskLevel: k.transmissionRiskLevel } : {}),
    ...(k.daysSinceOnsetOfSymptoms !== undefined
      ? { daysSinceOnsetOfSymptoms: k.daysSinceOnsetOfSymptoms }
      : {}),
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Writes `bytes` to `path` through a temporary file and a rename (readers never see half a file). */
export async function writeAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

/** Publishes due keys and refreshes the index (see the module documentation). */
export function publishBatches(options: PublishOptions): Promise<PublishSummary> {
  const { store, feedDir, signer, now } = options;
  const maxKeysPerFile = options.maxKeysPerFile ?? 50_000;
  const region = options.region ?? "";
  return store.exclusive(async () => {
    await mkdir(feedDir, { recursive: true });
    const due = await store.duePending(now);
    let created: BatchRecord | undefined;
    if (due.length > 0) {
      const keys = due.map(([, v]) => v).sort((a, b) => (a.keyData < b.keyData ? -1 : 1));
      const parts: StoredKey[][] = [];
      for (let i = 0; i < keys.length; i += maxKeysPerFile) parts.push(keys.slice(i, i + maxKeysPerFile));
      const batchNum = await store.nextBatchNum();
      created = {
        batchNum,
        createdAt: now,
        files: parts.map((p, i) => ({
          name: `b${String(batchNum).padStart(6, "0")}-${i + 1}.zip`,
          keys: p.length,
        })),
      };
      await store.commitBatch(
        created,
        due.map(([k]) => k),
        parts,
      );
    }
    let dropped = 0;
    const listed: FeedBatch[] = [];
    const since = now - (options.retentionDays ?? 14) * DAY_MS;
    let previousEnd = 0;
    for (const b of await store.batches()) {
      if (b.createdAt < since) {
        await store.dropBatch(b.batchNum);
        for (const f of b.files) await rm(join(feedDir, f.name), { force: true });
        dropped++;
        continue;
      }
      for (const [p, f] of b.files.entries()) {
        const path = join(feedDir, f.name);
        if (!(await exists(path))) {
          const keys = (await store.publishedKeys(b.batchNum, p)).map(toExposureKey);
          const bytes = createKeyFile({
            keys,
            signer,
            region,
            batchNum: p + 1,
            batchSize: b.files.length,
            startTimestamp: Math.floor(previousEnd / 1000),
            endTimestamp: Math.floor(b.createdAt / 1000),
            clock: { now: () => now },
            futureToleranceIntervals: 2 * 144,
          });
          await writeAtomic(path, bytes);
        }
        const bytes = await readFile(path);
        listed.push({
          name: f.name,
          size: bytes.length,
          sha256: createHash("sha256").update(bytes).digest("hex"),
          batchNum: b.batchNum,
          part: p + 1,
          parts: b.files.length,
          createdAt: b.createdAt,
          keys: f.keys,
        });
      }
      previousEnd = b.createdAt;
    }
    const index: FeedIndex = { version: FEED_INDEX_VERSION, region, updatedAt: now, batches: listed };
    await writeAtomic(join(feedDir, INDEX_NAME), `${JSON.stringify(index, null, 1)}\n`);
    // Leftovers of an interrupted write.
    for (const name of await readdir(feedDir))
      if (name.includes(".tmp-")) await rm(join(feedDir, name), { force: true });
    return {
      ...(created ? { batch: created } : {}),
      keys: due.length,
      embargoed: await store.pendingCount(),
      dropped,
      listed: listed.length,
    };
  });
}
