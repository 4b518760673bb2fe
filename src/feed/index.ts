/** The phone's key-feed client: index format, HTTP plumbing, persisted progress, sync. */
export * from "./client";
export * from "./errors";
export * from "./feed-index";
export * from "./feed-state";
export * from "./http";
