/**
 * The CLI commands that open a contact log (`match --db`, `feed sync --db`) never create one and
 * never open a damaged one: a clear `bluezone: …` line, exit code 2, nothing on disk changed.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import nacl from "tweetnacl";
import { createKeyFile, ed25519Signer, openLevelLog, type Sighting } from "../../src/index";
import { runCli } from "../helpers/cli";

const dir = mkdtempSync(join(tmpdir(), "bluezone-cli-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exportBin = join(dir, "export.zip");
const pair = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(3));
writeFileSync(
  exportBin,
  createKeyFile({
    keys: [
      {
        keyData: new Uint8Array(16).fill(1),
        rollingStartIntervalNumber: 2_700_000,
        rollingPeriod: 144,
        reportType: 1,
      },
    ],
    region: "VN",
    signer: ed25519Signer(pair.secretKey, { keyId: "452", keyVersion: "v1" }),
  }),
);
// Nothing listens on port 9 (discard); the log is checked before any request.
const FEED = ["feed", "sync", "--url", "http://127.0.0.1:9/feed/", "--public-key", "00".repeat(32)];
const MATCH = ["match", "--export", exportBin, "--no-verify"];

const snapshot = (d: string) =>
  Object.fromEntries(
    readdirSync(d)
      .sort()
      .map((n) => [
        n,
        createHash("sha256")
          .update(readFileSync(join(d, n)))
          .digest("hex"),
      ]),
  );

describe("CLI commands on a missing or damaged contact log", () => {
  it.each([
    ["match", MATCH],
    ["feed sync", FEED],
  ])("%s --db on a missing directory fails and creates nothing", (_name, args) => {
    const missing = join(dir, `missing-${args[0]}`);
    const r = runCli([...args, "--db", missing]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `bluezone: contact log at "${missing}" could not be opened: no contact log there (no such directory), and createIfMissing is false\n`,
    );
    expect(r.stdout).toBe("");
    expect(existsSync(missing)).toBe(false);
  });

  it.each([
    ["match", MATCH],
    ["feed sync", FEED],
  ])(
    "%s --db on a database without CURRENT fails, names the repair and changes nothing",
    async (_name, args) => {
      const db = join(dir, `damaged-${args[0]}`);
      const log = await openLevelLog(db);
      const s: Sighting = {
        time: 1_600_000_000_000,
        identifier: new Uint8Array(16).fill(2),
        aem: new Uint8Array(0),
        meanRssi: -60,
        maxRssi: -60,
        packets: 1,
        secondsSinceLastScan: 300,
      };
      await log.record([s]);
      await log.close();
      unlinkSync(join(db, "CURRENT"));
      const before = snapshot(db);
      const r = runCli([...args, "--db", db]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^bluezone: contact log at ".*" is damaged \(its CURRENT file is missing/);
      expect(r.stderr).toContain(`repairLevelLog(${JSON.stringify(db)})`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(snapshot(db)).toEqual(before);
    },
  );
});
