/**
 * `bluezone/ble`: the transport on real radios (noble + bleno), and the HCI emulator to test it
 * without hardware: {@link EmulatedHciController}, {@link RadioMedium} (plus {@link MediumHub} for
 * worker threads), and {@link loadNobleAndBleno} / {@link emulatedBleModules}, which load real noble and
 * bleno bound to an emulated controller. Importing this module does not load noble or bleno:
 * {@link loadBleModules} does, on first use, and the emulator's loader loads private instances.
 *
 * @packageDocumentation
 */
export * from "./transport/ble";
export * from "./transport/ble-errors";
export { blenoHciSocket, GAEN_ADVERTISING_INTERVAL_MS, type HciSocketLike } from "./transport/ble-hci";
export * from "./transport/hci-emulator/index";

// Types of the main entry that this entry's signatures use, re-exported so that it stands alone.
export type { BluezoneError, MalformedAdvertisementError } from "./errors";
export type { Clock, TimerHandle, VirtualClock } from "./clock";
export type { RandomBytes } from "./bytes";
export type { AdapterState, ScanListener, ScanReport, Transport } from "./transport/types";
export type { NobleAdvertisementLike, Payload } from "./protocol/payload";
export type { CarriagePair, RadioPairParams, RadioParams } from "./radio/path-loss";
