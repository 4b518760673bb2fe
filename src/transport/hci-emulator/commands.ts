/**
 * HCI command handlers of the emulated controller: one entry per supported opcode, each answering
 * exactly as a Core 5.x controller would (Command Complete with status and return parameters, or
 * Command Status for commands that complete later). Unknown opcodes get Command Complete with
 * Unknown HCI Command (0x01).
 */
import { MAX_LEGACY_DATA, OP, STATUS } from "./constants";
import { commandComplete, commandStatus, leConnectionFailed } from "./packets";
import type { ControllerState } from "./state";

/** Side effects a command may ask the controller to perform after updating the state. */
export interface CommandEffects {
  /** Advertising or scanning state changed: republish to the radio medium. */
  radioChanged(): void;
  /** Scanning went from disabled to enabled: clear the duplicate filter. */
  scanStarted(): void;
  /** Advertising data content changed (privacy: rotate the on-air address). */
  advDataChanged(): void;
  /** HCI_Reset: return to the power-on state. */
  reset(): void;
}

/** A command handler: returns the events to send back, in order. */
type Handler = (s: ControllerState, p: Buffer, fx: CommandEffects) => Buffer[];

interface Entry {
  /** Required parameter length, or a predicate; mismatch → Invalid HCI Command Parameters. */
  len: number | ((n: number) => boolean);
  /** True when the command answers with Command Status (length errors too). */
  status?: boolean;
  run: Handler;
}

/** Command Complete for the command being handled. */
const ok = (op: number, ret: number[] | Uint8Array = []): Buffer[] => [
  commandComplete(op, STATUS.success, Uint8Array.from(ret)),
];
const fail = (op: number, status: number, ret: number[] = []): Buffer[] => [
  commandComplete(op, status, Uint8Array.from(ret)),
];
const u16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];

/** Supported-commands bit positions (octet, bit) of Read Local Supported Commands (Vol 4 Part E 6.27). */
const SUPPORTED_COMMAND_BITS: ReadonlyArray<[number, number]> = [
  [0, 5], // Disconnect
  [5, 6], // Set Event Mask
  [5, 7], // Reset
  [6, 0], // Set Event Filter
  [14, 3], // Read Local Version Information
  [14, 5], // Read Local Supported Features
  [14, 7], // Read Buffer Size
  [15, 1], // Read BD_ADDR
  [15, 5], // Read RSSI
  [24, 5], // Read LE Host Support
  [24, 6], // Write LE Host Support
  [25, 0], // LE Set Event Mask
  [25, 1], // LE Read Buffer Size [v1]
  [25, 2], // LE Read Local Supported Features
  [25, 4], // LE Set Random Address
  [25, 5], // LE Set Advertising Parameters
  [25, 6], // LE Read Advertising Physical Channel Tx Power
  [25, 7], // LE Set Advertising Data
  [26, 0], // LE Set Scan Response Data
  [26, 1], // LE Set Advertising Enable
  [26, 2], // LE Set Scan Parameters
  [26, 3], // LE Set Scan Enable
  [26, 4], // LE Create Connection
  [26, 5], // LE Create Connection Cancel
  [26, 6], // LE Read White List Size
  [26, 7], // LE Clear White List
  [27, 7], // LE Rand
  [28, 3], // LE Read Supported States
  [41, 5], // LE Read Buffer Size [v2]
];

function supportedCommands(): number[] {
  const out = new Array<number>(64).fill(0);
  for (const [octet, bit] of SUPPORTED_COMMAND_BITS) out[octet]! |= 1 << bit;
  return out;
}

/** Sets advertising or scan response data (shared by the two commands). */
function setData(which: "advData" | "scanResponse"): Handler {
  const op = which === "advData" ? OP.leSetAdvertisingData : OP.leSetScanResponseData;
  return (s, p, fx) => {
    const n = p[0]!;
    if (n > MAX_LEGACY_DATA) return fail(op, STATUS.invalidParameters);
    const data = Buffer.from(p.subarray(1, 1 + n));
    const changed = !data.equals(s[which]);
    s[which] = data;
    if (changed && which === "advData") fx.advDataChanged();
    if (changed) fx.radioChanged();
    return ok(op);
  };
}

const TABLE = new Map<number, Entry>([
  [
    OP.reset,
    {
      len: 0,
      run: (_s, _p, fx) => {
        fx.reset();
        return ok(OP.reset);
      },
    },
  ],
  [
    OP.setEventMask,
    {
      len: 8,
      run: (s, p) => {
        s.eventMask = Buffer.from(p);
        return ok(OP.setEventMask);
      },
    },
  ],
  // Set Event Filter: 1 byte filter type (0 clear, 1 inquiry, 2 connection setup) plus conditions.
  [
    OP.setEventFilter,
    {
      len: (n) => n >= 1,
      run: (_s, p) => (p[0]! > 2 ? fail(OP.setEventFilter, STATUS.invalidParameters) : ok(OP.setEventFilter)),
    },
  ],
  [OP.readLeHostSupported, { len: 0, run: (s) => ok(OP.readLeHostSupported, s.leHost) }],
  [
    OP.writeLeHostSupported,
    {
      len: 2,
      run: (s, p) => {
        s.leHost = [p[0]!, p[1]!];
        return ok(OP.writeLeHostSupported);
      },
    },
  ],
  [
    OP.readLocalVersion,
    {
      len: 0,
      run: ({ identity: i }) =>
        ok(OP.readLocalVersion, [
          i.hciVersion,
          ...u16(i.hciRevision),
          i.lmpVersion,
          ...u16(i.manufacturer),
          ...u16(i.lmpSubversion),
        ]),
    },
  ],
  [
    OP.readLocalSupportedCommands,
    { len: 0, run: () => ok(OP.readLocalSupportedCommands, supportedCommands()) },
  ],
  // LMP features: byte 4 bit 5 "BR/EDR Not Supported", bit 6 "LE Supported (Controller)".
  [
    OP.readLocalSupportedFeatures,
    { len: 0, run: () => ok(OP.readLocalSupportedFeatures, [0, 0, 0, 0, 0x60, 0, 0, 0]) },
  ],
  // ACL_Data_Packet_Length 1021, SCO length 0, Total_Num_ACL 8, Total_Num_SCO 0.
  [OP.readBufferSize, { len: 0, run: () => ok(OP.readBufferSize, [...u16(1021), 0, ...u16(8), ...u16(0)]) }],
  [OP.readBdAddr, { len: 0, run: (s) => ok(OP.readBdAddr, s.identity.publicAddress) }],
  // No connections exist: Unknown Connection Identifier, echoing the handle.
  [OP.readRssi, { len: 2, run: (_s, p) => fail(OP.readRssi, STATUS.unknownConnectionId, [p[0]!, p[1]!, 0]) }],
  [
    OP.disconnect,
    { len: 3, status: true, run: () => [commandStatus(OP.disconnect, STATUS.unknownConnectionId)] },
  ],
  [
    OP.leSetEventMask,
    {
      len: 8,
      run: (s, p) => {
        s.leEventMask = Buffer.from(p);
        return ok(OP.leSetEventMask);
      },
    },
  ],
  // LE_ACL_Data_Packet_Length 251, Total_Num_LE_ACL_Data_Packets 8 (+ no ISO buffers for v2).
  [OP.leReadBufferSize, { len: 0, run: () => ok(OP.leReadBufferSize, [...u16(251), 8]) }],
  [OP.leReadBufferSizeV2, { len: 0, run: () => ok(OP.leReadBufferSizeV2, [...u16(251), 8, ...u16(0), 0]) }],
  // LE features: bit 0 LE Encryption only (no extended advertising, so hosts stay on legacy commands).
  [
    OP.leReadLocalSupportedFeatures,
    { len: 0, run: () => ok(OP.leReadLocalSupportedFeatures, [1, 0, 0, 0, 0, 0, 0, 0]) },
  ],
  [
    OP.leSetRandomAddress,
    {
      len: 6,
      run: (s, p) => {
        if (s.advEnabled || s.scanEnabled || s.connecting)
          return fail(OP.leSetRandomAddress, STATUS.commandDisallowed);
        s.randomAddress = new Uint8Array(p);
        return ok(OP.leSetRandomAddress);
      },
    },
  ],
  [
    OP.leSetAdvertisingParameters,
    {
      len: 15,
      run: (s, p) => {
        const op = OP.leSetAdvertisingParameters;
        if (s.advEnabled) return fail(op, STATUS.commandDisallowed);
        const intervalMin = p.readUInt16LE(0);
        const intervalMax = p.readUInt16LE(2);
        const type = p[4]!;
        const directed = type === 0x01;
        const intervalsOk =
          directed || (intervalMin >= 0x20 && intervalMax <= 0x4000 && intervalMin <= intervalMax);
        if (!intervalsOk || type > 0x04 || p[5]! > 0x03 || (p[13]! & 0x07) === 0) {
          return fail(op, STATUS.invalidParameters);
        }
        s.adv = { intervalMin, intervalMax, type, ownAddressType: p[5]! };
        return ok(op);
      },
    },
  ],
  [
    OP.leReadAdvertisingChannelTxPower,
    { len: 0, run: (s) => ok(OP.leReadAdvertisingChannelTxPower, [s.identity.txPower & 0xff]) },
  ],
  [OP.leSetAdvertisingData, { len: 32, run: setData("advData") }],
  [OP.leSetScanResponseData, { len: 32, run: setData("scanResponse") }],
  [
    OP.leSetAdvertiseEnable,
    {
      len: 1,
      run: (s, p, fx) => {
        const op = OP.leSetAdvertiseEnable;
        if (p[0]! > 1) return fail(op, STATUS.invalidParameters);
        const enable = p[0] === 1;
        // Own_Address_Type random (or RPA falling back to random) needs a random address set first.
        if (enable && (s.adv.ownAddressType & 1) === 1 && !s.randomAddress) {
          return fail(op, STATUS.invalidParameters);
        }
        if (enable !== s.advEnabled) {
          s.advEnabled = enable;
          fx.radioChanged();
        }
        return ok(op);
      },
    },
  ],
  [
    OP.leSetScanParameters,
    {
      len: 7,
      run: (s, p) => {
        const op = OP.leSetScanParameters;
        if (s.scanEnabled) return fail(op, STATUS.commandDisallowed);
        const interval = p.readUInt16LE(1);
        const window = p.readUInt16LE(3);
        const inRange = (v: number) => v >= 0x0004 && v <= 0x4000;
        if (
          p[0]! > 1 ||
          !inRange(interval) ||
          !inRange(window) ||
          window > interval ||
          p[5]! > 3 ||
          p[6]! > 3
        ) {
          return fail(op, STATUS.invalidParameters);
        }
        s.scan = { active: p[0] === 1, interval, window, ownAddressType: p[5]! };
        return ok(op);
      },
    },
  ],
  [
    OP.leSetScanEnable,
    {
      len: 2,
      run: (s, p, fx) => {
        const op = OP.leSetScanEnable;
        if (p[0]! > 1 || p[1]! > 1) return fail(op, STATUS.invalidParameters);
        const enable = p[0] === 1;
        // Core 5.x: re-enabling while enabled only updates Filter_Duplicates; disabling twice is a no-op.
        if (enable) s.filterDuplicates = p[1] === 1;
        if (enable && !s.scanEnabled) fx.scanStarted();
        if (enable !== s.scanEnabled) {
          s.scanEnabled = enable;
          fx.radioChanged();
        }
        return ok(op);
      },
    },
  ],
  [
    OP.leCreateConnection,
    {
      len: 25,
      status: true,
      run: (s) => {
        // GATT is not emulated: the connection attempt stays pending until cancelled.
        if (s.connecting) return [commandStatus(OP.leCreateConnection, STATUS.commandDisallowed)];
        s.connecting = true;
        return [commandStatus(OP.leCreateConnection, STATUS.success)];
      },
    },
  ],
  [
    OP.leCreateConnectionCancel,
    {
      len: 0,
      run: (s) => {
        if (!s.connecting) return fail(OP.leCreateConnectionCancel, STATUS.commandDisallowed);
        s.connecting = false;
        // Core Vol 4 Part E 7.8.13: LE Connection Complete with Unknown Connection Identifier follows.
        return [...ok(OP.leCreateConnectionCancel), leConnectionFailed(STATUS.unknownConnectionId)];
      },
    },
  ],
  [OP.leReadWhiteListSize, { len: 0, run: () => ok(OP.leReadWhiteListSize, [8]) }],
  [OP.leClearWhiteList, { len: 0, run: () => ok(OP.leClearWhiteList) }],
  [OP.leRand, { len: 0, run: (s) => ok(OP.leRand, s.rng.bytes(8)) }],
  // All legacy advertising/scanning/initiating state combinations (bits 0–41).
  [
    OP.leReadSupportedStates,
    { len: 0, run: () => ok(OP.leReadSupportedStates, [0xff, 0xff, 0xff, 0xff, 0xff, 0x03, 0, 0]) },
  ],
]);

/**
 * Opcodes the emulator implements.
 * @public
 */
export const SUPPORTED_OPCODES: readonly number[] = [...TABLE.keys()];

/**
 * Executes one command against the controller state and returns the events to send back.
 * Unknown opcodes → Command Complete / Unknown HCI Command; wrong parameter length → Invalid HCI
 * Command Parameters (in a Command Status for commands that use one).
 */
export function executeCommand(
  s: ControllerState,
  opcode: number,
  params: Buffer,
  fx: CommandEffects,
): Buffer[] {
  const entry = TABLE.get(opcode);
  if (!entry) return fail(opcode, STATUS.unknownCommand);
  const lenOk = typeof entry.len === "number" ? params.length === entry.len : entry.len(params.length);
  if (!lenOk) {
    return entry.status
      ? [commandStatus(opcode, STATUS.invalidParameters)]
      : fail(opcode, STATUS.invalidParameters);
  }
  return entry.run(s, params, fx);
}
