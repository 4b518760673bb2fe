/**
 * Software HCI controller, virtual radio medium and loader for running real, unmodified noble and
 * bleno without Bluetooth hardware.
 *
 * @packageDocumentation
 */
export { SUPPORTED_OPCODES } from "./commands";
export {
  ADDRESS_TYPE,
  ADV_TYPE,
  EVENT,
  LE_SUBEVENT,
  OP,
  opcode,
  PACKET,
  REPORT_TYPE,
  STATUS,
} from "./constants";
export { EmulatedHciController, type EmulatedHciControllerOptions } from "./controller";
export { HciEmulatorStateError, HciLoaderError, HciPacketError } from "./errors";
export {
  type Bleno,
  type EmulatedHosts,
  type LoadOptions,
  loadNobleAndBleno,
  type Noble,
  type SocketFactory,
  withEmulatedHci,
} from "./loader";
export {
  type AdvertisingState,
  type AirPacket,
  type Medium,
  type Position,
  RadioMedium,
  type RadioEndpoint,
  type RadioLink,
  type RadioMediumOptions,
  type RadioState,
  type ScanningState,
} from "./medium";
export {
  type AdvertisingReport,
  commandComplete,
  commandStatus,
  encodeCommand,
  encodeEvent,
  formatAddress,
  type HciCommand,
  leAdvertisingReport,
  nonResolvablePrivateAddress,
  parseAdvertisingReports,
  parseCommand,
} from "./packets";
export { emulatorRadioParams, type PathLossModel, type PathLossOptions, pathLossModel } from "./path-loss";
export {
  connectRemoteMedium,
  type HubEvent,
  type HubRequest,
  type HubTimeOptions,
  MediumHub,
  type MessagePortLike,
  type RemoteMediumOptions,
} from "./remote";
export { type Rng, seededRng } from "./rng";
export { runVirtualTime, settle } from "./settle";
export { EmulatedHciSocket, type HciDeviceInfo, type HciSocketBackend } from "./socket";
export type { AdvertisingParameters, ControllerIdentity, ScanParameters } from "./state";
export { type EmulatedBleModules, emulatedBleModules } from "./ble-modules";
