/**
 * The simulated health authority: collects the keys of confirmed cases (and, for F2, of notified
 * contacts), and publishes them once a day as a signed key file — through the library's own writer,
 * exactly as a real authority would with `createKeyFile`.
 */
import nacl from "tweetnacl";
import {
  type Clock,
  createKeyFile,
  ed25519Signer,
  type ExposureKey,
  parsePublicKey,
  ReportType,
  type TrustedKey,
} from "../../src/index";

/** Keys uploaded by one person. */
export interface Upload {
  /** Whose keys (person id; known to the simulator only, for evaluation). */
  owner: number;
  /** The keys, with report type and onset set. */
  keys: ExposureKey[];
  /** Day index from which they may be published (after the upload delay). */
  publishDay: number;
}

/** One published batch. */
export interface PublishedBatch {
  /** Day index of publication. */
  day: number;
  /** The signed key file, as phones download it. */
  file: Uint8Array;
  /** Owner of each key, in file order (for evaluation only; not in the file). */
  owners: number[];
}

/** The simulated authority. */
export interface Authority {
  /** The public key phones trust. */
  readonly trustedKey: TrustedKey;
  /** Accepts an upload. */
  upload(u: Upload): void;
  /** Publishes every upload due by `day` as one signed file, or undefined when none is due. */
  publish(day: number): PublishedBatch | undefined;
  /** Number of uploads received. */
  readonly uploads: number;
}

/**
 * Rank of a report type, strongest first: CONFIRMED_TEST, CONFIRMED_CLINICAL_DIAGNOSIS, SELF_REPORT,
 * RECURSIVE (EN export format's `ReportType`), then any other.
 */
function reportRank(type: ReportType | undefined): number {
  const order: ReportType[] = [
    ReportType.CONFIRMED_TEST,
    ReportType.CONFIRMED_CLINICAL_DIAGNOSIS,
    ReportType.SELF_REPORT,
    ReportType.RECURSIVE,
  ];
  const i = type === undefined ? -1 : order.indexOf(type);
  return i < 0 ? order.length : i;
}

/** Creates an authority whose Ed25519 signing key is derived from `seed` (deterministic files). */
export function createAuthority(seed: number, clock: Pick<Clock, "now">): Authority {
  const seedBytes = new Uint8Array(32);
  new DataView(seedBytes.buffer).setUint32(0, seed >>> 0);
  const pair = nacl.sign.keyPair.fromSeed(seedBytes);
  const identity = { keyId: "452", keyVersion: "v1" }; // 452: Vietnam's mobile country code
  const signer = ed25519Signer(pair.secretKey, identity);
  const pending: Upload[] = [];
  let uploads = 0;
  return {
    trustedKey: parsePublicKey(pair.publicKey, identity),
    get uploads() {
      return uploads;
    },
    upload(u) {
      if (u.keys.length === 0) return;
      pending.push(u);
      uploads++;
    },
    publish(day) {
      const due = pending.filter((u) => u.publishDay <= day);
      if (due.length === 0) return undefined;
      for (const u of due) pending.splice(pending.indexOf(u), 1);
      // One record per key, as a key server keeps them: a key uploaded twice in a batch (a notified F1's
      // RECURSIVE upload, then the same person's CONFIRMED_TEST upload once confirmed) is published once,
      // under the stronger report type, with the longer of its rolling periods (a later release of the
      // day's key covers more of the day). A phone keeps the first of two listings of one key, so listing
      // both let the RECURSIVE one hide the case.
      const byKey = new Map<string, number>();
      const keys: ExposureKey[] = [];
      const owners: number[] = [];
      for (const u of due)
        for (const k of u.keys) {
          const id = `${Buffer.from(k.keyData).toString("hex")}/${k.rollingStartIntervalNumber}`;
          const at = byKey.get(id);
          if (at === undefined) {
            byKey.set(id, keys.length);
            keys.push(k);
            owners.push(u.owner);
            continue;
          }
          const kept = keys[at]!;
          const stronger = reportRank(k.reportType) < reportRank(kept.reportType) ? k : kept;
          keys[at] = { ...stronger, rollingPeriod: Math.max(k.rollingPeriod, kept.rollingPeriod) };
        }
      const now = Math.floor(clock.now() / 1000);
      const file = createKeyFile({
        keys,
        region: "VN",
        batchNum: 1,
        batchSize: 1,
        startTimestamp: now - 86_400,
        endTimestamp: now,
        signer,
        clock,
      });
      return { day, file, owners };
    },
  };
}
