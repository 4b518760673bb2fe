/**
 * `POST /publish` body checks: the key list (1–30 keys, 16 bytes, rolling period 1–144, start at most
 * 15 days back and not in the future, transmission risk 0–8, no duplicates), the certificate's HMAC,
 * and the keys as they will be stored: report type from the certificate (CONFIRMED_TEST, or RECURSIVE
 * with the uploader's level in transmissionRiskLevel), days since onset, and the embargo time.
 */
import {
  BluezoneError,
  DAY_MS,
  type ExposureKey,
  INTERVAL_MS,
  INTERVALS_PER_DAY,
  ReportType,
  toHex,
  validateExposureKeys,
} from "../../src/index";
import { ApiError } from "./errors";
import { keysHmac, type WireKey } from "./protocol";
import type { StoredKey } from "./store";
import type { CertificateClaims } from "./verification";

/** Most keys in one upload. */
export const MAX_KEYS_PER_UPLOAD = 30;
/** Oldest accepted key start, days before now. */
export const MAX_KEY_AGE_DAYS = 15;
/** Default embargo after the end of a key's validity, ms (2 h). */
export const DEFAULT_EMBARGO_MS = 2 * 3600_000;

const bad = (message: string) => new ApiError(400, "ERR_BAD_REQUEST", message);

function parseWireKey(value: unknown, i: number): { wire: WireKey; key: ExposureKey } {
  if (typeof value !== "object" || value === null) throw bad(`temporaryExposureKeys[${i}] must be an object`);
  const o = value as Record<string, unknown>;
  if (typeof o.key !== "string" || !/^[A-Za-z0-9+/]{22}==$/.test(o.key))
    throw new ApiError(400, "ERR_INVALID_KEY", `temporaryExposureKeys[${i}].key must be 16 bytes of base64`);
  const ints: Record<string, number | undefined> = {};
  for (const f of ["rollingStartNumber", "rollingPeriod", "transmissionRisk"]) {
    const v = o[f];
    if (v !== undefined && !Number.isSafeInteger(v))
      throw new ApiError(400, "ERR_INVALID_KEY", `temporaryExposureKeys[${i}].${f} must be an integer`);
    ints[f] = v as number | undefined;
  }
  if (ints.rollingStartNumber === undefined)
    throw new ApiError(400, "ERR_INVALID_KEY", `temporaryExposureKeys[${i}].rollingStartNumber is required`);
  const wire: WireKey = {
    key: o.key,
    rollingStartNumber: ints.rollingStartNumber,
    rollingPeriod: ints.rollingPeriod ?? INTERVALS_PER_DAY,
    transmissionRisk: ints.transmissionRisk ?? 0,
  };
  const key: ExposureKey = {
    keyData: new Uint8Array(Buffer.from(o.key, "base64")),
    rollingStartIntervalNumber: wire.rollingStartNumber,
    rollingPeriod: wire.rollingPeriod,
    transmissionRiskLevel: wire.transmissionRisk,
  };
  return { wire, key };
}

/** The keys of an upload, parsed and validated, with their wire form (for the HMAC). */
export function parseUploadKeys(body: unknown, now: number): { wire: WireKey[]; keys: ExposureKey[] } {
  const list = (body as Record<string, unknown> | null)?.temporaryExposureKeys;
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_KEYS_PER_UPLOAD)
    throw bad(`temporaryExposureKeys must be an array of 1…${MAX_KEYS_PER_UPLOAD} keys`);
  const parsed = list.map(parseWireKey);
  const keys = parsed.map((p) => p.key);
  try {
    validateExposureKeys(keys, {
      clock: { now: () => now },
      maxKeyAgeDays: MAX_KEY_AGE_DAYS,
      futureToleranceIntervals: 0,
    });
  } catch (err) {
    if (err instanceof BluezoneError) throw new ApiError(400, "ERR_INVALID_KEY", err.message);
    throw err;
  }
  const hex = keys.map((k) => toHex(k.keyData));
  const dup = hex.findIndex((h, i) => hex.indexOf(h) !== i);
  if (dup >= 0)
    throw new ApiError(400, "ERR_INVALID_KEY", `temporaryExposureKeys[${dup}] repeats an earlier key`);
  return { wire: parsed.map((p) => p.wire), keys };
}

/** Checks that the uploaded keys are the ones whose HMAC was certified. */
export function checkKeysHmac(wire: readonly WireKey[], hmacKey: unknown, claims: CertificateClaims): void {
  if (typeof hmacKey !== "string" || Buffer.from(hmacKey, "base64").length < 16)
    throw bad("hmacKey must be base64 of at least 16 bytes");
  if (keysHmac(new Uint8Array(Buffer.from(hmacKey, "base64")), wire) !== claims.keyHmac)
    throw new ApiError(400, "ERR_HMAC_MISMATCH", "the keys do not match the HMAC in the certificate");
}

/**
 * Unix ms at which a key may be published: `embargoMs` after the end of its validity, i.e.
 * `(rollingStartIntervalNumber + rollingPeriod) × 10 min + embargoMs` (or now, if later). Counting from
 * the key's end, not from its start or its start's UTC day: a key that started at 16:50 and is valid
 * for 144 intervals is still broadcast until 16:50 the next day, and publishing it earlier would let
 * anyone who hears it link it to a confirmed case while it is on the air (EN key server: keys are
 * published only once expired).
 */
export function availableAt(key: ExposureKey, now: number, embargoMs: number): number {
  const keyEnd = (key.rollingStartIntervalNumber + key.rollingPeriod) * INTERVAL_MS;
  return Math.max(now, keyEnd + embargoMs);
}

/** The keys as stored: report type and level from the certificate, onset offset, embargo. */
export function toStoredKeys(
  keys: readonly ExposureKey[],
  claims: CertificateClaims,
  now: number,
  embargoMs: number,
): StoredKey[] {
  const onsetDay = claims.onsetDate ? Math.floor(Date.parse(claims.onsetDate) / DAY_MS) : undefined;
  return keys.map((k) => {
    const stored: StoredKey = {
      keyData: toHex(k.keyData),
      rollingStartIntervalNumber: k.rollingStartIntervalNumber,
      rollingPeriod: k.rollingPeriod,
      reportType: claims.reportType === "recursive" ? ReportType.RECURSIVE : ReportType.CONFIRMED_TEST,
      transmissionRiskLevel:
        claims.reportType === "recursive" ? claims.level : (k.transmissionRiskLevel ?? 0),
      availableAt: availableAt(k, now, embargoMs),
    };
    if (onsetDay !== undefined) {
      const days = Math.floor(k.rollingStartIntervalNumber / INTERVALS_PER_DAY) - onsetDay;
      if (Math.abs(days) <= 14) stored.daysSinceOnsetOfSymptoms = days;
    }
    return stored;
  });
}
