import { describe, expect, it } from "vitest";
import {
  type ContactLog,
  createKeyFeed,
  createMemoryLog,
  INTERVAL_MS,
  type KeyFeedOptions,
  parseFeedIndex,
  ReportType,
} from "../../src/index";
import { feedResultId } from "../../src/feed/client";
import {
  caseKey,
  closeMinutes,
  DAY0,
  fakeWeb,
  fixedClock,
  logThatSaw,
  publishFile,
  signerPair,
} from "./fixtures";

const { trusted } = signerPair();

function feedOf(web: ReturnType<typeof fakeWeb>, log: ContactLog, extra: Partial<KeyFeedOptions> = {}) {
  const delays: number[] = [];
  const feed = createKeyFeed({
    baseUrl: web.BASE,
    trustedKeys: [trusted],
    log,
    fetch: web.fetch,
    clock: fixedClock,
    retry: { retries: 2, baseDelayMs: 100, sleep: async (ms) => void delays.push(ms) },
    ...extra,
  });
  return { feed, delays };
}

/** A log that fails the next call of `method` once (a crash at that point). */
function crashOnce(inner: ContactLog, method: "putState" | "putResult", skip = 0): ContactLog {
  let left = skip;
  let armed = true;
  return Object.create(inner, {
    [method]: {
      value: async (...args: unknown[]) => {
        if (armed && left-- === 0) {
          armed = false;
          throw new Error(`crash in ${method}`);
        }
        return (inner[method] as (...a: unknown[]) => Promise<void>)(...args);
      },
    },
  });
}

describe("feed index format", () => {
  it("accepts a well-formed index and rejects malformed ones with typed errors", () => {
    const ok = parseFeedIndex({ version: 1, updatedAt: 5, batches: [publishFile(1, [caseKey(1)]).batch] });
    expect(ok.batches).toHaveLength(1);
    for (const bad of [
      "not json",
      { version: 2, batches: [] },
      { version: 1, batches: [{ name: "../x", size: 1, batchNum: 1, createdAt: 0 }] },
      { version: 1, batches: [{ name: "a", size: -1, batchNum: 1, createdAt: 0 }] },
      { version: 1, batches: [{ name: "a", size: 1, batchNum: 1, createdAt: 0, sha256: "xyz" }] },
      {
        version: 1,
        batches: [
          { name: "a", size: 1, batchNum: 2, createdAt: 0 },
          { name: "b", size: 1, batchNum: 1, createdAt: 0 },
        ],
      },
    ]) {
      expect(() => parseFeedIndex(bad)).toThrow(expect.objectContaining({ code: "ERR_FEED_INDEX" }));
    }
  });
});

describe("key-feed client", () => {
  it("judges a key listed again under its newest listing, whatever order the verdicts were stored in", async () => {
    // K1 is first published as a notified F1's key (RECURSIVE), then again as CONFIRMED_TEST beside K6
    // (RECURSIVE, 20 close minutes the day before: that file's verdict is F2 and is stored at that
    // earlier contact, before the first file's). K2 (CONFIRMED_TEST) comes last. Day DAY0 then has 10
    // close minutes under K1 and 10 under K2, both confirmed: 1,200 s at level 1, F1. Judged under K1's
    // older RECURSIVE listing it was 600 s at level 1 and the status F2.
    const minute = 60_000;
    const k1 = caseKey(31, { rollingPeriod: 61 });
    const k2 = caseKey(32, { rollingStartIntervalNumber: DAY0 + 61, rollingPeriod: 83 });
    const k6 = caseKey(36, { rollingStartIntervalNumber: DAY0 - 144, reportType: ReportType.RECURSIVE });
    const log = createMemoryLog();
    await log.record([
      ...closeMinutes(k6, (DAY0 - 144 + 72) * INTERVAL_MS + minute, 20),
      ...closeMinutes(k1, (DAY0 + 30) * INTERVAL_MS + minute, 10),
      ...closeMinutes(k2, (DAY0 + 80) * INTERVAL_MS + minute, 10),
    ]);
    const web = fakeWeb([publishFile(1, [{ ...k1, reportType: ReportType.RECURSIVE }])]);
    const { feed } = feedOf(web, log);
    expect((await feed.sync()).newFiles.map((f) => f.status)).toEqual(["none"]);
    web.publish(publishFile(2, [k1, k6]));
    expect((await feed.sync()).newFiles.map((f) => f.status)).toEqual(["F2"]);
    web.publish(publishFile(3, [k2]));
    const third = await feed.sync();
    expect(third.newFiles.map((f) => [f.file, f.status])).toEqual([["b000003.zip", "F1"]]);
    expect(third.status).toBe("F1");
  });

  it("sums a day over keys of different files: 10 close minutes under each of two keys of one day are F1", async () => {
    // One person's day split by a same-day upload: key A covers intervals DAY0 … DAY0 + 60, key B the
    // rest of the day; each is published in its own file, fetched by its own sync. The log heard 10
    // minutes (600 s) close under each: 1,200 s in the day, over the 900 s of the F1 rule.
    const a = caseKey(21, { rollingPeriod: 61 });
    const b = caseKey(22, { rollingStartIntervalNumber: DAY0 + 61, rollingPeriod: 83 });
    const log = createMemoryLog();
    const minute = 60_000;
    await log.record([
      ...closeMinutes(a, (DAY0 + 59) * INTERVAL_MS + minute, 10),
      ...closeMinutes(b, (DAY0 + 61) * INTERVAL_MS + minute, 10),
    ]);
    const web = fakeWeb([publishFile(1, [a, caseKey(23)])]);
    const { feed } = feedOf(web, log);
    const first = await feed.sync();
    expect(first.newFiles.map((f) => [f.file, f.status])).toEqual([["b000001.zip", "none"]]);
    expect(first.status).toBe("none");
    web.publish(publishFile(2, [caseKey(24), b]));
    const second = await feed.sync();
    expect(second.newFiles.map((f) => [f.file, f.status, f.level])).toEqual([["b000002.zip", "F1", 1]]);
    expect(second.status).toBe("F1");
    // The sync's result does not carry the stored keys; the stored verdict keeps the matched key only.
    expect(second.newFiles[0]).not.toHaveProperty("matchedKeys");
    const stored = (await log.results()).find(
      (r) => r.id === feedResultId("b000002.zip", `feed.${web.BASE}`),
    )!;
    expect(
      (stored.value as { matchedKeys: { keyData: string }[] }).matchedKeys.map((k) => k.keyData),
    ).toEqual([Buffer.from(b.keyData).toString("base64")]);
  });

  it("processes new files once: F1 from a confirmed key; 304 and a repeated index process nothing", async () => {
    const web = fakeWeb([publishFile(1, [caseKey(2)]), publishFile(2, [caseKey(1), caseKey(3)])]);
    const log = await logThatSaw(caseKey(1));
    const { feed } = feedOf(web, log);
    const first = await feed.sync();
    expect(first.index).toBe("fetched");
    expect(first.newFiles.map((f) => [f.file, f.status, f.recovered])).toEqual([
      ["b000001.zip", "none", false],
      ["b000002.zip", "F1", false],
    ]);
    expect(first.status).toBe("F1");
    expect(first.lastContactAt).toBeGreaterThan(0);
    const second = await feed.sync();
    expect(second.index).toBe("not-modified");
    expect(second.newFiles).toEqual([]);
    expect(second.status).toBe("F1");
    // A new index listing the same files plus one: only the new one is downloaded.
    web.publish(publishFile(3, [caseKey(4, { reportType: ReportType.RECURSIVE, transmissionRiskLevel: 1 })]));
    const third = await feed.sync();
    expect(third.newFiles.map((f) => f.file)).toEqual(["b000003.zip"]);
    expect([1, 2, 3].map((n) => web.hits(`b00000${n}.zip`))).toEqual([1, 1, 1]);
    // A restarted client (same log) processes nothing again, even without the ETag.
    await log.putState(`feed.${web.BASE}`, undefined);
    const restarted = await feedOf(web, log).feed.sync();
    expect(restarted.newFiles.every((f) => f.recovered)).toBe(true);
    expect([1, 2, 3].map((n) => web.hits(`b00000${n}.zip`))).toEqual([1, 1, 1]);
  });

  it("reaches F2 from a recursive key of level 1, and ignores levels beyond maxLevel", async () => {
    const recursive = caseKey(5, { reportType: ReportType.RECURSIVE, transmissionRiskLevel: 1 });
    const web = fakeWeb([publishFile(1, [recursive])]);
    expect((await feedOf(web, await logThatSaw(recursive)).feed.sync()).status).toBe("F2");
    const deeper = caseKey(6, { reportType: ReportType.RECURSIVE, transmissionRiskLevel: 2 });
    const web2 = fakeWeb([publishFile(1, [deeper])]);
    expect((await feedOf(web2, await logThatSaw(deeper)).feed.sync()).status).toBe("none");
  });

  it("refuses a missing log, a baseUrl that is not http(s) and a status window that is not a positive integer", () => {
    const web = fakeWeb();
    const log = createMemoryLog();
    expect(() => feedOf(web, undefined as unknown as ContactLog)).toThrow(
      "createKeyFeed needs log: a contact log (openLevelLog, createMemoryLog)",
    );
    expect(() => feedOf(web, log, { baseUrl: "ftp://keys.example/feed/" })).toThrow(
      "baseUrl must be an http:// or https:// URL, got ftp://keys.example/feed/",
    );
    for (const days of [0, -1, 1.5, Number.NaN, "14" as unknown as number])
      expect(() => feedOf(web, log, { statusWindowDays: days })).toThrow(
        "statusWindowDays must be a positive integer",
      );
  });

  it("rejects a tampered file with a typed error, keeps processing later files, gives up after maxRejections", async () => {
    const good = publishFile(2, [caseKey(1)]);
    const tampered = publishFile(1, [caseKey(2)]);
    tampered.bytes = tampered.bytes.slice();
    tampered.bytes[tampered.bytes.length - 40]! ^= 1;
    const forged = publishFile(3, [caseKey(3)], signerPair(9).signer); // digest fine, wrong signer
    const web = fakeWeb([tampered, good, forged]);
    const log = await logThatSaw(caseKey(1));
    const { feed } = feedOf(web, log, { maxRejections: 2 });
    const r1 = await feed.sync();
    expect(r1.newFiles.map((f) => f.file)).toEqual([good.batch.name]);
    expect(r1.rejected.map((r) => [r.name, r.code, r.attempts, r.givenUp])).toEqual([
      [tampered.batch.name, "ERR_FEED_DIGEST", 1, false],
      [forged.batch.name, "ERR_KEY_FILE_SIGNATURE", 1, false],
    ]);
    expect(r1.status).toBe("F1");
    // The file's verdict; the feed's status (every matched key judged together) is in its state.
    expect((await log.results()).map((r) => r.id)).toEqual([
      feedResultId(good.batch.name, `feed.${web.BASE}`),
    ]);
    expect(await log.getState(`feed.${web.BASE}:status`)).toBeDefined();
    const r2 = await feed.sync(); // no 304: rejected files are retried
    expect(r2.index).toBe("fetched");
    expect(r2.rejected.map((r) => r.givenUp)).toEqual([true, true]);
    // Still no 304 while given-up files are listed (each is tried once more a day later), but they
    // are not downloaded.
    const r3 = await feed.sync();
    expect([r3.index, r3.givenUp]).toEqual(["fetched", [tampered.batch.name, forged.batch.name]]);
    web.publish(publishFile(4, [caseKey(4)]));
    const r4 = await feed.sync();
    expect(r4.givenUp).toEqual([tampered.batch.name, forged.batch.name]);
    expect(r4.newFiles.map((f) => f.file)).toEqual(["b000004.zip"]);
    expect(web.hits(tampered.batch.name)).toBe(2);
  });

  it("retries network errors and 5xx with exponential back-off, then succeeds", async () => {
    const web = fakeWeb([publishFile(1, [caseKey(1)])]);
    web.fail("index.json", 503);
    web.fail("b000001.zip", "network", 500);
    const { feed, delays } = feedOf(web, await logThatSaw(caseKey(1)));
    const r = await feed.sync();
    expect(r.error).toBeUndefined();
    expect(r.status).toBe("F1");
    expect(delays).toEqual([100, 100, 200]);
  });

  it("stops on a persistent network failure and resumes on the next sync without reprocessing", async () => {
    const web = fakeWeb([
      publishFile(1, [caseKey(2)]),
      publishFile(2, [caseKey(1)]),
      publishFile(3, [caseKey(3)]),
    ]);
    web.fail("b000002.zip", "network", "network", "network");
    const { feed } = feedOf(web, await logThatSaw(caseKey(1)));
    const r1 = await feed.sync();
    expect(r1.error?.code).toBe("ERR_FEED_NETWORK");
    expect(r1.newFiles.map((f) => f.file)).toEqual(["b000001.zip"]);
    expect(r1.pending).toEqual(["b000002.zip", "b000003.zip"]);
    expect(r1.status).toBe("none");
    const r2 = await feed.sync();
    expect(r2.index).toBe("fetched"); // no ETag was remembered while files were pending
    expect(r2.newFiles.map((f) => f.file)).toEqual(["b000002.zip", "b000003.zip"]);
    expect(r2.status).toBe("F1");
    expect(web.hits("b000001.zip")).toBe(1);
  });

  it("gives up a 4xx index cleanly (error in the result, nothing stored)", async () => {
    const web = fakeWeb([publishFile(1, [caseKey(1)])]);
    web.fail("index.json", 404);
    const log = createMemoryLog();
    const r = await feedOf(web, log).feed.sync();
    expect(r.index).toBe("failed");
    expect(r.error?.code).toBe("ERR_FEED_HTTP");
    expect(await log.results()).toEqual([]);
  });

  it("enforces the size limit: declared size, Content-Length, and while streaming", async () => {
    const big = publishFile(
      1,
      [...Array(40)].map((_, i) => caseKey(i + 10)),
    );
    const small = publishFile(2, [caseKey(1)]);
    const web = fakeWeb([big, small]);
    const { feed } = feedOf(web, await logThatSaw(caseKey(1)), { maxFileBytes: small.bytes.length + 10 });
    const r1 = await feed.sync();
    expect(r1.rejected[0]?.code).toBe("ERR_FEED_SIZE_LIMIT");
    expect(web.hits(big.batch.name)).toBe(0); // the index's size was enough to refuse it
    expect(r1.status).toBe("F1");

    // The index lies (claims a small file): the stream is cut after the first chunk past the size the
    // index gave, and the file is the index's mismatch (a digest error), as a file cut short is.
    const liar = publishFile(3, [caseKey(3)]);
    let pulled = 0;
    const chunk = new Uint8Array(64);
    web.serve(liar.batch.name, () => {
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(c) {
            pulled++;
            if (pulled > 1000) c.close();
            else c.enqueue(chunk);
          },
        }),
      );
    });
    web.publish(liar);
    const r2 = await feed.sync();
    expect(r2.rejected.find((x) => x.name === liar.batch.name)).toMatchObject({
      code: "ERR_FEED_DIGEST",
      reason: `${liar.batch.name} is larger than the ${liar.batch.size} bytes the index says`,
    });
    expect(pulled).toBeLessThan(Math.ceil(liar.bytes.length / 64) + 3);

    // A Content-Length above the index's size is refused before reading the body.
    web.serve(
      liar.batch.name,
      () => new Response(new Uint8Array(10_000), { headers: { "content-length": "10000" } }),
    );
    const r3 = await feed.sync();
    expect(r3.rejected.find((x) => x.name === liar.batch.name)).toMatchObject({ code: "ERR_FEED_DIGEST" });
  });

  it("survives a crash between storing a verdict and the progress: the file is not matched again", async () => {
    const web = fakeWeb([publishFile(1, [caseKey(1)]), publishFile(2, [caseKey(2)])]);
    const log = await logThatSaw(caseKey(1));
    await expect(feedOf(web, crashOnce(log, "putState")).feed.sync()).rejects.toThrow(/crash in putState/);
    expect((await log.results()).map((r) => r.id)).toEqual([feedResultId("b000001.zip", `feed.${web.BASE}`)]);
    const r = await feedOf(web, log).feed.sync();
    expect(r.newFiles.map((f) => [f.file, f.recovered])).toEqual([
      ["b000001.zip", true],
      ["b000002.zip", false],
    ]);
    expect(web.hits("b000001.zip")).toBe(1);
    expect(r.status).toBe("F1");
  });

  it("survives a crash before the verdict is stored: the file is processed on the next sync", async () => {
    const web = fakeWeb([publishFile(1, [caseKey(1)])]);
    const log = await logThatSaw(caseKey(1));
    await expect(feedOf(web, crashOnce(log, "putResult")).feed.sync()).rejects.toThrow(/crash in putResult/);
    expect(await log.results()).toEqual([]);
    const r = await feedOf(web, log).feed.sync();
    expect(r.newFiles.map((f) => [f.file, f.recovered, f.status])).toEqual([["b000001.zip", false, "F1"]]);
  });

  it("runs concurrent syncs one after another (each file processed once)", async () => {
    const web = fakeWeb([publishFile(1, [caseKey(1)])]);
    const { feed } = feedOf(web, await logThatSaw(caseKey(1)));
    const [a, b] = await Promise.all([feed.sync(), feed.sync()]);
    expect(a.newFiles).toHaveLength(1);
    expect(b.newFiles).toHaveLength(0);
    expect(web.hits("b000001.zip")).toBe(1);
  });
});
