/**
 * F1 history upload, as in Bluezone's two modes but private: a notified phone sends the health
 * authority either only the sightings that matched the case's keys (mode `matched`) or its whole
 * retained history (mode `full`), encrypted with tweetnacl's `box` to the authority's public key under
 * a fresh ephemeral key pair (so uploads are unlinkable to each other and to the phone). The authority
 * decrypts and checks the sightings against the case's keys with the library's own matcher.
 *
 * Wire format: ephemeral public key (32) ‖ nonce (24) ‖ box(JSON). The JSON holds only what the log
 * holds — identifiers, times, RSSI statistics — nothing personal.
 */
import nacl from "tweetnacl";
import { fromHex, toHex } from "../bytes";
import { BluezoneError, InvalidArgumentError } from "../errors";
import { createMemoryLog } from "../log/memory-log";
import type { ContactLog, Sighting } from "../log/types";
import { deriveGaenRuns } from "./derive-runs";
import type { ExposureKey } from "./export-codec";
import { matchLog } from "./matcher";

/**
 * What a history upload carries.
 * @public
 */
export type HistoryMode = "matched" | "full";

/**
 * A history upload could not be opened or is malformed.
 * @public
 */
export class HistoryUploadError extends BluezoneError {
  /** @param message - what was wrong */
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_HISTORY_UPLOAD", message, options);
  }
}

/**
 * Largest upload accepted by {@link openHistoryUpload} (a 14-day busy log is a few MB).
 * @public
 */
export const MAX_HISTORY_UPLOAD_BYTES = 64 * 1024 * 1024;

const VERSION = 1;

interface WireSighting {
  t: number;
  id: string;
  aem: string;
  mean: number;
  max: number;
  n: number;
  s: number;
}

/**
 * Options of {@link buildHistoryUpload}.
 * @public
 */
export interface HistoryUploadOptions {
  /** The phone's contact log. */
  log: ContactLog;
  /** `matched`: only sightings of `keys`' identifiers; `full`: every retained sighting. */
  mode: HistoryMode;
  /** The case's published keys (required for `matched`). */
  keys?: readonly ExposureKey[];
  /** The authority's 32-byte box public key. */
  authorityPublicKey: Uint8Array;
  /** Random bytes for the ephemeral key and nonce (tests); secure random by default. */
  random?: (n: number) => Uint8Array;
}

/**
 * Builds an encrypted history upload.
 * @public
 */
export async function buildHistoryUpload(options: HistoryUploadOptions): Promise<Uint8Array> {
  const { log, mode, authorityPublicKey } = options;
  if (authorityPublicKey.length !== nacl.box.publicKeyLength) {
    throw new InvalidArgumentError(`authority public key must be ${nacl.box.publicKeyLength} bytes`);
  }
  let sightings: Sighting[];
  if (mode === "full") sightings = await log.range(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  else if (mode === "matched") {
    if (!options.keys) throw new InvalidArgumentError("a matched-only upload needs the case's keys");
    sightings = (await matchLog(log, deriveGaenRuns(options.keys))).flatMap((m) =>
      m.sightings.map((x) => x.sighting),
    );
    sightings.sort((a, b) => a.time - b.time);
  } else throw new InvalidArgumentError(`unknown history mode "${mode as string}"`);
  const body = {
    v: VERSION,
    mode,
    sightings: sightings.map(
      (s): WireSighting => ({
        t: s.time,
        id: toHex(s.identifier),
        aem: toHex(s.aem),
        mean: s.meanRssi,
        max: s.maxRssi,
        n: s.packets,
        s: s.secondsSinceLastScan,
      }),
    ),
  };
  const random = options.random ?? nacl.randomBytes;
  const ephemeral = nacl.box.keyPair.fromSecretKey(random(nacl.box.secretKeyLength));
  const nonce = random(nacl.box.nonceLength);
  const boxed = nacl.box(Buffer.from(JSON.stringify(body)), nonce, authorityPublicKey, ephemeral.secretKey);
  const out = new Uint8Array(32 + 24 + boxed.length);
  out.set(ephemeral.publicKey, 0);
  out.set(nonce, 32);
  out.set(boxed, 56);
  return out;
}

/**
 * A decrypted history upload.
 * @public
 */
export interface OpenedHistory {
  /** Which mode the phone used. */
  mode: HistoryMode;
  /** The sightings, by time. */
  sightings: Sighting[];
}

/**
 * Authority side: decrypts and validates an upload.
 * @throws HistoryUploadError when it does not decrypt or is malformed
 * @public
 */
export function openHistoryUpload(bytes: Uint8Array, authoritySecretKey: Uint8Array): OpenedHistory {
  if (bytes.length > MAX_HISTORY_UPLOAD_BYTES) throw new HistoryUploadError("upload exceeds the size limit");
  if (bytes.length < 56 + nacl.box.overheadLength) throw new HistoryUploadError("upload is too short");
  const opened = nacl.box.open(
    bytes.subarray(56),
    bytes.subarray(32, 56),
    bytes.subarray(0, 32),
    authoritySecretKey,
  );
  if (!opened)
    throw new HistoryUploadError("upload does not decrypt with this authority key (wrong key or tampered)");
  let body: { v?: unknown; mode?: unknown; sightings?: unknown };
  try {
    body = JSON.parse(Buffer.from(opened).toString("utf8"));
  } catch (cause) {
    throw new HistoryUploadError("upload body is not JSON", { cause });
  }
  if (
    body.v !== VERSION ||
    (body.mode !== "matched" && body.mode !== "full") ||
    !Array.isArray(body.sightings)
  ) {
    throw new HistoryUploadError("upload body has an unknown version, mode or shape");
  }
  const sightings = body.sightings.map((w: WireSighting, i: number): Sighting => {
    try {
      return {
        time: w.t,
        identifier: fromHex(w.id, undefined, "id"),
        aem: fromHex(w.aem, undefined, "aem"),
        meanRssi: w.mean,
        maxRssi: w.max,
        packets: w.n,
        secondsSinceLastScan: w.s,
      };
    } catch (cause) {
      throw new HistoryUploadError(`sighting ${i} is malformed`, { cause });
    }
  });
  return { mode: body.mode, sightings };
}

/**
 * What the authority learns from checking an upload against the case's keys.
 * @public
 */
export interface HistoryCheck {
  /** Sightings in the upload. */
  sightings: number;
  /** Sightings that are identifiers of the case's keys within ±2 h of their interval. */
  matched: number;
  /** Indices of the case's keys that were heard. */
  keysHeard: number[];
}

/**
 * Authority side: checks uploaded sightings against the case's keys with the library's matcher.
 * @throws InvalidSightingError (via the log) when a sighting is invalid
 * @public
 */
export async function checkHistoryAgainstKeys(
  history: OpenedHistory,
  keys: readonly ExposureKey[],
): Promise<HistoryCheck> {
  const log = createMemoryLog();
  let matches: Awaited<ReturnType<typeof matchLog>>;
  try {
    try {
      await log.record(history.sightings);
    } catch (cause) {
      throw new HistoryUploadError("upload holds invalid sightings", { cause });
    }
    matches = await matchLog(log, deriveGaenRuns(keys));
  } finally {
    // Its tables go back to the thread's slabs at once.
    await log.close();
  }
  return {
    sightings: history.sightings.length,
    matched: matches.reduce((n, m) => n + m.sightings.length, 0),
    keysHeard: matches.map((m) => m.keyIndex),
  };
}
