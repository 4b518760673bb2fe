/** Typed errors of the HCI emulator. */
import { BluezoneError } from "../../errors";

/**
 * A packet written to the emulated controller could not be parsed (wrong indicator or length).
 * @public
 */
export class HciPacketError extends BluezoneError {
  /** @param message - what was wrong with the packet */
  constructor(message: string) {
    super("ERR_HCI_PACKET", message);
  }
}

/**
 * The emulated socket or radio medium was used in a state that does not allow it (e.g. after close).
 * @public
 */
export class HciEmulatorStateError extends BluezoneError {
  /** @param message - what was attempted and why it is not allowed */
  constructor(message: string) {
    super("ERR_HCI_EMULATOR_STATE", message);
  }
}

/**
 * noble or bleno could not be loaded onto an emulated controller.
 * @public
 */
export class HciLoaderError extends BluezoneError {
  /**
   * @param message - which package failed and how to fix it
   * @param options - standard `cause`
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_HCI_LOADER", message, options);
  }
}
