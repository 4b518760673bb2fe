/**
 * The feed's status over files that list a key again: a later listing (a revised report type, a
 * revocation, a file's revised_keys) replaces the earlier one in the status, as a key server's newest
 * record does; files given up are tried again when the trusted keys change (a signing-key rotation)
 * and once a day. Expected verdicts are worked by hand from the fixtures: `logThatSaw(k)` holds 40
 * close minutes of key k (2,400 s ≥ the 900 s of the day rule), so a confirmed key makes an F1, a
 * recursive key of an F1 (transmission risk level 1) an F2, and a revoked key nothing.
 */
import { describe, expect, it } from "vitest";
import {
  type Clock,
  type ContactLog,
  createKeyFeed,
  createMemoryLog,
  getPolicy,
  INTERVAL_MS,
  type KeyFeedOptions,
  ReportType,
  withDayBoundary,
} from "../../src/index";
import { GIVEN_UP_RETRY_MS } from "../../src/feed/client";
import { caseKey, closeMinutes, DAY0, fakeWeb, logThatSaw, NOW, publishFile, signerPair } from "./fixtures";

const old = signerPair(7);
const rotated = signerPair(8);

/** A clock at `t.now` (movable) whose timers never fire (retries use an injected sleep). */
function movableClock(): Clock & { now(): number; set(t: number): void } {
  let t = NOW;
  return {
    now: () => t,
    set: (x: number) => {
      t = x;
    },
    setTimeout: () => ({ id: 0 }),
    clearTimeout: () => undefined,
  };
}

function feedOf(
  web: ReturnType<typeof fakeWeb>,
  log: ContactLog,
  extra: Partial<KeyFeedOptions> = {},
): ReturnType<typeof createKeyFeed> {
  return createKeyFeed({
    baseUrl: web.BASE,
    trustedKeys: [old.trusted],
    log,
    fetch: web.fetch,
    clock: movableClock(),
    retry: { retries: 0, sleep: async () => undefined },
    ...extra,
  });
}

const revoked = (i: number) => caseKey(i, { reportType: ReportType.REVOKED });
const recursive = (i: number) => caseKey(i, { reportType: ReportType.RECURSIVE, transmissionRiskLevel: 1 });

describe("a key listed again: the newest listing decides the status", () => {
  it("a confirmed key revoked in a later file: F1, then none", async () => {
    const web = fakeWeb([publishFile(1, [caseKey(1)])]);
    const log = await logThatSaw(caseKey(1));
    const feed = feedOf(web, log);
    expect((await feed.sync()).status).toBe("F1");
    web.publish(publishFile(2, [revoked(1)]));
    const r = await feed.sync();
    expect(r.newFiles.map((f) => [f.file, f.status])).toEqual([["b000002.zip", "none"]]);
    expect([r.status, r.lastContactAt]).toEqual(["none", undefined]);
    expect(await feed.status()).toEqual({ status: "none" });
  });

  it("a confirmed key listed again as an F1's recursive key: F1, then F2", async () => {
    const web = fakeWeb([publishFile(1, [caseKey(1)])]);
    const log = await logThatSaw(caseKey(1));
    const feed = feedOf(web, log);
    expect((await feed.sync()).status).toBe("F1");
    web.publish(publishFile(2, [recursive(1)]));
    expect((await feed.sync()).status).toBe("F2");
  });

  it("a revocation of one key leaves another case's contact standing", async () => {
    const web = fakeWeb([publishFile(1, [caseKey(1), caseKey(2)])]);
    const log = await logThatSaw(caseKey(1), caseKey(2));
    const feed = feedOf(web, log);
    expect((await feed.sync()).status).toBe("F1");
    web.publish(publishFile(2, [revoked(1)]));
    expect((await feed.sync()).status).toBe("F1");
    web.publish(publishFile(3, [revoked(2)]));
    expect((await feed.sync()).status).toBe("none");
  });

  it("a file's revised_keys are matched, and replace the file's own listing of a key", async () => {
    // Only in revised_keys: a confirmed key (a revision of an earlier clinical diagnosis) → F1.
    const web = fakeWeb([publishFile(1, [], old.signer, [caseKey(1)])]);
    const feed = feedOf(web, await logThatSaw(caseKey(1)));
    const r = await feed.sync();
    expect(r.newFiles.map((f) => [f.keys, f.status])).toEqual([[1, "F1"]]);
    // Listed as confirmed in keys and revoked in revised_keys of the same file → none.
    const web2 = fakeWeb([publishFile(1, [caseKey(1)], old.signer, [revoked(1)])]);
    const r2 = await feedOf(web2, await logThatSaw(caseKey(1))).sync();
    expect(r2.newFiles.map((f) => [f.keys, f.status])).toEqual([[1, "none"]]);
    expect(r2.status).toBe("none");
  });
});

describe("given-up files are not lost", () => {
  it("a signing-key rotation: files given up under the old key are processed once the new key is trusted", async () => {
    const web = fakeWeb([publishFile(1, [caseKey(1)], rotated.signer)]);
    const log = await logThatSaw(caseKey(1));
    const before = feedOf(web, log, { maxRejections: 2 });
    await before.sync();
    const given = await before.sync();
    expect(given.rejected.map((r) => [r.code, r.givenUp])).toEqual([["ERR_KEY_FILE_SIGNATURE", true]]);
    expect((await before.sync()).givenUp).toEqual(["b000001.zip"]);
    // The app ships the authority's new key (both trusted during the rotation).
    const after = feedOf(web, log, { maxRejections: 2, trustedKeys: [old.trusted, rotated.trusted] });
    const r = await after.sync();
    expect([r.index, r.givenUp, r.newFiles.map((f) => f.file), r.status]).toEqual([
      "fetched",
      [],
      ["b000001.zip"],
      "F1",
    ]);
  });

  it("a given-up file is tried once more a day later (a file that reached the server late)", async () => {
    const web = fakeWeb([publishFile(1, [caseKey(1)])]);
    web.fail("b000001.zip", 404, 404);
    const clock = movableClock();
    const feed = feedOf(web, await logThatSaw(caseKey(1)), { maxRejections: 2, clock });
    await feed.sync();
    expect((await feed.sync()).rejected.map((r) => [r.code, r.givenUp])).toEqual([["ERR_FEED_HTTP", true]]);
    clock.set(NOW + GIVEN_UP_RETRY_MS - 1);
    expect([(await feed.sync()).givenUp, web.hits("b000001.zip")]).toEqual([["b000001.zip"], 2]);
    clock.set(NOW + GIVEN_UP_RETRY_MS);
    const r = await feed.sync();
    expect([r.givenUp, r.newFiles.map((f) => f.file), r.status, web.hits("b000001.zip")]).toEqual([
      [],
      ["b000001.zip"],
      "F1",
      3,
    ]);
  });
});

const DAY = 144 * INTERVAL_MS;
/** Unix ms of `hh:mm` UTC on day DAY0 + `d`. */
const at = (d: number, hh: number, mm: number) => DAY0 * INTERVAL_MS + d * DAY + (hh * 60 + mm) * 60_000;

describe("the status over time: the log's retention purge, several feeds, changed options", () => {
  it("a revoked F1 stays withdrawn after the retention purge removes the other case's contact", async () => {
    // A: a case met on day 0 (40 close minutes from 10:00); B: a case met on day 1, revoked later.
    const b = caseKey(2, { rollingStartIntervalNumber: DAY0 + 144 });
    const log = await logThatSaw(caseKey(1));
    await log.record(closeMinutes(b, at(1, 10, 0), 20));
    const web = fakeWeb([publishFile(1, [caseKey(1)]), publishFile(2, [b])]);
    const clock = movableClock();
    const feed = feedOf(web, log, { clock });
    expect((await feed.sync()).status).toBe("F1");
    web.publish(publishFile(3, [], old.signer, [{ ...b, reportType: ReportType.REVOKED }]));
    expect((await feed.sync()).status).toBe("F1"); // A still counts
    // 14 days and 12 hours on: the tracer's hourly purge removes what is older than 14 days (A's day).
    clock.set(at(14, 12, 0));
    await log.purge(clock.now() - 14 * DAY);
    // A is out of the window and B revoked: none (the status record, stored as a result timed by A's
    // contact, used to be purged, and the per-file verdicts then brought back B's F1).
    expect(await feed.status()).toEqual({ status: "none" });
    expect((await feed.sync()).status).toBe("none");
  });

  it("keys a verdict matched are kept while their sightings are: a case's day split over two files after a purge", async () => {
    // File 5: case A (day 0) and Q1, the first part of case Q's day 1 (a same-day release: intervals
    // 0…60); file 6 a day later: Q2, the rest of Q's day. 10 close minutes under each of Q1 (10:00) and
    // Q2 (10:10): 1,200 s on day 1, F1 — judged after the purge has removed day 0.
    const q1 = caseKey(5, { rollingStartIntervalNumber: DAY0 + 144, rollingPeriod: 61 });
    const q2 = caseKey(6, { rollingStartIntervalNumber: DAY0 + 144 + 61, rollingPeriod: 83 });
    const log = createMemoryLog();
    await log.record(closeMinutes(caseKey(1), at(0, 10, 0), 20));
    await log.record([...closeMinutes(q1, at(1, 10, 0), 10), ...closeMinutes(q2, at(1, 10, 10), 10)]);
    const web = fakeWeb([publishFile(5, [caseKey(1), q1])]);
    const clock = movableClock();
    const feed = feedOf(web, log, { clock });
    expect((await feed.sync()).status).toBe("F1"); // A
    clock.set(at(14, 12, 0));
    await log.purge(clock.now() - 14 * DAY);
    web.publish(publishFile(6, [q2]));
    const r = await feed.sync();
    // Q1 was lost with file 5's verdict when the verdict was timed by A's contact (none).
    expect([r.status, r.lastContactAt]).toEqual(["F1", at(1, 10, 15)]);
  });

  it("two feeds on one log keep their files apart, also files of the same name", async () => {
    const log = await logThatSaw(caseKey(1));
    const first = fakeWeb([publishFile(1, [caseKey(2)])]);
    const second = fakeWeb([publishFile(1, [caseKey(1)])]);
    const a = await feedOf(first, log, { stateName: "feed.a" }).sync();
    expect(a.status).toBe("none");
    const b = await feedOf(second, log, { stateName: "feed.b" }).sync();
    // It was taken for the first feed's file of that name ("recovered", not downloaded): none.
    expect([b.newFiles.map((f) => [f.file, f.recovered]), b.status]).toEqual([
      [["b000001.zip", false]],
      "F1",
    ]);
    expect(second.hits("b000001.zip")).toBe(1);
  });

  it("a sync judges the status with today's options, also when nothing new matched (local days)", async () => {
    // One person's keys g (day 0) and h (day 1); 10 close minutes either side of UTC midnight: 600 s a
    // UTC day (none), 1,200 s on the local day at UTC+7 (F1).
    const g = caseKey(7);
    const h = caseKey(8, { rollingStartIntervalNumber: DAY0 + 144 });
    const log = createMemoryLog();
    await log.record([...closeMinutes(g, at(0, 23, 50), 10), ...closeMinutes(h, at(1, 0, 0), 10)]);
    const web = fakeWeb([publishFile(1, [g, h])]);
    expect((await feedOf(web, log).sync()).status).toBe("none");
    const hanoi = withDayBoundary(getPolicy("default"), "+07:00");
    const again = await feedOf(web, log, { checkOptions: { policy: hanoi } }).sync();
    expect([again.index, again.status]).toEqual(["not-modified", "F1"]);
  });
});
