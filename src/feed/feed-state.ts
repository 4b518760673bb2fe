/**
 * What the feed client remembers between syncs, stored as small JSON state in the contact log: the
 * index validators, the names of processed files and the rejection count of files that failed.
 */
import type { ContactLog } from "../log/types";

/** A file that was rejected at least once. */
export interface RejectionRecord {
  /** How many syncs rejected it. */
  attempts: number;
  /** Error code of the last rejection. */
  code: string;
  /** Message of the last rejection. */
  reason: string;
}

/** The persisted cursor of one feed. */
export interface FeedState {
  /** ETag of the last index whose files were all handled. */
  etag?: string;
  /** Last-Modified of that index. */
  lastModified?: string;
  /** Names of processed files (pruned to the names still listed in the index). */
  processed: string[];
  /** Files that failed verification, by name. */
  rejected: Record<string, RejectionRecord>;
}

/** A state with nothing processed. */
export function emptyFeedState(): FeedState {
  return { processed: [], rejected: {} };
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
    };
  } catch {
    return emptyFeedState();
  }
}

/** Stores the state (one atomic put). */
export async function saveFeedState(log: ContactLog, name: string, state: FeedState): Promise<void> {
  await log.putState(name, new Uint8Array(Buffer.from(JSON.stringify(state), "utf8")));
}
