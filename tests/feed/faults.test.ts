/**
 * The feed client against a real loopback HTTP server misbehaving (issue #14 items 5–8): unreachable
 * and failing servers, stalls and dribbled bodies against the deadlines, an abort, a file answering
 * 503 forever, thousands of bogus index entries, redirect loops and a string index version.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type Clock,
  type ContactLog,
  createKeyFeed,
  createMemoryLog,
  type FeedTimeouts,
  type KeyFeedOptions,
  parseFeedIndex,
  systemClock,
} from "../../src/index";
import { loadFeedState } from "../../src/feed/feed-state";
import { ROOT } from "../helpers/data";
import { caseKey, logThatSaw, NOW, type PublishedFile, publishFile, signerPair } from "./fixtures";
import {
  bytes,
  cut,
  dribble,
  json,
  redirect,
  stall,
  startHttp,
  status,
  type TestHttp,
  unacceptingPort,
} from "./http-server";

const { trusted } = signerPair();

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** Real timers, but "now" is the fixtures' date (so the 2021 key files are plausible). */
function realTimersAtNow(): Clock {
  return { ...systemClock(), now: () => NOW };
}

/** A loopback server publishing `files` under /feed/ (index + files), closed after the test. */
async function feedServer(files: PublishedFile[]) {
  const http = await startHttp();
  cleanup.push(() => http.close());
  http.route("/feed/index.json", json({ version: 1, updatedAt: NOW, batches: files.map((f) => f.batch) }));
  for (const f of files) http.route(`/feed/${f.batch.name}`, bytes(f.bytes));
  return http;
}

function feedOf(http: TestHttp | string, log: ContactLog, extra: Partial<KeyFeedOptions> = {}) {
  return createKeyFeed({
    baseUrl: typeof http === "string" ? http : http.feedUrl,
    trustedKeys: [trusted],
    log,
    clock: realTimersAtNow(),
    retry: { retries: 1, baseDelayMs: 10 },
    ...extra,
  });
}

/** A URL of a loopback port nothing listens on (a server that was closed). */
async function deadUrl(): Promise<string> {
  const http = await startHttp();
  await http.close();
  return http.feedUrl;
}

/** Runs a command; resolves with its exit code and output (killed after 60 s). */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ status: code, stdout, stderr });
    });
  });
}

describe("item 5: an unreachable or failing server ends the sync with a result", () => {
  it("a short-lived script gets its result (was: exit 13, nothing printed) — refused and 503", async () => {
    const http = await startHttp({ "/feed/index.json": status(503) });
    cleanup.push(() => http.close());
    const script = join(ROOT, "tests/feed/sync-script.ts");
    const [refused, unavailable] = await Promise.all([
      run([script, await deadUrl()]),
      run([script, http.feedUrl]),
    ]);
    expect([refused.status, refused.stderr]).toEqual([0, ""]);
    const r1 = JSON.parse(refused.stdout) as { index: string; error: { code: string; message: string } };
    expect([r1.index, r1.error.code]).toEqual(["failed", "ERR_FEED_NETWORK"]);
    expect(r1.error.message).toMatch(/ECONNREFUSED 127\.0\.0\.1:\d+ \(3 attempts\)$/);
    expect(unavailable.status).toBe(0);
    const r2 = JSON.parse(unavailable.stdout) as { error: { code: string; message: string } };
    expect(r2.error).toEqual({
      code: "ERR_FEED_HTTP",
      message: `GET ${http.feedUrl}index.json answered 503 (3 attempts)`,
    });
    expect(http.hits("/feed/index.json")).toBe(3);
  });
});

describe("item 6: deadlines and abort", () => {
  const short: FeedTimeouts = { headersMs: 300, idleMs: 300, requestMs: 5000, totalMs: 20_000 };

  it("a server that never answers misses the headers deadline; each attempt counts", async () => {
    const http = await startHttp({ "/feed/index.json": stall() });
    cleanup.push(() => http.close());
    const r = await feedOf(http, createMemoryLog(), { timeouts: short }).sync();
    expect(r.error).toEqual({
      code: "ERR_FEED_TIMEOUT",
      message: `GET ${http.feedUrl}index.json: no response headers within 300 ms (2 attempts)`,
    });
    expect(http.hits("/feed/index.json")).toBe(2);
  });

  it("a connection that is never accepted misses the connect deadline and stops the sync", async () => {
    const port = await unacceptingPort(5000);
    cleanup.push(() => port.close());
    const url = `http://127.0.0.1:${port.port}/feed/`;
    const r = await feedOf(url, createMemoryLog(), {
      timeouts: { ...short, connectMs: 200, headersMs: 20_000 },
      retry: { retries: 0 },
    }).sync();
    expect(r.error).toEqual({
      code: "ERR_FEED_TIMEOUT",
      message: `GET ${url}index.json: no connection within 200 ms`,
    });
  });

  it("a body dribbled slower than the idle deadline fails that file; later files are processed", async () => {
    const slow = publishFile(1, [caseKey(2)]);
    const good = publishFile(2, [caseKey(1)]);
    const http = await feedServer([slow, good]);
    http.route(`/feed/${slow.batch.name}`, dribble(http, slow.bytes, 1000, 3));
    const r = await feedOf(http, await logThatSaw(caseKey(1)), {
      timeouts: short,
      retry: { retries: 0 },
    }).sync();
    expect(r.error).toBeUndefined();
    expect(r.rejected.map((x) => [x.name, x.code, x.reason])).toEqual([
      [
        slow.batch.name,
        "ERR_FEED_TIMEOUT",
        `GET ${http.feedUrl}${slow.batch.name}: no body bytes for 300 ms`,
      ],
    ]);
    expect([r.newFiles.map((f) => f.file), r.status]).toEqual([[good.batch.name], "F1"]);
  });

  it("a body dribbled within the idle deadline is cut by the request deadline", async () => {
    const slow = publishFile(1, [caseKey(2)]);
    const http = await feedServer([slow]);
    http.route(`/feed/${slow.batch.name}`, dribble(http, slow.bytes, 50, 100)); // 100 bytes ≈ 5 s
    const timeouts = { ...short, idleMs: 2000, requestMs: 600 };
    const r = await feedOf(http, createMemoryLog(), { timeouts, retry: { retries: 0 } }).sync();
    expect(r.rejected.map((x) => [x.code, x.reason])).toEqual([
      ["ERR_FEED_TIMEOUT", `GET ${http.feedUrl}${slow.batch.name}: not complete within 600 ms`],
    ]);
  });

  it("the total deadline ends the sync, keeps progress and leaves the rest pending", async () => {
    const first = publishFile(1, [caseKey(1)]);
    const slow = publishFile(2, [caseKey(2)]);
    const last = publishFile(3, [caseKey(3)]);
    const http = await feedServer([first, slow, last]);
    http.route(`/feed/${slow.batch.name}`, dribble(http, slow.bytes, 50, 100));
    const log = await logThatSaw(caseKey(1));
    const timeouts = { ...short, idleMs: 2000, requestMs: 10_000, totalMs: 800 };
    const r = await feedOf(http, log, { timeouts }).sync();
    expect(r.error).toEqual({
      code: "ERR_FEED_TIMEOUT",
      message: "sync not complete within 800 ms (progress kept)",
    });
    expect([r.newFiles.map((f) => f.file), r.pending, r.status]).toEqual([
      [first.batch.name],
      [slow.batch.name, last.batch.name],
      "F1",
    ]);
    expect((await loadFeedState(log, `feed.${http.feedUrl}`)).processed).toEqual([first.batch.name]);
  });

  it("a body always cut off counts against its file (given up after maxRejections); later files are processed", async () => {
    const broken = publishFile(1, [caseKey(2)]);
    const good = publishFile(2, [caseKey(1)]);
    const http = await feedServer([broken, good]);
    http.route(`/feed/${broken.batch.name}`, cut(broken.bytes, 100));
    const feed = feedOf(http, await logThatSaw(caseKey(1)), { maxRejections: 2, retry: { retries: 0 } });
    const r1 = await feed.sync();
    expect(r1.error).toBeUndefined();
    expect(r1.rejected.map((x) => [x.code, x.attempts, x.givenUp])).toEqual([["ERR_FEED_NETWORK", 1, false]]);
    // One reason, said once (it was "reading b000001.zip failed: reading b000001.zip failed: …").
    expect(r1.rejected[0]!.reason.match(/reading b000001\.zip failed/g)).toHaveLength(1);
    expect([r1.newFiles.map((f) => f.file), r1.status]).toEqual([[good.batch.name], "F1"]);
    expect((await feed.sync()).rejected.map((x) => x.givenUp)).toEqual([true]);
  });

  it("a file the total deadline always runs out on is given up after maxRejections syncs", async () => {
    const slow = publishFile(1, [caseKey(2)]);
    const good = publishFile(2, [caseKey(1)]);
    const http = await feedServer([slow, good]);
    http.route(`/feed/${slow.batch.name}`, dribble(http, slow.bytes, 50, 100));
    const timeouts = { ...short, idleMs: 2000, requestMs: 10_000, totalMs: 500 };
    const feed = feedOf(http, await logThatSaw(caseKey(1)), { timeouts, maxRejections: 2 });
    const r1 = await feed.sync();
    expect([r1.error?.code, r1.pending, r1.rejected.map((x) => [x.code, x.attempts])]).toEqual([
      "ERR_FEED_TIMEOUT",
      [slow.batch.name, good.batch.name],
      [["ERR_FEED_TIMEOUT", 1]],
    ]);
    const r2 = await feed.sync();
    expect([r2.pending, r2.rejected.map((x) => x.givenUp)]).toEqual([[good.batch.name], [true]]);
    const r3 = await feed.sync();
    expect([r3.error, r3.givenUp, r3.newFiles.map((f) => f.file), r3.status]).toEqual([
      undefined,
      [slow.batch.name],
      [good.batch.name],
      "F1",
    ]);
  });

  it("an AbortSignal cancels the download under way and ends the sync with ERR_FEED_ABORTED", async () => {
    const slow = publishFile(1, [caseKey(2)]);
    const http = await feedServer([slow]);
    http.route(`/feed/${slow.batch.name}`, dribble(http, slow.bytes, 50, 200));
    const controller = new AbortController();
    const feed = feedOf(http, createMemoryLog(), { timeouts: { ...short, idleMs: 5000 } });
    const pending = feed.sync({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user left the screen")), 300);
    const r = await pending;
    expect(r.error).toEqual({ code: "ERR_FEED_ABORTED", message: "sync aborted: user left the screen" });
    expect(r.pending).toEqual([slow.batch.name]);
    expect(http.hits(`/feed/${slow.batch.name}`)).toBe(1); // not retried
    const again = await feed.sync({ signal: AbortSignal.abort() });
    expect(again.error?.code).toBe("ERR_FEED_ABORTED");
  });
});

describe("item 7: a failing file does not block the feed; progress is linear; a cap per sync", () => {
  it("a file answering 503 forever is retried a bounded number of times, given up and recorded", async () => {
    const broken = publishFile(1, [caseKey(2)]);
    const good = publishFile(2, [caseKey(1)]);
    const http = await feedServer([broken, good]);
    http.route(`/feed/${broken.batch.name}`, status(503));
    const log = await logThatSaw(caseKey(1));
    const feed = feedOf(http, log, { maxRejections: 3 });
    const r1 = await feed.sync();
    expect(r1.error).toBeUndefined();
    expect(r1.rejected.map((x) => [x.code, x.attempts, x.givenUp])).toEqual([["ERR_FEED_HTTP", 1, false]]);
    expect([r1.newFiles.map((f) => f.file), r1.status]).toEqual([[good.batch.name], "F1"]);
    expect(http.hits(`/feed/${broken.batch.name}`)).toBe(2); // 1 + 1 retry
    const r2 = await feed.sync();
    const r3 = await feed.sync();
    expect([r2.rejected[0]?.attempts, r3.rejected[0]?.givenUp]).toEqual([2, true]);
    const r4 = await feed.sync();
    expect([r4.givenUp, http.hits(`/feed/${broken.batch.name}`)]).toEqual([[broken.batch.name], 6]);
    const state = await loadFeedState(log, `feed.${http.feedUrl}`);
    expect(state.rejected[broken.batch.name]).toEqual({
      attempts: 3,
      code: "ERR_FEED_HTTP",
      reason: `GET ${http.feedUrl}${broken.batch.name} answered 503 (2 attempts)`,
      at: NOW,
    });
  });

  it("2,000 bogus entries: state writes grow linearly (each outcome journalled once, the state written once)", async () => {
    const n = 2000;
    const bogus = Array.from({ length: n }, (_, i) => ({
      name: `bogus-${String(i).padStart(5, "0")}.zip`,
      size: 10,
      batchNum: 1,
      createdAt: NOW,
    }));
    const http = await startHttp({
      "/feed/index.json": json({ version: 1, updatedAt: NOW, batches: bogus }),
    });
    cleanup.push(() => http.close());
    const inner = createMemoryLog();
    let bytesWritten = 0;
    let writes = 0;
    const log: ContactLog = Object.create(inner, {
      putState: {
        value: (name: string, value: Uint8Array | undefined) => {
          writes++;
          bytesWritten += value?.length ?? 0;
          return inner.putState(name, value);
        },
      },
    });
    const r = await feedOf(http, log, { retry: { retries: 0 }, maxFilesPerSync: n }).sync();
    expect(r.rejected).toHaveLength(n);
    expect(r.rejected.every((x) => x.code === "ERR_FEED_HTTP")).toBe(true);
    // One journal entry per file, one state write, one delete per entry.
    expect(writes).toBe(2 * n + 1);
    // A journal entry is ≈ 150 bytes and the final state ≈ 150 bytes per file: ≈ 600 kB in all. The
    // old full rewrite after each file wrote Σ i·(≈ 140 bytes) for i ≤ n ≈ 280 MB.
    const perFile = JSON.stringify({
      name: bogus[0]!.name,
      rejection: {
        attempts: 1,
        code: "ERR_FEED_HTTP",
        reason: `GET ${http.feedUrl}${bogus[0]!.name} answered 404`,
      },
    }).length;
    expect(bytesWritten).toBeLessThan(2 * n * (perFile + 10));
    const state = await loadFeedState(log, `feed.${http.feedUrl}`);
    expect(Object.keys(state.rejected)).toHaveLength(n);
    expect(await inner.getState(`feed.${http.feedUrl}#0`)).toBeUndefined(); // journal folded in
  });

  it("downloads at most maxFilesPerSync files per sync; the rest are pending for the next", async () => {
    const files = [1, 2, 3, 4, 5].map((i) => publishFile(i, [caseKey(i)]));
    const http = await feedServer(files);
    const feed = feedOf(http, await logThatSaw(caseKey(5)), { maxFilesPerSync: 3 });
    const r1 = await feed.sync();
    expect([r1.newFiles.length, r1.pending, r1.error, r1.status]).toEqual([
      3,
      [files[3]!.batch.name, files[4]!.batch.name],
      undefined,
      "none",
    ]);
    const r2 = await feed.sync();
    expect([r2.index, r2.newFiles.map((f) => f.file), r2.pending, r2.status]).toEqual([
      "fetched",
      [files[3]!.batch.name, files[4]!.batch.name],
      [],
      "F1",
    ]);
  });

  it("a sync interrupted after journalling resumes from the journal (nothing redone)", async () => {
    const files = [1, 2, 3].map((i) => publishFile(i, [caseKey(i)]));
    const http = await feedServer(files);
    const inner = await logThatSaw(caseKey(3));
    const stateName = `feed.${http.feedUrl}`;
    // The final state write fails once: the journal of the sync stays behind.
    let failed = false;
    const crashing: ContactLog = Object.create(inner, {
      putState: {
        value: (name: string, value: Uint8Array | undefined) => {
          if (name === stateName && !failed) {
            failed = true;
            return Promise.reject(new Error("crash while saving the state"));
          }
          return inner.putState(name, value);
        },
      },
    });
    await expect(feedOf(http, crashing).sync()).rejects.toThrow(/crash while saving/);
    expect(await inner.getState(`${stateName}#2`)).toBeDefined();
    const r = await feedOf(http, inner).sync();
    expect([r.newFiles.length, r.status]).toEqual([0, "F1"]);
    expect((await loadFeedState(inner, stateName)).processed).toEqual(files.map((f) => f.batch.name));
    expect(files.map((f) => http.hits(`/feed/${f.batch.name}`))).toEqual([1, 1, 1]);
  });
});

describe("item 8: clear reasons — redirect loops, a string version", () => {
  it("reports a redirect loop as a loop, for the index and for a file (later files still processed)", async () => {
    const looping = publishFile(1, [caseKey(2)]);
    const good = publishFile(2, [caseKey(1)]);
    const http = await feedServer([looping, good]);
    http.route(`/feed/${looping.batch.name}`, redirect("/a"));
    http.route("/a", redirect(`/feed/${looping.batch.name}`, 307));
    const r = await feedOf(http, await logThatSaw(caseKey(1))).sync();
    const file = `${http.feedUrl}${looping.batch.name}`;
    expect(r.rejected.map((x) => [x.code, x.reason])).toEqual([
      ["ERR_FEED_REDIRECT", `redirect loop: ${file} → ${http.url}/a → ${file}`],
    ]);
    expect(r.newFiles.map((f) => f.file)).toEqual([good.batch.name]);

    http.route("/feed/index.json", redirect("/feed/index.json"));
    const r2 = await feedOf(http, createMemoryLog()).sync();
    expect(r2.error).toEqual({
      code: "ERR_FEED_REDIRECT",
      message: `redirect loop: ${http.feedUrl}index.json → ${http.feedUrl}index.json`,
    });
  });

  it("a long redirect chain ends after 20 hops; a good redirect is followed", async () => {
    const file = publishFile(1, [caseKey(1)]);
    const http = await feedServer([file]);
    for (let i = 0; i < 25; i++) http.route(`/hop${i}`, redirect(`/hop${i + 1}`));
    http.route("/feed/index.json", redirect("/hop0", 301));
    const r = await feedOf(http, createMemoryLog()).sync();
    expect(r.error?.message).toBe(
      `GET ${http.feedUrl}index.json: more than 20 redirects (last ${http.url}/hop20)`,
    );
    http.route("/feed/index.json", redirect("/moved/index.json", 308));
    http.route("/moved/index.json", json({ version: 1, updatedAt: NOW, batches: [file.batch] }));
    http.route(`/moved/${file.batch.name}`, bytes(file.bytes));
    const ok = await feedOf(http, await logThatSaw(caseKey(1))).sync();
    expect([ok.error, ok.status]).toEqual([undefined, "F1"]);
    // Files resolve against the index URL as given (the redirect is a transport detail).
    expect(http.hits(`/feed/${file.batch.name}`)).toBe(1);
  });

  it('an index with version "1" is refused with the type shown', async () => {
    expect(() => parseFeedIndex({ version: "1", batches: [] })).toThrow(
      'unsupported index version: "1" (a JSON string); expected the number 1',
    );
    expect(() => parseFeedIndex({ batches: [] })).toThrow(
      "unsupported index version: missing; expected the number 1",
    );
    const http = await startHttp({ "/feed/index.json": json({ version: "1", updatedAt: NOW, batches: [] }) });
    cleanup.push(() => http.close());
    const r = await feedOf(http, createMemoryLog()).sync();
    expect(r.error).toEqual({
      code: "ERR_FEED_INDEX",
      message: 'unsupported index version: "1" (a JSON string); expected the number 1',
    });
  });
});
