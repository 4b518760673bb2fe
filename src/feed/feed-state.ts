/**
 * What the feed client remembers between syncs, stored as small JSON state in the contact log: the
 * index validators, the names of processed files and the rejection count of files that failed.
 *
 * Progress is written incrementally: during a sync each file's outcome is appended as its own small
 * journal entry (`<name>#0`, `<name>#1`, …), so a sync of n files writes O(n) bytes, not the whole
 * state after every file (which made an index of 10,000 bogus entries quadratic). The journal is
 * folded into the state (`<name>`) once per sync and deleted newest first, so a crash at any point
 * leaves the state plus a prefix of the journal, and replaying an entry twice changes nothing.
 */
import type { ContactLog } from "../log/types";

/**
 * A file that was rejected at least once.
 * @public
 */
export interface RejectionRecord {
  /** How many syncs rejected it. */
  attempts: number;
  /** Error code of the last rejection. */
  code: string;
  /** Message of the last rejection. */
  reason: string;
  /** When the last rejection happened, unix ms (absent in records stored before this field existed). */
  at?: number;
}

/**
 * The persisted cursor of one feed.
 * @public
 */
export interface FeedState {
  /** ETag of the last index whose files were all handled. */
  etag?: string;
  /** Last-Modified of that index. */
  lastModified?: string;
  /** Names of processed files (pruned to the names still listed in the index). */
  processed: string[];
  /** Files that failed verification, by name. */
  rejected: Record<string, RejectionRecord>;
  /**
   * Fingerprint of the trusted keys the rejections were judged with: when the trusted keys change (a
   * signing-key rotation), every rejection is forgotten and the index fetched in full again.
   */
  trust?: string;
}

/** A state with nothing processed. */
export function emptyFeedState(): FeedState {
  return { processed: [], rejected: {} };
}

/** One journal entry: a file's outcome in a running sync. */
export type FeedJournalEntry =
  | { name: string; processed: true }
  | { name: string; rejection: RejectionRecord };

/** Name of journal entry `n` of the state `name`. */
export function feedJournalKey(name: string, n: number): string {
  return `${name}#${n}`;
}

/** Applies a journal entry to a state (idempotent). */
export function applyJournalEntry(state: FeedState, entry: FeedJournalEntry): void {
  if ("processed" in entry) {
    state.processed.push(entry.name); // duplicates are dropped by the loader
    delete state.rejected[entry.name];
  } else {
    state.rejected[entry.name] = entry.rejection;
  }
}

/** Appends journal entry `n` (one small put). */
export async function appendFeedJournal(
  log: ContactLog,
  name: string,
  n: number,
  entry: FeedJournalEntry,
): Promise<void> {
  await log.putState(feedJournalKey(name, n), new Uint8Array(Buffer.from(JSON.stringify(entry), "utf8")));
}

/**
 * Loads the state with its journal replayed and folds the journal into it (one write), so a new sync
 * starts with an empty journal. Cost: one read per journal entry left by an interrupted sync.
 */
export async function loadFeedProgress(log: ContactLog, name: string): Promise<FeedState> {
  const state = await loadFeedState(log, name);
  let n = 0;
  for (; ; n++) {
    const bytes = await log.getState(feedJournalKey(name, n));
    if (!bytes) break;
    try {
      applyJournalEntry(state, JSON.parse(Buffer.from(bytes).toString("utf8")) as FeedJournalEntry);
    } catch {
      // An unreadable entry: its file is simply handled again (results are recognised by id).
    }
  }
  state.processed = [...new Set(state.processed)];
  if (n > 0) await saveFeedProgress(log, name, state, n);
  return state;
}

/** Writes the state, then deletes journal entries `n-1 … 0` (newest first). */
export async function saveFeedProgress(
  log: ContactLog,
  name: string,
  state: FeedState,
  journalLength: number,
): Promise<void> {
  await saveFeedState(log, name, state);
  for (let i = journalLength - 1; i >= 0; i--) await log.putState(feedJournalKey(name, i), undefined);
}

/**
 * Loads the state; a missing or unreadable value starts over (files whose results are stored are
 * still recognised through those results, so starting over never reprocesses them).
 */
export async function loadFeedState(log: ContactLog, name: string): Promise<FeedState> {
  const bytes = await log.getState(name);
  if (!bytes) return emptyFeedState();
  try {
    const o = JSON.parse(Buffer.from(bytes).toString("utf8")) as Partial<FeedState>;
    return {
      ...(typeof o.etag === "string" ? { etag: o.etag } : {}),
      ...(typeof o.lastModified === "string" ? { lastModified: o.lastModified } : {}),
      processed: Array.isArray(o.processed) ? o.processed.filter((x) => typeof x === "string") : [],
      rejected: typeof o.rejected === "object" && o.rejected !== null ? o.rejected : {},
      ...(typeof o.trust === "string" ? { trust: o.trust } : {}),
    };
  } catch {
    return emptyFeedState();
  }
}

/** Stores the state (one atomic put). */
export async function saveFeedState(log: ContactLog, name: string, state: FeedState): Promise<void> {
  await log.putState(name, new Uint8Array(Buffer.from(JSON.stringify(state), "utf8")));
}
