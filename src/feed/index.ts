/** The phone's key-feed client: index format, HTTP plumbing, persisted progress, sync. */
export {
  createKeyFeed,
  type FeedResult,
  GIVEN_UP_RETRY_MS,
  type FileVerdict,
  type KeyFeed,
  type KeyFeedOptions,
  type ProcessedFile,
  type RejectedFile,
  type StoredKey,
  type SyncOptions,
} from "./client";
export * from "./errors";
export { FEED_INDEX_VERSION, type FeedBatch, type FeedIndex, parseFeedIndex } from "./feed-index";
export type { FeedState, RejectionRecord } from "./feed-state";
export {
  DEFAULT_FEED_TIMEOUTS,
  type FeedTimeouts,
  type FetchInit,
  type FetchLike,
  type RetryOptions,
} from "./http";
