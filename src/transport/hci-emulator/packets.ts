/**
 * Encoding and decoding of the HCI packets the emulator exchanges with a host: command packets in,
 * Command Complete / Command Status / LE Meta events out. All multi-byte fields are little-endian.
 */
import { EVENT, LE_SUBEVENT, PACKET } from "./constants";
import { HciPacketError } from "./errors";

/**
 * A parsed HCI command packet.
 * @public
 */
export interface HciCommand {
  /** Opcode (`OGF << 10 | OCF`). */
  opcode: number;
  /** Command parameters (exactly Parameter_Total_Length bytes). */
  params: Buffer;
}

/**
 * Parses an HCI command packet (indicator 0x01, opcode LE16, parameter length, parameters).
 * @throws HciPacketError when the indicator is not 0x01 or the packet is shorter than announced
 * @public
 */
export function parseCommand(packet: Uint8Array): HciCommand {
  const b = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  if (b.length < 4 || b[0] !== PACKET.command) {
    throw new HciPacketError(`not an HCI command packet: ${b.toString("hex")}`);
  }
  const len = b[3]!;
  if (b.length < 4 + len) {
    throw new HciPacketError(`HCI command announces ${len} parameter bytes, packet carries ${b.length - 4}`);
  }
  return { opcode: b.readUInt16LE(1), params: Buffer.from(b.subarray(4, 4 + len)) };
}

/**
 * Builds an HCI command packet (what a host writes).
 * @public
 */
export function encodeCommand(opcode: number, params: Uint8Array = new Uint8Array(0)): Buffer {
  const b = Buffer.alloc(4 + params.length);
  b[0] = PACKET.command;
  b.writeUInt16LE(opcode, 1);
  b[3] = params.length;
  b.set(params, 4);
  return b;
}

/**
 * Builds an HCI event packet: indicator 0x04, event code, parameter length, parameters.
 * @public
 */
export function encodeEvent(code: number, params: Uint8Array): Buffer {
  if (params.length > 255) throw new HciPacketError(`event parameters too long: ${params.length}`);
  const b = Buffer.alloc(3 + params.length);
  b[0] = PACKET.event;
  b[1] = code;
  b[2] = params.length;
  b.set(params, 3);
  return b;
}

/**
 * Command Complete event: Num_HCI_Command_Packets, Command_Opcode, then the return parameters, whose
 * first byte is the status.
 * @public
 */
export function commandComplete(
  opcode: number,
  status: number,
  returnParams: Uint8Array = new Uint8Array(0),
  numPackets = 1,
): Buffer {
  const p = Buffer.alloc(4 + returnParams.length);
  p[0] = numPackets;
  p.writeUInt16LE(opcode, 1);
  p[3] = status;
  p.set(returnParams, 4);
  return encodeEvent(EVENT.commandComplete, p);
}

/**
 * Command Status event: Status, Num_HCI_Command_Packets, Command_Opcode.
 * @public
 */
export function commandStatus(opcode: number, status: number, numPackets = 1): Buffer {
  const p = Buffer.alloc(4);
  p[0] = status;
  p[1] = numPackets;
  p.writeUInt16LE(opcode, 2);
  return encodeEvent(EVENT.commandStatus, p);
}

/**
 * One entry of an LE Advertising Report.
 * @public
 */
export interface AdvertisingReport {
  /** Event_Type (see REPORT_TYPE). */
  eventType: number;
  /** Address_Type (0 public, 1 random). */
  addressType: number;
  /** Address, 6 bytes in over-the-air (little-endian) order. */
  address: Uint8Array;
  /** Advertising or scan response data, ≤ 31 bytes. */
  data: Uint8Array;
  /** RSSI in dBm, -127..20 (127 = not available). */
  rssi: number;
}

/**
 * LE Meta event, subevent LE Advertising Report (0x02), carrying one or more reports.
 * @public
 */
export function leAdvertisingReport(reports: readonly AdvertisingReport[]): Buffer {
  const size = reports.reduce((n, r) => n + 10 + r.data.length, 2);
  const p = Buffer.alloc(size);
  p[0] = LE_SUBEVENT.advertisingReport;
  p[1] = reports.length;
  let o = 2;
  for (const r of reports) {
    if (r.address.length !== 6) throw new HciPacketError("a BD_ADDR is 6 bytes");
    p[o++] = r.eventType;
    p[o++] = r.addressType;
    p.set(r.address, o);
    o += 6;
    p[o++] = r.data.length;
    p.set(r.data, o);
    o += r.data.length;
    // -127…20 dBm, or 127 for "not available" (Core v5.3 Vol 4 Part E §7.7.65.2), passed as is.
    p.writeInt8(r.rssi === 127 ? 127 : Math.max(-127, Math.min(20, Math.round(r.rssi))), o++);
  }
  return encodeEvent(EVENT.leMeta, p);
}

/** LE Meta event, subevent LE Connection Complete (0x01) reporting a failed connection with `status`. */
export function leConnectionFailed(status: number): Buffer {
  const p = Buffer.alloc(19);
  p[0] = LE_SUBEVENT.connectionComplete;
  p[1] = status;
  return encodeEvent(EVENT.leMeta, p);
}

/**
 * Parses one or more LE Advertising Reports out of an LE Meta event packet (for scanners and tests).
 * @public
 */
export function parseAdvertisingReports(packet: Uint8Array): AdvertisingReport[] | undefined {
  const b = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  if (b[0] !== PACKET.event || b[1] !== EVENT.leMeta || b[3] !== LE_SUBEVENT.advertisingReport)
    return undefined;
  const out: AdvertisingReport[] = [];
  let o = 5;
  for (let i = 0; i < b[4]!; i++) {
    const len = b[o + 8]!;
    out.push({
      eventType: b[o]!,
      addressType: b[o + 1]!,
      address: new Uint8Array(b.subarray(o + 2, o + 8)),
      data: new Uint8Array(b.subarray(o + 9, o + 9 + len)),
      rssi: b.readInt8(o + 9 + len),
    });
    o += 10 + len;
  }
  return out;
}

/**
 * Formats a 6-byte little-endian BD_ADDR the way noble and bleno print it (`aa:bb:cc:dd:ee:ff`).
 * @public
 */
export function formatAddress(address: Uint8Array): string {
  return Array.from(address)
    .reverse()
    .map((x) => x.toString(16).padStart(2, "0"))
    .join(":");
}

/**
 * A non-resolvable private address (Core Vol 6 Part B 1.3.2.2), 6 bytes little-endian: random, the
 * two most significant bits 00, the random part neither all zeros nor all ones.
 * @param random - source of random bytes
 * @public
 */
export function nonResolvablePrivateAddress(random: (n: number) => Uint8Array): Uint8Array {
  for (;;) {
    const a = Uint8Array.from(random(6));
    a[5] = a[5]! & 0x3f;
    const rest = a.slice(0, 5);
    if (!rest.every((x) => x === 0) && !(rest.every((x) => x === 0xff) && a[5] === 0x3f)) return a;
  }
}
