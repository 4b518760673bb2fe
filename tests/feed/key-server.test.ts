import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../../examples/key-server/errors";
import { keysHmac, toWireKey } from "../../examples/key-server/protocol";
import { issueCode, postJson, uploadKeys } from "../../examples/key-server/uploader";
import { type ExposureKey, intervalNumber, parseFeedIndex, ReportType, readKeyFile } from "../../src/index";
import { ADMIN, startKeyServer } from "./server";

const T0 = Date.UTC(2021, 6, 24, 8, 0, 0);
const DAY_START = intervalNumber(Date.UTC(2021, 6, 24));

function key(i: number, daysBack = 1, extra: Partial<ExposureKey> = {}): ExposureKey {
  return {
    keyData: new Uint8Array(16).fill(i),
    rollingStartIntervalNumber: DAY_START - daysBack * 144,
    rollingPeriod: 144,
    ...extra,
  };
}

let servers: Awaited<ReturnType<typeof startKeyServer>>[] = [];
afterEach(async () => {
  for (const s of servers) await s.dispose();
  servers = [];
});

async function start(extra: Parameters<typeof startKeyServer>[1] = {}) {
  const time = { t: T0 };
  const s = await startKeyServer({ now: () => time.t }, extra);
  servers.push(s);
  return { s, time };
}

/** Expects `p` to reject with an ApiError of this status and code. */
async function refused(p: Promise<unknown>, status: number, code: string) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect([(err as ApiError).status, (err as ApiError).code]).toEqual([status, code]);
}

describe("key server: verification flow", () => {
  it("uploads through code → token → certificate → publish, embargoes keys, publishes a signed file", async () => {
    const { s, time } = await start();
    const { code } = await issueCode(s.url, ADMIN, { reportType: "confirmed", onsetDate: "2021-07-22" });
    const today = key(9, 0, { rollingPeriod: 40 }); // valid until 06:40: embargoed until 08:40
    expect(await uploadKeys(s.url, code, [key(1, 2), key(2, 1), today])).toEqual({
      insertedExposures: 3,
      duplicates: 0,
    });
    let summary = await s.server.publish();
    expect([summary.keys, summary.embargoed]).toEqual([2, 1]);
    time.t = Date.UTC(2021, 6, 25, 2, 0, 0);
    summary = await s.server.publish();
    expect([summary.keys, summary.embargoed, summary.listed]).toEqual([1, 0, 2]);

    const res = await fetch(`${s.feedUrl}index.json`);
    const index = parseFeedIndex(await res.text());
    expect(index.batches.map((b) => [b.batchNum, b.keys])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    const etag = res.headers.get("etag")!;
    expect((await fetch(`${s.feedUrl}index.json`, { headers: { "if-none-match": etag } })).status).toBe(304);
    const bytes = new Uint8Array(await (await fetch(`${s.feedUrl}${index.batches[0]!.name}`)).arrayBuffer());
    const file = readKeyFile(bytes, { trustedKeys: [s.trusted] });
    expect(file.keys.map((k) => [k.reportType, k.daysSinceOnsetOfSymptoms])).toEqual([
      [ReportType.CONFIRMED_TEST, 0],
      [ReportType.CONFIRMED_TEST, 1],
    ]);
    expect((await fetch(`${s.feedUrl}..%2Fdb`)).status).toBe(404);
  });

  it("marks recursive keys RECURSIVE with the uploader's level as transmission risk", async () => {
    const { s } = await start();
    const { code } = await issueCode(s.url, ADMIN, { reportType: "recursive", level: 1 });
    await uploadKeys(s.url, code, [key(3, 1, { transmissionRiskLevel: 6 })]);
    await s.server.publish();
    const index = parseFeedIndex(await (await fetch(`${s.feedUrl}index.json`)).text());
    const bytes = new Uint8Array(await (await fetch(`${s.feedUrl}${index.batches[0]!.name}`)).arrayBuffer());
    const [k] = readKeyFile(bytes, { trustedKeys: [s.trusted] }).keys;
    expect([k?.reportType, k?.transmissionRiskLevel]).toEqual([ReportType.RECURSIVE, 1]);
  });

  it("refuses wrong, reused and expired codes, reused tokens and certificates, and admin calls without the token", async () => {
    const { s, time } = await start();
    await refused(uploadKeys(s.url, "0000000000", [key(1)]), 400, "ERR_CODE_INVALID");
    await refused(
      issueCode(s.url, "wrong-admin-token", { reportType: "confirmed" }),
      401,
      "ERR_UNAUTHORIZED",
    );
    await refused(issueCode(s.url, ADMIN, { reportType: "recursive", level: 9 }), 400, "ERR_BAD_REQUEST");
    const { code } = await issueCode(s.url, ADMIN, { reportType: "confirmed" });
    const { token } = await postJson<{ token: string }>(`${s.url}/verify`, { code });
    await refused(postJson(`${s.url}/verify`, { code }), 400, "ERR_CODE_USED");
    const wire = [toWireKey(key(1))];
    const hmacKey = new Uint8Array(32).fill(3);
    const ekeyhmac = keysHmac(hmacKey, wire);
    const { certificate } = await postJson<{ certificate: string }>(`${s.url}/certificate`, {
      token,
      ekeyhmac,
    });
    await refused(postJson(`${s.url}/certificate`, { token, ekeyhmac }), 400, "ERR_TOKEN_USED");
    const upload = {
      temporaryExposureKeys: wire,
      hmacKey: Buffer.from(hmacKey).toString("base64"),
      verificationPayload: certificate,
    };
    await refused(
      postJson(`${s.url}/publish`, { ...upload, verificationPayload: `${certificate}x` }),
      401,
      "ERR_CERTIFICATE_INVALID",
    );
    await postJson(`${s.url}/publish`, upload);
    await refused(postJson(`${s.url}/publish`, upload), 400, "ERR_CERTIFICATE_USED");
    const late = await issueCode(s.url, ADMIN, { reportType: "confirmed" });
    time.t += 2 * 3600_000;
    await refused(postJson(`${s.url}/verify`, { code: late.code }), 400, "ERR_CODE_EXPIRED");
  });

  it("rejects malformed uploads with clear errors and stores nothing of them", async () => {
    const { s } = await start({ ipLimit: { max: 1000, windowMs: 60_000 } });
    const cases: [string, unknown[], string][] = [
      ["no keys", [], "ERR_BAD_REQUEST"],
      ["31 keys", Array.from({ length: 31 }, (_, i) => toWireKey(key(i + 1))), "ERR_BAD_REQUEST"],
      ["bad base64", [{ key: "abc", rollingStartNumber: DAY_START }], "ERR_INVALID_KEY"],
      ["period 145", [toWireKey(key(1, 1, { rollingPeriod: 145 }))], "ERR_INVALID_KEY"],
      ["16 days old", [toWireKey(key(1, 16))], "ERR_INVALID_KEY"],
      ["future", [toWireKey(key(1, -1))], "ERR_INVALID_KEY"],
      ["risk 9", [toWireKey(key(1, 1, { transmissionRiskLevel: 9 }))], "ERR_INVALID_KEY"],
      ["good + duplicate", [toWireKey(key(1)), toWireKey(key(2)), toWireKey(key(1))], "ERR_INVALID_KEY"],
    ];
    for (const [what, keys, code] of cases) {
      const { code: vcode } = await issueCode(s.url, ADMIN, { reportType: "confirmed" });
      const { token } = await postJson<{ token: string }>(`${s.url}/verify`, { code: vcode });
      const hmacKey = new Uint8Array(32).fill(1);
      const { certificate } = await postJson<{ certificate: string }>(`${s.url}/certificate`, {
        token,
        ekeyhmac: keysHmac(hmacKey, keys as never),
      });
      const err = await postJson(`${s.url}/publish`, {
        temporaryExposureKeys: keys,
        hmacKey: Buffer.from(hmacKey).toString("base64"),
        verificationPayload: certificate,
      }).catch((e: ApiError) => e);
      expect([what, (err as ApiError).code]).toEqual([what, code]);
    }
    // Keys that differ from the certified ones.
    const { code } = await issueCode(s.url, ADMIN, { reportType: "confirmed" });
    const { token } = await postJson<{ token: string }>(`${s.url}/verify`, { code });
    const hmacKey = new Uint8Array(32).fill(1);
    const { certificate } = await postJson<{ certificate: string }>(`${s.url}/certificate`, {
      token,
      ekeyhmac: keysHmac(hmacKey, [toWireKey(key(1))]),
    });
    await refused(
      postJson(`${s.url}/publish`, {
        temporaryExposureKeys: [toWireKey(key(1)), toWireKey(key(2))],
        hmacKey: Buffer.from(hmacKey).toString("base64"),
        verificationPayload: certificate,
      }),
      400,
      "ERR_HMAC_MISMATCH",
    );
    const bad = await fetch(`${s.url}/publish`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("ERR_BAD_REQUEST");
    expect(await s.server.store.pendingCount()).toBe(0);
    expect((await s.server.publish()).listed).toBe(0);
  });

  it("rate-limits per IP and per code, with Retry-After", async () => {
    const { s, time } = await start({
      ipLimit: { max: 3, windowMs: 60_000 },
      codeLimit: { max: 2, windowMs: 3600_000 },
    });
    for (let i = 0; i < 3; i++)
      await refused(postJson(`${s.url}/verify`, { code: `11111${i}` }), 400, "ERR_CODE_INVALID");
    const err = (await postJson(`${s.url}/verify`, { code: "222222" }).catch((e) => e)) as ApiError;
    expect([err.status, err.code, err.retryAfterSeconds]).toEqual([429, "ERR_RATE_LIMITED", 60]);
    time.t += 60_000; // a new IP window
    await refused(postJson(`${s.url}/verify`, { code: "333333" }), 400, "ERR_CODE_INVALID");
    await refused(postJson(`${s.url}/verify`, { code: "333333" }), 400, "ERR_CODE_INVALID");
    await refused(postJson(`${s.url}/verify`, { code: "333333" }), 429, "ERR_RATE_LIMITED");
  });
});

describe("key server: embargo, code requests, admin limits, error bodies (#14)", () => {
  it("embargoes a key until 2 h after the end of its validity, not of its start's day", async () => {
    // Uploaded 2026-11-28 16:50 UTC: key S started then and is valid for 144 intervals (until
    // 2026-11-29 16:50); key M started at midnight and ends at 2026-11-29 00:00.
    const upload = Date.UTC(2026, 10, 28, 16, 50);
    const time = { t: upload };
    const s = await startKeyServer({ now: () => time.t });
    servers.push(s);
    const started = intervalNumber(upload);
    const sameDay = key(1, 0, { rollingStartIntervalNumber: started, rollingPeriod: 144 });
    const midnight = key(2, 0, { rollingStartIntervalNumber: intervalNumber(Date.UTC(2026, 10, 28)) });
    const { code } = await issueCode(s.url, ADMIN, { reportType: "confirmed" });
    await uploadKeys(s.url, code, [sameDay, midnight]);
    const published = async (at: number) => {
      time.t = at;
      return (await s.server.publish()).keys;
    };
    // Expected times worked by hand: (start + period) × 10 min + 2 h.
    expect(await published(Date.UTC(2026, 10, 29, 1, 59, 59))).toBe(0);
    expect(await published(Date.UTC(2026, 10, 29, 2, 0))).toBe(1); // M: 00:00 + 2 h
    expect(await published(Date.UTC(2026, 10, 29, 18, 49, 59))).toBe(0); // S is valid until 16:50
    expect(await published(Date.UTC(2026, 10, 29, 18, 50))).toBe(1); // S: 16:50 + 2 h
    const index = parseFeedIndex(await (await fetch(`${s.feedUrl}index.json`)).text());
    const second = new Uint8Array(await (await fetch(`${s.feedUrl}${index.batches[1]!.name}`)).arrayBuffer());
    expect(readKeyFile(second, { trustedKeys: [s.trusted] }).keys[0]?.rollingStartIntervalNumber).toBe(
      started,
    );
  });

  it("accepts only real calendar dates as onsetDate", async () => {
    const { s } = await start();
    for (const bad of ["2021-02-31", "2023-02-29", "2021-13-01", "2021-04-31", "2021-1-01", 20210201]) {
      const err = (await issueCode(s.url, ADMIN, {
        reportType: "confirmed",
        onsetDate: bad as string,
      }).catch((e: unknown) => e)) as ApiError;
      expect([bad, err.status, err.code]).toEqual([bad, 400, "ERR_BAD_REQUEST"]);
      expect(err.message).toContain("calendar date");
    }
    // The server's clock is 24 July 2021: a leap day of an earlier year and today are dates.
    for (const good of ["2021-02-28", "2020-02-29", "2021-07-24"])
      expect((await issueCode(s.url, ADMIN, { reportType: "confirmed", onsetDate: good })).code).toMatch(
        /^\d{10}$/,
      );
    // Symptoms after today are refused (they were accepted, and the keys' days since onset dropped).
    const future = (await issueCode(s.url, ADMIN, { reportType: "confirmed", onsetDate: "2021-07-25" }).catch(
      (e: unknown) => e,
    )) as ApiError;
    expect([future.status, future.message]).toEqual([
      400,
      "onsetDate 2021-07-25 is after today (2021-07-24)",
    ]);
  });

  it("rate-limits admin routes: wrong tokens per IP, then every admin request per IP", async () => {
    const { s, time } = await start({ adminFailureLimit: { max: 3, windowMs: 900_000 } });
    for (let i = 0; i < 3; i++)
      await refused(
        issueCode(s.url, `wrong-token-guess-${i}`, { reportType: "confirmed" }),
        401,
        "ERR_UNAUTHORIZED",
      );
    // The failures are used up: refused before the token is compared, the right token included.
    const err = (await issueCode(s.url, ADMIN, { reportType: "confirmed" }).catch((e) => e)) as ApiError;
    expect([err.status, err.code, err.retryAfterSeconds]).toEqual([429, "ERR_RATE_LIMITED", 900]);
    await refused(
      postJson(`${s.url}/publish-batches`, {}, { authorization: `Bearer ${ADMIN}` }),
      429,
      "ERR_RATE_LIMITED",
    );
    time.t += 900_000;
    expect((await issueCode(s.url, ADMIN, { reportType: "confirmed" })).code).toMatch(/^\d{10}$/);

    const other = await start({ adminLimit: { max: 4, windowMs: 60_000 } });
    for (let i = 0; i < 4; i++) await issueCode(other.s.url, ADMIN, { reportType: "confirmed" });
    await refused(issueCode(other.s.url, ADMIN, { reportType: "confirmed" }), 429, "ERR_RATE_LIMITED");
    other.time.t += 60_000;
    expect((await issueCode(other.s.url, ADMIN, { reportType: "confirmed" })).code).toMatch(/^\d{10}$/);
  });

  it("answers every error, framework errors and unknown routes included, with exactly {error: {code, message}}", async () => {
    const { s } = await start();
    const json = { "content-type": "application/json" };
    const probes: [string, string, RequestInit, number, string][] = [
      ["unknown route", "/nope", {}, 404, "ERR_NOT_FOUND"],
      ["wrong method", "/codes", { method: "DELETE" }, 404, "ERR_NOT_FOUND"],
      ["missing file", "/feed/b999999-1.zip", {}, 404, "ERR_NOT_FOUND"],
      ["malformed JSON", "/verify", { method: "POST", headers: json, body: "{" }, 400, "ERR_BAD_REQUEST"],
      [
        "xml body",
        "/verify",
        { method: "POST", headers: { "content-type": "application/xml" }, body: "<a/>" },
        415,
        "ERR_UNSUPPORTED_MEDIA_TYPE",
      ],
      [
        "body over 64 KiB",
        "/verify",
        { method: "POST", headers: json, body: JSON.stringify({ code: "1".repeat(70_000) }) },
        413,
        "ERR_BODY_TOO_LARGE",
      ],
      ["no admin token", "/codes", { method: "POST", headers: json, body: "{}" }, 401, "ERR_UNAUTHORIZED"],
      [
        "bad code request",
        "/codes",
        { method: "POST", headers: { ...json, authorization: `Bearer ${ADMIN}` }, body: "[]" },
        400,
        "ERR_BAD_REQUEST",
      ],
      [
        "empty upload",
        "/publish",
        { method: "POST", headers: json, body: "{}" },
        401,
        "ERR_CERTIFICATE_INVALID",
      ],
    ];
    for (const [what, path, init, status, code] of probes) {
      const res = await fetch(`${s.url}${path}`, init);
      const body = (await res.json()) as { error: Record<string, unknown> };
      expect([what, res.status, res.headers.get("content-type")?.split(";")[0]]).toEqual([
        what,
        status,
        "application/json",
      ]);
      expect([what, Object.keys(body), Object.keys(body.error).sort(), body.error.code]).toEqual([
        what,
        ["error"],
        ["code", "message"],
        code,
      ]);
      expect(typeof body.error.message).toBe("string");
    }
  });
});
