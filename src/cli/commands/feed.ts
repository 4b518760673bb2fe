/**
 * `bluezone feed sync`: fetch a key feed's new batch files, verify and match them against a LevelDB
 * contact log, store the verdicts, and print the result (exposure status, new and rejected files).
 */
import type { Command } from "commander";
import { createKeyFeed, type FeedResult } from "../../feed/client";
import { openLevelLog } from "../../log/level-log";
import { parsePublicKey } from "../../match/signing";
import { printJson } from "../run";

/** Exit code of `feed sync` when the sync stopped early (network, HTTP) — progress is kept. */
export const EXIT_SYNC_INCOMPLETE = 1;

/** One-line summary of a sync for humans. */
export function describeFeedResult(r: FeedResult): string {
  const parts = [`status ${r.status}`, `${r.newFiles.length} new file(s)`];
  if (r.rejected.length > 0)
    parts.push(`${r.rejected.length} rejected (${r.rejected.map((x) => x.code).join(", ")})`);
  if (r.pending.length > 0) parts.push(`${r.pending.length} pending`);
  if (r.error) parts.push(`error: ${r.error.message}`);
  return parts.join(", ");
}

/** Registers `feed sync` on the program. */
export function registerFeed(program: Command): void {
  const cmd = program.command("feed").description("Key distribution: a phone's key-feed client");
  cmd
    .command("sync")
    .description("Download new batch files, verify, match against the contact log, print the exposure status")
    .requiredOption("--url <url>", "feed directory URL (holding index.json)")
    .requiredOption("--public-key <key>", "SPKI base64 (ECDSA P-256 or Ed25519) or 64 hex digits (Ed25519)")
    .requiredOption("--db <dir>", "LevelDB contact log directory (must exist; never created)")
    .option("--json", "print the full result as JSON")
    .action(async (o: { url: string; publicKey: string; db: string; json?: boolean }) => {
      const trusted = parsePublicKey(o.publicKey);
      // Never creates a log: a mistyped --db would otherwise sync against an empty one ("none").
      const log = await openLevelLog(o.db, { createIfMissing: false });
      try {
        const result = await createKeyFeed({ baseUrl: o.url, trustedKeys: [trusted], log }).sync();
        if (o.json) printJson(result, true);
        else process.stdout.write(`${describeFeedResult(result)}\n`);
        if (result.error) process.exitCode = EXIT_SYNC_INCOMPLETE;
      } finally {
        await log.close();
      }
    });
}
