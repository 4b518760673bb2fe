/**
 * HCI numbers used by the emulator (Bluetooth Core 5.3, Vol 4 Part E): packet indicators, event codes,
 * opcodes and error codes.
 */

/**
 * HCI packet indicators (the first byte of every packet on an HCI socket / H4 transport).
 * @public
 */
export const PACKET = { command: 0x01, acl: 0x02, event: 0x04 } as const;

/**
 * HCI event codes.
 * @public
 */
export const EVENT = {
  disconnectionComplete: 0x05,
  commandComplete: 0x0e,
  commandStatus: 0x0f,
  leMeta: 0x3e,
} as const;

/**
 * LE Meta event subevent codes.
 * @public
 */
export const LE_SUBEVENT = { connectionComplete: 0x01, advertisingReport: 0x02 } as const;

/**
 * Builds an opcode from its group (OGF) and command (OCF) fields.
 * @public
 */
export function opcode(ogf: number, ocf: number): number {
  return ((ogf & 0x3f) << 10) | (ocf & 0x3ff);
}

/**
 * Opcodes the emulator knows (by name).
 * @public
 */
export const OP = {
  disconnect: opcode(0x01, 0x0006),
  setEventMask: opcode(0x03, 0x0001),
  reset: opcode(0x03, 0x0003),
  setEventFilter: opcode(0x03, 0x0005),
  readLeHostSupported: opcode(0x03, 0x006c),
  writeLeHostSupported: opcode(0x03, 0x006d),
  readLocalVersion: opcode(0x04, 0x0001),
  readLocalSupportedCommands: opcode(0x04, 0x0002),
  readLocalSupportedFeatures: opcode(0x04, 0x0003),
  readBufferSize: opcode(0x04, 0x0005),
  readBdAddr: opcode(0x04, 0x0009),
  readRssi: opcode(0x05, 0x0005),
  leSetEventMask: opcode(0x08, 0x0001),
  leReadBufferSize: opcode(0x08, 0x0002),
  leReadLocalSupportedFeatures: opcode(0x08, 0x0003),
  leSetRandomAddress: opcode(0x08, 0x0005),
  leSetAdvertisingParameters: opcode(0x08, 0x0006),
  leReadAdvertisingChannelTxPower: opcode(0x08, 0x0007),
  leSetAdvertisingData: opcode(0x08, 0x0008),
  leSetScanResponseData: opcode(0x08, 0x0009),
  leSetAdvertiseEnable: opcode(0x08, 0x000a),
  leSetScanParameters: opcode(0x08, 0x000b),
  leSetScanEnable: opcode(0x08, 0x000c),
  leCreateConnection: opcode(0x08, 0x000d),
  leCreateConnectionCancel: opcode(0x08, 0x000e),
  leReadWhiteListSize: opcode(0x08, 0x000f),
  leClearWhiteList: opcode(0x08, 0x0010),
  leRand: opcode(0x08, 0x0018),
  leReadSupportedStates: opcode(0x08, 0x001c),
  leReadBufferSizeV2: opcode(0x08, 0x0060),
} as const;

/**
 * HCI error codes (Vol 1 Part F) the emulator returns.
 * @public
 */
export const STATUS = {
  success: 0x00,
  unknownCommand: 0x01,
  unknownConnectionId: 0x02,
  commandDisallowed: 0x0c,
  invalidParameters: 0x12,
} as const;

/**
 * Legacy advertising PDU types as set by LE Set Advertising Parameters (Advertising_Type).
 * @public
 */
export const ADV_TYPE = {
  advInd: 0x00,
  advDirectIndHigh: 0x01,
  advScanInd: 0x02,
  advNonconnInd: 0x03,
  advDirectIndLow: 0x04,
} as const;

/**
 * Event_Type values of an LE Advertising Report.
 * @public
 */
export const REPORT_TYPE = {
  advInd: 0x00,
  advDirectInd: 0x01,
  advScanInd: 0x02,
  advNonconnInd: 0x03,
  scanRsp: 0x04,
} as const;

/**
 * Address types in reports and commands.
 * @public
 */
export const ADDRESS_TYPE = { public: 0x00, random: 0x01 } as const;

/** Legacy advertising / scan response data limit in bytes. */
export const MAX_LEGACY_DATA = 31;
