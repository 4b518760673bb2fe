/**
 * One host's handle on an emulated controller, shaped exactly like `@abandonware/bluetooth-hci-socket`
 * (what noble's and bleno's `new BluetoothHciSocket()` returns). Several sockets may be open on one
 * controller, like raw HCI sockets on one Linux hciX device: every socket that has started receives
 * every event that passes its filter, whichever socket sent the command.
 */
import { EventEmitter } from "node:events";
import { PACKET } from "./constants";

/**
 * A device entry of getDeviceList(), shaped as bluetooth-hci-socket returns it.
 * @public
 */
export interface HciDeviceInfo {
  /** HCI device id. */
  devId: number;
  /** Device is up. */
  devUp: boolean;
  /** USB vendor id (null: not USB). */
  idVendor: null;
  /** USB product id. */
  idProduct: null;
  /** USB bus number. */
  busNumber: null;
  /** USB device address. */
  deviceAddress: null;
}

/**
 * What a socket needs from its controller.
 * @public
 */
export interface HciSocketBackend {
  /** Executes one host → controller packet. */
  execute(packet: Buffer): void;
  /** Controller powered and not closed. */
  isUp(): boolean;
}

/**
 * The bluetooth-hci-socket interface, implemented over an emulated controller.
 * @public
 */
export class EmulatedHciSocket extends EventEmitter {
  private started = false;
  private typeMask = 0xffffffff;
  private eventMask: [number, number] = [0xffffffff, 0xffffffff];

  /** @param backend - the controller this socket talks to */
  constructor(private readonly backend: HciSocketBackend) {
    super();
  }

  /** Binds a raw HCI channel; returns the device id (bleno stores it). */
  bindRaw(devId?: number): number {
    return devId ?? 0;
  }

  /** Binds the HCI user channel (exclusive access on Linux; not exclusive here); returns the device id. */
  bindUser(devId?: number): number {
    return devId ?? 0;
  }

  /** Binds the HCI control channel (device list queries). */
  bindControl(): number {
    return 0;
  }

  /** Starts delivering events to 'data' listeners. */
  start(): void {
    this.started = true;
  }

  /** Stops delivering events. */
  stop(): void {
    this.started = false;
  }

  /** USB transport reset in the real module; a no-op here. */
  reset(): void {}

  /** Whether the device is up (noble and bleno poll this every second). */
  isDevUp(): boolean {
    return this.backend.isUp();
  }

  /** One emulated device, hci0. */
  getDeviceList(): HciDeviceInfo[] {
    return [
      {
        devId: 0,
        devUp: this.isDevUp(),
        idVendor: null,
        idProduct: null,
        busNumber: null,
        deviceAddress: null,
      },
    ];
  }

  /** Sets the kernel-style socket filter (struct hci_filter: type mask, 64-bit event mask, opcode). */
  setFilter(filter: Buffer): void {
    this.typeMask = filter.readUInt32LE(0);
    this.eventMask = [filter.readUInt32LE(4), filter.readUInt32LE(8)];
  }

  /** Sends one packet (H4 indicator first) to the controller. */
  write(packet: Buffer): void {
    this.backend.execute(packet);
  }

  /**
   * Controller → host delivery (called by the controller). Delivered asynchronously, as a real socket
   * would, and only if started and the packet passes the filter.
   */
  deliver(packet: Buffer): void {
    if (!this.started || !this.accepts(packet)) return;
    queueMicrotask(() => {
      if (this.started) this.emit("data", packet);
    });
  }

  /** Reports an error to the host asynchronously. */
  fail(error: Error): void {
    queueMicrotask(() => this.emit("error", error));
  }

  /** Like the kernel's hci_sock filter: packet type bit, then bit (event code & 63) of the event mask. */
  private accepts(packet: Buffer): boolean {
    if ((this.typeMask & (1 << packet[0]!)) === 0) return false;
    if (packet[0] !== PACKET.event) return true;
    const code = packet[1]! & 63;
    const word = code < 32 ? this.eventMask[0] : this.eventMask[1];
    return ((word >>> (code & 31)) & 1) === 1;
  }
}
