/**
 * RSSI conventions shared by the transports (where RSSI enters) and the contact log (where it is kept).
 */

/**
 * The RSSI value HCI reports for "RSSI not available" (Bluetooth Core v5.3, Vol 4 Part E §7.7.65.2,
 * LE Advertising Report: RSSI −127…+20 dBm, 127 = not available), passed on unchanged by noble. It is
 * never a measured level, so it is never averaged, stored or turned into an attenuation.
 * @public
 */
export const RSSI_NOT_AVAILABLE = 127;

/**
 * True for an RSSI a sighting may hold: an integer dBm in −128…126 (an int8 other than 127).
 * @public
 */
export function isStorableRssi(x: unknown): boolean {
  return Number.isInteger(x) && (x as number) >= -128 && (x as number) < RSSI_NOT_AVAILABLE;
}
