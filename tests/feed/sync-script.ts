/**
 * A short-lived script that runs one sync with the default (system) clock and prints the result's
 * index state and error as JSON: `node --import tsx tests/feed/sync-script.ts URL`. Used to show that
 * sync() settles (and the process does not exit early) while back-off timers are pending.
 */
import { createKeyFeed, createMemoryLog } from "../../src/index";
import { signerPair } from "./fixtures";

const feed = createKeyFeed({
  baseUrl: process.argv[2]!,
  trustedKeys: [signerPair().trusted],
  log: createMemoryLog(),
  retry: { retries: 2, baseDelayMs: 200 },
});
const r = await feed.sync();
process.stdout.write(JSON.stringify({ index: r.index, error: r.error }));
