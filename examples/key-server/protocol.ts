/**
 * The upload wire format (modelled on the Exposure Notifications verification and key servers) and
 * the key HMAC that binds an upload to its certificate. Shared by the server and the phone uploader.
 *
 * Flow: the phone exchanges its one-time code for a token (`POST /verify`), picks a random HMAC key,
 * computes {@link keysHmac} over the keys it will upload, and has the HMAC signed into a certificate
 * (`POST /certificate`). It then uploads keys + HMAC key + certificate (`POST /publish`); the server
 * recomputes the HMAC and accepts the keys only if it equals the certified one. The verification
 * side thus never sees the keys, and the key side never sees the code.
 */
import { createHmac } from "node:crypto";
import type { ExposureKey } from "../../src/index";

/** A key as uploaded (EN publish API v1 field names). */
export interface WireKey {
  /** Base64 of the 16 key bytes. */
  key: string;
  /** ENIntervalNumber of the key's start. */
  rollingStartNumber: number;
  /** Intervals the key was valid, 1…144. */
  rollingPeriod: number;
  /** Transmission risk the phone suggests, 0…8 (the server overrides it for recursive reports). */
  transmissionRisk?: number;
}

/** Report type a code is issued for: a confirmed case (F0) or a recursive (F1, F2…) contact. */
export type CodeReportType = "confirmed" | "recursive";

/** Converts a key to its wire form. */
export function toWireKey(key: ExposureKey): WireKey {
  return {
    key: Buffer.from(key.keyData).toString("base64"),
    rollingStartNumber: key.rollingStartIntervalNumber,
    rollingPeriod: key.rollingPeriod,
    transmissionRisk: key.transmissionRiskLevel ?? 0,
  };
}

/**
 * The HMAC-SHA256 (base64) over the keys' canonical form: `key.rollingStartNumber.rollingPeriod.
 * transmissionRisk` per key, sorted by key, joined by commas (as the EN verification protocol does).
 */
export function keysHmac(hmacKey: Uint8Array, keys: readonly WireKey[]): string {
  const text = keys
    .map((k) => `${k.key}.${k.rollingStartNumber}.${k.rollingPeriod}.${k.transmissionRisk ?? 0}`)
    .sort()
    .join(",");
  return createHmac("sha256", hmacKey).update(text).digest("base64");
}
