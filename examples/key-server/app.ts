/**
 * The reference health-authority key server as an importable fastify app: verification (codes →
 * tokens → certificates), key upload, publishing, and the feed directory served statically for the
 * demo. `buildApp` returns the app unstarted, so tests listen on an ephemeral loopback port.
 *
 * Routes (JSON; every error, unknown routes and framework errors included, is exactly
 * `{error: {code, message}}` with a 4xx/5xx status):
 * - `POST /codes` (admin; admin routes are rate-limited per IP, failed authentications more tightly) `{reportType: "confirmed"|"recursive", level?, onsetDate?}` → `{code, expiresAt}`
 * - `POST /verify` `{code}` → `{token, reportType, level, expiresAt}`
 * - `POST /certificate` `{token, ekeyhmac}` → `{certificate, expiresAt}`
 * - `POST /publish` `{temporaryExposureKeys, hmacKey, verificationPayload}` → `{insertedExposures, duplicates}`
 * - `POST /publish-batches` (admin) → publish summary
 * - `GET /feed/index.json`, `GET /feed/:file` → the published directory (ETag, Last-Modified, 304)
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { BluezoneError, type KeyFileSigner } from "../../src/index";
import { ApiError } from "./errors";
import { INDEX_NAME, type PublishSummary, publishBatches } from "./publisher";
import { createRateLimiter, type RateLimit } from "./rate-limit";
import { type KeyStore, openKeyStore, secretHash } from "./store";
import { checkKeysHmac, DEFAULT_EMBARGO_MS, parseUploadKeys, toStoredKeys } from "./upload";
import { createVerifier, DEFAULT_TTL, parseCodeRequest, type VerificationTtl } from "./verification";

/** Options of {@link buildApp}. */
export interface KeyServerOptions {
  /** Data directory: LevelDB under `db/`, published files under `feed/`. */
  dataDir: string;
  /** Signs the published files. */
  signer: KeyFileSigner;
  /** Bearer token of the admin routes (`POST /codes`, `POST /publish-batches`). */
  adminToken: string;
  /** Time source (tests move it past the embargo); the system time by default. */
  clock?: { now(): number };
  /** Region written into the files. */
  region?: string;
  /** Embargo after the end of a key's day, ms; default 2 h. */
  embargoMs?: number;
  /** Lifetimes of codes, tokens, certificates. */
  ttl?: Partial<VerificationTtl>;
  /** Requests per IP per window on the phone routes; default 30 per minute. */
  ipLimit?: RateLimit;
  /** Verify attempts per code per window; default 5 per hour. */
  codeLimit?: RateLimit;
  /** Requests per IP per window on the admin routes (`/codes`, `/publish-batches`); default 60 per minute. */
  adminLimit?: RateLimit;
  /**
   * Failed admin authentications per IP per window; default 10 per 15 minutes. Once used up, the IP's
   * admin requests are refused with 429 (even with the right token) until the window ends.
   */
  adminFailureLimit?: RateLimit;
  /** Most keys per published file; default 50 000. */
  maxKeysPerFile?: number;
  /** Days a run stays listed; default 14. */
  retentionDays?: number;
  /** Fastify request logging; default off. */
  logger?: boolean;
}

/** A built key server. */
export interface KeyServer {
  /** The fastify app (call `listen`). */
  app: FastifyInstance;
  /** The store (for tools and tests). */
  store: KeyStore;
  /** Directory of the published files. */
  feedDir: string;
  /** Publishes due keys now. */
  publish(): Promise<PublishSummary>;
  /** Closes the app and the store. */
  close(): Promise<void>;
}

/** Error codes of the framework's own 4xx answers, by status. */
const FRAMEWORK_CODES: Record<number, string> = {
  404: "ERR_NOT_FOUND",
  413: "ERR_BODY_TOO_LARGE",
  415: "ERR_UNSUPPORTED_MEDIA_TYPE",
};

function body(req: FastifyRequest): Record<string, unknown> {
  return (typeof req.body === "object" && req.body !== null ? req.body : {}) as Record<string, unknown>;
}

/** Builds the key server (opens its store). */
export async function buildApp(options: KeyServerOptions): Promise<KeyServer> {
  if (options.adminToken.length < 16)
    throw new ApiError(500, "ERR_CONFIG", "adminToken must be ≥ 16 characters");
  const now = () => (options.clock ?? Date).now();
  const store = await openKeyStore(join(options.dataDir, "db"));
  const feedDir = join(options.dataDir, "feed");
  const certificateKey = Buffer.from(
    await store.secret("certificateKey", () => randomBytes(32).toString("hex")),
    "hex",
  );
  const verifier = createVerifier(store, certificateKey, { ...DEFAULT_TTL, ...options.ttl });
  const ipLimiter = createRateLimiter(options.ipLimit ?? { max: 30, windowMs: 60_000 }, now);
  const codeLimiter = createRateLimiter(options.codeLimit ?? { max: 5, windowMs: 3600_000 }, now);
  const adminLimiter = createRateLimiter(options.adminLimit ?? { max: 60, windowMs: 60_000 }, now);
  const adminFailures = createRateLimiter(
    options.adminFailureLimit ?? { max: 10, windowMs: 15 * 60_000 },
    now,
  );
  const embargoMs = options.embargoMs ?? DEFAULT_EMBARGO_MS;
  const adminHash = createHash("sha256").update(options.adminToken).digest();
  const publish = () =>
    publishBatches({
      store,
      feedDir,
      signer: options.signer,
      now: now(),
      ...(options.region !== undefined ? { region: options.region } : {}),
      ...(options.maxKeysPerFile !== undefined ? { maxKeysPerFile: options.maxKeysPerFile } : {}),
      ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
    });

  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024 });
  // Admin routes: every request counts against the IP's admin limit, and an IP that used up its
  // failed authentications is refused before the token is even compared (bounds token guessing).
  const admin = (req: FastifyRequest) => {
    adminLimiter.hit(req.ip, `to admin routes from ${req.ip}`);
    adminFailures.check(req.ip, `with a wrong admin token from ${req.ip}`);
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    if (!timingSafeEqual(createHash("sha256").update(given).digest(), adminHash)) {
      adminFailures.hit(req.ip, `with a wrong admin token from ${req.ip}`);
      throw new ApiError(401, "ERR_UNAUTHORIZED", "admin routes need Authorization: Bearer <admin token>");
    }
  };
  const limitIp = (req: FastifyRequest) => ipLimiter.hit(req.ip, `from ${req.ip}`);

  app.setErrorHandler((err: unknown, _req, reply) => {
    if (err instanceof ApiError) {
      if (err.retryAfterSeconds !== undefined) reply.header("retry-after", String(err.retryAfterSeconds));
      return reply.status(err.status).send({ error: { code: err.code, message: err.message } });
    }
    // Framework errors (malformed JSON, wrong content type, body too large …) carry a 4xx statusCode.
    const e = err as { statusCode?: number; message?: string; code?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const code = FRAMEWORK_CODES[e.statusCode] ?? "ERR_BAD_REQUEST";
      return reply.status(e.statusCode).send({ error: { code, message: e.message ?? "bad request" } });
    }
    const code = err instanceof BluezoneError ? err.code : "ERR_INTERNAL";
    app.log.error(err);
    return reply.status(500).send({ error: { code, message: "internal error" } });
  });

  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ error: { code: "ERR_NOT_FOUND", message: `no route ${req.method} ${req.url.split("?")[0]}` } }),
  );

  app.post("/codes", async (req) => {
    admin(req);
    const at = now();
    return verifier.issueCode(parseCodeRequest(req.body, at), at);
  });

  app.post("/verify", async (req) => {
    limitIp(req);
    const code = body(req).code;
    if (typeof code === "string") codeLimiter.hit(secretHash(code), "for this code");
    return verifier.verifyCode(code, now());
  });

  app.post("/certificate", async (req) => {
    limitIp(req);
    const b = body(req);
    return verifier.certify(b.token, b.ekeyhmac, now());
  });

  app.post("/publish", async (req) => {
    limitIp(req);
    const b = body(req);
    const t = now();
    const claims = verifier.readCertificate(b.verificationPayload, t);
    const { wire, keys } = parseUploadKeys(b, t);
    checkKeysHmac(wire, b.hmacKey, claims);
    const stored = toStoredKeys(keys, claims, t, embargoMs);
    return store.exclusive(async () => {
      if (await store.certUsed(claims.jti))
        throw new ApiError(400, "ERR_CERTIFICATE_USED", "this certificate was already used for an upload");
      const known = await store.knownKeys(stored.map((k) => k.keyData));
      const fresh = stored.filter((k) => !known.has(k.keyData));
      await store.acceptUpload(claims.jti, t, fresh);
      return { insertedExposures: fresh.length, duplicates: stored.length - fresh.length };
    });
  });

  app.post("/publish-batches", async (req) => {
    admin(req);
    return publish();
  });

  const serveFile = async (name: string, req: FastifyRequest, reply: FastifyReply, isIndex: boolean) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.includes(".tmp-"))
      throw new ApiError(404, "ERR_NOT_FOUND", "no such file");
    const path = join(feedDir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new ApiError(404, "ERR_NOT_FOUND", "no such file");
    const bytes = await readFile(path);
    const etag = `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 27)}"`;
    reply.header("etag", etag);
    reply.header("last-modified", info.mtime.toUTCString());
    reply.header("cache-control", isIndex ? "public, max-age=60" : "public, max-age=31536000, immutable");
    if (req.headers["if-none-match"] === etag) return reply.status(304).send();
    reply.type(isIndex ? "application/json" : "application/zip");
    return reply.send(bytes);
  };
  app.get("/feed/:file", async (req, reply) => {
    const file = (req.params as { file: string }).file;
    return serveFile(file, req, reply, file === INDEX_NAME);
  });

  return {
    app,
    store,
    feedDir,
    publish,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
