/** Typed errors of the BLE transport, each with the fix in its message. */
import { BluezoneError } from "../errors";

/**
 * No Bluetooth adapter or no Bluetooth socket support (EAFNOSUPPORT, ENODEV).
 * @public
 */
export class BluetoothUnavailableError extends BluezoneError {
  /** @param detail - what the radio stack said */
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      "ERR_BLUETOOTH_UNAVAILABLE",
      `No usable Bluetooth adapter (${detail}). Fix: check that an adapter exists (\`hciconfig -a\` or \`btmgmt info\`), ` +
        "that the kernel has Bluetooth support (`modprobe bluetooth`), and that the adapter is up (`sudo hciconfig hci0 up`). " +
        "Inside containers the host's Bluetooth socket family is usually not available.",
      options,
    );
  }
}

/**
 * The process may not open a raw HCI socket (adapter state `unauthorized`, EPERM).
 * @public
 */
export class BluetoothPermissionError extends BluezoneError {
  /** @param detail - what the radio stack said */
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      "ERR_BLUETOOTH_PERMISSION",
      `Not permitted to use the Bluetooth adapter (${detail}). Fix: run as root, or grant raw-socket capability to node: ` +
        "`sudo setcap cap_net_raw+eip $(eval readlink -f $(which node))`.",
      options,
    );
  }
}

/**
 * The adapter is held by another program (EBUSY), typically bluetoothd in user-channel mode.
 * @public
 */
export class BluetoothBusyError extends BluezoneError {
  /** @param detail - what the radio stack said */
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      "ERR_BLUETOOTH_BUSY",
      `The Bluetooth adapter is busy (${detail}). Fix: stop the program holding it (\`sudo systemctl stop bluetooth\` ` +
        "when using HCI_CHANNEL_USER), or pick another adapter with NOBLE_HCI_DEVICE_ID / BLENO_HCI_DEVICE_ID.",
      options,
    );
  }
}

/**
 * An advertising or scanning request failed or timed out.
 * @public
 */
export class BluetoothOperationError extends BluezoneError {
  /** @param message - which operation failed and why */
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_BLUETOOTH_OPERATION", message, options);
  }
}

/**
 * Maps an error thrown while loading or using noble/bleno to the typed error that explains it.
 * @public
 */
export function classifyBluetoothError(err: unknown): BluezoneError {
  if (err instanceof BluezoneError) return err;
  const e = err as { code?: string; errno?: number; message?: string } | undefined;
  const code = e?.code ?? "";
  const msg = e?.message ?? String(err);
  if (code === "EAFNOSUPPORT" || /EAFNOSUPPORT|Address family not supported/i.test(msg)) {
    return new BluetoothUnavailableError("EAFNOSUPPORT: no Bluetooth socket", { cause: err });
  }
  if (code === "ENODEV" || /ENODEV|No such device/i.test(msg)) {
    return new BluetoothUnavailableError("ENODEV: no such adapter", { cause: err });
  }
  if (code === "EPERM" || code === "EACCES" || /EPERM|EACCES|not permitted/i.test(msg)) {
    return new BluetoothPermissionError(code || "EPERM", { cause: err });
  }
  if (code === "EBUSY" || /EBUSY|busy/i.test(msg))
    return new BluetoothBusyError(code || "EBUSY", { cause: err });
  if (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") {
    return new BluetoothUnavailableError(
      "the optional packages @abandonware/noble and @abandonware/bleno are not installed (`npm i @abandonware/noble @abandonware/bleno`)",
      { cause: err },
    );
  }
  return new BluetoothOperationError(msg, { cause: err });
}
