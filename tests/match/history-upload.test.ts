import nacl from "tweetnacl";
import { describe, expect, it } from "vitest";
import {
  buildHistoryUpload,
  checkHistoryAgainstKeys,
  createMemoryLog,
  deriveRpi,
  deriveRpik,
  type ExposureKey,
  HistoryUploadError,
  INTERVAL_MS,
  openHistoryUpload,
  type Sighting,
} from "../../src/index";

const DAY0 = 2_700_000 - (2_700_000 % 144);
const f0: ExposureKey = {
  keyData: new Uint8Array(16).fill(0x21),
  rollingStartIntervalNumber: DAY0,
  rollingPeriod: 144,
  reportType: 1,
};
const authority = nacl.box.keyPair.fromSecretKey(new Uint8Array(32).fill(9));

function sighting(identifier: Uint8Array, interval: number): Sighting {
  return {
    time: interval * INTERVAL_MS + 1000,
    identifier,
    aem: new Uint8Array(4),
    meanRssi: -58,
    maxRssi: -52,
    packets: 6,
    secondsSinceLastScan: 300,
  };
}

async function phoneLog() {
  const log = createMemoryLog();
  const rpik = deriveRpik(f0.keyData);
  const mine = [10, 11, 12].map((j) => sighting(deriveRpi(rpik, DAY0 + j), DAY0 + j));
  const others = [20, 30, 40].map((j) => sighting(new Uint8Array(16).fill(j), DAY0 + j));
  await log.record([...mine, ...others]);
  return log;
}

describe("F1 history upload", () => {
  it("mode matched carries only the sightings of the case's identifiers; the authority confirms them", async () => {
    const bytes = await buildHistoryUpload({
      log: await phoneLog(),
      mode: "matched",
      keys: [f0],
      authorityPublicKey: authority.publicKey,
    });
    const opened = openHistoryUpload(bytes, authority.secretKey);
    expect(opened.mode).toBe("matched");
    expect(opened.sightings).toHaveLength(3);
    expect(await checkHistoryAgainstKeys(opened, [f0])).toEqual({ sightings: 3, matched: 3, keysHeard: [0] });
  });

  it("mode full carries the whole retained history, of which the case's part is found", async () => {
    const bytes = await buildHistoryUpload({
      log: await phoneLog(),
      mode: "full",
      authorityPublicKey: authority.publicKey,
    });
    const opened = openHistoryUpload(bytes, authority.secretKey);
    expect(opened.sightings).toHaveLength(6);
    expect((await checkHistoryAgainstKeys(opened, [f0])).matched).toBe(3);
  });

  it("is unreadable without the authority's key, unlinkable between uploads, and tamper-evident", async () => {
    const log = await phoneLog();
    const a = await buildHistoryUpload({ log, mode: "full", authorityPublicKey: authority.publicKey });
    const b = await buildHistoryUpload({ log, mode: "full", authorityPublicKey: authority.publicKey });
    expect(Buffer.from(a.subarray(0, 32)).equals(Buffer.from(b.subarray(0, 32)))).toBe(false); // fresh ephemeral keys
    const other = nacl.box.keyPair();
    expect(() => openHistoryUpload(a, other.secretKey)).toThrow(HistoryUploadError);
    const tampered = a.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(() => openHistoryUpload(tampered, authority.secretKey)).toThrow(HistoryUploadError);
    expect(() => openHistoryUpload(a.subarray(0, 40), authority.secretKey)).toThrow(HistoryUploadError);
    await expect(
      buildHistoryUpload({ log, mode: "matched", authorityPublicKey: authority.publicKey }),
    ).rejects.toThrow(/keys/);
  });
});
