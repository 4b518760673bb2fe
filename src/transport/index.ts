/** Transport seam and the simulated medium (the BLE transport is in the `bluezone/ble` subpath). */
export * from "./simulated";
export * from "./types";
