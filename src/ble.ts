/**
 * `bluezone/ble`: the transport on real radios (noble + bleno). Importing this module does not load
 * noble or bleno; {@link loadBleModules} does, on first use.
 *
 * @packageDocumentation
 */
export * from "./transport/ble";
export * from "./transport/ble-errors";
