/**
 * The feed index: one small JSON document (`index.json`) listing the published batch files in publish
 * order. Phones fetch it conditionally (ETag / Last-Modified) and download only files they have not
 * processed yet. Format (version 1):
 *
 * ```json
 * {
 *   "version": 1,
 *   "region": "VN",
 *   "updatedAt": 1627171200000,
 *   "batches": [
 *     { "name": "b000001-1.zip", "url": "b000001-1.zip", "size": 1234,
 *       "sha256": "…64 hex…", "batchNum": 1, "part": 1, "parts": 1,
 *       "createdAt": 1627171200000, "keys": 14 }
 *   ]
 * }
 * ```
 *
 * - `name`: unique, never reused; the phone remembers processed files by name.
 * - `url`: optional, resolved against the index URL (default: `name`).
 * - `size`: exact byte size of the file; `sha256`: optional hex digest of the file's bytes.
 * - `batchNum`: publish run number, strictly increasing over the feed (not the EN header's batch
 *   number); `part`/`parts`: the file within that run (EN `batchNum`/`batchSize`), default 1 of 1.
 * - `createdAt`: unix ms of publication; `keys`: optional key count, informational.
 * Unknown fields are ignored, so the format can grow. `version` must be the JSON number 1; a string
 * `"1"` is refused (`unsupported index version: "1" (a JSON string); expected the number 1`) rather than
 * guessed at, since a publisher writing strings may write other fields wrongly too.
 */
import { FeedIndexError } from "./errors";

/**
 * Version of the index format this module reads and writes.
 * @public
 */
export const FEED_INDEX_VERSION = 1;

/**
 * One published batch file.
 * @public
 */
export interface FeedBatch {
  /** Unique file name; the phone's processed-file memory is keyed by it. */
  name: string;
  /** Where to download it, relative to the index URL or absolute; default `name`. */
  url?: string;
  /** Exact size in bytes. */
  size: number;
  /** Lower-case hex SHA-256 of the file's bytes, when the publisher provides it. */
  sha256?: string;
  /** Publish run number, strictly increasing over the feed. */
  batchNum: number;
  /** File number within the run (EN `batchNum`), 1-based; default 1. */
  part?: number;
  /** Files in the run (EN `batchSize`); default 1. */
  parts?: number;
  /** Unix ms the file was published. */
  createdAt: number;
  /** Number of keys in the file (informational). */
  keys?: number;
}

/**
 * The index document.
 * @public
 */
export interface FeedIndex {
  /** Always {@link FEED_INDEX_VERSION}. */
  version: number;
  /** Region of the keys (informational). */
  region?: string;
  /** Unix ms of the last publication. */
  updatedAt: number;
  /** Published files in publish order (oldest first). */
  batches: FeedBatch[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HEX64 = /^[0-9a-f]{64}$/;

function nonNegInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function parseBatch(value: unknown, i: number): FeedBatch {
  const bad = (why: string) => new FeedIndexError(`batches[${i}]: ${why}`);
  if (typeof value !== "object" || value === null) throw bad("must be an object");
  const o = value as Record<string, unknown>;
  if (typeof o.name !== "string" || !NAME.test(o.name))
    throw bad("name must be 1–128 characters of [A-Za-z0-9._-], not starting with a dot or dash");
  if (!nonNegInt(o.size)) throw bad("size must be a non-negative integer");
  if (!nonNegInt(o.batchNum) || o.batchNum < 1) throw bad("batchNum must be a positive integer");
  if (!nonNegInt(o.createdAt)) throw bad("createdAt must be unix ms");
  const batch: FeedBatch = { name: o.name, size: o.size, batchNum: o.batchNum, createdAt: o.createdAt };
  if (o.url !== undefined) {
    if (typeof o.url !== "string" || o.url.length === 0) throw bad("url must be a non-empty string");
    batch.url = o.url;
  }
  if (o.sha256 !== undefined) {
    if (typeof o.sha256 !== "string" || !HEX64.test(o.sha256)) throw bad("sha256 must be 64 lower-case hex");
    batch.sha256 = o.sha256;
  }
  for (const f of ["part", "parts", "keys"] as const) {
    if (o[f] === undefined) continue;
    if (!nonNegInt(o[f])) throw bad(`${f} must be a non-negative integer`);
    batch[f] = o[f];
  }
  return batch;
}

function jsonType(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/**
 * Parses and checks an index document (text or parsed JSON): version, field types, unique names,
 * batch numbers that never decrease.
 * @throws FeedIndexError naming the first problem
 * @public
 */
export function parseFeedIndex(input: string | unknown): FeedIndex {
  let doc: unknown = input;
  if (typeof input === "string") {
    try {
      doc = JSON.parse(input);
    } catch (err) {
      throw new FeedIndexError(`index is not JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  if (typeof doc !== "object" || doc === null) throw new FeedIndexError("index must be a JSON object");
  const o = doc as Record<string, unknown>;
  if (o.version !== FEED_INDEX_VERSION) {
    // Show the JSON value and its type: a string "1" must not read as "version 1 (expected 1)".
    const given =
      o.version === undefined ? "missing" : `${JSON.stringify(o.version)} (a JSON ${jsonType(o.version)})`;
    throw new FeedIndexError(
      `unsupported index version: ${given}; expected the number ${FEED_INDEX_VERSION}`,
    );
  }
  if (!Array.isArray(o.batches)) throw new FeedIndexError("index.batches must be an array");
  const batches = o.batches.map(parseBatch);
  const names = new Set<string>();
  let last = 0;
  for (const [i, b] of batches.entries()) {
    if (names.has(b.name)) throw new FeedIndexError(`batches[${i}]: duplicate name ${b.name}`);
    if (b.batchNum < last) throw new FeedIndexError(`batches[${i}]: batchNum ${b.batchNum} < ${last}`);
    names.add(b.name);
    last = b.batchNum;
  }
  return {
    version: FEED_INDEX_VERSION,
    ...(typeof o.region === "string" ? { region: o.region } : {}),
    updatedAt: nonNegInt(o.updatedAt) ? o.updatedAt : 0,
    batches,
  };
}

/** The URL of a batch file: its `url` (or `name`) resolved against the index URL. */
export function batchUrl(indexUrl: string, batch: FeedBatch): string {
  return new URL(batch.url ?? batch.name, indexUrl).toString();
}
