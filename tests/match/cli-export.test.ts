import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  generateSigningKeyPair,
  inspectKeyFileBytes,
  parseKeysJson,
  parseSignKey,
  verifyKeyFileBytes,
} from "../../src/cli/commands/export";
import { createKeyFile, InvalidArgumentError, readKeyFile, toHex } from "../../src/index";
import { ROOT, repoData } from "../helpers/data";
import { gaenFile, SAMPLE_PUBLIC_KEY, sampleKey } from "./fixtures";

const cli = (...args: string[]) =>
  spawnSync("npx", ["tsx", "src/cli/main.ts", "export", ...args], { cwd: ROOT, encoding: "utf8" });

describe("export CLI functions", () => {
  it("verify: valid sample, invalid with another key", () => {
    const ok = verifyKeyFileBytes(gaenFile("sample-diagnosis-key-file.zip"), SAMPLE_PUBLIC_KEY);
    expect(ok).toMatchObject({ valid: true, keys: 140, region: "US" });
    const other = generateSigningKeyPair("ed25519").public.trim();
    const bad = verifyKeyFileBytes(gaenFile("sample-diagnosis-key-file.zip"), other);
    expect(bad).toMatchObject({ valid: false, code: "ERR_KEY_FILE_SIGNATURE" });
    expect(() => verifyKeyFileBytes(gaenFile("sample-diagnosis-key-file.zip"), "nonsense")).toThrow(
      InvalidArgumentError,
    );
  });

  it("inspect: header, count, time range, signature infos", () => {
    const info = inspectKeyFileBytes(gaenFile("export-110-keys.bin"));
    expect(info).toMatchObject({ keys: 110, region: "US", signatures: [] });
    expect(info.keyIntervals?.firstStart).toBe(2641369);
  });

  it("KEYS.json and sign keys of both kinds round-trip through createKeyFile", () => {
    const keys = [sampleKey(1, { reportType: 1, daysSinceOnsetOfSymptoms: -2 }), sampleKey(2)];
    const json = JSON.stringify({
      region: "VN",
      keys: keys.map((k) => ({ ...k, keyData: toHex(k.keyData) })),
    });
    const doc = parseKeysJson(json);
    expect(doc.region).toBe("VN");
    for (const type of ["ed25519", "ecdsa"]) {
      const pair = generateSigningKeyPair(type);
      const zip = createKeyFile({
        ...doc,
        signer: parseSignKey(pair.secret),
        clock: { now: () => Date.UTC(2020, 6, 2) },
      });
      expect(verifyKeyFileBytes(zip, pair.public.trim())).toMatchObject({
        valid: true,
        keys: 2,
        region: "VN",
      });
    }
    expect(
      parseKeysJson(JSON.stringify([{ keyData: "00".repeat(16), rollingStartIntervalNumber: 1 }])).keys[0],
    ).toMatchObject({ rollingPeriod: 144 });
    expect(() => parseKeysJson("{}")).toThrow(InvalidArgumentError);
    expect(() => parseSignKey("abc")).toThrow(InvalidArgumentError);
    // revisedKeys: an array of keys, its entries named as such (it was silently [] and "keys[0]").
    const one = { keyData: "00".repeat(16), rollingStartIntervalNumber: 1 };
    expect(() => parseKeysJson(JSON.stringify({ keys: [], revisedKeys: "oops" }))).toThrow(
      'keys file: revisedKeys must be an array of keys, got "oops"',
    );
    expect(() =>
      parseKeysJson(JSON.stringify({ keys: [one], revisedKeys: [{ ...one, reportType: "x" }] })),
    ).toThrow("revisedKeys[0].reportType must be an integer");
  });
});

describe("bluezone export (spawned)", () => {
  it("verify exits 0 with JSON for the sample and 1 with a reason otherwise", () => {
    const zip = repoData("gaen/sample-diagnosis-key-file.zip");
    const ok = cli("verify", zip, "--public-key", SAMPLE_PUBLIC_KEY, "--json");
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, keys: 140 });
    const bad = cli("verify", zip, "--public-key", "11".repeat(32), "--json");
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false });
    expect(JSON.parse(bad.stdout).reason).toMatch(/trusted key/);
  });

  it("keygen → create → verify → inspect", () => {
    const dir = mkdtempSync(join(tmpdir(), "bluezone-export-"));
    expect(cli("keygen", "--type", "ecdsa", "--out", join(dir, "k")).status).toBe(0);
    expect(cli("keygen", "--type", "ed25519", "--out", join(dir, "next")).status).toBe(0);
    const now = Math.floor(Date.now() / 600_000);
    const keys = [
      { keyData: "ab".repeat(16), rollingStartIntervalNumber: now - (now % 144) - 144, rollingPeriod: 144 },
    ];
    writeFileSync(join(dir, "keys.json"), JSON.stringify({ region: "VN", keys }));
    const out = join(dir, "out.zip");
    // Signed with two keys (a signing-key rotation): both --sign-key count, each with its key id.
    const bothKeys = [
      "--keys",
      join(dir, "keys.json"),
      "--sign-key",
      join(dir, "k.key"),
      "--sign-key",
      join(dir, "next.key"),
    ];
    const created = cli("create", ...bothKeys, "--key-id", "old", "--key-id", "new", "--out", out);
    expect(created.status).toBe(0);
    for (const name of ["k", "next"]) {
      const pub = readFileSync(join(dir, `${name}.pub`), "utf8").trim();
      const verified = cli("verify", out, "--public-key", pub, "--json");
      expect(verified.status).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, keys: 1, region: "VN" });
    }
    const inspected = JSON.parse(cli("inspect", out, "--json").stdout);
    expect(
      inspected.signatureInfos.map((i: { signatureAlgorithm: string; verificationKeyId: string }) => [
        i.signatureAlgorithm,
        i.verificationKeyId,
      ]),
    ).toEqual([
      ["1.2.840.10045.4.3.2", "old"],
      ["1.3.101.112", "new"],
    ]);
    // The header's time range defaults to the day the key covers (it was 0…0).
    const first = keys[0]!.rollingStartIntervalNumber;
    expect([inspected.startTimestamp, inspected.endTimestamp]).toEqual([first * 600, (first + 144) * 600]);
    // One --key-id for two sign keys is refused.
    const ambiguous = cli("create", ...bothKeys, "--key-id", "old", "--out", join(dir, "other.zip"));
    expect([ambiguous.status, ambiguous.stderr]).toEqual([
      2,
      "bluezone: --key-id is given 1 time(s) for 2 --sign-key: give one per sign key, in the same order\n",
    ]);
    expect(readKeyFile(new Uint8Array(readFileSync(out)), { verify: false }).keys).toHaveLength(1);
  });
});
