/**
 * The phone's key-feed client: fetch the index, download the files not processed yet, verify, match
 * against the contact log, store the verdicts. See docs/key-distribution.md for the decisions:
 *
 * - Crash safety: a file's verdict is stored (`putResult`, id `feed:<name>`) before the file is added
 *   to the processed list (`putState`). A crash before the result leaves the file unprocessed (it is
 *   downloaded again); a crash between the two leaves a result that the next sync recognises (the file
 *   is marked processed without downloading or matching it again). So no file is skipped and none is
 *   matched twice.
 * - Rejected files (bad signature, tampered bytes, digest or size mismatch, malformed, 4xx) are not
 *   marked processed and do not stop later files; they are retried on the next syncs and given up
 *   after `maxRejections` rejections (a CDN serving a broken copy gets a chance to heal, a forged
 *   file does not cost a download forever).
 * - Network failures and 5xx (after bounded retries) stop the sync; the remaining files stay pending
 *   and the next sync resumes with them.
 * - Matching is per file: each key is judged on its own (the day rule is per key, i.e. per person and
 *   day), and every key is published once, so matching the union of retained files would give the
 *   same verdicts at a cost proportional to all retained keys on every sync. The exposure status is
 *   the lowest level among the stored verdicts within `statusWindowDays`.
 */
import { createHash } from "node:crypto";
import { type Clock, systemClock } from "../clock";
import { BluezoneError, InvalidArgumentError } from "../errors";
import type { ContactLog, StoredResult } from "../log/types";
import { type CheckExposureOptions, checkExposure } from "../match/check-exposure";
import { type KeyFile, readKeyFile } from "../match/key-file";
import type { TrustedKey } from "../match/signing";
import { DAY_MS } from "../protocol/intervals";
import { FeedDigestError, FeedHttpError, FeedNetworkError, FeedSizeLimitError } from "./errors";
import { batchUrl, type FeedBatch, type FeedIndex, parseFeedIndex } from "./feed-index";
import { type FeedState, loadFeedState, saveFeedState } from "./feed-state";
import { type FetchLike, fetchOnce, type RetryOptions, readLimited, resolveRetry, withRetry } from "./http";

/** Options of {@link createKeyFeed}. */
export interface KeyFeedOptions {
  /** URL of the directory holding the index and the files (e.g. `https://cdn.example/keys/`). */
  baseUrl: string;
  /** Name of the index under `baseUrl`; default `index.json`. */
  indexName?: string;
  /** Keys trusted to sign files (see `parsePublicKey`); at least one. */
  trustedKeys: readonly TrustedKey[];
  /** The phone's contact log: matched against, and where progress and verdicts are stored. */
  log: ContactLog;
  /** fetch implementation; Node's global `fetch` by default. */
  fetch?: FetchLike;
  /** Time source (plausibility checks, retry timers, status window); the system clock by default. */
  clock?: Clock;
  /** Largest batch file accepted, bytes; default 16 MiB. Enforced while streaming. */
  maxFileBytes?: number;
  /** Largest index accepted, bytes; default 1 MiB. */
  maxIndexBytes?: number;
  /** Retries on network errors and 5xx. */
  retry?: RetryOptions;
  /** Options of `checkExposure` (policy, receiver model, maxLevel …). */
  checkOptions?: Omit<CheckExposureOptions, "index">;
  /** Syncs that may reject a file before it is given up; default 3. */
  maxRejections?: number;
  /** Verdicts younger than this count for the status (by last contact); default 14 days. */
  statusWindowDays?: number;
  /** Name of the state in the log; default `feed.<baseUrl>`. */
  stateName?: string;
}

/** The verdict stored for one processed file (the `value` of its stored result). */
export interface FileVerdict {
  /** Marks results written by the feed client. */
  kind: "key-feed";
  /** File name. */
  file: string;
  /** Publish run of the file. */
  batchNum: number;
  /** Keys in the file. */
  keys: number;
  /** Sightings matched. */
  matches: number;
  /** `F1`, `F2`, … or `none`. */
  status: string;
  /** Contact level, when there was a contact. */
  level?: number;
  /** Risk score of the file's keys. */
  riskScore: number;
  /** Unix ms of the latest close window, when there was a contact. */
  lastContactAt?: number;
}

/** A file processed by a sync. */
export interface ProcessedFile extends FileVerdict {
  /** True when the verdict was stored by an earlier, interrupted sync (not matched again). */
  recovered: boolean;
}

/** A file rejected by a sync. */
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

/** What a sync did. */
export interface FeedResult {
  /** `fetched` (200), `not-modified` (304) or `failed`. */
  index: "fetched" | "not-modified" | "failed";
  /** Files processed by this sync, in publish order. */
  newFiles: ProcessedFile[];
  /** Files rejected by this sync. */
  rejected: RejectedFile[];
  /** Files given up earlier, still listed in the index. */
  givenUp: string[];
  /** Files left for a later sync because the network failed. */
  pending: string[];
  /** Current exposure status over all stored verdicts: `F1`, `F2`, … or `none`. */
  status: string;
  /** Lowest contact level, when any. */
  level?: number;
  /** Latest close contact over the verdicts, unix ms. */
  lastContactAt?: number;
  /** Set when the sync stopped early (index or download failed after retries). */
  error?: { code: string; message: string };
}

/** A key-feed client. */
export interface KeyFeed {
  /** Fetches the index and processes new files. Concurrent calls run one after another. */
  sync(): Promise<FeedResult>;
  /** The current status from stored verdicts, without network. */
  status(): Promise<Pick<FeedResult, "status" | "level" | "lastContactAt">>;
}

const RESULT_PREFIX = "feed:";

/** Id of the stored result of a file. */
export function feedResultId(name: string): string {
  return `${RESULT_PREFIX}${name}`;
}

function isVerdict(r: StoredResult): r is StoredResult & { value: FileVerdict } {
  return r.id.startsWith(RESULT_PREFIX) && (r.value as FileVerdict | null)?.kind === "key-feed";
}

function errorInfo(err: unknown): { code: string; message: string } {
  return err instanceof BluezoneError
    ? { code: err.code, message: err.message }
    : { code: "ERR_UNKNOWN", message: String(err) };
}

/** Whether a download failure is transient (stop and resume later) rather than a rejection. */
function isTransient(err: unknown): boolean {
  return err instanceof FeedNetworkError || (err instanceof FeedHttpError && err.status >= 500);
}

/** Creates a key-feed client (see the module documentation for its guarantees). */
export function createKeyFeed(options: KeyFeedOptions): KeyFeed {
  const { log, trustedKeys } = options;
  if (!trustedKeys || trustedKeys.length === 0)
    throw new InvalidArgumentError("createKeyFeed needs at least one trusted key");
  const clock = options.clock ?? systemClock();
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const retry = resolveRetry(options.retry, clock);
  const maxFileBytes = options.maxFileBytes ?? 16 * 1024 * 1024;
  const maxIndexBytes = options.maxIndexBytes ?? 1024 * 1024;
  const maxRejections = options.maxRejections ?? 3;
  const statusWindowMs = (options.statusWindowDays ?? 14) * DAY_MS;
  let indexUrl: string;
  try {
    const base = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
    indexUrl = new URL(options.indexName ?? "index.json", base).toString();
  } catch (err) {
    throw new InvalidArgumentError(`baseUrl is not a URL: ${options.baseUrl}`, { cause: err });
  }
  const stateName = options.stateName ?? `feed.${options.baseUrl}`;
  for (const [name, v] of [
    ["maxFileBytes", maxFileBytes],
    ["maxIndexBytes", maxIndexBytes],
    ["maxRejections", maxRejections],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new InvalidArgumentError(`${name} must be a positive integer`);
  }

  async function currentStatus(): Promise<Pick<FeedResult, "status" | "level" | "lastContactAt">> {
    const since = clock.now() - statusWindowMs;
    let level: number | undefined;
    let last: number | undefined;
    for (const r of await log.results()) {
      if (!isVerdict(r) || r.time < since || r.value.level === undefined) continue;
      level = level === undefined ? r.value.level : Math.min(level, r.value.level);
      if (r.value.lastContactAt !== undefined) last = Math.max(last ?? 0, r.value.lastContactAt);
    }
    return {
      status: level === undefined ? "none" : `F${level}`,
      ...(level !== undefined ? { level } : {}),
      ...(last !== undefined ? { lastContactAt: last } : {}),
    };
  }

  async function fetchIndex(
    state: FeedState,
  ): Promise<{ index?: FeedIndex; etag?: string; lastModified?: string }> {
    const headers: Record<string, string> = {};
    if (state.etag) headers["if-none-match"] = state.etag;
    if (state.lastModified) headers["if-modified-since"] = state.lastModified;
    return withRetry(retry, async () => {
      const res = await fetchOnce(fetchFn, indexUrl, headers);
      if (res.status === 304) {
        await res.body?.cancel().catch(() => undefined);
        return {};
      }
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => undefined);
        throw new FeedHttpError(res.status, `GET ${indexUrl} answered ${res.status}`);
      }
      const text = Buffer.from(await readLimited(res, maxIndexBytes, "index")).toString("utf8");
      const etag = res.headers.get("etag");
      const lastModified = res.headers.get("last-modified");
      return {
        index: parseFeedIndex(text),
        ...(etag ? { etag } : {}),
        ...(lastModified ? { lastModified } : {}),
      };
    });
  }

  async function download(batch: FeedBatch): Promise<Uint8Array> {
    if (batch.size > maxFileBytes)
      throw new FeedSizeLimitError(`${batch.name} is ${batch.size} bytes, limit ${maxFileBytes}`);
    const url = batchUrl(indexUrl, batch);
    const bytes = await withRetry(retry, async () => {
      const res = await fetchOnce(fetchFn, url);
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => undefined);
        throw new FeedHttpError(res.status, `GET ${url} answered ${res.status}`);
      }
      // Never read past the size the index announced (nor past the limit).
      return readLimited(res, Math.min(maxFileBytes, batch.size), batch.name);
    });
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
  async function fetchVerified(batch: FeedBatch) {
    const bytes = await download(batch);
    return readKeyFile(bytes, { trustedKeys, clock, limits: { maxFileBytes } });
  }

  /** Matches a verified file against the log and stores its verdict (log errors propagate). */
  async function match(batch: FeedBatch, file: KeyFile): Promise<FileVerdict> {
    const check = await checkExposure(log, file.keys, options.checkOptions);
    const a = check.assessment;
    const verdict: FileVerdict = {
      kind: "key-feed",
      file: batch.name,
      batchNum: batch.batchNum,
      keys: file.keys.length,
      matches: check.matches.length,
      status: a.status,
      ...(a.level !== undefined ? { level: a.level } : {}),
      riskScore: a.riskScore,
      ...(a.lastContactAt !== undefined ? { lastContactAt: a.lastContactAt } : {}),
    };
    await log.putResult({
      id: feedResultId(batch.name),
      time: a.lastContactAt ?? clock.now(),
      value: verdict,
    });
    return verdict;
  }

  async function doSync(): Promise<FeedResult> {
    const state = await loadFeedState(log, stateName);
    const result: FeedResult = {
      index: "failed",
      newFiles: [],
      rejected: [],
      givenUp: [],
      pending: [],
      status: "none",
    };
    const finish = async () => Object.assign(result, await currentStatus());
    let fetched: Awaited<ReturnType<typeof fetchIndex>>;
    try {
      fetched = await fetchIndex(state);
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
    const rejected = Object.fromEntries(Object.entries(state.rejected).filter(([n]) => listed.has(n)));
    const save = () =>
      saveFeedState(log, stateName, {
        ...(state.etag ? { etag: state.etag } : {}),
        ...(state.lastModified ? { lastModified: state.lastModified } : {}),
        processed: [...processed],
        rejected,
      });
    const stored = new Map((await log.results()).filter(isVerdict).map((r) => [r.value.file, r.value]));
    let retryLater = false;
    const todo = fetched.index.batches.filter((b) => !processed.has(b.name));
    for (const [i, batch] of todo.entries()) {
      if ((rejected[batch.name]?.attempts ?? 0) >= maxRejections) {
        result.givenUp.push(batch.name);
        continue;
      }
      const earlier = stored.get(batch.name);
      let file: KeyFile | undefined;
      if (!earlier) {
        try {
          file = await fetchVerified(batch);
        } catch (err) {
          if (isTransient(err)) {
            result.error = errorInfo(err);
            result.pending = todo.slice(i).map((b) => b.name);
            retryLater = true;
            break;
          }
          if (!(err instanceof BluezoneError)) throw err;
          const attempts = (rejected[batch.name]?.attempts ?? 0) + 1;
          rejected[batch.name] = { attempts, code: err.code, reason: err.message };
          const givenUp = attempts >= maxRejections;
          if (!givenUp) retryLater = true;
          result.rejected.push({ name: batch.name, code: err.code, reason: err.message, attempts, givenUp });
          await save();
          continue;
        }
      }
      const verdict = earlier ?? (await match(batch, file!));
      processed.add(batch.name);
      delete rejected[batch.name];
      await save();
      result.newFiles.push({ ...verdict, recovered: earlier !== undefined });
    }
    // Remember the index validators only once nothing of this index is left to do, so a 304 never
    // hides a pending or retryable file.
    if (!retryLater) {
      delete state.etag;
      delete state.lastModified;
      if (fetched.etag) state.etag = fetched.etag;
      if (fetched.lastModified) state.lastModified = fetched.lastModified;
    }
    await save();
    return finish();
  }

  let chain: Promise<unknown> = Promise.resolve();
  return {
    sync() {
      const run = chain.then(doSync, doSync);
      chain = run.catch(() => undefined);
      return run;
    },
    status: currentStatus,
  };
}
