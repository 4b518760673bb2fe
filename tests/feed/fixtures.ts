/** Shared fixtures of the feed tests: signed batch files, a log that saw a key, an in-memory web. */
import { createHash } from "node:crypto";
import nacl from "tweetnacl";
import {
  createKeyFile,
  createMemoryLog,
  cryptAem,
  deriveAemk,
  deriveRpi,
  deriveRpik,
  ed25519Signer,
  encodeMetadata,
  type ExposureKey,
  type FeedBatch,
  type FeedIndex,
  INTERVAL_MS,
  parsePublicKey,
  ReportType,
  type Sighting,
} from "../../src/index";

/** A UTC-day-aligned interval in 2021 and a "now" two days later. */
export const DAY0 = 2_700_000 - (2_700_000 % 144);
/** Unix ms two days after {@link DAY0}. */
export const NOW = (DAY0 + 2 * 144) * INTERVAL_MS;
/** A clock stuck at {@link NOW} whose timers never fire (retries use an injected sleep). */
export const fixedClock = { now: () => NOW, setTimeout: () => ({ id: 0 }), clearTimeout: () => undefined };

/** A deterministic Ed25519 signer and its trusted key. */
export function signerPair(seedByte = 7) {
  const pair = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(seedByte));
  return {
    signer: ed25519Signer(pair.secretKey, { keyId: "test", keyVersion: "v1" }),
    trusted: parsePublicKey(pair.publicKey),
  };
}

/** A confirmed key of day {@link DAY0} with key bytes all `i`. */
export function caseKey(i: number, extra: Partial<ExposureKey> = {}): ExposureKey {
  return {
    keyData: new Uint8Array(16).fill(i),
    rollingStartIntervalNumber: DAY0,
    rollingPeriod: 144,
    reportType: ReportType.CONFIRMED_TEST,
    ...extra,
  };
}

const METADATA = encodeMetadata({ txPower: -10, calibrationConfidence: 2 });

/** 40 minutes of close sightings (−50 dBm, a scan a minute) of `key`, from interval `DAY0 + 60`. */
export function closeContact(key: ExposureKey): Sighting[] {
  return closeMinutes(key, (DAY0 + 60) * INTERVAL_MS, 40);
}

/**
 * `minutes` minutes of close sightings of `key` (−50 dBm, a scan a minute from `firstScanMs`, each
 * standing for 60 s).
 */
export function closeMinutes(key: ExposureKey, firstScanMs: number, minutes: number): Sighting[] {
  const rpik = deriveRpik(key.keyData);
  const aemk = deriveAemk(key.keyData);
  return Array.from({ length: minutes }, (_, m) => {
    const time = firstScanMs + m * 60_000;
    const rpi = deriveRpi(rpik, Math.floor(time / INTERVAL_MS));
    return {
      time,
      identifier: rpi,
      aem: cryptAem(aemk, rpi, METADATA),
      meanRssi: -50,
      maxRssi: -48,
      packets: 10,
      secondsSinceLastScan: 60,
    };
  });
}

/** A memory log that saw `keys` up close. */
export async function logThatSaw(...keys: ExposureKey[]) {
  const log = createMemoryLog();
  for (const k of keys) await log.record(closeContact(k));
  return log;
}

/** A published file as the index lists it, plus its bytes. */
export interface PublishedFile {
  batch: FeedBatch;
  bytes: Uint8Array;
}

/** Signs `keys` (and `revisedKeys`, the file's revised_keys) into batch file `n`. */
export function publishFile(
  n: number,
  keys: ExposureKey[],
  signer = signerPair().signer,
  revisedKeys: ExposureKey[] = [],
): PublishedFile {
  const bytes = createKeyFile({ keys, revisedKeys, signer, clock: fixedClock });
  const batch: FeedBatch = {
    name: `b${String(n).padStart(6, "0")}.zip`,
    size: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    batchNum: n,
    createdAt: NOW,
    keys: keys.length,
  };
  return { batch, bytes };
}

/** A scripted failure of the fake web: status code or a thrown network error. */
export type Fault = number | "network";

/**
 * An in-memory web serving `BASE/index.json` (with an ETag) and the files; counts requests per path
 * and plays scripted faults (first in, first out) per path.
 */
export function fakeWeb(files: PublishedFile[] = []) {
  const BASE = "https://keys.example/feed/";
  const state = { files, etagVersion: 1 };
  const hits = new Map<string, number>();
  const faults = new Map<string, Fault[]>();
  const bodies = new Map<string, () => Response>();
  const index = (): FeedIndex => ({ version: 1, updatedAt: NOW, batches: state.files.map((f) => f.batch) });
  const fetch = async (url: string, init?: { headers?: Record<string, string> }): Promise<Response> => {
    const path = url.slice(BASE.length);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const fault = faults.get(path)?.shift();
    if (fault === "network") throw new TypeError("fetch failed");
    if (fault !== undefined) return new Response("oops", { status: fault });
    const custom = bodies.get(path);
    if (custom) return custom();
    if (path === "index.json") {
      const etag = `"v${state.etagVersion}"`;
      if (init?.headers?.["if-none-match"] === etag) return new Response(null, { status: 304 });
      return new Response(JSON.stringify(index()), { status: 200, headers: { etag } });
    }
    const f = state.files.find((x) => x.batch.name === path);
    return f ? new Response(f.bytes, { status: 200 }) : new Response("not found", { status: 404 });
  };
  return {
    BASE,
    fetch,
    hits: (path: string) => hits.get(path) ?? 0,
    fail: (path: string, ...list: Fault[]) => faults.set(path, list),
    serve: (path: string, make: () => Response) => bodies.set(path, make),
    publish(file: PublishedFile) {
      state.files.push(file);
      state.etagVersion++;
    },
  };
}
