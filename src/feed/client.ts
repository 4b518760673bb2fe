/**
 * The phone's key-feed client: fetch the index, download the files not processed yet, verify, match
 * against the contact log, store the verdicts. See docs/key-distribution.md for the decisions:
 *
 * - Crash safety: a file's verdict is stored (`putResult`, id `feed:<state name>:<name>`) before the file is added
 *   to the processed list (`putState`). A crash before the result leaves the file unprocessed (it is
 *   downloaded again); a crash between the two leaves a result that the next sync recognises (the file
 *   is marked processed without downloading or matching it again). So no file is skipped and none is
 *   matched twice.
 * - Rejected files (bad signature, tampered bytes, digest or size mismatch, malformed, 4xx, redirect
 *   loop) and files that failed after bounded retries (5xx, a missed headers/idle/request deadline)
 *   are not marked processed and do not stop later files; they are retried on the next syncs and
 *   given up after `maxRejections` syncs (a CDN serving a broken copy gets a chance to heal, a forged
 *   file or one answering 503 forever does not cost a download on every sync). Given-up files are
 *   recorded in the feed state and tried once more a day later, and again when the trusted keys change.
 * - Network failures (the server cannot be reached: refused, reset, DNS, connect deadline), the total
 *   deadline and the caller's abort stop the sync; the remaining files stay pending and the next sync
 *   resumes with them. At most `maxFilesPerSync` files are downloaded per sync; the rest stay pending.
 * - Progress is journalled per file (see feed-state.ts), so a sync's writes grow linearly with the
 *   number of files, and folded into the state once per sync.
 * - `sync()` always settles: while it runs it holds a ref'd handle, so a short-lived script does not
 *   exit with the sync half-done while it waits on a back-off timer (the clock's timers are unref'd).
 * - Each file is matched on its own; when its keys match, they are judged again together with the keys
 *   earlier files matched (stored with their verdicts), since the day rule sums a day over every key
 *   (a person's day can be two keys in two files). A key listed again counts once, under its newest
 *   listing (publication order: batch number, then file name). The exposure status judges every matched
 *   key together, each under its newest listing, at every sync (on the log as it is then and with the
 *   options of the day), and is kept in the feed's state (not a result, so retention never drops it):
 *   the lowest level among its days whose last contact lies within `statusWindowDays`.
 */
import { createHash } from "node:crypto";
import { type Clock, systemClock } from "../clock";
import { BluezoneError, InvalidArgumentError } from "../errors";
import type { ContactLog, StoredResult } from "../log/types";
import { CHECK_EXPOSURE_OPTIONS, type CheckExposureOptions, checkExposure } from "../match/check-exposure";
import { checkOptionNames, type OptionNames } from "../options";
import type { ExposureKey } from "../match/export-codec";
import type { ExposureStatus } from "../match/risk";
import { type KeyFile, keyIdentity, listedKeys, readKeyFile } from "../match/key-file";
import type { TrustedKey } from "../match/signing";
import { DAY_MS } from "../protocol/intervals";
import {
  FeedAbortedError,
  FeedDigestError,
  FeedNetworkError,
  FeedSizeLimitError,
  FeedTimeoutError,
} from "./errors";
import { batchUrl, type FeedBatch, type FeedIndex, parseFeedIndex } from "./feed-index";
import {
  appendFeedJournal,
  type FeedJournalEntry,
  type FeedState,
  loadFeedProgress,
  type RejectionRecord,
  saveFeedProgress,
} from "./feed-state";
import {
  abortReason,
  defaultFetch,
  type FeedTimeouts,
  type FetchLike,
  getOnce,
  httpError,
  type RequestContext,
  type RetryOptions,
  resolveRetry,
  resolveTimeouts,
  withRetry,
} from "./http";

/**
 * Options of {@link createKeyFeed}.
 * @public
 */
export interface KeyFeedOptions {
  /** URL of the directory holding the index and the files (e.g. `https://cdn.example/keys/`). */
  baseUrl: string;
  /** Name of the index under `baseUrl`; default `index.json`. */
  indexName?: string;
  /** Keys trusted to sign files (see `parsePublicKey`); at least one. */
  trustedKeys: readonly TrustedKey[];
  /** The phone's contact log: matched against, and where progress and verdicts are stored. */
  log: ContactLog;
  /**
   * fetch implementation; default undici's `fetch` on an agent with the connect deadline. An injected
   * fetch gets `signal` and `redirect: "manual"`; the connect deadline is then its own.
   */
  fetch?: FetchLike;
  /** Deadlines (connect, headers, idle, per request, whole sync), ms; see `DEFAULT_FEED_TIMEOUTS`. */
  timeouts?: FeedTimeouts;
  /** Files downloaded per sync at most (processed, rejected or failed); the rest wait; default 1000. */
  maxFilesPerSync?: number;
  /** Time source (plausibility checks, retry timers, status window); the system clock by default. */
  clock?: Clock;
  /** Largest batch file accepted, bytes; default 16 MiB. Enforced while streaming. */
  maxFileBytes?: number;
  /** Largest index accepted, bytes; default 1 MiB. */
  maxIndexBytes?: number;
  /** Retries within one sync on network errors, 5xx and per-request deadlines. */
  retry?: RetryOptions;
  /** Options of `checkExposure` (policy, receiver model, maxLevel …). */
  checkOptions?: Omit<CheckExposureOptions, "index">;
  /** Syncs that may reject (or fail to download) a file before it is given up; default 3. */
  maxRejections?: number;
  /** Contacts within this many days count for the status (by their last contact); a positive integer, default 14. */
  statusWindowDays?: number;
  /** Name of the state in the log; default `feed.<baseUrl>`. */
  stateName?: string;
}

/**
 * The verdict stored for one processed file (the `value` of its stored result).
 * @public
 */
export interface FileVerdict {
  /** Marks results written by the feed client. */
  kind: "key-feed";
  /**
   * The feed's state name (`stateName`), so that feeds sharing a log keep their verdicts apart; absent in
   * verdicts stored before this field existed.
   */
  feed?: string;
  /** File name. */
  file: string;
  /** Publish run of the file. */
  batchNum: number;
  /** Keys in the file. */
  keys: number;
  /** Sightings of the file's keys in the log (each scan instance of a matched identifier once). */
  matches: number;
  /** `F1`, `F2`, … or `none`. */
  status: ExposureStatus;
  /** Contact level, when there was a contact. */
  level?: number;
  /**
   * Risk score of the file's matched keys judged together with the keys earlier files matched (see
   * `matchedKeys`); the file's own keys' when it matched nothing.
   */
  riskScore: number;
  /**
   * Unix ms of the start of the last window that made a contact at `level` (with the keys earlier files
   * matched), when there was a contact.
   */
  lastContactAt?: number;
  /**
   * The file's keys that matched a sighting (key bytes in base64), kept with the verdict so that a
   * later file's matches are judged together with them: the day rule sums a day's close seconds over
   * every key, so 10 close minutes under a key of one file and 10 under a key of the next make 20 (a
   * person's day split by a same-day upload lands in two files). Absent when nothing matched, and in
   * verdicts stored before this field existed.
   */
  matchedKeys?: StoredKey[];
}

/**
 * A published key as a verdict stores it (JSON): {@link ExposureKey} with its bytes in base64.
 * @public
 */
export interface StoredKey {
  /** The 16 key bytes, base64. */
  keyData: string;
  /** As {@link TemporaryExposureKey.rollingStartIntervalNumber}. */
  rollingStartIntervalNumber: number;
  /** As {@link TemporaryExposureKey.rollingPeriod}. */
  rollingPeriod: number;
  /** As {@link ExposureKey.transmissionRiskLevel}. */
  transmissionRiskLevel?: number;
  /** As {@link ExposureKey.reportType}. */
  reportType?: ExposureKey["reportType"];
  /** As {@link ExposureKey.daysSinceOnsetOfSymptoms}. */
  daysSinceOnsetOfSymptoms?: number;
}

function storeKey(k: ExposureKey): StoredKey {
  const { keyData, ...rest } = k;
  return { keyData: Buffer.from(keyData).toString("base64"), ...rest };
}

/** A stored key back as an exposure key; undefined for a value that is not one (left out). */
function loadKey(k: unknown): ExposureKey | undefined {
  if (typeof k !== "object" || k === null) return undefined;
  const { keyData, ...rest } = k as StoredKey;
  if (typeof keyData !== "string") return undefined;
  const bytes = Buffer.from(keyData, "base64");
  if (bytes.length !== 16) return undefined;
  return { keyData: new Uint8Array(bytes), ...rest };
}

/**
 * A file processed by a sync.
 * @public
 */
export interface ProcessedFile extends Omit<FileVerdict, "matchedKeys"> {
  /** True when the verdict was stored by an earlier, interrupted sync (not matched again). */
  recovered: boolean;
}

/**
 * A file rejected by a sync.
 * @public
 */
export interface RejectedFile {
  /** File name. */
  name: string;
  /** Error code, e.g. `ERR_KEY_FILE_SIGNATURE`. */
  code: string;
  /** Why. */
  reason: string;
  /** Rejections so far, this one included. */
  attempts: number;
  /** True when this was the last attempt: the file will not be downloaded again. */
  givenUp: boolean;
}

/**
 * What a sync did.
 * @public
 */
export interface FeedResult {
  /** `fetched` (200), `not-modified` (304) or `failed`. */
  index: "fetched" | "not-modified" | "failed";
  /** Files processed by this sync, in publish order. */
  newFiles: ProcessedFile[];
  /** Files rejected by this sync. */
  rejected: RejectedFile[];
  /** Files given up earlier, still listed in the index. */
  givenUp: string[];
  /** Files left for a later sync: the network failed, the sync was aborted or hit a limit. */
  pending: string[];
  /** Current exposure status over all stored verdicts: `F1`, `F2`, … or `none`. */
  status: ExposureStatus;
  /** Lowest contact level, when any. */
  level?: number;
  /** Unix ms of the start of the last window that made a contact at `level`, when there was one. */
  lastContactAt?: number;
  /**
   * Set when the sync stopped early: the index could not be fetched, the server could not be reached,
   * the total deadline passed (`ERR_FEED_TIMEOUT`) or the caller aborted (`ERR_FEED_ABORTED`).
   */
  error?: { code: string; message: string };
}

/**
 * Options of one sync.
 * @public
 */
export interface SyncOptions {
  /** Aborts the sync: the request under way is cancelled and the result has `ERR_FEED_ABORTED`. */
  signal?: AbortSignal;
}

/**
 * A key-feed client.
 * @public
 */
export interface KeyFeed {
  /**
   * Fetches the index and processes new files. Concurrent calls run one after another. Network
   * trouble, deadlines and an abort through `options.signal` end in a result with `error` (progress
   * kept), never in a rejection; it rejects only when the contact log fails.
   */
  sync(options?: SyncOptions): Promise<FeedResult>;
  /** The current status from stored verdicts, without network. */
  status(): Promise<Pick<FeedResult, "status" | "level" | "lastContactAt">>;
}

const RESULT_PREFIX = "feed:";

/**
 * How long a given-up file waits before it is tried once more, ms: one day.
 * @public
 */
export const GIVEN_UP_RETRY_MS = DAY_MS;

/**
 * Name of the state holding the status record of the feed whose state is named `stateName`. State,
 * not a stored result: results go with the log's retention by their time, and the record must outlive
 * its oldest contact (a purged record once brought back a revoked F1 from the per-file verdicts).
 */
function feedStatusName(stateName: string): string {
  return `${stateName}:status`;
}

/** A met day of the status record: its level and last contact. */
interface FeedContact {
  /** The policy's day, `YYYY-MM-DD`. */
  day: string;
  /** Contact level met that day. */
  level: number;
  /** Last close window that day at that level, unix ms (absent when none was close). */
  lastContactAt?: number;
}

/** What the status window compares for a contact: its last close window, else its day's start (UTC). */
function contactTime(c: FeedContact): number {
  return c.lastContactAt ?? Date.parse(`${c.day}T00:00:00Z`);
}

/** The stored status of a feed: every matched key judged together (see `judgeAll`). */
interface FeedStatusRecord {
  kind: "key-feed-status";
  contacts: FeedContact[];
}

/**
 * Fingerprint of a set of trusted keys (order-free): algorithm, public key bytes, key id and version.
 */
function trustFingerprint(keys: readonly TrustedKey[]): string {
  const parts = keys.map((k) => {
    const bytes =
      k.publicKey instanceof Uint8Array
        ? Buffer.from(k.publicKey)
        : k.publicKey.export({ format: "der", type: "spki" });
    return JSON.stringify([k.algorithm, bytes.toString("hex"), k.keyId ?? null, k.keyVersion ?? null]);
  });
  return createHash("sha256").update(parts.sort().join("\n")).digest("hex");
}

/** Id of the stored result of a file. */
export function feedResultId(name: string, stateName?: string): string {
  return stateName === undefined ? `${RESULT_PREFIX}${name}` : `${RESULT_PREFIX}${stateName}:${name}`;
}

function isVerdict(r: StoredResult): r is StoredResult & { value: FileVerdict } {
  return r.id.startsWith(RESULT_PREFIX) && (r.value as FileVerdict | null)?.kind === "key-feed";
}

function errorInfo(err: unknown): { code: string; message: string } {
  return err instanceof BluezoneError
    ? { code: err.code, message: err.message }
    : { code: "ERR_UNKNOWN", message: String(err) };
}

/**
 * Whether a failure stops the whole sync (the server is unreachable, the total deadline passed, the
 * caller aborted) rather than counting against one file.
 */
function stopsSync(err: unknown): boolean {
  return (
    (err instanceof FeedNetworkError && err.phase === "request") ||
    err instanceof FeedAbortedError ||
    (err instanceof FeedTimeoutError && (err.phase === "connect" || err.phase === "total"))
  );
}

/** The names of {@link KeyFeedOptions}, its `retry` and its `timeouts` (misspelt ones are refused). */
const FEED_OPTIONS = {
  baseUrl: true,
  indexName: true,
  trustedKeys: true,
  log: true,
  fetch: true,
  timeouts: true,
  maxFilesPerSync: true,
  clock: true,
  maxFileBytes: true,
  maxIndexBytes: true,
  retry: true,
  checkOptions: true,
  maxRejections: true,
  statusWindowDays: true,
  stateName: true,
} as const satisfies OptionNames<KeyFeedOptions>;
const RETRY_OPTIONS = {
  retries: true,
  baseDelayMs: true,
  maxDelayMs: true,
  sleep: true,
} as const satisfies OptionNames<RetryOptions>;
const TIMEOUT_OPTIONS = {
  connectMs: true,
  headersMs: true,
  idleMs: true,
  requestMs: true,
  totalMs: true,
} as const satisfies OptionNames<FeedTimeouts>;

/**
 * Creates a key-feed client (see the module documentation for its guarantees).
 * @throws InvalidArgumentError without a trusted key or a contact log, for a `baseUrl` that is not an
 *   http(s) URL, a limit (or `statusWindowDays`) that is not a positive integer, or an option name (also in `retry`, `timeouts` and `checkOptions`) that is
 *   not one of the documented ones (`unknown option "x"`, with the nearest name)
 * @public
 */
export function createKeyFeed(options: KeyFeedOptions): KeyFeed {
  checkOptionNames(options, FEED_OPTIONS, "createKeyFeed");
  checkOptionNames(options?.retry, RETRY_OPTIONS, "createKeyFeed retry");
  checkOptionNames(options?.timeouts, TIMEOUT_OPTIONS, "createKeyFeed timeouts");
  checkOptionNames(options?.checkOptions, CHECK_EXPOSURE_OPTIONS, "createKeyFeed checkOptions");
  const { log, trustedKeys } = options;
  if (!trustedKeys || trustedKeys.length === 0)
    throw new InvalidArgumentError("createKeyFeed needs at least one trusted key");
  if (
    typeof log !== "object" ||
    log === null ||
    typeof log.getState !== "function" ||
    typeof log.putResult !== "function"
  )
    throw new InvalidArgumentError("createKeyFeed needs log: a contact log (openLevelLog, createMemoryLog)");
  const clock = options.clock ?? systemClock();
  const timeouts = resolveTimeouts(options.timeouts);
  const fetchFn: FetchLike = options.fetch ?? defaultFetch(timeouts.connectMs);
  const retry = resolveRetry(options.retry, clock);
  const maxFilesPerSync = options.maxFilesPerSync ?? 1000;
  const maxFileBytes = options.maxFileBytes ?? 16 * 1024 * 1024;
  const maxIndexBytes = options.maxIndexBytes ?? 1024 * 1024;
  const maxRejections = options.maxRejections ?? 3;
  const statusWindowMs = (options.statusWindowDays ?? 14) * DAY_MS;
  const trust = trustFingerprint(trustedKeys);
  let indexUrl: string;
  try {
    const base = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
    indexUrl = new URL(options.indexName ?? "index.json", base).toString();
  } catch (err) {
    throw new InvalidArgumentError(`baseUrl is not a URL: ${options.baseUrl}`, { cause: err });
  }
  const protocol = new URL(indexUrl).protocol;
  if (protocol !== "https:" && protocol !== "http:")
    throw new InvalidArgumentError(`baseUrl must be an http:// or https:// URL, got ${options.baseUrl}`);
  const stateName = options.stateName ?? `feed.${options.baseUrl}`;
  for (const [name, v] of [
    ["maxFileBytes", maxFileBytes],
    ["maxIndexBytes", maxIndexBytes],
    ["maxRejections", maxRejections],
    ["maxFilesPerSync", maxFilesPerSync],
    ["statusWindowDays", options.statusWindowDays ?? 14],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new InvalidArgumentError(`${name} must be a positive integer`);
  }

  /** The stored status record of this feed, if a sync wrote one. */
  async function storedStatus(): Promise<FeedStatusRecord | undefined> {
    const bytes = await log.getState(feedStatusName(stateName));
    if (!bytes) return undefined;
    try {
      const record = JSON.parse(Buffer.from(bytes).toString("utf8")) as FeedStatusRecord;
      return record?.kind === "key-feed-status" && Array.isArray(record.contacts) ? record : undefined;
    } catch {
      return undefined; // unreadable: judged again by the next sync
    }
  }

  /** Whether a stored verdict is this feed's (verdicts from before the `feed` field count for every feed). */
  const ours = (v: FileVerdict) => v.feed === undefined || v.feed === stateName;

  async function currentStatus(): Promise<Pick<FeedResult, "status" | "level" | "lastContactAt">> {
    const since = clock.now() - statusWindowMs;
    let level: number | undefined;
    let last: number | undefined;
    const record = await storedStatus();
    if (record) {
      // The contacts of every matched key judged together, each key under its newest listing.
      for (const c of record.contacts) {
        if (contactTime(c) < since) continue;
        if (level === undefined || c.level < level) {
          level = c.level;
          last = c.lastContactAt;
        } else if (c.level === level && c.lastContactAt !== undefined)
          last = Math.max(last ?? c.lastContactAt, c.lastContactAt);
      }
    } else {
      // Verdicts stored before the status record existed: the lowest level over them.
      for (const r of await log.results()) {
        if (!isVerdict(r) || !ours(r.value) || r.time < since || r.value.level === undefined) continue;
        level = level === undefined ? r.value.level : Math.min(level, r.value.level);
        if (r.value.lastContactAt !== undefined) last = Math.max(last ?? 0, r.value.lastContactAt);
      }
    }
    return {
      status: level === undefined ? "none" : `F${level}`,
      ...(level !== undefined ? { level } : {}),
      ...(last !== undefined ? { lastContactAt: last } : {}),
    };
  }

  /**
   * Judges every key the stored verdicts matched together, each under its newest listing (a revoked
   * key then counts for nothing, a revised one with its new report type), and stores the met days as
   * this feed's status record.
   */
  async function judgeAll(keys: readonly ExposureKey[]): Promise<void> {
    const contacts: FeedContact[] = [];
    if (keys.length > 0) {
      const { assessment } = await checkExposure(log, keys, options.checkOptions);
      for (const d of assessment.days) {
        if (!d.met) continue;
        contacts.push({
          day: d.day,
          level: d.level,
          ...(d.lastContactAt !== undefined ? { lastContactAt: d.lastContactAt } : {}),
        });
      }
    }
    const record: FeedStatusRecord = { kind: "key-feed-status", contacts };
    await log.putState(
      feedStatusName(stateName),
      new Uint8Array(Buffer.from(JSON.stringify(record), "utf8")),
    );
  }

  async function fetchIndex(
    ctx: RequestContext,
    state: FeedState,
  ): Promise<{ index?: FeedIndex; etag?: string; lastModified?: string }> {
    const headers: Record<string, string> = {};
    if (state.etag) headers["if-none-match"] = state.etag;
    if (state.lastModified) headers["if-modified-since"] = state.lastModified;
    return withRetry(
      retry,
      async () => {
        const res = await getOnce(ctx, indexUrl, headers, maxIndexBytes, "index");
        if (res.status === 304) return {};
        if (res.status !== 200) throw httpError(indexUrl, res.status);
        const text = Buffer.from(res.bytes!).toString("utf8");
        const etag = res.headers.get("etag");
        const lastModified = res.headers.get("last-modified");
        return {
          index: parseFeedIndex(text),
          ...(etag ? { etag } : {}),
          ...(lastModified ? { lastModified } : {}),
        };
      },
      ctx.signal,
    );
  }

  async function download(ctx: RequestContext, batch: FeedBatch): Promise<Uint8Array> {
    if (batch.size > maxFileBytes)
      throw new FeedSizeLimitError(`${batch.name} is ${batch.size} bytes, limit ${maxFileBytes}`);
    const url = batchUrl(indexUrl, batch);
    const bytes = await withRetry(
      retry,
      async () => {
        // Never read past the size the index announced (nor past the limit). A body larger than the index
        // says (but within the limit) is the index's mismatch, as a smaller one: a digest error.
        let res: Awaited<ReturnType<typeof getOnce>>;
        try {
          res = await getOnce(ctx, url, {}, Math.min(maxFileBytes, batch.size), batch.name);
        } catch (err) {
          if (err instanceof FeedSizeLimitError && batch.size < maxFileBytes)
            throw new FeedDigestError(`${batch.name} is larger than the ${batch.size} bytes the index says`);
          throw err;
        }
        if (res.status !== 200) throw httpError(url, res.status);
        return res.bytes!;
      },
      ctx.signal,
    );
    if (bytes.length !== batch.size)
      throw new FeedDigestError(`${batch.name} is ${bytes.length} bytes, the index says ${batch.size}`);
    if (batch.sha256 !== undefined) {
      const digest = createHash("sha256").update(bytes).digest("hex");
      if (digest !== batch.sha256)
        throw new FeedDigestError(`${batch.name} has SHA-256 ${digest}, the index says ${batch.sha256}`);
    }
    return bytes;
  }

  /** Downloads and verifies one file: throws a transient error or a rejection (a BluezoneError). */
  async function fetchVerified(ctx: RequestContext, batch: FeedBatch) {
    const bytes = await download(ctx, batch);
    return readKeyFile(bytes, { trustedKeys, clock, limits: { maxFileBytes } });
  }

  // The stored verdicts' matched keys, read once per sync and again only after a verdict with matched
  // keys is stored (they change through nothing else during a sync): every file is checked against them.
  let earlierCache: Promise<ExposureKey[]> | undefined;
  /** The keys stored verdicts matched (a key listed again counts once, under its newest listing). */
  function earlierMatchedKeys(): Promise<ExposureKey[]> {
    earlierCache ??= readEarlierMatchedKeys();
    return earlierCache;
  }

  async function readEarlierMatchedKeys(): Promise<ExposureKey[]> {
    const byIdentity = new Map<string, ExposureKey>();
    // In publication order (the index lists batches by publish run; a key is published once per run),
    // so that a key listed again keeps its newest listing. Stored results come by time (a verdict's
    // last contact, or when it was stored), which is not that order.
    const verdicts = (await log.results())
      .filter(
        (r): r is StoredResult & { value: FileVerdict } =>
          isVerdict(r) && ours(r.value) && Array.isArray(r.value.matchedKeys),
      )
      .map((r) => r.value)
      .sort((a, b) => a.batchNum - b.batchNum || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    for (const v of verdicts) {
      for (const stored of v.matchedKeys!) {
        const k = loadKey(stored);
        if (k) byIdentity.set(keyIdentity(k), k);
      }
    }
    return [...byIdentity.values()];
  }

  /**
   * Matches a verified file against the log and stores its verdict (log errors propagate). When the
   * file's keys match, they are judged again together with the keys earlier files matched, so that a
   * day's close seconds sum over every key as the day rule says (keys that matched nothing add nothing
   * to any day, so these are all the keys that can).
   */
  async function match(batch: FeedBatch, file: KeyFile): Promise<FileVerdict> {
    // Each key once, under this file's latest listing (a revised key replaces its listing).
    const keys = listedKeys(file);
    const check = await checkExposure(log, keys, options.checkOptions);
    let a = check.assessment;
    const earlierKeys = await earlierMatchedKeys();
    const earlierIds = new Set(earlierKeys.map(keyIdentity));
    // The keys that matched, and the keys that list again a key an earlier file matched (a revision:
    // kept even when it matches nothing now, so that its new report type replaces the earlier one).
    const hit = new Set(check.matches.map((m) => m.keyIndex));
    // (No identity is made for the file's keys when no earlier file matched: a file holds up to 10⁵ keys.)
    const matched = keys.filter(
      (k, i) => hit.has(i) || (earlierIds.size > 0 && earlierIds.has(keyIdentity(k))),
    );
    if (matched.length > 0) {
      // This file's listing first: a key listed twice counts once, under its newest listing.
      const mine = new Set(matched.map(keyIdentity));
      const earlier = earlierKeys.filter((k) => !mine.has(keyIdentity(k)));
      if (earlier.length > 0)
        a = (await checkExposure(log, [...matched, ...earlier], options.checkOptions)).assessment;
    }
    let sightings = 0;
    let lastSeen: number | undefined;
    for (const m of check.matches) {
      sightings += m.sightings.length;
      for (const x of m.sightings) lastSeen = Math.max(lastSeen ?? x.sighting.time, x.sighting.time);
    }
    const verdict: FileVerdict = {
      kind: "key-feed",
      feed: stateName,
      file: batch.name,
      batchNum: batch.batchNum,
      keys: keys.length,
      matches: sightings,
      status: a.status,
      ...(a.level !== undefined ? { level: a.level } : {}),
      riskScore: a.riskScore,
      ...(a.lastContactAt !== undefined ? { lastContactAt: a.lastContactAt } : {}),
      ...(matched.length > 0 ? { matchedKeys: matched.map(storeKey) } : {}),
    };
    // Kept (log retention goes by this time) as long as the sightings its matched keys explain: its
    // keys may yet add to a later file's day (a verdict timed by its last contact lost them early).
    await log.putResult({
      id: feedResultId(batch.name, stateName),
      time: lastSeen ?? clock.now(),
      value: verdict,
    });
    if (verdict.matchedKeys !== undefined) earlierCache = undefined;
    return verdict;
  }

  async function doSync(signal: AbortSignal): Promise<FeedResult> {
    earlierCache = undefined; // the log may have changed since the last sync (retention, other writers)
    const ctx: RequestContext = { fetch: fetchFn, clock, timeouts, signal };
    const state = await loadFeedProgress(log, stateName);
    // Other trusted keys (a signing-key rotation): files rejected under the old ones are tried again,
    // and the index is fetched in full (a 304 would hide them).
    if (state.trust !== trust) {
      state.rejected = {};
      delete state.etag;
      delete state.lastModified;
    }
    const result: FeedResult = {
      index: "failed",
      newFiles: [],
      rejected: [],
      givenUp: [],
      pending: [],
      status: "none",
    };
    const finish = async () => {
      // The status judges every matched key together, each under its newest listing, on the log as it
      // is now (after retention purges) and with today's options: at every sync that has matched keys
      // (a few keys: one small judgement), or a record to clear.
      const keys = await earlierMatchedKeys();
      if (keys.length > 0 || (await storedStatus()) !== undefined) await judgeAll(keys);
      return Object.assign(result, await currentStatus());
    };
    let fetched: Awaited<ReturnType<typeof fetchIndex>>;
    try {
      fetched = await fetchIndex(ctx, state);
    } catch (err) {
      if (!(err instanceof BluezoneError)) throw err;
      result.error = errorInfo(err);
      return finish();
    }
    if (!fetched.index) {
      result.index = "not-modified";
      return finish();
    }
    result.index = "fetched";
    const listed = new Set(fetched.index.batches.map((b) => b.name));
    const processed = new Set(state.processed.filter((n) => listed.has(n)));
    const rejected: Record<string, RejectionRecord> = {};
    for (const [n, r] of Object.entries(state.rejected)) if (listed.has(n)) rejected[n] = r;
    // Each outcome is one small journal entry; the state is written once, at the end.
    let journal = 0;
    const record = (entry: FeedJournalEntry) => appendFeedJournal(log, stateName, journal++, entry);
    /** Counts a failed attempt at `batch`; returns it as reported. */
    const reject = async (batch: FeedBatch, err: BluezoneError): Promise<RejectedFile> => {
      const attempts = (rejected[batch.name]?.attempts ?? 0) + 1;
      rejected[batch.name] = { attempts, code: err.code, reason: err.message, at: clock.now() };
      const rejection = {
        name: batch.name,
        code: err.code,
        reason: err.message,
        attempts,
        givenUp: attempts >= maxRejections,
      };
      result.rejected.push(rejection);
      await record({ name: batch.name, rejection: rejected[batch.name]! });
      return rejection;
    };
    const stored = new Map(
      (await log.results())
        .filter(isVerdict)
        .filter((r) => ours(r.value))
        .map((r) => [r.value.file, r.value]),
    );
    let retryLater = false;
    let downloads = 0;
    const todo = fetched.index.batches.filter((b) => !processed.has(b.name));
    for (const [i, batch] of todo.entries()) {
      const rejection = rejected[batch.name];
      // A given-up file is tried again once a day (a file that reached the CDN's edge late, a bad copy
      // since replaced); until then it is listed in givenUp.
      if (
        (rejection?.attempts ?? 0) >= maxRejections &&
        !(rejection!.at !== undefined && clock.now() - rejection!.at >= GIVEN_UP_RETRY_MS)
      ) {
        result.givenUp.push(batch.name);
        continue;
      }
      const earlier = stored.get(batch.name);
      let file: KeyFile | undefined;
      if (!earlier) {
        if (downloads >= maxFilesPerSync || signal.aborted) {
          if (signal.aborted) result.error = errorInfo(abortReason(signal));
          result.pending = todo.slice(i).map((b) => b.name);
          retryLater = true;
          break;
        }
        downloads++;
        try {
          file = await fetchVerified(ctx, batch);
        } catch (err) {
          if (stopsSync(err)) {
            result.error = errorInfo(err);
            // A file the whole sync's deadline ran out on counts as a failed attempt at it, so that a
            // file too slow to ever arrive is given up instead of blocking every later file.
            const givenUpNow =
              err instanceof FeedTimeoutError && err.phase === "total" && (await reject(batch, err)).givenUp;
            result.pending = todo.slice(givenUpNow ? i + 1 : i).map((b) => b.name);
            retryLater = true;
            break;
          }
          if (!(err instanceof BluezoneError)) throw err;
          if (!(await reject(batch, err)).givenUp) retryLater = true;
          continue;
        }
      }
      const verdict = earlier ?? (await match(batch, file!));
      processed.add(batch.name);
      delete rejected[batch.name];
      await record({ name: batch.name, processed: true });
      const { matchedKeys: _stored, ...reported } = verdict;
      result.newFiles.push({ ...reported, recovered: earlier !== undefined });
    }
    // Remember the index validators only once nothing of this index is left to do (no file pending,
    // rejected or given up), so a 304 never hides a file that is to be tried again.
    const next: FeedState = { processed: [...processed], rejected, trust };
    if (!retryLater && Object.keys(rejected).length === 0) {
      if (fetched.etag) next.etag = fetched.etag;
      if (fetched.lastModified) next.lastModified = fetched.lastModified;
    }
    await saveFeedProgress(log, stateName, next, journal);
    return finish();
  }

  /** Runs a sync under the total deadline and the caller's signal, holding the process alive. */
  async function runSync(options: SyncOptions | undefined): Promise<FeedResult> {
    const controller = new AbortController();
    const outer = options?.signal;
    const onAbort = () => controller.abort(abortReason(outer!));
    if (outer?.aborted) onAbort();
    else outer?.addEventListener("abort", onAbort, { once: true });
    const deadline = clock.setTimeout(() => {
      controller.abort(
        new FeedTimeoutError("total", `sync not complete within ${timeouts.totalMs} ms (progress kept)`),
      );
    }, timeouts.totalMs);
    // The I/O edge: a pending sync is work the process must finish. The clock's timers are unref'd
    // (they never keep a process alive), so without this a script awaiting sync() during a back-off
    // wait would exit with the promise unsettled (Node's exit code 13).
    const keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      return await doSync(controller.signal);
    } finally {
      clearInterval(keepAlive);
      clock.clearTimeout(deadline);
      outer?.removeEventListener("abort", onAbort);
    }
  }

  let chain: Promise<unknown> = Promise.resolve();
  return {
    sync(options) {
      const go = () => runSync(options);
      const run = chain.then(go, go);
      chain = run.catch(() => undefined);
      return run;
    },
    status: currentStatus,
  };
}
