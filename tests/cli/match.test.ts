import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nacl from "tweetnacl";
import { afterAll, describe, expect, it } from "vitest";
import {
  createKeyFile,
  cryptAem,
  deriveAemk,
  deriveRpi,
  deriveRpik,
  ed25519Signer,
  encodeMetadata,
  type ExposureKey,
  INTERVAL_MS,
  openLevelLog,
  parseSightingsCsv,
  toHex,
} from "../../src/index";
import { runCli } from "../helpers/cli";

const dir = mkdtempSync(join(tmpdir(), "bluezone-match-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pair = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(3));
const publicKey = Buffer.from(pair.publicKey).toString("hex");
const now = Date.now();
const day = Math.floor(now / 86_400_000) - 2;
const start = day * 144;
const f0: ExposureKey = {
  keyData: new Uint8Array(16).fill(0x42),
  rollingStartIntervalNumber: start,
  rollingPeriod: 144,
  reportType: 1,
};
const other: ExposureKey = {
  keyData: new Uint8Array(16).fill(0x17),
  rollingStartIntervalNumber: start,
  rollingPeriod: 144,
  reportType: 1,
};
const zip = join(dir, "export.zip");
writeFileSync(
  zip,
  createKeyFile({
    keys: [f0, other],
    region: "VN",
    signer: ed25519Signer(pair.secretKey, { keyId: "452", keyVersion: "v1" }),
  }),
);

/** CSV rows: one packet every 4 s for `minutes` from 09:00 that day, of `key` at `rssi`. */
function rows(key: ExposureKey, minutes: number, rssi: number): string[] {
  const rpik = deriveRpik(key.keyData);
  const aemk = deriveAemk(key.keyData);
  const meta = encodeMetadata({ txPower: -8 });
  const out: string[] = [];
  for (let t = 0; t < minutes * 60; t += 4) {
    const time = day * 86_400 + 9 * 3600 + t;
    const rpi = deriveRpi(rpik, Math.floor((time * 1000) / INTERVAL_MS));
    out.push(`${time},${toHex(rpi)},${toHex(cryptAem(aemk, rpi, meta))},${rssi},Pixel 4`);
  }
  return out;
}
const HEADER = "time,rpi,aem,rssi,receiver_model";

describe("bluezone match", () => {
  it("finds a 20-minute close contact with an F0 in a sightings CSV", () => {
    const csv = join(dir, "close.csv");
    writeFileSync(
      csv,
      [HEADER, ...rows(f0, 20, -55), ...rows({ ...f0, keyData: new Uint8Array(16).fill(9) }, 30, -50)].join(
        "\n",
      ),
    );
    const r = runCli(["match", "--export", zip, "--public-key", publicKey, "--sightings", csv, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.exposures).toHaveLength(1);
    expect(out.exposures[0]).toMatchObject({ key: toHex(f0.keyData), reportType: 1, f1: true });
    for (const w of out.exposures[0].windows) {
      expect(Object.keys(w).sort()).toEqual(["minAttenuation", "seconds", "start", "typicalAttenuation"]);
      expect(w.typicalAttenuation).toBeGreaterThanOrEqual(w.minAttenuation);
    }
    expect(
      out.exposures[0].windows.reduce((s: number, w: { seconds: number }) => s + w.seconds, 0),
    ).toBeGreaterThanOrEqual(1150);
    expect(out.summary).toMatchObject({
      status: "F1",
      verified: true,
      keys: 2,
      matchedKeys: 1,
      policy: "default",
    });
  });

  it("reads a LevelDB contact log; a far contact is not F1", async () => {
    const db = join(dir, "db");
    const log = await openLevelLog(db);
    await log.record(parseSightingsCsv([HEADER, ...rows(other, 40, -92)].join("\n")).sightings);
    await log.close();
    const r = runCli(["match", "--export", zip, "--public-key", publicKey, "--db", db, "--json"]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.exposures).toHaveLength(1);
    expect(out.exposures[0].f1).toBe(false);
    expect(out.summary.status).toBe("none");
  });

  it("refuses an unverifiable file, and needs a source", () => {
    const wrong = Buffer.from(nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(4)).publicKey).toString(
      "hex",
    );
    const csv = join(dir, "close.csv");
    const bad = runCli(["match", "--export", zip, "--public-key", wrong, "--sightings", csv, "--json"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/signature/i);
    expect(runCli(["match", "--export", zip, "--no-verify", "--sightings", csv, "--json"]).status).toBe(0);
    // A key that does not verify the file, with --no-verify: the two contradict each other.
    const both = runCli(["match", "--export", zip, "--public-key", wrong, "--no-verify", "--sightings", csv]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/^bluezone: --public-key and --no-verify exclude each other/m);
    const none = runCli(["match", "--export", zip, "--no-verify", "--json"]);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/--db DIR or --sightings/);
    const malformed = join(dir, "bad.csv");
    writeFileSync(malformed, `${HEADER}\n1,zz,,-50,\n`);
    const m = runCli(["match", "--export", zip, "--no-verify", "--sightings", malformed]);
    expect(m.status).not.toBe(0);
    expect(m.stderr).toMatch(/line 2/);
  });

  it("--utc-offset: 10 minutes either side of UTC midnight is one local day (F1 at UTC+7, none in UTC)", () => {
    // One person's two daily keys: g for the UTC day `day`, h for the next. Close packets a minute
    // apart, 23:50…23:59 UTC under g and 00:00…00:09 under h: 600 s on each UTC day (none), 1,200 s on
    // the local day at UTC+7 (06:50…07:09), ≥ 900 s: F1.
    const g: ExposureKey = { ...f0, keyData: new Uint8Array(16).fill(0x61) };
    const h: ExposureKey = {
      ...g,
      keyData: new Uint8Array(16).fill(0x62),
      rollingStartIntervalNumber: start + 144,
    };
    const file = join(dir, "midnight.zip");
    writeFileSync(file, createKeyFile({ keys: [g, h], signer: ed25519Signer(pair.secretKey) }));
    const meta = encodeMetadata({ txPower: -8 });
    const packet = (key: ExposureKey, time: number) => {
      const rpi = deriveRpi(deriveRpik(key.keyData), Math.floor((time * 1000) / INTERVAL_MS));
      return `${time},${toHex(rpi)},${toHex(cryptAem(deriveAemk(key.keyData), rpi, meta))},-50,Pixel 4`;
    };
    const midnight = (day + 1) * 86_400;
    const csv = join(dir, "midnight.csv");
    writeFileSync(
      csv,
      [
        HEADER,
        ...Array.from({ length: 10 }, (_, m) => packet(g, midnight - 600 + 60 * m)),
        ...Array.from({ length: 10 }, (_, m) => packet(h, midnight + 60 * m)),
      ].join("\n"),
    );
    const wrong = Buffer.from(nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(4)).publicKey).toString(
      "hex",
    );
    // Two trusted keys (a rotation): the file verifies with either.
    const args = [
      "match",
      "--export",
      file,
      "--public-key",
      wrong,
      "--public-key",
      publicKey,
      "--sightings",
      csv,
    ];
    const utc = runCli(args);
    expect([utc.status, JSON.parse(utc.stdout).summary.status]).toEqual([0, "none"]);
    const local = runCli([...args, "--utc-offset", "7"]);
    expect(local.status).toBe(0);
    expect(JSON.parse(local.stdout).summary).toMatchObject({ status: "F1", verified: true });
  });
});
