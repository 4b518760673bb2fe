import { zipSync } from "fflate";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createKeyFile,
  encodeExportBin,
  encodeSignatureList,
  ED25519,
  type ExposureKey,
  InvalidArgumentError,
  InvalidKeyError,
  KeyFileFormatError,
  KeyFileLimitError,
  readKeyFile,
  ReportType,
  SignatureError,
  toHex,
} from "../../src/index";
import { clock2020, ecdsaPair, ed25519Pair, NOW_2020, sampleKey } from "./fixtures";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 60 });

const NOW_INTERVAL = Math.floor(NOW_2020 / 600_000);
const key: fc.Arbitrary<ExposureKey> = fc
  .record(
    {
      keyData: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      rollingStartIntervalNumber: fc.integer({ min: NOW_INTERVAL - 30 * 144, max: NOW_INTERVAL }),
      rollingPeriod: fc.integer({ min: 1, max: 144 }),
      transmissionRiskLevel: fc.integer({ min: 0, max: 8 }),
      reportType: fc.constantFrom(...Object.values(ReportType)),
      daysSinceOnsetOfSymptoms: fc.integer({ min: -14, max: 14 }),
    },
    { requiredKeys: ["keyData", "rollingStartIntervalNumber", "rollingPeriod"] },
  )
  .map((k) => k as ExposureKey);

const header = {
  region: "VN",
  batchNum: 1,
  batchSize: 1,
  startTimestamp: 1593600000,
  endTimestamp: 1593686400,
};
const plain = (k: ExposureKey) => ({ ...k, keyData: toHex(k.keyData) });

describe("createKeyFile → readKeyFile", () => {
  it("round-trips keys, revised keys and header with Ed25519 and ECDSA", () => {
    const ed = ed25519Pair();
    const ec = ecdsaPair();
    fc.assert(
      fc.property(
        fc.array(key, { maxLength: 40 }),
        fc.array(key, { maxLength: 5 }),
        fc.boolean(),
        (keys, revised, useEd) => {
          const pair = useEd ? ed : ec;
          const zip = createKeyFile({
            ...header,
            keys,
            revisedKeys: revised,
            signer: pair.signer,
            clock: clock2020,
          });
          const f = readKeyFile(zip, { trustedKeys: [pair.trusted], clock: clock2020 });
          expect(f.verified).toBe(true);
          expect(f).toMatchObject(header);
          expect(f.keys.map(plain)).toEqual(keys.map(plain));
          expect(f.revisedKeys.map(plain)).toEqual(revised.map(plain));
          expect(f.signatureInfos).toEqual([pair.signer.info]);
        },
      ),
    );
  });

  it("a file signed by both algorithms verifies with either key", () => {
    const ed = ed25519Pair();
    const ec = ecdsaPair();
    const zip = createKeyFile({ keys: [sampleKey(1)], signer: [ec.signer, ed.signer], clock: clock2020 });
    for (const t of [ed.trusted, ec.trusted]) {
      expect(readKeyFile(zip, { trustedKeys: [t], clock: clock2020 }).verifiedBy?.signatureAlgorithm).toBe(
        t.algorithm,
      );
    }
    expect(() => readKeyFile(zip, { trustedKeys: [ed25519Pair(2).trusted], clock: clock2020 })).toThrow(
      SignatureError,
    );
  });

  it("is byte-identical for the same inputs with Ed25519 (fixed zip timestamps)", () => {
    const make = () =>
      createKeyFile({
        ...header,
        keys: [sampleKey(1), sampleKey(2)],
        signer: ed25519Pair().signer,
        clock: clock2020,
      });
    expect(toHex(make())).toBe(toHex(make()));
    expect(ed25519Pair().signer.info.signatureAlgorithm).toBe(ED25519);
  });

  it("refuses to write invalid keys or headers", () => {
    const { signer } = ed25519Pair();
    expect(() =>
      createKeyFile({ keys: [sampleKey(1, { rollingPeriod: 0 })], signer, clock: clock2020 }),
    ).toThrow(InvalidKeyError);
    expect(() => createKeyFile({ keys: [], batchNum: 2, batchSize: 1, signer })).toThrow(
      InvalidArgumentError,
    );
    expect(() => createKeyFile({ keys: [], startTimestamp: 10, endTimestamp: 5, signer })).toThrow(
      InvalidArgumentError,
    );
    expect(() => createKeyFile({ keys: [], signer: [] })).toThrow(InvalidArgumentError);
  });
});

describe("key validation rejects the whole file", () => {
  const { signer, trusted } = ed25519Pair();
  /** A correctly signed zip of keys that bypassed the writer's validation. */
  const signedUnchecked = (keys: ExposureKey[]) => {
    const bin = encodeExportBin({ ...header, signatureInfos: [signer.info], keys, revisedKeys: [] });
    const sig = encodeSignatureList([
      { signatureInfo: signer.info, batchNum: 1, batchSize: 1, signature: signer.sign(bin) },
    ]);
    return zipSync({ "export.bin": bin, "export.sig": sig });
  };
  const cases: [string, Partial<ExposureKey>, RegExp][] = [
    ["short key", { keyData: new Uint8Array(15) }, /16 bytes/],
    ["period 0", { rollingPeriod: 0 }, /rolling period/],
    ["period 145", { rollingPeriod: 145 }, /rolling period/],
    ["future", { rollingStartIntervalNumber: NOW_INTERVAL + 145 }, /implausible/],
    ["ancient", { rollingStartIntervalNumber: 0 }, /implausible/],
    ["risk 9", { transmissionRiskLevel: 9 }, /transmission risk/],
    ["onset 15", { daysSinceOnsetOfSymptoms: 15 }, /onset/],
    ["onset -15", { daysSinceOnsetOfSymptoms: -15 }, /onset/],
    ["report type 6", { reportType: 6 as ReportType }, /report type/],
  ];
  for (const [name, bad, message] of cases) {
    it(`${name}: InvalidKeyError with index and prefix`, () => {
      const zip = signedUnchecked([sampleKey(0xab), sampleKey(0xcd, bad), sampleKey(0xef)]);
      let error: unknown;
      try {
        readKeyFile(zip, { trustedKeys: [trusted], clock: clock2020 });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(InvalidKeyError);
      expect((error as InvalidKeyError).index).toBe(1);
      expect((error as Error).message).toMatch(message);
      if (bad.keyData === undefined) expect((error as InvalidKeyError).keyPrefix).toBe("cdcdcdcd");
    });
  }

  it("accepts the edges of every range", () => {
    const keys = [
      sampleKey(1, {
        rollingPeriod: 1,
        transmissionRiskLevel: 0,
        daysSinceOnsetOfSymptoms: -14,
        reportType: 0,
      }),
      sampleKey(2, {
        rollingPeriod: 144,
        transmissionRiskLevel: 8,
        daysSinceOnsetOfSymptoms: 14,
        reportType: 5,
      }),
      sampleKey(3, { rollingStartIntervalNumber: NOW_INTERVAL + 144 }),
    ];
    const zip = createKeyFile({ keys, signer, clock: clock2020 });
    expect(readKeyFile(zip, { trustedKeys: [trusted], clock: clock2020 }).keys).toHaveLength(3);
    // A tighter window set by a matcher refuses the same file.
    expect(() =>
      readKeyFile(zip, { trustedKeys: [trusted], clock: clock2020, futureToleranceIntervals: 0 }),
    ).toThrow(InvalidKeyError);
  });
});

describe("limits", () => {
  const { signer, trusted } = ed25519Pair();

  it("refuses too many keys before decoding them", () => {
    const zip = createKeyFile({
      keys: Array.from({ length: 50 }, (_, i) => sampleKey(i)),
      signer,
      clock: clock2020,
    });
    expect(() =>
      readKeyFile(zip, { trustedKeys: [trusted], clock: clock2020, limits: { maxKeys: 49 } }),
    ).toThrow(KeyFileLimitError);
    expect(
      readKeyFile(zip, { trustedKeys: [trusted], clock: clock2020, limits: { maxKeys: 50 } }).keys,
    ).toHaveLength(50);
  });

  const bomb = () =>
    zipSync({ "export.bin": new Uint8Array(8 * 1024 * 1024), "export.sig": new Uint8Array(0) });

  it("refuses a zip bomb by its declared size", () => {
    const zip = bomb();
    expect(zip.length).toBeLessThan(64 * 1024);
    expect(() => readKeyFile(zip, { verify: false, limits: { maxExportBytes: 1024 * 1024 } })).toThrow(
      /declares 8388608 bytes/,
    );
  });

  it("refuses a zip bomb that lies about its size, while inflating", () => {
    const zip = bomb();
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    // Rewrite the declared uncompressed size of export.bin in its local header and the central directory.
    view.setUint32(22, 100, true);
    for (let o = 0; o < zip.length - 4; o++) {
      if (view.getUint32(o, true) === 0x02014b50 && zip[o + 46] === 0x65 /* "e" */) {
        if (view.getUint32(o + 24, true) === 8 * 1024 * 1024) view.setUint32(o + 24, 100, true);
      }
    }
    let error: unknown;
    try {
      readKeyFile(zip, { verify: false, limits: { maxExportBytes: 1024 * 1024 } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KeyFileLimitError);
    expect((error as Error).message).toMatch(/inflates past its limit/);
  });

  it("refuses oversized inputs and entries", () => {
    const zip = createKeyFile({ keys: [sampleKey(1)], signer, clock: clock2020 });
    expect(() => readKeyFile(zip, { trustedKeys: [trusted], limits: { maxFileBytes: 10 } })).toThrow(
      KeyFileLimitError,
    );
    expect(() => readKeyFile(zip, { trustedKeys: [trusted], limits: { maxSignatureBytes: 10 } })).toThrow(
      KeyFileLimitError,
    );
  });

  it("gives typed format errors for garbage", () => {
    expect(() => readKeyFile(new Uint8Array([1, 2, 3]), { verify: false })).toThrow(KeyFileFormatError);
    expect(() => readKeyFile(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]), { verify: false })).toThrow(
      KeyFileFormatError,
    );
    const bin = new Uint8Array([...Buffer.from("EK Export v1    "), 0x3a, 0xff]);
    expect(() => readKeyFile(bin, { verify: false })).toThrow(KeyFileFormatError);
  });

  it("calls empty or non-key-file bytes a format error, also when verifying (not a missing signature)", () => {
    const { trusted } = ed25519Pair();
    expect(() => readKeyFile(new Uint8Array(0), { trustedKeys: [trusted] })).toThrow(
      expect.objectContaining({ code: "ERR_KEY_FILE_FORMAT", message: "the key file is empty (0 bytes)" }),
    );
    const page = new TextEncoder().encode("<html><body>404 Not Found</body></html>");
    expect(() => readKeyFile(page, { trustedKeys: [trusted] })).toThrow(
      expect.objectContaining({ code: "ERR_KEY_FILE_FORMAT" }),
    );
    // A well-formed but bare export.bin is still refused for its missing signature.
    const zip = createKeyFile({ keys: [sampleKey(1)], signer: ed25519Pair().signer, clock: clock2020 });
    const exportBin = readKeyFile(zip, { trustedKeys: [trusted], clock: clock2020 }).exportBin;
    expect(() => readKeyFile(exportBin, { trustedKeys: [trusted], clock: clock2020 })).toThrow(
      expect.objectContaining({ code: "ERR_KEY_FILE_SIGNATURE" }),
    );
  });
});
