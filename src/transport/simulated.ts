/**
 * A simulated radio medium: transports on one time line, whose scanners hear the advertisers the
 * medium's link function says they hear. Reports are delivered in one batch per scan (each neighbour
 * with its RSSI samples) when the scan stops, which is what makes simulating thousands of phones cheap.
 */
import type { RandomBytes } from "../bytes";
import type { Clock } from "../clock";
import { BluezoneError, InvalidArgumentError } from "../errors";
import type { Payload } from "../protocol/payload";
import type { AdapterState, ScanListener, Transport } from "./types";

/**
 * RSSI samples that `scanner` hears from `advertiser` between `from` and `to` (unix ms); empty if none.
 * @public
 */
export type LinkFunction = (
  advertiser: string,
  scanner: string,
  from: number,
  to: number,
) => readonly number[];

/**
 * Options of {@link createSimulatedMedium}.
 * @public
 */
export interface SimulatedMediumOptions {
  /** The shared time line. */
  clock: Pick<Clock, "now">;
  /** Who hears whom, with which RSSI. */
  link: LinkFunction;
  /** Random bytes for rotating device addresses. */
  random: RandomBytes;
  /**
   * Which advertisers a scanner could hear (a spatial index in the simulator); every other station by
   * default.
   */
  candidates?: (scanner: string) => Iterable<string>;
  /**
   * Advertisers that are not stations of this medium (phones simulated in another worker): what they
   * have on air at `time` — the end of a scan, when local stations are read too — or undefined when
   * silent, and since when (unix ms; like a local station's advertising start, only the part of the scan
   * after it is heard). Consulted for candidates without a local station.
   */
  remote?: (id: string, time: number) => { payload: Payload; address?: string; since?: number } | undefined;
}

/**
 * A simulated transport, with test hooks the BLE transport does not have.
 * @public
 */
export interface SimulatedTransport extends Transport {
  /** The station id in the medium. */
  readonly id: string;
  /** Current random device address (changes with every new payload). */
  address(): string | undefined;
  /** Forces an adapter state (e.g. `poweredOff`) to test the tracer's recovery. */
  setState(state: AdapterState): void;
  /** Makes the next `count` calls of `op` reject, to test back-off. */
  failNext(op: "startAdvertising" | "startScanning", count?: number): void;
}

/**
 * A shared medium of simulated transports.
 * @public
 */
export interface SimulatedMedium {
  /** Creates a station with the given id (unique in the medium). */
  createTransport(id: string): SimulatedTransport;
  /** Ids of all stations. */
  stations(): string[];
}

/**
 * Error a simulated transport raises on injected faults.
 * @public
 */
export class SimulatedTransportError extends BluezoneError {
  /** @param message - what failed */
  constructor(message: string) {
    super("ERR_SIMULATED_TRANSPORT", message);
  }
}

interface Station {
  payload?: Payload;
  address?: string;
  advertisingSince?: number;
  scan?: { listener: ScanListener; from: number };
}

/**
 * Creates a simulated medium.
 * @throws InvalidArgumentError without options, or when `clock` (with `now`), `link` or `random` is
 *   missing
 * @public
 */
export function createSimulatedMedium(options: SimulatedMediumOptions): SimulatedMedium {
  if (typeof options !== "object" || options === null)
    throw new InvalidArgumentError("createSimulatedMedium needs options: { clock, link, random }");
  const { clock, link, random } = options;
  if (typeof clock?.now !== "function")
    throw new InvalidArgumentError("createSimulatedMedium: options.clock is missing");
  if (typeof link !== "function")
    throw new InvalidArgumentError("createSimulatedMedium: options.link is missing");
  if (typeof random !== "function")
    throw new InvalidArgumentError("createSimulatedMedium: options.random is missing");
  const stations = new Map<string, Station>();
  const candidates = options.candidates ?? (() => stations.keys());

  return {
    stations: () => [...stations.keys()],
    createTransport(id) {
      if (stations.has(id)) throw new SimulatedTransportError(`station "${id}" already exists`);
      const me: Station = {};
      stations.set(id, me);
      let state: AdapterState = "poweredOn";
      const stateListeners = new Set<(s: AdapterState) => void>();
      const faults = { startAdvertising: 0, startScanning: 0 };
      const ensureOn = (op: string) => {
        if (state !== "poweredOn") throw new SimulatedTransportError(`${op}: adapter is ${state}`);
      };
      const transport: SimulatedTransport = {
        name: "simulated",
        id,
        address: () => me.address,
        state: () => state,
        onStateChange(l) {
          stateListeners.add(l);
          return () => stateListeners.delete(l);
        },
        setState(s) {
          state = s;
          if (s !== "poweredOn") {
            me.payload = undefined;
            me.scan = undefined;
          }
          for (const l of stateListeners) l(s);
        },
        failNext(op, count = 1) {
          faults[op] += count;
        },
        async startAdvertising(payload) {
          if (faults.startAdvertising > 0) {
            faults.startAdvertising--;
            throw new SimulatedTransportError("startAdvertising: injected fault");
          }
          ensureOn("startAdvertising");
          me.payload = payload;
          me.address = Buffer.from(random(6)).toString("hex");
          me.advertisingSince = clock.now();
        },
        async stopAdvertising() {
          me.payload = undefined;
          me.advertisingSince = undefined;
        },
        async startScanning(listener) {
          if (faults.startScanning > 0) {
            faults.startScanning--;
            throw new SimulatedTransportError("startScanning: injected fault");
          }
          ensureOn("startScanning");
          me.scan = { listener, from: clock.now() };
        },
        async stopScanning() {
          const scan = me.scan;
          me.scan = undefined;
          if (!scan) return;
          const to = clock.now();
          for (const other of candidates(id)) {
            if (other === id) continue;
            const st = stations.get(other);
            let payload: Payload | undefined;
            let address: string | undefined;
            let from = scan.from;
            if (st) {
              if (!st.payload || st.advertisingSince === undefined) continue;
              payload = st.payload;
              address = st.address;
              from = Math.max(from, st.advertisingSince);
            } else {
              const r = options.remote?.(other, to);
              if (!r) continue;
              payload = r.payload;
              address = r.address;
              if (r.since !== undefined) from = Math.max(from, r.since);
            }
            if (from >= to) continue;
            const rssi = link(other, id, from, to);
            if (rssi.length > 0) {
              scan.listener.onReport({ payload, rssi, ...(address !== undefined ? { address } : {}) });
            }
          }
        },
        async close() {
          me.payload = undefined;
          me.scan = undefined;
          stations.delete(id);
        },
      };
      return transport;
    },
  };
}
