/**
 * Key distribution: publish time and file sizes for 10k and 100k keys (the example key server's
 * publisher: store commit, signing, zip, index), and a phone's sync (download over loopback, verify,
 * match, store the verdict) of those files against a busy contact log: 500k sightings of 100k
 * identifiers over 14 days in the memory log, and 200k sightings in LevelDB.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nacl from "tweetnacl";
import { buildApp } from "../examples/key-server/app";
import type { StoredKey } from "../examples/key-server/store";
import {
  type ContactLog,
  createKeyFeed,
  createMemoryLog,
  DAY_MS,
  ed25519Signer,
  intervalNumber,
  openLevelLog,
  parsePublicKey,
  ReportType,
  type Sighting,
} from "../src/index";
import { type Bench, sig3 } from "./harness";

const NOW = Date.UTC(2021, 6, 24, 12, 0, 0);
const DAY0 = intervalNumber(Date.UTC(2021, 6, 24));
const pair = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(5));
const signer = ed25519Signer(pair.secretKey, { keyId: "bench", keyVersion: "v1" });
export const trusted = parsePublicKey(pair.publicKey);

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** `n` keys of the 13 days before yesterday (all past the embargo at NOW). */
function keys(n: number): StoredKey[] {
  const bytes = randomBytes(n * 16);
  return Array.from({ length: n }, (_, i) => {
    const start = DAY0 - (2 + (i % 13)) * 144;
    return {
      keyData: bytes.subarray(i * 16, i * 16 + 16).toString("hex"),
      rollingStartIntervalNumber: start,
      rollingPeriod: 144,
      reportType: ReportType.CONFIRMED_TEST,
      transmissionRiskLevel: 0,
      availableAt: 0,
    };
  });
}

/** `n` sightings of `distinct` random identifiers spread over the 14 days before NOW. */
export function sightings(n: number, distinct: number): Sighting[] {
  const ids = randomBytes(distinct * 16);
  const aem = new Uint8Array(4);
  return Array.from({ length: n }, (_, i) => {
    const k = i % distinct;
    return {
      time: NOW - 14 * DAY_MS + Math.floor((i / n) * 14 * DAY_MS),
      identifier: ids.subarray(k * 16, k * 16 + 16),
      aem,
      meanRssi: -70,
      maxRssi: -65,
      packets: 4,
      secondsSinceLastScan: 300,
    };
  });
}

export async function publishCase(n: number) {
  const dataDir = mkdtempSync(join(tmpdir(), "bluezone-feed-bench-"));
  const server = await buildApp({
    dataDir,
    signer,
    adminToken: "bench-admin-token-0123",
    clock: { now: () => NOW },
  });
  const all = keys(n);
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += 30) await server.store.acceptUpload(`jti-${i}`, NOW, all.slice(i, i + 30));
  const storeMs = ms(t0);
  t0 = process.hrtime.bigint();
  const summary = await server.publish();
  const publishMs = ms(t0);
  const url = await server.app.listen({ port: 0, host: "127.0.0.1" });
  const index = (await (await fetch(`${url}/feed/index.json`)).json()) as { batches: { size: number }[] };
  const bytes = index.batches.reduce((s, b) => s + b.size, 0);
  return {
    dataDir,
    server,
    url,
    figures: {
      keys: n,
      storeUploadsMs: sig3(storeMs),
      publishMs: sig3(publishMs),
      files: summary.listed,
      fileBytes: bytes,
      bytesPerKey: sig3(bytes / n),
    },
  };
}

export async function syncCase(url: string, log: ContactLog) {
  const feed = createKeyFeed({
    baseUrl: `${url}/feed/`,
    trustedKeys: [trusted],
    log,
    clock: { now: () => NOW, setTimeout: () => ({ id: 0 }), clearTimeout: () => undefined },
    maxFileBytes: 64 * 1024 * 1024,
  });
  const t0 = process.hrtime.bigint();
  const r = await feed.sync();
  if (r.error || r.rejected.length) throw new Error(`sync failed: ${JSON.stringify(r.error ?? r.rejected)}`);
  return sig3(ms(t0));
}

const bench: Bench = {
  name: "feed",
  async run() {
    const memory = createMemoryLog();
    const busy = sightings(500_000, 100_000);
    await memory.record(busy);
    const levelDir = mkdtempSync(join(tmpdir(), "bluezone-feed-bench-log-"));
    const level = await openLevelLog(levelDir);
    const levelSightings = busy.slice(0, 200_000);
    for (let i = 0; i < levelSightings.length; i += 1000)
      await level.record(levelSightings.slice(i, i + 1000));
    const out: Record<string, unknown> = {};
    for (const n of [10_000, 100_000]) {
      const c = await publishCase(n);
      try {
        const memorySyncMs = await syncCase(c.url, memory);
        const levelSyncMs = await syncCase(c.url, level);
        out[`${n / 1000}k`] = {
          ...c.figures,
          phoneSyncMemory500kMs: memorySyncMs,
          phoneSyncLevel200kMs: levelSyncMs,
        };
      } finally {
        await c.server.close();
        rmSync(c.dataDir, { recursive: true, force: true });
      }
      // Forget this feed's progress so the next size starts clean (new server, new names).
      for (const log of [memory, level]) await log.putState(`feed.${c.url}/feed/`, undefined);
    }
    await level.close();
    rmSync(levelDir, { recursive: true, force: true });
    return out;
  },
};

export default bench;
