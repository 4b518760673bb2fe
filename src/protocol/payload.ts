/**
 * On-air payloads of both schemes: raw BLE advertising data (what an advertiser sends, ≤ 31 bytes) and
 * noble's parsed advertisement objects. Decoding never throws: foreign packets are "foreign", ours with
 * a broken payload are "malformed" with a typed error.
 */
import { InvalidArgumentError, MalformedAdvertisementError } from "../errors";
import { BLUEZONE_ID_LENGTH } from "./bluezone-compat";
import { AEM_LENGTH, KEY_LENGTH } from "./gaen";

/**
 * The Exposure Notification service UUID (0xFD6F), assigned by the Bluetooth SIG.
 * @public
 */
export const EN_SERVICE_UUID = 0xfd6f;
/**
 * Bluezone's 16-bit service UUID.
 * @public
 */
export const BLUEZONE_SERVICE_UUID = 0x4e56;
/**
 * Bluezone's manufacturer-data company ID (8885).
 * @public
 */
export const BLUEZONE_COMPANY_ID = 0x22b5;
/**
 * Maximum length of legacy advertising data.
 * @public
 */
export const MAX_ADVERTISING_DATA = 31;

/**
 * AD types used here (Bluetooth Core Supplement, part A).
 * @public
 */
export const AD_TYPE = {
  flags: 0x01,
  incomplete16BitUuids: 0x02,
  complete16BitUuids: 0x03,
  serviceData16: 0x16,
  manufacturerData: 0xff,
} as const;

/** Flags: LE General Discoverable, BR/EDR not supported. */
const FLAGS_VALUE = 0x1a;

/**
 * A decoded identifier broadcast.
 * @public
 */
export type Payload =
  | {
      /** Exposure Notification v1.2. */
      scheme: "gaen";
      /** Rolling Proximity Identifier, 16 bytes. */
      rpi: Uint8Array;
      /** Associated Encrypted Metadata, 4 bytes. */
      aem: Uint8Array;
    }
  | {
      /** Bluezone v2 compatibility. */
      scheme: "bluezone";
      /** 12-byte Bluezone ID. */
      id: Uint8Array;
    };

/**
 * Result of decoding one advertisement; never an exception.
 * @public
 */
export type DecodeResult =
  | { status: "ok"; payload: Payload }
  | { status: "foreign" }
  | { status: "malformed"; error: MalformedAdvertisementError };

/**
 * Options shared by encoders and decoders.
 * @public
 */
export interface PayloadOptions {
  /** 16-bit service UUID of the Exposure Notification scheme; default {@link EN_SERVICE_UUID}. */
  serviceUuid?: number;
}

function u16(uuid: number): [number, number] {
  if (!Number.isInteger(uuid) || uuid < 0 || uuid > 0xffff)
    throw new InvalidArgumentError(`a 16-bit service UUID must be an integer in 0…0xffff, got ${uuid}`);
  return [uuid & 0xff, (uuid >> 8) & 0xff];
}

/**
 * Encodes a payload as raw advertising data: flags, the complete 16-bit service UUID list, then the
 * scheme's data (EN: service data RPI ‖ AEM, 31 bytes in all; Bluezone: manufacturer data, 23 bytes).
 * @throws InvalidArgumentError for a payload this phone cannot send: a scheme other than `gaen` or
 *   `bluezone`, an RPI not 16 bytes or an AEM not 4 (EN), an ID not 12 bytes (Bluezone), a service
 *   UUID outside 16 bits
 * @public
 */
export function encodeAdvertisingData(payload: Payload, options: PayloadOptions = {}): Uint8Array {
  const flags = [2, AD_TYPE.flags, FLAGS_VALUE];
  const scheme = (payload as { scheme?: unknown } | null)?.scheme;
  if (scheme !== "gaen" && scheme !== "bluezone")
    throw new InvalidArgumentError(
      `payload.scheme must be "gaen" or "bluezone", got ${JSON.stringify(scheme)}`,
    );
  if (payload.scheme === "gaen") {
    if (payload.rpi?.length !== KEY_LENGTH || payload.aem?.length !== AEM_LENGTH) {
      throw new InvalidArgumentError("an EN payload's RPI must be 16 bytes and its AEM 4 bytes");
    }
    const uuid = u16(options.serviceUuid ?? EN_SERVICE_UUID);
    return new Uint8Array([
      ...flags,
      3,
      AD_TYPE.complete16BitUuids,
      ...uuid,
      3 + KEY_LENGTH + AEM_LENGTH,
      AD_TYPE.serviceData16,
      ...uuid,
      ...payload.rpi,
      ...payload.aem,
    ]);
  }
  if (payload.id?.length !== BLUEZONE_ID_LENGTH) {
    throw new InvalidArgumentError(`a Bluezone ID must be ${BLUEZONE_ID_LENGTH} bytes`);
  }
  return new Uint8Array([
    ...flags,
    3,
    AD_TYPE.complete16BitUuids,
    ...u16(BLUEZONE_SERVICE_UUID),
    3 + BLUEZONE_ID_LENGTH,
    AD_TYPE.manufacturerData,
    ...u16(BLUEZONE_COMPANY_ID),
    ...payload.id,
  ]);
}

/** A plain Uint8Array copy (Buffer#slice would be a view into memory noble reuses). */
function copy(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

function decodeEnServiceData(data: Uint8Array): DecodeResult {
  if (data.length !== KEY_LENGTH + AEM_LENGTH) {
    return {
      status: "malformed",
      error: new MalformedAdvertisementError(
        `Exposure Notification service data must be ${KEY_LENGTH + AEM_LENGTH} bytes, got ${data.length}`,
      ),
    };
  }
  return {
    status: "ok",
    payload: {
      scheme: "gaen",
      rpi: copy(data.subarray(0, KEY_LENGTH)),
      aem: copy(data.subarray(KEY_LENGTH)),
    },
  };
}

function decodeBluezoneManufacturerData(data: Uint8Array): DecodeResult {
  // data excludes the 2 company-ID bytes
  if (data.length !== BLUEZONE_ID_LENGTH) {
    return {
      status: "malformed",
      error: new MalformedAdvertisementError(
        `Bluezone manufacturer data must carry a ${BLUEZONE_ID_LENGTH}-byte ID, got ${data.length} bytes`,
      ),
    };
  }
  return { status: "ok", payload: { scheme: "bluezone", id: copy(data) } };
}

/**
 * Decodes raw advertising data (or advertising data followed by scan-response data). Truncated AD
 * structures end the parse; unknown ones are skipped.
 * @public
 */
export function decodeAdvertisingData(bytes: Uint8Array, options: PayloadOptions = {}): DecodeResult {
  const en = options.serviceUuid ?? EN_SERVICE_UUID;
  try {
    let i = 0;
    while (i < bytes.length) {
      const len = bytes[i]!;
      if (len === 0) break; // padding: significant part ended
      if (i + 1 + len > bytes.length) break; // truncated structure: ignore the rest
      const type = bytes[i + 1]!;
      const data = bytes.subarray(i + 2, i + 1 + len);
      if (type === AD_TYPE.serviceData16 && data.length >= 2 && (data[0]! | (data[1]! << 8)) === en) {
        return decodeEnServiceData(data.subarray(2));
      }
      if (
        type === AD_TYPE.manufacturerData &&
        data.length >= 2 &&
        (data[0]! | (data[1]! << 8)) === BLUEZONE_COMPANY_ID
      ) {
        return decodeBluezoneManufacturerData(data.subarray(2));
      }
      i += 1 + len;
    }
    return { status: "foreign" };
  } catch {
    // Defensive: nothing above should throw, but a scanner must never crash on a packet.
    return { status: "foreign" };
  }
}

/**
 * The parts of a noble `Advertisement` object the decoder reads.
 * @public
 */
export interface NobleAdvertisementLike {
  /** Service data entries; noble zero-pads 16-bit UUIDs here (`0fff`, `fd6f`). */
  serviceData?: ReadonlyArray<{ uuid: string; data: Uint8Array }> | undefined;
  /** Advertised service UUIDs; noble does not pad 16-bit UUIDs here (`fff`). */
  serviceUuids?: ReadonlyArray<string> | undefined;
  /** Manufacturer data including the 2-byte little-endian company ID. */
  manufacturerData?: Uint8Array | undefined | null;
}

const BASE_UUID_SUFFIX = "00001000800000805f9b34fb";

/**
 * Parses a noble UUID string (`fff`, `0fff`, `fd6f`, or the 128-bit base form) to a 16-bit number.
 * @public
 */
export function parseUuid16(uuid: string): number | undefined {
  const s = uuid.toLowerCase().replace(/-/g, "");
  if (/^[0-9a-f]{1,4}$/.test(s)) return Number.parseInt(s, 16);
  if (s.length === 32 && s.startsWith("0000") && s.endsWith(BASE_UUID_SUFFIX)) {
    return Number.parseInt(s.slice(4, 8), 16);
  }
  return undefined;
}

/**
 * Decodes noble's parsed advertisement. The returned payload holds copies, so noble may reuse its
 * advertisement object afterwards.
 * @public
 */
export function decodeNobleAdvertisement(
  adv: NobleAdvertisementLike,
  options: PayloadOptions = {},
): DecodeResult {
  const en = options.serviceUuid ?? EN_SERVICE_UUID;
  try {
    for (const sd of adv.serviceData ?? []) {
      if (typeof sd?.uuid === "string" && parseUuid16(sd.uuid) === en && sd.data instanceof Uint8Array) {
        return decodeEnServiceData(sd.data);
      }
    }
    const md = adv.manufacturerData;
    if (md instanceof Uint8Array && md.length >= 2 && (md[0]! | (md[1]! << 8)) === BLUEZONE_COMPANY_ID) {
      return decodeBluezoneManufacturerData(md.subarray(2));
    }
    return { status: "foreign" };
  } catch {
    return { status: "foreign" };
  }
}
