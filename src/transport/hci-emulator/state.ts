/** The mutable state of an emulated controller that HCI commands read and change. */
import type { Rng } from "./rng";

/**
 * Static identity and capabilities a controller reports.
 * @public
 */
export interface ControllerIdentity {
  /** Public BD_ADDR, 6 bytes little-endian. */
  publicAddress: Uint8Array;
  /** HCI_Version; default 0x09 (Core 5.0). noble/bleno require ≥ 0x06. */
  hciVersion: number;
  /** HCI_Revision. */
  hciRevision: number;
  /** LMP_Version. */
  lmpVersion: number;
  /** Company identifier; default 0xFFFF (no company, for testing). */
  manufacturer: number;
  /** LMP_Subversion. */
  lmpSubversion: number;
  /** Advertising channel transmit power in dBm. */
  txPower: number;
}

/**
 * Advertising parameters (LE Set Advertising Parameters).
 * @public
 */
export interface AdvertisingParameters {
  /** Advertising_Interval_Min in 0.625 ms units. */
  intervalMin: number;
  /** Advertising_Interval_Max in 0.625 ms units. */
  intervalMax: number;
  /** Advertising_Type. */
  type: number;
  /** Own_Address_Type (0 public, 1 random, 2/3 RPA with fallback). */
  ownAddressType: number;
}

/**
 * Scan parameters (LE Set Scan Parameters).
 * @public
 */
export interface ScanParameters {
  /** LE_Scan_Type: 0 passive, 1 active. */
  active: boolean;
  /** LE_Scan_Interval in 0.625 ms units. */
  interval: number;
  /** LE_Scan_Window in 0.625 ms units. */
  window: number;
  /** Own_Address_Type. */
  ownAddressType: number;
}

/** Everything the command handlers read and write. */
export interface ControllerState {
  /** Identity (read-only after construction). */
  readonly identity: ControllerIdentity;
  /** Random numbers (LE Rand, private addresses). */
  readonly rng: Rng;
  /** Event_Mask (Set Event Mask), 8 bytes. */
  eventMask: Buffer;
  /** LE_Event_Mask, 8 bytes. */
  leEventMask: Buffer;
  /** LE_Supported_Host and Simultaneous_LE_Host. */
  leHost: [number, number];
  /** Host-set random address, if any. */
  randomAddress: Uint8Array | undefined;
  /** Advertising parameters. */
  adv: AdvertisingParameters;
  /** Advertising data (significant part). */
  advData: Buffer;
  /** Scan response data. */
  scanResponse: Buffer;
  /** Advertising enabled. */
  advEnabled: boolean;
  /** Scan parameters. */
  scan: ScanParameters;
  /** Scanning enabled. */
  scanEnabled: boolean;
  /** Filter_Duplicates of the last scan enable. */
  filterDuplicates: boolean;
  /** An LE Create Connection is pending. */
  connecting: boolean;
}

/** Default Event_Mask after reset (Core Vol 4 Part E 7.3.1): 0x00001FFFFFFFFFFF. */
const DEFAULT_EVENT_MASK = "ffffffffff1f0000";
/** Default LE_Event_Mask after reset: 0x000000000000001F. */
const DEFAULT_LE_EVENT_MASK = "1f00000000000000";

/** Fresh controller state, as after power-on or HCI_Reset. */
export function initialState(identity: ControllerIdentity, rng: Rng): ControllerState {
  return {
    identity,
    rng,
    eventMask: Buffer.from(DEFAULT_EVENT_MASK, "hex"),
    leEventMask: Buffer.from(DEFAULT_LE_EVENT_MASK, "hex"),
    leHost: [0, 0],
    randomAddress: undefined,
    adv: { intervalMin: 0x0800, intervalMax: 0x0800, type: 0, ownAddressType: 0 },
    advData: Buffer.alloc(0),
    scanResponse: Buffer.alloc(0),
    advEnabled: false,
    scan: { active: false, interval: 0x0010, window: 0x0010, ownAddressType: 0 },
    scanEnabled: false,
    filterDuplicates: false,
    connecting: false,
  };
}

/** True when bit `bit` of a little-endian 64-bit mask is set. */
export function maskBit(mask: Buffer, bit: number): boolean {
  return ((mask[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0;
}
