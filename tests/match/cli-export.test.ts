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
    const now = Math.floor(Date.now() / 600_000);
    const keys = [
      { keyData: "ab".repeat(16), rollingStartIntervalNumber: now - (now % 144) - 144, rollingPeriod: 144 },
    ];
    writeFileSync(join(dir, "keys.json"), JSON.stringify({ region: "VN", keys }));
    const out = join(dir, "out.zip");
    const created = cli(
      "create",
      "--keys",
      join(dir, "keys.json"),
      "--sign-key",
      join(dir, "k.key"),
      "--out",
      out,
    );
    expect(created.status).toBe(0);
    const pub = readFileSync(join(dir, "k.pub"), "utf8").trim();
    const verified = cli("verify", out, "--public-key", pub, "--json");
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, keys: 1, region: "VN" });
    const inspected = cli("inspect", out, "--json");
    expect(JSON.parse(inspected.stdout).signatureInfos[0].signatureAlgorithm).toBe("1.2.840.10045.4.3.2");
    expect(readKeyFile(new Uint8Array(readFileSync(out)), { verify: false }).keys).toHaveLength(1);
  });
});
