import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BLUEZONE_COMPANY_ID,
  type DecodeResult,
  decodeAdvertisingData,
  decodeNobleAdvertisement,
  EN_SERVICE_UUID,
  encodeAdvertisingData,
  MalformedAdvertisementError,
  MAX_ADVERTISING_DATA,
  type Payload,
  parseUuid16,
  toHex,
} from "../../src/index";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 300 });

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const gaenPayload = fc.record({ scheme: fc.constant("gaen" as const), rpi: bytes(16), aem: bytes(4) });
const bluezonePayload = fc.record({ scheme: fc.constant("bluezone" as const), id: bytes(12) });
const anyPayload: fc.Arbitrary<Payload> = fc.oneof(gaenPayload, bluezonePayload);

function expectPayload(r: DecodeResult, p: Payload) {
  expect(r.status).toBe("ok");
  if (r.status !== "ok") return;
  expect(r.payload.scheme).toBe(p.scheme);
  if (p.scheme === "gaen" && r.payload.scheme === "gaen") {
    expect(toHex(r.payload.rpi)).toBe(toHex(p.rpi));
    expect(toHex(r.payload.aem)).toBe(toHex(p.aem));
  } else if (p.scheme === "bluezone" && r.payload.scheme === "bluezone") {
    expect(toHex(r.payload.id)).toBe(toHex(p.id));
  }
}

/** Builds what noble would report for raw advertising data (16-bit UUIDs unpadded in serviceUuids). */
function asNoble(data: Uint8Array) {
  const adv: {
    serviceUuids: string[];
    serviceData: { uuid: string; data: Buffer }[];
    manufacturerData?: Buffer;
  } = {
    serviceUuids: [],
    serviceData: [],
  };
  let i = 0;
  while (i < data.length && data[i]! > 0) {
    const len = data[i]!;
    const type = data[i + 1]!;
    const body = Buffer.from(data.subarray(i + 2, i + 1 + len));
    if (type === 0x03) adv.serviceUuids.push(body.readUInt16LE(0).toString(16));
    if (type === 0x16)
      adv.serviceData.push({
        uuid: body.readUInt16LE(0).toString(16).padStart(4, "0"),
        data: body.subarray(2),
      });
    if (type === 0xff) adv.manufacturerData = body;
    i += 1 + len;
  }
  return adv;
}

describe("advertisement payloads", () => {
  it("EN payload fills exactly the 31 legacy bytes; Bluezone fits too", () => {
    const en = encodeAdvertisingData({ scheme: "gaen", rpi: new Uint8Array(16), aem: new Uint8Array(4) });
    expect(en.length).toBe(MAX_ADVERTISING_DATA);
    expect(toHex(en.subarray(0, 11))).toBe("0201 1a 0303 6ffd 1716 6ffd".replace(/ /g, ""));
    const bz = encodeAdvertisingData({ scheme: "bluezone", id: new Uint8Array(12) });
    expect(bz.length).toBeLessThanOrEqual(MAX_ADVERTISING_DATA);
    expect(toHex(bz.subarray(3, 11))).toBe("0303564e0fffb522");
  });

  it("round-trips any payload through raw advertising data and through noble's object", () => {
    fc.assert(
      fc.property(anyPayload, fc.integer({ min: 1, max: 0xffff }), (p, uuid) => {
        fc.pre(uuid !== 0x4e56);
        const raw = encodeAdvertisingData(p, { serviceUuid: uuid });
        expectPayload(decodeAdvertisingData(raw, { serviceUuid: uuid }), p);
        expectPayload(decodeNobleAdvertisement(asNoble(raw), { serviceUuid: uuid }), p);
      }),
    );
  });

  it("handles noble's unpadded and padded 16-bit UUIDs (fff vs 0fff) and the 128-bit form", () => {
    expect(parseUuid16("fff")).toBe(0x0fff);
    expect(parseUuid16("0fff")).toBe(0x0fff);
    expect(parseUuid16("0000fd6f-0000-1000-8000-00805f9b34fb")).toBe(EN_SERVICE_UUID);
    expect(parseUuid16("not-a-uuid")).toBeUndefined();
    const p: Payload = { scheme: "gaen", rpi: new Uint8Array(16).fill(1), aem: new Uint8Array(4).fill(2) };
    const adv = asNoble(encodeAdvertisingData(p, { serviceUuid: 0x0fff }));
    expect(adv.serviceUuids).toEqual(["fff"]);
    expect(adv.serviceData[0]!.uuid).toBe("0fff");
    expectPayload(decodeNobleAdvertisement(adv, { serviceUuid: 0x0fff }), p);
  });

  it("copies bytes out of noble's reused advertisement object", () => {
    const data = Buffer.alloc(20, 0xaa);
    const adv = { serviceData: [{ uuid: "fd6f", data }] };
    const r = decodeNobleAdvertisement(adv);
    data.fill(0x55);
    expect(r.status === "ok" && r.payload.scheme === "gaen" && toHex(r.payload.rpi)).toBe("aa".repeat(16));
  });

  it("reports ours-but-malformed as a typed error and everything else as foreign", () => {
    const bad = decodeAdvertisingData(new Uint8Array([2, 1, 0x1a, 5, 0x16, 0x6f, 0xfd, 1, 2]));
    expect(bad.status).toBe("malformed");
    expect(bad.status === "malformed" && bad.error).toBeInstanceOf(MalformedAdvertisementError);
    const badBz = decodeNobleAdvertisement({ manufacturerData: Buffer.from([0xb5, 0x22, 1, 2, 3]) });
    expect(badBz.status).toBe("malformed");
    expect(decodeAdvertisingData(new Uint8Array([2, 1, 6, 3, 3, 0x0f, 0x18])).status).toBe("foreign");
    expect(decodeNobleAdvertisement({ manufacturerData: Buffer.from([0x4c, 0x00, 2, 21]) }).status).toBe(
      "foreign",
    );
    expect(BLUEZONE_COMPANY_ID).toBe(8885);
  });

  it("never throws on arbitrary bytes or arbitrary noble-like objects", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 62 }), (raw) => {
        const r = decodeAdvertisingData(raw);
        expect(["ok", "foreign", "malformed"]).toContain(r.status);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (sd, md) => {
        const r = decodeNobleAdvertisement({ serviceData: sd, manufacturerData: md } as never);
        expect(["ok", "foreign", "malformed"]).toContain(r.status);
      }),
    );
  });

  it("finds our structure after arbitrary foreign structures and ignores trailing garbage", () => {
    fc.assert(
      fc.property(
        gaenPayload,
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 8 }), { maxLength: 3 }),
        fc.uint8Array({ maxLength: 5 }),
        (p, foreign, tail) => {
          const enc = encodeAdvertisingData(p);
          const prefix = foreign.flatMap((b) => [b.length + 1, 0x09, ...b]); // complete local name structures
          const raw = new Uint8Array([...prefix, ...enc, 0, ...tail]);
          expectPayload(decodeAdvertisingData(raw), p);
        },
      ),
    );
  });
});

describe("encoding what a phone cannot send", () => {
  it("is an InvalidArgumentError: an unknown scheme, wrong lengths, a service UUID beyond 16 bits", () => {
    const rpi = new Uint8Array(16);
    const aem = new Uint8Array(4);
    const bad: [Payload, { serviceUuid?: number }][] = [
      [{ scheme: "x" } as unknown as Payload, {}],
      [{ scheme: "gaen", rpi: new Uint8Array(15), aem }, {}],
      [{ scheme: "gaen", rpi, aem: new Uint8Array(3) }, {}],
      [{ scheme: "bluezone", id: new Uint8Array(11) }, {}],
      [{ scheme: "gaen", rpi, aem }, { serviceUuid: 0x10000 }],
      [{ scheme: "gaen", rpi, aem }, { serviceUuid: -1 }],
    ];
    for (const [payload, options] of bad)
      expect(() => encodeAdvertisingData(payload, options)).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT" }),
      );
    // The largest 16-bit UUID still encodes, little-endian.
    expect(
      toHex(encodeAdvertisingData({ scheme: "gaen", rpi, aem }, { serviceUuid: 0xffff }).subarray(5, 7)),
    ).toBe("ffff");
  });
});
