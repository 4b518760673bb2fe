/**
 * The BLE transport's modules on an emulated controller: real noble and bleno loaded by
 * {@link loadNobleAndBleno} onto one {@link EmulatedHciController}, as both share hci0 on a phone.
 */
import type { BleModules, BlenoLike, NobleLike } from "../ble";
import type { EmulatedHciController } from "./controller";
import { type LoadOptions, loadNobleAndBleno } from "./loader";

/**
 * noble and bleno on one emulated controller, and how to release them.
 * @public
 */
export interface EmulatedBleModules extends BleModules {
  /** Stops the hosts' polling and closes their sockets (the controller stays open). */
  dispose(): void;
}

/**
 * Loads fresh noble and bleno bound to `controller` (each through its own socket), shaped for
 * `createBleTransport({ modules })`.
 * @public
 */
export function emulatedBleModules(
  controller: EmulatedHciController,
  options: Pick<LoadOptions, "nobleOptions"> = {},
): EmulatedBleModules {
  const hosts = loadNobleAndBleno({ ...options, socketFactory: () => controller.openSocket() });
  return {
    noble: hosts.noble as unknown as NobleLike,
    bleno: hosts.bleno as unknown as BlenoLike,
    dispose: () => hosts.dispose(),
  };
}
