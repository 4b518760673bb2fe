/**
 * End to end on loopback: the example key server, phones running real tracers on a simulated medium
 * with a virtual clock, uploads through the verification flow, publication after the embargo, and the
 * phones' key-feed clients. Plus the failure paths against the real server.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { issueCode, uploadKeys } from "../../examples/key-server/uploader";
import {
  advanceAndSettle,
  type ContactLog,
  createKeyFeed,
  createMemoryLog,
  createSimulatedMedium,
  createTracer,
  type FeedResult,
  type FetchLike,
  type GaenSchedule,
  type KeyFeedOptions,
  virtualClock,
} from "../../src/index";
import { caseKey, fixedClock, logThatSaw, NOW } from "./fixtures";
import { ADMIN, startKeyServer } from "./server";
import { seededBytes as seeded } from "../helpers/random";

const T0 = Date.UTC(2021, 6, 24, 8, 0, 0);
const MIN = 60_000;

/** Who is close to whom, when: A–B 08:00–08:40, B–C 09:30–10:10, at −50 dBm; nobody else. */
const CONTACTS: [string, string, number, number][] = [
  ["a", "b", T0, T0 + 40 * MIN],
  ["b", "c", T0 + 90 * MIN, T0 + 130 * MIN],
];

function link(advertiser: string, scanner: string, from: number, to: number): number[] {
  const out: number[] = [];
  for (const [p, q, start, end] of CONTACTS) {
    if (!((p === advertiser && q === scanner) || (q === advertiser && p === scanner))) continue;
    for (let t = Math.max(from, start); t < Math.min(to, end); t += 250) out.push(-50);
  }
  return out;
}

let disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of disposers) await d();
  disposers = [];
});

async function server(now: () => number) {
  const s = await startKeyServer({ now });
  disposers.push(() => s.dispose());
  return s;
}

function feed(s: Awaited<ReturnType<typeof server>>, log: ContactLog, extra: Partial<KeyFeedOptions> = {}) {
  return createKeyFeed({
    baseUrl: s.feedUrl,
    trustedKeys: [s.trusted],
    log,
    clock: fixedClock,
    retry: { retries: 2, baseDelayMs: 10, sleep: async () => undefined },
    ...extra,
  });
}

/** A fetch that counts requests per file name and can run a hook before a request. */
function countingFetch(before?: (url: string) => Promise<void>) {
  const hits = new Map<string, number>();
  const f: FetchLike = async (url, init) => {
    const name = url.slice(url.lastIndexOf("/") + 1);
    hits.set(name, (hits.get(name) ?? 0) + 1);
    await before?.(url);
    return fetch(url, init);
  };
  return { fetch: f, hits: (name: string) => hits.get(name) ?? 0 };
}

const files = (r: FeedResult) => r.newFiles.map((f) => f.file);

describe("key distribution end to end", () => {
  it("A confirmed → B becomes F1; B uploads recursive → C becomes F2; D stays none", async () => {
    const clock = virtualClock(T0);
    const s = await server(() => clock.now());
    const medium = createSimulatedMedium({ clock, random: seeded(99), link });
    const phone = (id: string, seed: number) => {
      const log = createMemoryLog();
      const tracer = createTracer({
        transport: medium.createTransport(id),
        log,
        clock,
        random: seeded(seed),
        metadata: { txPower: -10 },
      });
      const client = feed(s, log, { clock });
      return {
        log,
        tracer,
        feed: client,
        keys: () => (tracer.schedule() as GaenSchedule).releaseKeys({ includeToday: true }),
      };
    };
    const [a, b, c, d] = [phone("a", 1), phone("b", 2), phone("c", 3), phone("d", 4)];
    for (const p of [a, b, c, d]) await p.tracer.start();
    await advanceAndSettle(clock, 3 * 60 * MIN);
    for (const p of [a, b, c, d]) await p.tracer.stop();

    // A tests positive at 11:00: its key of today (truncated) waits for the embargo.
    const codeA = await issueCode(s.url, ADMIN, { reportType: "confirmed", onsetDate: "2021-07-24" });
    const aKeys = a.keys();
    expect(aKeys).toHaveLength(1);
    expect((await uploadKeys(s.url, codeA.code, aKeys)).insertedExposures).toBe(1);
    expect((await s.server.publish()).keys).toBe(0);
    for (const p of [b, c, d]) expect((await p.feed.sync()).newFiles).toEqual([]);

    await advanceAndSettle(clock, Date.UTC(2021, 6, 25, 2, 30) - clock.now());
    expect((await s.server.publish()).keys).toBe(1);
    const [rb, rc, rd] = [await b.feed.sync(), await c.feed.sync(), await d.feed.sync()];
    expect([rb.status, rc.status, rd.status]).toEqual(["F1", "none", "none"]);
    expect(rb.newFiles[0]?.matches).toBeGreaterThan(0);

    // B, notified as F1, uploads as a recursive contact of level 1.
    const codeB = await issueCode(s.url, ADMIN, { reportType: "recursive", level: 1 });
    const bKeys = b.keys(); // yesterday's key (today's started only now and has nothing to release)
    expect(bKeys).toHaveLength(1);
    expect((await uploadKeys(s.url, codeB.code, bKeys)).insertedExposures).toBe(1);
    expect((await s.server.publish()).keys).toBe(1);
    const [rb2, rc2, rd2] = [await b.feed.sync(), await c.feed.sync(), await d.feed.sync()];
    expect([rb2.status, rc2.status, rd2.status]).toEqual(["F1", "F2", "none"]);
    expect(files(rc2)).toEqual(["b000002-1.zip"]);
    expect(rc2.newFiles[0]?.status).toBe("F2");
    expect((await c.feed.sync()).index).toBe("not-modified");
  });

  it("rejects a tampered file (typed error, not processed) and still processes later files", async () => {
    const s = await server(() => NOW);
    const upload = async (i: number) => {
      const { code } = await issueCode(s.url, ADMIN, { reportType: "confirmed" });
      await uploadKeys(s.url, code, [caseKey(i)]);
      return (await s.server.publish()).batch!.files[0]!.name;
    };
    const first = await upload(1);
    const path = join(s.server.feedDir, first);
    const bytes = await readFile(path);
    bytes[50]! ^= 0xff; // inside export.bin's data (after the 30-byte local header and its name)
    await writeFile(path, bytes);
    const client = feed(s, await logThatSaw(caseKey(1), caseKey(2)));
    const r1 = await client.sync();
    expect(r1.rejected.map((r) => [r.name, r.code])).toEqual([[first, "ERR_FEED_DIGEST"]]);
    expect(r1.status).toBe("none");
    // The origin itself is compromised: the next index lists the tampered bytes' digest.
    const second = await upload(2);
    const r2 = await client.sync();
    expect(r2.rejected[0]?.code).toMatch(/^ERR_KEY_FILE_/);
    expect(files(r2)).toEqual([second]);
    expect(r2.status).toBe("F1");
  });

  it("resumes after the server goes down mid-sync, without downloading anything twice", async () => {
    const s = await server(() => NOW);
    const names: string[] = [];
    for (const i of [1, 2, 3]) {
      const { code } = await issueCode(s.url, ADMIN, { reportType: "confirmed" });
      await uploadKeys(s.url, code, [caseKey(i)]);
      names.push((await s.server.publish()).batch!.files[0]!.name);
    }
    let down = false;
    const net = countingFetch(async (url) => {
      if (!down && url.endsWith(names[1]!)) {
        down = true;
        await s.stop();
      }
    });
    const log = await logThatSaw(caseKey(2));
    const client = feed(s, log, { fetch: net.fetch });
    const r1 = await client.sync();
    expect(files(r1)).toEqual([names[0]]);
    expect(r1.error?.code).toBe("ERR_FEED_NETWORK");
    expect(r1.pending).toEqual([names[1], names[2]]);
    expect(net.hits(names[1]!)).toBe(3); // first try + 2 retries
    await s.restart();
    const r2 = await client.sync();
    expect(files(r2)).toEqual([names[1], names[2]]);
    expect(r2.status).toBe("F1");
    expect(net.hits(names[0]!)).toBe(1);
    // The same index again, fetched in full (no conditional headers), processes nothing.
    const unconditional: FetchLike = (url) => net.fetch(url);
    const r3 = await feed(s, log, { fetch: unconditional }).sync();
    expect([r3.index, r3.newFiles.length]).toEqual(["fetched", 0]);
    const r4 = await client.sync();
    expect([r4.index, r4.newFiles.length]).toEqual(["not-modified", 0]);
    expect(names.map((n) => net.hits(n))).toEqual([1, 3 + 1, 1]);
  });

  it("refuses a file larger than maxFileBytes without downloading it", async () => {
    const s = await server(() => NOW);
    const { code } = await issueCode(s.url, ADMIN, { reportType: "confirmed" });
    await uploadKeys(s.url, code, [caseKey(1), caseKey(2), caseKey(3)]);
    const name = (await s.server.publish()).batch!.files[0]!.name;
    const net = countingFetch();
    const r = await feed(s, await logThatSaw(caseKey(1)), { fetch: net.fetch, maxFileBytes: 100 }).sync();
    expect(r.rejected.map((x) => x.code)).toEqual(["ERR_FEED_SIZE_LIMIT"]);
    expect(net.hits(name)).toBe(0);
    expect(r.status).toBe("none");
  });
});
