/**
 * The BLE transport: scanning with `@abandonware/noble`, advertising with `@abandonware/bleno`.
 * Both are optional dependencies and are loaded lazily by {@link loadBleModules} — importing bluezone
 * never loads them. Tests and the example's `--emulate` mode pass modules bound to the emulated HCI
 * controller instead.
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import type { RandomBytes } from "../bytes";
import { type Clock, systemClock } from "../clock";
import { RSSI_NOT_AVAILABLE } from "../rssi";
import {
  decodeNobleAdvertisement,
  EN_SERVICE_UUID,
  BLUEZONE_SERVICE_UUID,
  encodeAdvertisingData,
  type NobleAdvertisementLike,
} from "../protocol/payload";
import {
  BluetoothOperationError,
  BluetoothPermissionError,
  BluetoothUnavailableError,
  classifyBluetoothError,
} from "./ble-errors";
import { blenoHciSocket, rotateAdvertisingAddress } from "./ble-hci";
import { nonResolvablePrivateAddress } from "./hci-emulator/packets";
import type { AdapterState, ScanListener, Transport } from "./types";

/**
 * The parts of a noble instance the transport uses.
 * @public
 */
export interface NobleLike {
  /** Adapter state as noble reports it ("poweredOn", "poweredOff", "unauthorized", …). */
  state: string;
  /** Adapter state changes. */
  on(event: "stateChange", fn: (state: string) => void): unknown;
  /** One received advertisement: sender address (when known), RSSI in dBm, and its parsed fields. */
  on(
    event: "discover",
    fn: (p: { address?: string; rssi: number; advertisement: NobleAdvertisementLike }) => void,
  ): unknown;
  /** Removes a listener added with `on`. */
  removeListener(event: string, fn: (...args: never[]) => void): unknown;
  /** Starts scanning for the given 16-bit service UUIDs (hex); duplicates on to see every packet. */
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>;
  /** Stops scanning. */
  stopScanningAsync(): Promise<void>;
}

/**
 * The parts of a bleno instance the transport uses.
 * @public
 */
export interface BlenoLike {
  /** Adapter state as bleno reports it ("poweredOn", "poweredOff", "unauthorized", …). */
  state: string;
  /** Adds a listener ("stateChange", "advertisingStart", …). */
  on(event: string, fn: (...args: never[]) => void): unknown;
  /** Adds a listener called once. */
  once(event: string, fn: (...args: never[]) => void): unknown;
  /** Removes a listener. */
  removeListener(event: string, fn: (...args: never[]) => void): unknown;
  /** Puts raw advertising data (≤ 31 bytes, AD structures) and optional scan-response data on air. */
  startAdvertisingWithEIRData(
    advertisementData: Buffer,
    scanData?: Buffer | null,
    callback?: (err?: Error) => void,
  ): void;
  /** Takes the advertisement off air. */
  stopAdvertising(callback?: () => void): void;
}

/**
 * A noble and a bleno instance.
 * @public
 */
export interface BleModules {
  /** The scanning side. */
  noble: NobleLike;
  /** The advertising side. */
  bleno: BlenoLike;
}

/**
 * Loads the real noble and bleno (lazily, on first call). Failures become typed errors with the fix
 * in the message: {@link BluetoothUnavailableError} (no adapter or socket, or the packages missing),
 * {@link BluetoothPermissionError}, {@link BluetoothBusyError}.
 * @public
 */
export function loadBleModules(): BleModules {
  const require = createRequire(import.meta.url);
  try {
    const noble = require("@abandonware/noble") as NobleLike;
    const bleno = require("@abandonware/bleno") as BlenoLike;
    return { noble, bleno };
  } catch (err) {
    throw classifyBluetoothError(err);
  }
}

/**
 * Who picks the advertising address:
 * - `"host"`: the transport sets a fresh non-resolvable private address (LE Set Random Address) and
 *   non-connectable parameters with Own_Address_Type random before each payload, through bleno's HCI
 *   socket. Needs bleno's hci-socket bindings (Linux, or the emulator).
 * - `"controller"`: bleno's defaults (ADV_IND, Own_Address_Type public); the address rotates only if
 *   the controller/kernel applies privacy (see docs/ble.md).
 * - `"auto"` (default): `"host"` when bleno's HCI socket is reachable, else `"controller"`.
 * @public
 */
export type AddressRotation = "auto" | "host" | "controller";

/**
 * Options of {@link createBleTransport}.
 * @public
 */
export interface BleTransportOptions {
  /** noble and bleno instances; the real ones (lazily loaded) when absent. */
  modules?: BleModules;
  /** EN service UUID; default 0xFD6F. */
  serviceUuid?: number;
  /** Clock for operation time-outs; the system clock by default. */
  clock?: Clock;
  /** How long a radio operation may take before it counts as failed; default 5 s. */
  timeoutMs?: number;
  /** Who rotates the advertising address; default `"auto"`. */
  addressRotation?: AddressRotation;
  /** Random bytes for the private addresses; `crypto.randomBytes` by default. */
  random?: RandomBytes;
}

/** Worst first: the combined state is the worst of noble's and bleno's. */
const STATE_SEVERITY: Record<AdapterState, number> = {
  unsupported: 0,
  unauthorized: 1,
  poweredOff: 2,
  resetting: 3,
  unknown: 4,
  poweredOn: 5,
};

function asState(s: string): AdapterState {
  return s in STATE_SEVERITY ? (s as AdapterState) : "unknown";
}

/**
 * The adapter state of a phone whose scanner and advertiser report separately: the worse of the two
 * (an error state such as `unauthorized` wins over a transient `unknown`); `poweredOn` only when both are.
 * @public
 */
export function combineAdapterStates(a: string, b: string): AdapterState {
  const x = asState(a);
  const y = asState(b);
  return STATE_SEVERITY[x] <= STATE_SEVERITY[y] ? x : y;
}

/** Noble's service filter: unpadded (`fff`) and padded (`0fff`) forms, since noble reports both. */
function scanFilter(serviceUuid: number): string[] {
  const forms = [serviceUuid, BLUEZONE_SERVICE_UUID].flatMap((u) => [
    u.toString(16),
    u.toString(16).padStart(4, "0"),
  ]);
  return [...new Set(forms)];
}

/** Rejects with a BluetoothOperationError when `p` does not settle within `ms` on `clock`. */
function withTimeout<T>(p: Promise<T>, op: string, clock: Clock, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(
      () => reject(new BluetoothOperationError(`${op} timed out after ${ms} ms`)),
      ms,
    );
    p.then(
      (v) => {
        clock.clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clock.clearTimeout(timer);
        reject(classifyBluetoothError(err));
      },
    );
  });
}

/**
 * Creates a BLE transport on noble (scanner) and bleno (advertiser). Operations run one at a time in
 * call order. See {@link AddressRotation} for how the address rotates with the payload.
 * @public
 */
export function createBleTransport(options: BleTransportOptions = {}): Transport {
  const { noble, bleno } = options.modules ?? loadBleModules();
  const serviceUuid = options.serviceUuid ?? EN_SERVICE_UUID;
  const clock = options.clock ?? systemClock();
  const timeoutMs = options.timeoutMs ?? 5_000;
  const random = options.random ?? randomBytes;
  const rotation = options.addressRotation ?? "auto";
  const hci = rotation === "controller" ? undefined : blenoHciSocket(bleno);
  if (rotation === "host" && !hci) {
    throw new BluetoothUnavailableError(
      'addressRotation "host" needs bleno\'s hci-socket bindings (Linux); use "controller" elsewhere',
    );
  }
  const listeners = new Set<(s: AdapterState) => void>();
  let scan: ScanListener | undefined;
  let scanning = false;
  let advertising = false;
  let queue: Promise<unknown> = Promise.resolve();
  /** Runs radio operations one at a time, in call order. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const state = (): AdapterState => combineAdapterStates(noble.state, bleno.state);
  let last = state();
  const onState = () => {
    const s = state();
    if (s === last) return;
    last = s;
    if (s !== "poweredOn") {
      advertising = false;
      scanning = false;
    }
    for (const l of listeners) l(s);
  };
  noble.on("stateChange", onState);
  bleno.on("stateChange", onState);

  const onDiscover = (p: { address?: string; rssi: number; advertisement: NobleAdvertisementLike }) => {
    const l = scan;
    if (!l) return;
    // noble reuses one advertisement object per address; the decoder copies what it keeps.
    const r = decodeNobleAdvertisement(p.advertisement, { serviceUuid });
    // RSSI 127 is the controller's "not available": a packet without a signal level says nothing
    // about distance, so it is not reported (nor is a non-numeric RSSI).
    if (r.status === "ok" && (typeof p.rssi !== "number" || p.rssi === RSSI_NOT_AVAILABLE)) return;
    if (r.status === "ok")
      l.onReport({ payload: r.payload, rssi: [p.rssi], ...(p.address ? { address: p.address } : {}) });
    else if (r.status === "malformed") l.onMalformed?.(r.error);
  };
  noble.on("discover", onDiscover);

  const requireOn = (op: string) => {
    const s = state();
    if (s === "poweredOn") return;
    if (s === "unauthorized") throw new BluetoothPermissionError(`${op}: adapter state is unauthorized`);
    if (s === "unsupported") throw new BluetoothUnavailableError(`${op}: adapter state is unsupported`);
    throw new BluetoothOperationError(`${op}: adapter is ${s}, not poweredOn`);
  };

  /**
   * Waits for one of bleno's events, failing on its error event or a time-out. Listens to events, not
   * bleno's callbacks: bleno skips the callback when it emits `advertisingStartError`.
   */
  const blenoOp = (op: string, okEvent: string, errEvent: string | undefined, start: () => void) =>
    withTimeout(
      new Promise<void>((resolve, reject) => {
        const cleanup = () => {
          bleno.removeListener(okEvent, ok);
          if (errEvent) bleno.removeListener(errEvent, bad);
        };
        const ok = ((err?: Error | null) => {
          cleanup();
          if (err) reject(err);
          else resolve();
        }) as (...args: never[]) => void;
        const bad = ((err?: Error) => {
          cleanup();
          reject(err ?? new BluetoothOperationError(`${op} failed`));
        }) as (...args: never[]) => void;
        bleno.once(okEvent, ok);
        if (errEvent) bleno.once(errEvent, bad);
        try {
          start();
        } catch (err) {
          cleanup();
          reject(err);
        }
      }),
      op,
      clock,
      timeoutMs,
    );

  const stopAdvertisingNow = async () => {
    if (!advertising) return;
    advertising = false;
    await blenoOp("stopAdvertising", "advertisingStop", undefined, () => bleno.stopAdvertising());
  };
  const startScan = () =>
    withTimeout(noble.startScanningAsync(scanFilter(serviceUuid), true), "startScanning", clock, timeoutMs);
  const stopScan = () => withTimeout(noble.stopScanningAsync(), "stopScanning", clock, timeoutMs);

  /** New private address with the new payload; LE Set Random Address is refused while scanning. */
  const rotateAddress = async () => {
    if (!hci) return;
    const paused = scanning;
    if (paused) await stopScan();
    try {
      await rotateAdvertisingAddress(hci, nonResolvablePrivateAddress(random), clock, timeoutMs);
    } finally {
      if (paused) await startScan();
    }
  };

  return {
    name: "ble",
    state,
    onStateChange(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    startAdvertising: (payload) =>
      serial(async () => {
        requireOn("startAdvertising");
        const data = Buffer.from(encodeAdvertisingData(payload, { serviceUuid }));
        // Stopped first: the address may only change while advertising is off.
        await stopAdvertisingNow();
        await rotateAddress();
        await blenoOp("startAdvertising", "advertisingStart", "advertisingStartError", () =>
          bleno.startAdvertisingWithEIRData(data, Buffer.alloc(0)),
        );
        advertising = true;
      }),
    stopAdvertising: () => serial(stopAdvertisingNow),
    startScanning: (listener) =>
      serial(async () => {
        requireOn("startScanning");
        scan = listener;
        try {
          await startScan();
          scanning = true;
        } catch (err) {
          scan = undefined;
          throw err;
        }
      }),
    stopScanning: () =>
      serial(async () => {
        if (!scan) return;
        // Reports the controller sent before scanning stopped still arrive until noble confirms.
        try {
          if (scanning) await stopScan();
        } finally {
          scanning = false;
          scan = undefined;
        }
      }),
    close: () =>
      serial(async () => {
        if (scanning) await stopScan().catch(() => undefined);
        scanning = false;
        scan = undefined;
        await stopAdvertisingNow().catch(() => undefined);
        noble.removeListener("discover", onDiscover as (...args: never[]) => void);
        noble.removeListener("stateChange", onState as (...args: never[]) => void);
        bleno.removeListener("stateChange", onState as (...args: never[]) => void);
        listeners.clear();
      }),
  };
}
