/**
 * Host-side address rotation for the BLE transport. bleno advertises with Own_Address_Type public
 * (its LE Set Advertising Parameters hard-codes 0x00), so on a controller without privacy the
 * identifier would rotate under a fixed, trackable address. When bleno's HCI socket is reachable
 * (`bleno._bindings._hci._socket`, the hci-socket bindings on Linux), the transport itself sends, on
 * the same raw HCI socket, before each new payload:
 *   1. LE Set Random Address with a fresh non-resolvable private address;
 *   2. LE Set Advertising Parameters: ADV_NONCONN_IND (GAEN advertisements are non-connectable),
 *      200–270 ms interval (GAEN Bluetooth spec v1.2), Own_Address_Type random, all three channels.
 * Both commands are refused (Command Disallowed) while advertising, scanning or initiating is enabled,
 * so the transport stops advertising and pauses its scan around them.
 */
import type { Clock } from "../clock";
import { OP, STATUS } from "./hci-emulator/constants";
import { encodeCommand } from "./hci-emulator/packets";
import { BluetoothOperationError } from "./ble-errors";

/**
 * The part of a bluetooth-hci-socket the transport uses to send its own commands.
 * @public
 */
export interface HciSocketLike {
  /** Writes one H4 packet (indicator first). */
  write(packet: Buffer): void;
  /** Subscribes to controller → host packets. */
  on(event: "data", fn: (packet: Buffer) => void): unknown;
  /** Unsubscribes. */
  removeListener(event: "data", fn: (packet: Buffer) => void): unknown;
}

/**
 * bleno's HCI socket when its hci-socket bindings expose one (Linux, emulator), else undefined.
 * @public
 */
export function blenoHciSocket(bleno: object): HciSocketLike | undefined {
  const socket = (bleno as { _bindings?: { _hci?: { _socket?: Partial<HciSocketLike> } } })._bindings?._hci
    ?._socket;
  return typeof socket?.write === "function" && typeof socket.on === "function"
    ? (socket as HciSocketLike)
    : undefined;
}

/**
 * Advertising interval bounds of the GAEN Bluetooth specification, ms.
 * @public
 */
export const GAEN_ADVERTISING_INTERVAL_MS = { min: 200, max: 270 } as const;

/** Parameters of LE Set Advertising Parameters: non-connectable, own address random. */
export function nonConnectableRandomParameters(
  interval: { min: number; max: number } = GAEN_ADVERTISING_INTERVAL_MS,
): Uint8Array {
  const p = Buffer.alloc(15);
  p.writeUInt16LE(Math.round(interval.min / 0.625), 0);
  p.writeUInt16LE(Math.round(interval.max / 0.625), 2);
  p[4] = 0x03; // ADV_NONCONN_IND
  p[5] = 0x01; // Own_Address_Type: random device address
  // Peer address type and address unused (undirected); channel map: 37, 38 and 39; no filter policy.
  p[13] = 0x07;
  return p;
}

/**
 * Sends one HCI command on `socket` and resolves on its Command Complete with status success.
 * @throws BluetoothOperationError on another status or when no answer comes within `timeoutMs`
 */
export function hciCommand(
  socket: HciSocketLike,
  opcode: number,
  params: Uint8Array,
  clock: Clock,
  timeoutMs: number,
): Promise<void> {
  const name = `HCI command 0x${opcode.toString(16).padStart(4, "0")}`;
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clock.clearTimeout(timer);
      socket.removeListener("data", onData);
      if (err) reject(err);
      else resolve();
    };
    // Command Complete: 04 0e len numPackets opcode(LE16) status ...
    const onData = (b: Buffer) => {
      if (b[0] !== 0x04 || b[1] !== 0x0e || b.length < 7 || b.readUInt16LE(4) !== opcode) return;
      const status = b[6]!;
      if (status === STATUS.success) done();
      else done(new BluetoothOperationError(`${name} failed with HCI status 0x${status.toString(16)}`));
    };
    const timer = clock.setTimeout(
      () => done(new BluetoothOperationError(`${name} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on("data", onData);
    try {
      socket.write(encodeCommand(opcode, params));
    } catch (err) {
      done(new BluetoothOperationError(`${name}: ${String(err)}`, { cause: err }));
    }
  });
}

/** Sets a new random address and non-connectable advertising parameters with own address random. */
export async function rotateAdvertisingAddress(
  socket: HciSocketLike,
  address: Uint8Array,
  clock: Clock,
  timeoutMs: number,
): Promise<void> {
  await hciCommand(socket, OP.leSetRandomAddress, address, clock, timeoutMs);
  await hciCommand(socket, OP.leSetAdvertisingParameters, nonConnectableRandomParameters(), clock, timeoutMs);
}
