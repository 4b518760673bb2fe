/**
 * `bluezone feed sync`: fetch a key feed's new batch files, verify and match them against a LevelDB
 * contact log, store the verdicts, and print the result (exposure status, new and rejected files).
 */
import { InvalidArgumentError } from "../../errors";
import type { Command } from "commander";
import { createKeyFeed, type FeedResult } from "../../feed/client";
import { openLevelLog } from "../../log/level-log";
import { parsePublicKey } from "../../match/signing";
import { utcOffsetBoundary } from "../../proximity/day-boundary";
import { getPolicy, withDayBoundary } from "../../proximity/policy";
import { MAX_TIMER_MS } from "../../feed/http";
import { collect, parseIntOption, parseUtcOffset, printJson } from "../run";

/**
 * Exit code of `feed sync` when the sync stopped early — the index could not be fetched, the server
 * could not be reached, a deadline passed — progress is kept; run it again later.
 */
export const EXIT_SYNC_INCOMPLETE = 1;

/**
 * Exit code of `feed sync` when it finished but rejected one or more files (bad signature, digest,
 * size, malformed, 4xx, or still failing after retries): those files are not trusted; later syncs
 * retry them until they are given up.
 */
export const EXIT_FILES_REJECTED = 3;

/**
 * The exit code for a sync result: incomplete (1: stopped early, or files left pending by
 * `--max-files`) before rejected (3) before success (0).
 */
export function feedExitCode(r: FeedResult): number {
  if (r.error || r.pending.length > 0) return EXIT_SYNC_INCOMPLETE;
  if (r.rejected.length > 0) return EXIT_FILES_REJECTED;
  return 0;
}

/** The `bluezone: <reason>` line for stderr, or undefined when the sync succeeded. */
export function feedFailureLine(r: FeedResult): string | undefined {
  if (r.error) return `bluezone: ${r.error.message}`;
  if (r.pending.length > 0)
    return `bluezone: ${r.pending.length} file(s) left for the next sync (at most --max-files files are downloaded per sync)`;
  if (r.rejected.length === 0) return undefined;
  const shown = r.rejected.slice(0, 3).map((x) => `${x.name} (${x.code}: ${x.reason})`);
  const more = r.rejected.length > 3 ? `; and ${r.rejected.length - 3} more` : "";
  return `bluezone: ${r.rejected.length} file(s) rejected: ${shown.join("; ")}${more}`;
}

/** One-line summary of a sync for humans. */
export function describeFeedResult(r: FeedResult): string {
  const parts = [`status ${r.status}`, `${r.newFiles.length} new file(s)`];
  if (r.rejected.length > 0)
    parts.push(`${r.rejected.length} rejected (${r.rejected.map((x) => x.code).join(", ")})`);
  if (r.givenUp.length > 0) parts.push(`${r.givenUp.length} given up`);
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
    .option(
      "--public-key <key>",
      "trusted signing key: SPKI base64 (ECDSA P-256 or Ed25519), 64 hex digits (Ed25519) or a PEM public key; repeatable (during a key rotation, trust both)",
      collect,
    )
    .requiredOption("--db <dir>", "LevelDB contact log directory (must exist; never created)")
    .option("--policy <name>", "contact policy: default | swisscovid | cwa | bluezone", "default")
    .option(
      "--utc-offset <h>",
      "where the day rule's days begin, in hours east of UTC (7 for Vietnam's local days); UTC by default",
      parseUtcOffset,
    )
    .option(
      "--receiver-model <model>",
      "this phone's model, for its RSSI correction (fleet average otherwise)",
    )
    .option("--json", "print the full result as JSON")
    .option(
      "--retries <n>",
      "retries per request on network errors, 5xx, deadlines",
      parseIntOption("--retries", 0, 20),
      3,
    )
    .option(
      "--connect-timeout <ms>",
      "connection deadline",
      parseIntOption("--connect-timeout", 1, MAX_TIMER_MS),
      10_000,
    )
    .option(
      "--headers-timeout <ms>",
      "deadline for response headers",
      parseIntOption("--headers-timeout", 1, MAX_TIMER_MS),
      30_000,
    )
    .option(
      "--idle-timeout <ms>",
      "longest silence inside a body",
      parseIntOption("--idle-timeout", 1, MAX_TIMER_MS),
      30_000,
    )
    .option(
      "--request-timeout <ms>",
      "deadline per request",
      parseIntOption("--request-timeout", 1, MAX_TIMER_MS),
      120_000,
    )
    .option(
      "--total-timeout <ms>",
      "deadline for the whole sync",
      parseIntOption("--total-timeout", 1, MAX_TIMER_MS),
      600_000,
    )
    .option("--max-files <n>", "files downloaded per sync at most", parseIntOption("--max-files", 1), 1000)
    .action(
      async (o: {
        url: string;
        publicKey?: string[];
        db: string;
        policy: string;
        utcOffset?: number;
        receiverModel?: string;
        json?: boolean;
        retries: number;
        connectTimeout: number;
        headersTimeout: number;
        idleTimeout: number;
        requestTimeout: number;
        totalTimeout: number;
        maxFiles: number;
      }) => {
        // A URL no fetch can follow is bad input now, not four failed attempts later.
        const protocol = URL.canParse(o.url) ? new URL(o.url).protocol : "";
        if (protocol !== "http:" && protocol !== "https:")
          throw new InvalidArgumentError(`--url must be an http:// or https:// URL, got "${o.url}"`);
        if (!o.publicKey?.length)
          throw new InvalidArgumentError("feed sync needs --public-key KEY (the authority's signing key)");
        const trusted = o.publicKey.map((k) => parsePublicKey(k));
        const named = getPolicy(o.policy);
        const policy =
          o.utcOffset === undefined ? named : withDayBoundary(named, utcOffsetBoundary(o.utcOffset));
        // Never creates a log: a mistyped --db would otherwise sync against an empty one ("none").
        const log = await openLevelLog(o.db, { createIfMissing: false });
        try {
          const result = await createKeyFeed({
            baseUrl: o.url,
            trustedKeys: trusted,
            checkOptions: { policy, ...(o.receiverModel ? { receiverModel: o.receiverModel } : {}) },
            log,
            retry: { retries: o.retries },
            timeouts: {
              connectMs: o.connectTimeout,
              headersMs: o.headersTimeout,
              idleMs: o.idleTimeout,
              requestMs: o.requestTimeout,
              totalMs: o.totalTimeout,
            },
            maxFilesPerSync: o.maxFiles,
          }).sync();
          if (o.json) printJson(result, true);
          else process.stdout.write(`${describeFeedResult(result)}\n`);
          const failure = feedFailureLine(result);
          if (failure) process.stderr.write(`${failure}\n`);
          process.exitCode = feedExitCode(result);
        } finally {
          await log.close();
        }
      },
    );
}
