import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cryptAem,
  decodeMetadata,
  deriveAemk,
  deriveAllRpis,
  deriveRpi,
  deriveRpik,
  deriveRpis,
  encodeMetadata,
  fromHex,
  InvalidArgumentError,
  intervalNumber,
  rpiPaddedData,
  toHex,
} from "../../src/index";
import { aes128Ecb } from "../../src/protocol/gaen";
import { repoData } from "../helpers/data";

interface Vectors {
  keyGenerationUnixSeconds: number;
  enIntervalNumber: number;
  tekRollingPeriod: number;
  tek: string;
  rpik: string;
  aemk: string;
  metadata: string;
  intervals: { enIntervalNumber: number; paddedData: string; rpi: string; aem: string }[];
}
const V: Vectors = JSON.parse(readFileSync(repoData("gaen/test-vectors-v1.2.json"), "utf8"));
const tek = fromHex(V.tek, 16);

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 200 });

describe("Exposure Notification v1.2 known answers (google/exposure-notifications-internals vectors)", () => {
  it("has all 144 intervals", () => {
    expect(V.intervals).toHaveLength(144);
    expect(intervalNumber(V.keyGenerationUnixSeconds * 1000)).toBe(V.enIntervalNumber);
  });

  it("derives RPIK and AEMK", () => {
    expect(toHex(deriveRpik(tek))).toBe(V.rpik);
    expect(toHex(deriveAemk(tek))).toBe(V.aemk);
  });

  it("builds the padded data of every interval", () => {
    const pad = rpiPaddedData(V.enIntervalNumber, 144);
    V.intervals.forEach((iv, i) => {
      expect(pad.subarray(i * 16, i * 16 + 16).toString("hex")).toBe(iv.paddedData);
    });
  });

  it("matches all 144 RPIs one by one and in one batch", () => {
    const rpik = deriveRpik(tek);
    const batch = deriveRpis(rpik, V.enIntervalNumber, 144);
    V.intervals.forEach((iv, i) => {
      expect(toHex(deriveRpi(rpik, iv.enIntervalNumber))).toBe(iv.rpi);
      expect(batch.subarray(i * 16, i * 16 + 16).toString("hex")).toBe(iv.rpi);
    });
  });

  it("matches all 144 AEMs and decrypts them back to the metadata", () => {
    const aemk = deriveAemk(tek);
    const metadata = fromHex(V.metadata, 4);
    for (const iv of V.intervals) {
      const aem = cryptAem(aemk, fromHex(iv.rpi), metadata);
      expect(toHex(aem)).toBe(iv.aem);
      expect(toHex(cryptAem(aemk, fromHex(iv.rpi), aem))).toBe(V.metadata);
    }
    expect(decodeMetadata(metadata)).toEqual({
      majorVersion: 1,
      minorVersion: 0,
      calibrationConfidence: 0,
      txPower: 8,
    });
  });

  it("derives the same RPIs for many keys in batch as one by one", () => {
    const keys = [
      { keyData: tek, rollingStartIntervalNumber: V.enIntervalNumber, rollingPeriod: 144 },
      { keyData: new Uint8Array(16).fill(7), rollingStartIntervalNumber: 100, rollingPeriod: 9 },
      { keyData: new Uint8Array(16).fill(9), rollingStartIntervalNumber: 2_700_000, rollingPeriod: 117 },
    ];
    const all = deriveAllRpis(keys);
    expect(all[0]!.rpis.subarray(0, 16).toString("hex")).toBe(V.intervals[0]!.rpi);
    for (const d of all) {
      expect(d.rpis.length).toBe(d.key.rollingPeriod * 16);
      const rpik = deriveRpik(d.key.keyData);
      for (let i = 0; i < d.key.rollingPeriod; i++) {
        expect(toHex(d.rpis.subarray(i * 16, i * 16 + 16))).toBe(toHex(deriveRpi(rpik, d.startInterval + i)));
      }
    }
  });
});

describe("properties", () => {
  const key16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
  const interval = fc.integer({ min: 0, max: 0xffffffff });

  it("AEM encryption round-trips for any key, interval and metadata", () => {
    fc.assert(
      fc.property(key16, interval, fc.uint8Array({ minLength: 4, maxLength: 4 }), (k, j, m) => {
        const rpi = deriveRpi(deriveRpik(k), j);
        const aemk = deriveAemk(k);
        expect(toHex(cryptAem(aemk, rpi, cryptAem(aemk, rpi, m)))).toBe(toHex(m));
      }),
    );
  });

  it("batched derivation equals AES of the padded block, interval by interval", () => {
    fc.assert(
      fc.property(
        key16,
        fc.integer({ min: 0, max: 0xffffff00 }),
        fc.integer({ min: 1, max: 144 }),
        (k, j, n) => {
          const rpik = deriveRpik(k);
          const batch = deriveRpis(rpik, j, n);
          const i = n - 1;
          expect(toHex(batch.subarray(i * 16, i * 16 + 16))).toBe(
            toHex(aes128Ecb(rpik, rpiPaddedData(j + i, 1))),
          );
        },
      ),
    );
  });

  it("distinct intervals give distinct RPIs", () => {
    fc.assert(
      fc.property(key16, interval, interval, (k, a, b) => {
        fc.pre(a !== b);
        const rpik = deriveRpik(k);
        expect(toHex(deriveRpi(rpik, a))).not.toBe(toHex(deriveRpi(rpik, b)));
      }),
    );
  });

  it("metadata encodes and decodes every valid field combination", () => {
    fc.assert(
      fc.property(
        fc.record({
          majorVersion: fc.integer({ min: 0, max: 3 }),
          minorVersion: fc.integer({ min: 0, max: 3 }),
          calibrationConfidence: fc.integer({ min: 0, max: 3 }),
          txPower: fc.integer({ min: -128, max: 127 }),
        }),
        (m) => {
          expect(decodeMetadata(encodeMetadata(m))).toEqual(m);
        },
      ),
    );
  });

  it("rejects keys of the wrong length with a typed error", () => {
    expect(() => deriveRpik(new Uint8Array(15))).toThrow(InvalidArgumentError);
    expect(() => encodeMetadata({ txPower: 300 })).toThrow(InvalidArgumentError);
  });
});

describe("HKDF specialisation", () => {
  it("equals Node's hkdfSync for any 16-byte TEK", async () => {
    const { hkdfSync } = await import("node:crypto");
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (k) => {
        const ref = (info: string) =>
          toHex(new Uint8Array(hkdfSync("sha256", k, new Uint8Array(0), info, 16)));
        expect(toHex(deriveRpik(k))).toBe(ref("EN-RPIK"));
        expect(toHex(deriveAemk(k))).toBe(ref("EN-AEMK"));
      }),
    );
  });
});

describe("interval numbers outside 32 bits", () => {
  it("are refused, not wrapped: 2^32 would give interval 0's RPI", () => {
    const rpik = deriveRpik(new Uint8Array(16).fill(7));
    // The last valid interval derives; one past it, a negative or a fractional one, or a negative count do not.
    expect(deriveRpi(rpik, 0xffffffff)).toHaveLength(16);
    for (const [start, count] of [
      [2 ** 32, 1],
      [-1, 1],
      [1.5, 1],
      [0xffffffff, 2],
      [0, -1],
      [0, 0.5],
    ] as const)
      expect(() => deriveRpis(rpik, start, count), `${start}+${count}`).toThrow(InvalidArgumentError);
    expect(deriveRpis(rpik, 0, 0)).toHaveLength(0);
  });
});
