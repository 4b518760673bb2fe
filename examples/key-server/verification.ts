/**
 * The verification side: one-time codes issued to health workers, exchanged by the phone for a token,
 * which is exchanged (once) for a certificate carrying the HMAC of the keys to upload. Certificates are
 * HS256-signed compact tokens (`payload.signature`, base64url) with a unique id, used at most once.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { ApiError } from "./errors";
import type { CodeReportType } from "./protocol";
import { type CodeRecord, type KeyStore, secretHash, type TokenRecord } from "./store";

/** Lifetimes of codes, tokens and certificates, ms. */
export interface VerificationTtl {
  /** Code lifetime; default 1 h. */
  codeMs: number;
  /** Token lifetime; default 24 h. */
  tokenMs: number;
  /** Certificate lifetime; default 15 min. */
  certificateMs: number;
}

/** Default lifetimes. */
export const DEFAULT_TTL: VerificationTtl = { codeMs: 3600_000, tokenMs: 86_400_000, certificateMs: 900_000 };

/** Digits of a verification code. */
export const CODE_DIGITS = 10;

/** What a certificate certifies. */
export interface CertificateClaims {
  /** Unique id (used once). */
  jti: string;
  /** Report type of the code. */
  reportType: CodeReportType;
  /** Level of the uploader (0 for a confirmed case). */
  level: number;
  /** Symptom onset YYYY-MM-DD, if known. */
  onsetDate?: string;
  /** HMAC of the keys (base64). */
  keyHmac: string;
  /** Expiry, unix ms. */
  exp: number;
}

/** A body of `POST /codes`, checked. */
export interface CodeRequest {
  reportType: CodeReportType;
  level: number;
  onsetDate?: string;
}

/**
 * Whether `value` is a real calendar date written YYYY-MM-DD (proleptic Gregorian, UTC). `Date.parse`
 * alone is not enough: V8 reads "2021-02-31" as 3 March, so the date must also survive the round
 * trip back to text.
 */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

/** Checks the body of `POST /codes`: reportType, level (recursive: 1…7), onsetDate (a calendar date,
 * YYYY-MM-DD, not after today: UTC date of `now`, unix ms).
 * @throws ApiError 400 `ERR_BAD_REQUEST` naming the field
 */
export function parseCodeRequest(body: unknown, now: number = Date.now()): CodeRequest {
  const o = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (o.reportType !== "confirmed" && o.reportType !== "recursive")
    throw new ApiError(400, "ERR_BAD_REQUEST", 'reportType must be "confirmed" or "recursive"');
  let level = 0;
  if (o.reportType === "recursive") {
    level = o.level === undefined ? 1 : (o.level as number);
    if (!Number.isInteger(level) || level < 1 || level > 7)
      throw new ApiError(400, "ERR_BAD_REQUEST", "level of a recursive report must be an integer 1…7");
  } else if (o.level !== undefined && o.level !== 0) {
    throw new ApiError(400, "ERR_BAD_REQUEST", "a confirmed report has no level (or level 0)");
  }
  if (o.onsetDate !== undefined) {
    if (!isCalendarDate(o.onsetDate))
      throw new ApiError(
        400,
        "ERR_BAD_REQUEST",
        `onsetDate must be a calendar date YYYY-MM-DD, got ${JSON.stringify(o.onsetDate)}`,
      );
    // Symptoms that start after today cannot be known: a typo that would silently drop the keys'
    // days since onset (the upload keeps only −14…14).
    const today = new Date(now).toISOString().slice(0, 10);
    if (o.onsetDate > today)
      throw new ApiError(400, "ERR_BAD_REQUEST", `onsetDate ${o.onsetDate} is after today (${today})`);
    return { reportType: o.reportType, level, onsetDate: o.onsetDate };
  }
  return { reportType: o.reportType, level };
}

/** The verification service over a store. */
export function createVerifier(store: KeyStore, certificateKey: Uint8Array, ttl: VerificationTtl) {
  const sign = (payload: string) => createHmac("sha256", certificateKey).update(payload).digest("base64url");
  return {
    /** Issues a one-time code. */
    async issueCode(req: CodeRequest, now: number): Promise<{ code: string; expiresAt: number }> {
      const code = Array.from({ length: CODE_DIGITS }, () => randomInt(10)).join("");
      const rec: CodeRecord = { ...req, createdAt: now, expiresAt: now + ttl.codeMs };
      await store.putCode(secretHash(code), rec);
      return { code, expiresAt: rec.expiresAt };
    },

    /** Exchanges a code for a token (the code is consumed). */
    verifyCode(code: unknown, now: number) {
      if (typeof code !== "string" || !/^\d+$/.test(code))
        throw new ApiError(400, "ERR_BAD_REQUEST", "code must be a string of digits");
      return store.exclusive(async () => {
        const hash = secretHash(code);
        const rec = await store.getCode(hash);
        if (!rec) throw new ApiError(400, "ERR_CODE_INVALID", "unknown verification code");
        if (rec.usedAt !== undefined) throw new ApiError(400, "ERR_CODE_USED", "this code was already used");
        if (rec.expiresAt <= now) throw new ApiError(400, "ERR_CODE_EXPIRED", "this code has expired");
        const token = randomBytes(24).toString("base64url");
        const { createdAt: _c, usedAt: _u, ...claims } = rec;
        const tokenRec: TokenRecord = { ...claims, expiresAt: now + ttl.tokenMs };
        await store.exchangeCode(hash, { ...rec, usedAt: now }, secretHash(token), tokenRec);
        return { token, reportType: rec.reportType, level: rec.level, expiresAt: tokenRec.expiresAt };
      });
    },

    /** Exchanges a token and the keys' HMAC for a certificate (the token is consumed). */
    certify(token: unknown, keyHmac: unknown, now: number) {
      if (typeof token !== "string" || token.length === 0)
        throw new ApiError(400, "ERR_BAD_REQUEST", "token must be a non-empty string");
      if (typeof keyHmac !== "string" || Buffer.from(keyHmac, "base64").length !== 32)
        throw new ApiError(400, "ERR_BAD_REQUEST", "ekeyhmac must be a base64 HMAC-SHA256 (32 bytes)");
      return store.exclusive(async () => {
        const hash = secretHash(token);
        const rec = await store.getToken(hash);
        if (!rec) throw new ApiError(400, "ERR_TOKEN_INVALID", "unknown verification token");
        if (rec.usedAt !== undefined)
          throw new ApiError(400, "ERR_TOKEN_USED", "this token was already used");
        if (rec.expiresAt <= now) throw new ApiError(400, "ERR_TOKEN_EXPIRED", "this token has expired");
        await store.putToken(hash, { ...rec, usedAt: now });
        const claims: CertificateClaims = {
          jti: randomBytes(16).toString("hex"),
          reportType: rec.reportType,
          level: rec.level,
          ...(rec.onsetDate ? { onsetDate: rec.onsetDate } : {}),
          keyHmac,
          exp: now + ttl.certificateMs,
        };
        const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
        return { certificate: `${payload}.${sign(payload)}`, expiresAt: claims.exp };
      });
    },

    /** Checks a certificate's signature and expiry (not its single use: the upload does that). */
    readCertificate(certificate: unknown, now: number): CertificateClaims {
      const bad = () =>
        new ApiError(401, "ERR_CERTIFICATE_INVALID", "the verification certificate is invalid");
      if (typeof certificate !== "string") throw bad();
      const [payload, signature, extra] = certificate.split(".");
      if (!payload || !signature || extra !== undefined) throw bad();
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad();
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as CertificateClaims;
      if (claims.exp <= now)
        throw new ApiError(401, "ERR_CERTIFICATE_EXPIRED", "the certificate has expired");
      return claims;
    },
  };
}

/** The verifier's interface. */
export type Verifier = ReturnType<typeof createVerifier>;
