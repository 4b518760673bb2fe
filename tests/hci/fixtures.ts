/** Shared fixtures: fixed-seed GAEN payloads and noble discovery collection. */
import { encodeAdvertisingData, type Payload } from "../../src/protocol/payload";
import { seededRng } from "../../src/transport/hci-emulator/index";

/** A GAEN payload with seeded RPI/AEM. */
export function gaenPayload(seed: number): Extract<Payload, { scheme: "gaen" }> {
  const rng = seededRng(seed);
  return { scheme: "gaen", rpi: rng.bytes(16), aem: rng.bytes(4) };
}

/** Raw advertising data of a seeded GAEN payload (31 bytes). */
export function gaenData(seed: number): Uint8Array {
  return encodeAdvertisingData(gaenPayload(seed));
}

/** Hex of a byte array. */
export const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
