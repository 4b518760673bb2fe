/**
 * A software Bluetooth LE controller. Hosts (unmodified noble and bleno) talk to it through
 * {@link EmulatedHciSocket}s, which have the `@abandonware/bluetooth-hci-socket` interface: they write
 * HCI command packets, the controller answers with HCI events and puts advertising on a shared
 * {@link Medium}, reporting what it hears while scanning.
 */
import { ADDRESS_TYPE, LE_SUBEVENT, PACKET } from "./constants";
import { type CommandEffects, executeCommand } from "./commands";
import { HciEmulatorStateError } from "./errors";
import type { AirPacket, Medium, Position, RadioLink, RadioState } from "./medium";
import {
  commandComplete,
  formatAddress,
  leAdvertisingReport,
  nonResolvablePrivateAddress,
  parseCommand,
} from "./packets";
import { type Rng, seededRng } from "./rng";
import { EmulatedHciSocket } from "./socket";
import { type ControllerIdentity, type ControllerState, initialState, maskBit } from "./state";

/**
 * Options of {@link EmulatedHciController}.
 * @public
 */
export interface EmulatedHciControllerOptions {
  /** Medium to join; without one the radio is silent (commands still work). */
  medium?: Medium;
  /** Node name on the medium (unique there); default assigned by the medium. */
  name?: string;
  /** Position on the medium in metres. */
  position?: Position;
  /** Seed for addresses and LE Rand; default 1. */
  seed?: number;
  /** Controller identity overrides (public address, versions, tx power). */
  identity?: Partial<ControllerIdentity>;
  /**
   * Privacy as phones do it: when the host advertises with its public Own_Address_Type, the controller
   * advertises from a non-resolvable private address that changes whenever the advertising data
   * changes (so the address rotates together with the identifier). Default true. With false the
   * public address is used. A host that sets Own_Address_Type random uses its LE Set Random Address.
   */
  rotateAddress?: boolean;
  /** Initial power state reported by isDevUp(); default true. */
  powered?: boolean;
}

/**
 * An emulated LE controller (one per virtual phone).
 * @public
 */
export class EmulatedHciController {
  /** Commands received, in order (opcode and parameters), for inspection in tests. */
  readonly commandLog: { opcode: number; params: Buffer }[] = [];
  private readonly rng: Rng;
  private readonly rotate: boolean;
  private readonly identity: ControllerIdentity;
  private state: ControllerState;
  private link: RadioLink | undefined;
  private privateAddress: Uint8Array;
  private seen = new Set<string>();
  private readonly sockets = new Set<EmulatedHciSocket>();
  private closed = false;
  private powered: boolean;
  private readonly injected = new Map<number, number>();
  private readonly effects: CommandEffects = {
    radioChanged: () => this.publish(),
    scanStarted: () => this.seen.clear(),
    advDataChanged: () => {
      if (this.rotate) this.privateAddress = nonResolvablePrivateAddress((n) => this.rng.bytes(n));
    },
    reset: () => this.reset(),
  };

  /** @param options - medium, position, identity and privacy */
  constructor(options: EmulatedHciControllerOptions = {}) {
    this.rng = seededRng(options.seed ?? 1);
    this.rotate = options.rotateAddress ?? true;
    const publicAddress = options.identity?.publicAddress ?? this.rng.bytes(6);
    this.identity = {
      hciVersion: 0x09,
      hciRevision: 0x0000,
      lmpVersion: 0x09,
      manufacturer: 0xffff,
      lmpSubversion: 0x0000,
      txPower: 0,
      ...options.identity,
      publicAddress,
    };
    this.state = initialState(this.identity, this.rng);
    this.privateAddress = nonResolvablePrivateAddress((n) => this.rng.bytes(n));
    this.powered = options.powered ?? true;
    this.link = options.medium?.join({
      name: options.name,
      position: options.position,
      onPacket: (p) => this.receive(p),
    });
  }

  /** This controller's node name on the medium (undefined without a medium). */
  get name(): string | undefined {
    return this.link?.name;
  }

  /** Public BD_ADDR formatted `aa:bb:cc:dd:ee:ff` (what noble/bleno report as their address). */
  get address(): string {
    return formatAddress(this.identity.publicAddress);
  }

  /** Current radio state as published to the medium (for inspection). */
  get radioState(): RadioState {
    return this.computeRadioState();
  }

  // ---- host side -----------------------------------------------------------------------------

  /**
   * Opens a new host socket on this controller (what `new BluetoothHciSocket()` gives noble or bleno).
   * Events go to every open socket, like raw HCI sockets on one Linux device.
   */
  openSocket(): EmulatedHciSocket {
    const socket = new EmulatedHciSocket({
      execute: (p) => this.execute(p, socket),
      isUp: () => this.isUp(),
    });
    this.sockets.add(socket);
    return socket;
  }

  /** Whether the controller is powered and not closed. */
  isUp(): boolean {
    return this.powered && !this.closed;
  }

  /** Executes one host packet: HCI commands are answered, ACL data is dropped (no links exist). */
  execute(packet: Buffer, from?: EmulatedHciSocket): void {
    if (this.closed || packet[0] !== PACKET.command) return;
    let cmd: ReturnType<typeof parseCommand>;
    try {
      cmd = parseCommand(packet);
    } catch (e) {
      from?.fail(e as Error);
      return;
    }
    this.commandLog.push(cmd);
    const forced = this.injected.get(cmd.opcode);
    if (forced !== undefined) this.injected.delete(cmd.opcode);
    const events =
      forced !== undefined
        ? [commandComplete(cmd.opcode, forced)]
        : executeCommand(this.state, cmd.opcode, cmd.params, this.effects);
    for (const e of events) this.send(e);
  }

  // ---- emulator controls -------------------------------------------------------------------------

  /** Makes the next command with `opcode` fail with `status` (Command Complete), e.g. to test errors. */
  failNext(opcode: number, status: number): void {
    this.injected.set(opcode, status);
  }

  /** Powers the controller on or off (isDevUp); powering off stops advertising and scanning. */
  setPowered(on: boolean): void {
    this.powered = on;
    if (!on) this.reset();
  }

  /** Moves the controller on its medium. */
  setPosition(position: Position): void {
    this.requireLink().setPosition(position);
  }

  /** Leaves the medium and stops answering; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.stop();
    this.link?.leave();
    this.link = undefined;
  }

  // ---- internals ---------------------------------------------------------------------------------

  private requireLink(): RadioLink {
    if (!this.link) throw new HciEmulatorStateError("controller is not on a medium");
    return this.link;
  }

  private reset(): void {
    this.state = initialState(this.identity, this.rng);
    this.seen.clear();
    this.publish();
  }

  private computeRadioState(): RadioState {
    const s = this.state;
    const ownRandom = (s.adv.ownAddressType & 1) === 1;
    const [address, addressType] = ownRandom
      ? [s.randomAddress!, ADDRESS_TYPE.random]
      : this.rotate
        ? [this.privateAddress, ADDRESS_TYPE.random]
        : [this.identity.publicAddress, ADDRESS_TYPE.public];
    return {
      advertising: s.advEnabled
        ? {
            type: s.adv.type,
            intervalMs: ((s.adv.intervalMin + s.adv.intervalMax) / 2) * 0.625,
            address: new Uint8Array(address),
            addressType,
            data: new Uint8Array(s.advData),
            scanResponse: new Uint8Array(s.scanResponse),
          }
        : undefined,
      scanning: s.scanEnabled ? { active: s.scan.active, duty: s.scan.window / s.scan.interval } : undefined,
    };
  }

  private publish(): void {
    if (this.closed) return;
    this.link?.update(this.computeRadioState());
  }

  /** A packet from the medium: report it if scanning, events are unmasked and it passes the filter. */
  private receive(p: AirPacket): void {
    const s = this.state;
    if (
      !s.scanEnabled ||
      !maskBit(s.eventMask, 61) ||
      !maskBit(s.leEventMask, LE_SUBEVENT.advertisingReport - 1)
    ) {
      return;
    }
    if (s.filterDuplicates) {
      const key = `${Buffer.from(p.address).toString("hex")}/${p.addressType}/${p.eventType}`;
      if (this.seen.has(key)) return;
      this.seen.add(key);
    }
    this.send(leAdvertisingReport([p]));
  }

  /** Broadcasts an event to every open socket. */
  private send(packet: Buffer): void {
    for (const s of this.sockets) s.deliver(packet);
  }
}
