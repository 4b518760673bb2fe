/**
 * The phone's side of an upload: code → token (`/verify`), HMAC of the keys → certificate
 * (`/certificate`), keys + HMAC key + certificate → `/publish`. Throws an {@link ApiError} carrying the
 * server's status and code when a step is refused.
 */
import { randomBytes } from "node:crypto";
import type { ExposureKey } from "../../src/index";
import { ApiError } from "./errors";
import { keysHmac, toWireKey } from "./protocol";

/** Result of {@link uploadKeys}. */
export interface UploadResult {
  /** Keys stored by the server. */
  insertedExposures: number;
  /** Keys the server already had. */
  duplicates: number;
}

/** POSTs JSON and returns the JSON answer, or throws the server's error as an ApiError. */
export async function postJson<T>(
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(payload),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok) {
    const retry = Number(res.headers.get("retry-after"));
    throw new ApiError(
      res.status,
      json.error?.code ?? "ERR_HTTP",
      json.error?.message ?? `${url} answered ${res.status}`,
      Number.isFinite(retry) && retry > 0 ? retry : undefined,
    );
  }
  return json as T;
}

/** Uploads `keys` with a verification `code` through the three-step flow. */
export async function uploadKeys(
  baseUrl: string,
  code: string,
  keys: readonly ExposureKey[],
): Promise<UploadResult> {
  const base = baseUrl.replace(/\/$/, "");
  const { token } = await postJson<{ token: string }>(`${base}/verify`, { code });
  const wire = keys.map(toWireKey);
  const hmacKey = new Uint8Array(randomBytes(32));
  const { certificate } = await postJson<{ certificate: string }>(`${base}/certificate`, {
    token,
    ekeyhmac: keysHmac(hmacKey, wire),
  });
  return postJson<UploadResult>(`${base}/publish`, {
    temporaryExposureKeys: wire,
    hmacKey: Buffer.from(hmacKey).toString("base64"),
    verificationPayload: certificate,
  });
}

/** Asks the server for a one-time code (the health worker's step). */
export function issueCode(
  baseUrl: string,
  adminToken: string,
  request: { reportType: "confirmed" | "recursive"; level?: number; onsetDate?: string },
): Promise<{ code: string; expiresAt: number }> {
  return postJson(`${baseUrl.replace(/\/$/, "")}/codes`, request, { authorization: `Bearer ${adminToken}` });
}
