import { readFileSync } from "node:fs";
import { strToU8, unzipSync, zipSync } from "fflate";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BluezoneError,
  ECDSA_P256_SHA256,
  type KeyFile,
  parsePublicKey,
  readKeyFile,
  SignatureError,
  toHex,
} from "../../src/index";
import { EXPORT_PROTO } from "../../src/match/export-proto";
import { ROOT } from "../helpers/data";
import { clock2020, ecdsaPair, ed25519Pair, gaenFile, SAMPLE_PUBLIC_KEY } from "./fixtures";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 150 });

const sampleZip = gaenFile("sample-diagnosis-key-file.zip");
const trusted = [parsePublicKey(SAMPLE_PUBLIC_KEY)];
const read = (bytes: Uint8Array) => readKeyFile(bytes, { trustedKeys: trusted, clock: clock2020 });

describe("schema", () => {
  it("embeds export.proto verbatim", () => {
    expect(EXPORT_PROTO).toBe(readFileSync(`${ROOT}/src/match/export.proto`, "utf8"));
  });
});

describe("sample-diagnosis-key-file.zip (google/exposure-notifications-internals)", () => {
  it("verifies with the published ECDSA key and reads 140 keys of region US", () => {
    const f = read(sampleZip);
    expect(f.verified).toBe(true);
    expect(f.keys).toHaveLength(140);
    expect(f.revisedKeys).toHaveLength(0);
    expect(f).toMatchObject({
      region: "US",
      batchNum: 1,
      batchSize: 1,
      startTimestamp: 1593633600,
      endTimestamp: 1593633900,
    });
    expect(f.verifiedBy).toEqual({
      verificationKeyId: "310",
      verificationKeyVersion: "v1",
      signatureAlgorithm: ECDSA_P256_SHA256,
    });
    expect(f.signatures).toHaveLength(1);
    expect(toHex(f.keys[0]!.keyData)).toBe("0003d60b188f19856e8b3dd29a0c463b");
    expect(f.keys.every((k) => k.rollingPeriod === 144)).toBe(true);
  });

  it("also reads with the default (system) clock", () => {
    expect(readKeyFile(sampleZip, { trustedKeys: trusted }).keys).toHaveLength(140);
  });

  it("fails with any other key, ECDSA or Ed25519", () => {
    for (const other of [ecdsaPair().trusted, ed25519Pair().trusted, { ...ecdsaPair().trusted }]) {
      expect(() => readKeyFile(sampleZip, { trustedKeys: [other], clock: clock2020 })).toThrow(
        SignatureError,
      );
    }
    const wrongId = parsePublicKey(SAMPLE_PUBLIC_KEY, { keyId: "311" });
    expect(() => readKeyFile(sampleZip, { trustedKeys: [wrongId], clock: clock2020 })).toThrow(
      SignatureError,
    );
    expect(() => readKeyFile(sampleZip, { clock: clock2020 })).toThrow(SignatureError);
  });

  it("reads unverified only on explicit opt-out", () => {
    const f = readKeyFile(sampleZip, { verify: false, clock: clock2020 });
    expect(f.verified).toBe(false);
    expect(f.keys).toHaveLength(140);
  });

  const entries = unzipSync(sampleZip);
  const bin = entries["export.bin"]!;
  const rezip = (b: Uint8Array) => zipSync({ "export.bin": b, "export.sig": entries["export.sig"]! });

  it("re-zipping the unchanged export.bin still verifies", () => {
    expect(read(rezip(bin)).verified).toBe(true);
  });

  it("any single changed byte of export.bin gives a typed error", () => {
    fc.assert(
      fc.property(fc.nat(bin.length - 1), fc.integer({ min: 1, max: 255 }), (pos, delta) => {
        const b = bin.slice();
        b[pos] = (b[pos]! + delta) & 0xff;
        let result: KeyFile | undefined;
        let error: unknown;
        try {
          result = read(rezip(b));
        } catch (err) {
          error = err;
        }
        expect(result).toBeUndefined();
        expect(error).toBeInstanceOf(BluezoneError);
      }),
    );
  });

  it("every byte position of export.bin is covered by the signature", () => {
    for (let pos = 0; pos < bin.length; pos++) {
      const b = bin.slice();
      b[pos]! ^= 0x01;
      expect(() => read(rezip(b))).toThrow(BluezoneError);
    }
  });

  it("any changed raw zip byte gives a typed error or the complete, unchanged, verified result", () => {
    const original = read(sampleZip);
    fc.assert(
      fc.property(fc.nat(sampleZip.length - 1), fc.integer({ min: 1, max: 255 }), (pos, delta) => {
        const z = sampleZip.slice();
        z[pos] = (z[pos]! + delta) & 0xff;
        try {
          const f = read(z);
          // Only bytes outside the signed contents (timestamps, attributes) may change harmlessly.
          expect(f.verified).toBe(true);
          expect(toHex(f.exportBin)).toBe(toHex(original.exportBin));
          expect(f.keys).toHaveLength(140);
        } catch (err) {
          expect(err).toBeInstanceOf(BluezoneError);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("rejects unknown, missing and duplicate entries", () => {
    const sig = entries["export.sig"]!;
    expect(() => read(zipSync({ "export.bin": bin, "export.sig": sig, "extra.txt": strToU8("x") }))).toThrow(
      /unexpected zip entry/,
    );
    expect(() => read(zipSync({ "export.sig": sig }))).toThrow(/no export.bin/);
    expect(() => read(zipSync({ "export.bin": bin }))).toThrow(SignatureError);
    expect(
      readKeyFile(zipSync({ "export.bin": bin }), { verify: false, clock: clock2020 }).keys,
    ).toHaveLength(140);
  });
});

describe("unsigned export.bin files", () => {
  const open = (name: string) => readKeyFile(gaenFile(name), { verify: false, clock: clock2020 });
  const periods = (f: KeyFile) => {
    const h = new Map<number, number>();
    for (const k of f.keys) h.set(k.rollingPeriod, (h.get(k.rollingPeriod) ?? 0) + 1);
    return h;
  };

  it("refuses a bare export.bin unless verification is explicitly off", () => {
    expect(() => readKeyFile(gaenFile("export-110-keys.bin"), { trustedKeys: trusted })).toThrow(
      SignatureError,
    );
  });

  it("export-110-keys.bin: 110 keys with varied rolling periods", () => {
    const f = open("export-110-keys.bin");
    expect(f.keys).toHaveLength(110);
    expect(f.region).toBe("US");
    const h = periods(f);
    expect(h.get(144)).toBe(1); // the one key without the field gets the proto2 default
    expect(h.get(32)).toBe(5);
    expect(h.get(117)).toBe(1);
    expect(h.get(9)).toBe(1);
    expect(Math.min(...h.keys())).toBe(2);
    expect([...h.values()].reduce((a, b) => a + b)).toBe(110);
  });

  it("export-200-keys.bin: 200 keys including periods 9, 17 and 117", () => {
    const f = open("export-200-keys.bin");
    expect(f.keys).toHaveLength(200);
    const h = periods(f);
    expect(h.get(9)).toBe(2);
    expect(h.get(17)).toBe(6);
    expect(h.get(117)).toBe(1);
    expect(h.get(1)).toBe(2);
    expect(h.get(144)).toBe(2);
    expect(h.get(140)).toBe(6);
    expect(h.size).toBe(107); // distinct rolling periods
    expect(f.keys.filter((k) => k.transmissionRiskLevel === 2)).toHaveLength(170);
    // Its oldest key is from 2019-09-03: the plausibility window must accept it.
    expect(Math.min(...f.keys.map((k) => k.rollingStartIntervalNumber))).toBe(2612479);
  });
});
