/**
 * The virtual radio medium: advertisers put legacy advertising events on air at their interval (plus
 * the 0–10 ms advDelay the spec mandates), every scanning node in range receives each event with an
 * RSSI from a path-loss model. Time comes from an injected {@link Clock}, so a virtual clock can run an
 * hour of radio time in seconds.
 */
import { type Clock, systemClock, type TimerHandle } from "../../clock";
import { InvalidArgumentError } from "../../errors";
import { ADV_TYPE, REPORT_TYPE } from "./constants";
import { HciEmulatorStateError } from "./errors";
import { type PathLossModel, type PathLossOptions, pathLossModel } from "./path-loss";
import { type Rng, seededRng } from "./rng";

/**
 * A point in metres.
 * @public
 */
export interface Position {
  /** Metres east. */
  x: number;
  /** Metres north. */
  y: number;
  /** Metres up; default 0. */
  z?: number;
}

/**
 * What a controller currently advertises.
 * @public
 */
export interface AdvertisingState {
  /** Advertising_Type of LE Set Advertising Parameters (see ADV_TYPE). */
  type: number;
  /** Mean advertising interval in milliseconds. */
  intervalMs: number;
  /** On-air address, 6 bytes little-endian. */
  address: Uint8Array;
  /** 0 public, 1 random. */
  addressType: number;
  /** Advertising data. */
  data: Uint8Array;
  /** Scan response data (sent to active scanners of scannable advertising). */
  scanResponse: Uint8Array;
}

/**
 * What a controller currently listens for.
 * @public
 */
export interface ScanningState {
  /** Active scanning: scannable advertisers answer with a scan response. */
  active: boolean;
  /** Fraction of time the receiver listens (LE_Scan_Window / LE_Scan_Interval), 0..1. */
  duty: number;
}

/**
 * A node's radio state; `undefined` members are off.
 * @public
 */
export interface RadioState {
  /** Advertising, when enabled. */
  advertising?: AdvertisingState | undefined;
  /** Scanning, when enabled. */
  scanning?: ScanningState | undefined;
}

/**
 * One received packet as the scanner's controller sees it.
 * @public
 */
export interface AirPacket {
  /** Report Event_Type (see REPORT_TYPE). */
  eventType: number;
  /** Advertiser address type. */
  addressType: number;
  /** Advertiser address, 6 bytes little-endian. */
  address: Uint8Array;
  /** Advertising or scan response data. */
  data: Uint8Array;
  /** Received signal strength in dBm. */
  rssi: number;
}

/**
 * How a node joins a medium.
 * @public
 */
export interface RadioEndpoint {
  /** Human-readable name (for pairwise distances and diagnostics). */
  name?: string | undefined;
  /** Initial position; default the origin. */
  position?: Position | undefined;
  /** Called for every packet this node receives while scanning. */
  onPacket(packet: AirPacket): void;
}

/**
 * A node's handle on the medium.
 * @public
 */
export interface RadioLink {
  /** Unique name on the medium. */
  readonly name: string;
  /** Replaces the node's radio state (advertising / scanning). */
  update(state: RadioState): void;
  /** Moves the node. */
  setPosition(position: Position): void;
  /** Leaves the medium; the link is dead afterwards. */
  leave(): void;
}

/**
 * Anything controllers can join: a local {@link RadioMedium} or a remote one over a message port.
 * @public
 */
export interface Medium {
  /** Joins a node and returns its link. */
  join(endpoint: RadioEndpoint): RadioLink;
}

/**
 * Options of {@link RadioMedium}.
 * @public
 */
export interface RadioMediumOptions {
  /** Time source; default `systemClock()` (from `bluezone`). Pass a virtual clock to run faster than real time. */
  clock?: Clock;
  /** Seed of the medium's random numbers (advDelay, noise, scan-window losses); default 1. */
  seed?: number;
  /**
   * Path-loss model parameters, or a model itself (e.g. one whose samples include 127, the RSSI a
   * controller reports when it has none).
   */
  pathLoss?: PathLossOptions | PathLossModel;
}

interface Node {
  name: string;
  position: Position;
  state: RadioState;
  onPacket: (p: AirPacket) => void;
  timer?: TimerHandle | undefined;
}

/** Maximum pseudo-random advDelay added to each advertising event (Core Vol 6 Part B 4.4.2.2.1). */
const ADV_DELAY_MS = 10;

/** The report type a scanner sees for each legacy advertising type. */
function reportType(advType: number): number {
  switch (advType) {
    case ADV_TYPE.advScanInd:
      return REPORT_TYPE.advScanInd;
    case ADV_TYPE.advNonconnInd:
      return REPORT_TYPE.advNonconnInd;
    case ADV_TYPE.advDirectIndHigh:
    case ADV_TYPE.advDirectIndLow:
      return REPORT_TYPE.advDirectInd;
    default:
      return REPORT_TYPE.advInd;
  }
}

function scannable(advType: number): boolean {
  return advType === ADV_TYPE.advInd || advType === ADV_TYPE.advScanInd;
}

/**
 * An in-process shared radio medium.
 * @public
 */
export class RadioMedium implements Medium {
  /** The medium's time source. */
  readonly clock: Clock;
  /** The path-loss model in use. */
  readonly pathLoss: PathLossModel;
  private readonly rng: Rng;
  private readonly nodes = new Map<string, Node>();
  private readonly distances = new Map<string, number>();
  private counter = 0;
  private delivered = 0;

  /** @param options - clock, seed and path-loss model */
  constructor(options: RadioMediumOptions = {}) {
    this.clock = options.clock ?? systemClock();
    this.rng = seededRng(options.seed ?? 1);
    const pl = options.pathLoss;
    this.pathLoss =
      pl !== undefined && typeof (pl as PathLossModel).sample === "function"
        ? (pl as PathLossModel)
        : pathLossModel(pl as PathLossOptions | undefined);
  }

  /** Number of packets delivered to scanners so far. */
  get packetsDelivered(): number {
    return this.delivered;
  }

  /** Names of the nodes currently on the medium. */
  get nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  /** {@inheritDoc Medium.join} */
  join(endpoint: RadioEndpoint): RadioLink {
    const name = endpoint.name ?? `node${++this.counter}`;
    if (this.nodes.has(name)) throw new InvalidArgumentError(`a node named ${name} is already on the medium`);
    const node: Node = {
      name,
      position: endpoint.position ?? { x: 0, y: 0 },
      state: {},
      onPacket: endpoint.onPacket,
    };
    this.nodes.set(name, node);
    const alive = () => {
      if (this.nodes.get(name) !== node) throw new HciEmulatorStateError(`node ${name} has left the medium`);
    };
    return {
      name,
      update: (state) => {
        alive();
        this.setState(node, state);
      },
      setPosition: (p) => {
        alive();
        node.position = p;
      },
      leave: () => {
        if (this.nodes.get(name) !== node) return;
        this.setState(node, {});
        this.nodes.delete(name);
      },
    };
  }

  /**
   * Fixes the distance between two named nodes (overriding their positions), in metres.
   * Order does not matter.
   */
  setDistance(a: string, b: string, metres: number): void {
    if (!(metres >= 0)) throw new InvalidArgumentError(`distance must be ≥ 0, got ${metres}`);
    this.distances.set(pairKey(a, b), metres);
  }

  /** Distance in metres between two nodes on the medium (a configured pair distance wins). */
  distance(a: string, b: string): number {
    const fixed = this.distances.get(pairKey(a, b));
    if (fixed !== undefined) return fixed;
    const p = this.nodes.get(a)?.position;
    const q = this.nodes.get(b)?.position;
    if (!p || !q) throw new InvalidArgumentError(`unknown node ${p ? b : a}`);
    return Math.hypot(p.x - q.x, p.y - q.y, (p.z ?? 0) - (q.z ?? 0));
  }

  private setState(node: Node, state: RadioState): void {
    const wasAdvertising = node.state.advertising !== undefined;
    node.state = state;
    if (state.advertising && !wasAdvertising) {
      this.schedule(node, this.rng.next() * ADV_DELAY_MS);
    } else if (!state.advertising && node.timer) {
      this.clock.clearTimeout(node.timer);
      node.timer = undefined;
    }
  }

  private schedule(node: Node, ms: number): void {
    node.timer = this.clock.setTimeout(() => {
      node.timer = undefined;
      const adv = node.state.advertising;
      if (!adv || this.nodes.get(node.name) !== node) return;
      this.transmit(node, adv);
      this.schedule(node, adv.intervalMs + this.rng.next() * ADV_DELAY_MS);
    }, ms);
  }

  /** One advertising event: every scanning node in range may receive it (and its scan response). */
  private transmit(from: Node, adv: AdvertisingState): void {
    for (const to of this.nodes.values()) {
      const scan = to.state.scanning;
      if (to === from || !scan) continue;
      if (scan.duty < 1 && this.rng.next() >= scan.duty) continue;
      const d = this.distance(from.name, to.name);
      const rssi = this.pathLoss.sample(d, this.rng);
      if (rssi === undefined) continue;
      const base = { addressType: adv.addressType, address: adv.address };
      this.deliver(to, { ...base, eventType: reportType(adv.type), data: adv.data, rssi });
      if (scan.active && scannable(adv.type)) {
        const rspRssi = this.pathLoss.sample(d, this.rng);
        if (rspRssi !== undefined) {
          this.deliver(to, {
            ...base,
            eventType: REPORT_TYPE.scanRsp,
            data: adv.scanResponse,
            rssi: rspRssi,
          });
        }
      }
    }
  }

  private deliver(to: Node, packet: AirPacket): void {
    this.delivered++;
    to.onPacket(packet);
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}
