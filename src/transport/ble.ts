/**
 * The BLE transport: scanning with `@abandonware/noble`, advertising with `@abandonware/bleno`.
 * Both are optional dependencies and are loaded lazily by {@link loadBleModules} — importing bluezone
 * never loads them. Tests and the example's `--emulate` mode pass modules bound to the emulated HCI
 * controller instead.
 */
import { createRequire } from "node:module";
import { systemClock, type Clock } from "../clock";
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
import type { AdapterState, ScanListener, Transport } from "./types";

/** The parts of a noble instance the transport uses. */
export interface NobleLike {
  state: string;
  on(event: "stateChange", fn: (state: string) => void): unknown;
  on(
    event: "discover",
    fn: (p: { address?: string; rssi: number; advertisement: NobleAdvertisementLike }) => void,
  ): unknown;
  removeListener(event: string, fn: (...args: never[]) => void): unknown;
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
}

/** The parts of a bleno instance the transport uses. */
export interface BlenoLike {
  state: string;
  on(event: string, fn: (...args: never[]) => void): unknown;
  once(event: string, fn: (...args: never[]) => void): unknown;
  removeListener(event: string, fn: (...args: never[]) => void): unknown;
  startAdvertisingWithEIRData(
    advertisementData: Buffer,
    scanData?: Buffer | null,
    callback?: (err?: Error) => void,
  ): void;
  stopAdvertising(callback?: () => void): void;
}

/** A noble and a bleno instance. */
export interface BleModules {
  noble: NobleLike;
  bleno: BlenoLike;
}

/**
 * Loads the real noble and bleno (lazily, on first call). Failures become typed errors with the fix
 * in the message: {@link BluetoothUnavailableError} (no adapter or socket, or the packages missing),
 * {@link BluetoothPermissionError}, {@link BluetoothBusyError}.
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

/** Options of {@link createBleTransport}. */
export interface BleTransportOptions {
  /** noble and bleno instances; the real ones (lazily loaded) when absent. */
  modules?: BleModules;
  /** EN service UUID; default 0xFD6F. */
  serviceUuid?: number;
  /** Clock for operation time-outs; the system clock by default. */
  clock?: Clock;
  /** How long an advertising start/stop may take before it counts as failed; default 5 s. */
  timeoutMs?: number;
}

const STATE_RANK: Record<AdapterState, number> = {
  unknown: 0,
  resetting: 1,
  unsupported: 2,
  unauthorized: 3,
  poweredOff: 4,
  poweredOn: 5,
};

function asState(s: string): AdapterState {
  return s in STATE_RANK ? (s as AdapterState) : "unknown";
}

/** Noble's service filter: unpadded (`fff`) and padded (`0fff`) forms, since noble reports both. */
function scanFilter(serviceUuid: number): string[] {
  const forms = [serviceUuid, BLUEZONE_SERVICE_UUID].flatMap((u) => [
    u.toString(16),
    u.toString(16).padStart(4, "0"),
  ]);
  return [...new Set(forms)];
}

/** Creates a BLE transport on noble (scanner) and bleno (advertiser). */
export function createBleTransport(options: BleTransportOptions = {}): Transport {
  const { noble, bleno } = options.modules ?? loadBleModules();
  const serviceUuid = options.serviceUuid ?? EN_SERVICE_UUID;
  const clock = options.clock ?? systemClock();
  const timeoutMs = options.timeoutMs ?? 5_000;
  const listeners = new Set<(s: AdapterState) => void>();
  let scan: ScanListener | undefined;
  let advertising = false;

  const state = (): AdapterState => {
    const a = asState(noble.state);
    const b = asState(bleno.state);
    return STATE_RANK[a] <= STATE_RANK[b] ? a : b;
  };
  let last = state();
  const onState = () => {
    const s = state();
    if (s === last) return;
    last = s;
    if (s !== "poweredOn") advertising = false;
    for (const l of listeners) l(s);
  };
  noble.on("stateChange", onState);
  bleno.on("stateChange", onState);

  const onDiscover = (p: { address?: string; rssi: number; advertisement: NobleAdvertisementLike }) => {
    const l = scan;
    if (!l) return;
    const r = decodeNobleAdvertisement(p.advertisement, { serviceUuid });
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

  /** Waits for one of bleno's events, failing on its error event or a time-out. */
  const blenoOp = (op: string, okEvent: string, errEvent: string | undefined, start: () => void) =>
    new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: unknown) => {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        bleno.removeListener(okEvent, ok);
        if (errEvent) bleno.removeListener(errEvent, bad);
        if (err)
          reject(
            err instanceof Error
              ? classifyBluetoothError(err)
              : new BluetoothOperationError(`${op}: ${String(err)}`),
          );
        else resolve();
      };
      const ok = (err?: unknown) => finish(err ?? undefined);
      const bad = (err?: unknown) => finish(err ?? new BluetoothOperationError(`${op} failed`));
      const timer = clock.setTimeout(
        () => finish(new BluetoothOperationError(`${op} timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      bleno.once(okEvent, ok as (...args: never[]) => void);
      if (errEvent) bleno.once(errEvent, bad as (...args: never[]) => void);
      try {
        start();
      } catch (err) {
        finish(err);
      }
    });

  const stopAdvertising = async () => {
    if (!advertising) return;
    advertising = false;
    await blenoOp("stopAdvertising", "advertisingStop", undefined, () => bleno.stopAdvertising());
  };

  return {
    name: "ble",
    state,
    onStateChange(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async startAdvertising(payload) {
      requireOn("startAdvertising");
      // Stopping first lets the controller take a new random address with the new payload.
      await stopAdvertising();
      const data = Buffer.from(encodeAdvertisingData(payload, { serviceUuid }));
      await blenoOp("startAdvertising", "advertisingStart", "advertisingStartError", () =>
        bleno.startAdvertisingWithEIRData(data, Buffer.alloc(0)),
      );
      advertising = true;
    },
    stopAdvertising,
    async startScanning(listener) {
      requireOn("startScanning");
      scan = listener;
      try {
        await noble.startScanningAsync(scanFilter(serviceUuid), true);
      } catch (err) {
        scan = undefined;
        throw classifyBluetoothError(err);
      }
    },
    async stopScanning() {
      const stopping = scan;
      if (!stopping) return;
      try {
        // Packets noble reports until the controller confirms the stop were heard during this scan:
        // they still go to its listener (the contract: all of a scan's reports arrive before this
        // resolves), instead of being dropped at every scan restart.
        await noble.stopScanningAsync();
      } catch (err) {
        throw classifyBluetoothError(err);
      } finally {
        if (scan === stopping) scan = undefined;
      }
    },
    async close() {
      scan = undefined;
      await stopAdvertising().catch(() => undefined);
      noble.removeListener("discover", onDiscover as (...args: never[]) => void);
      noble.removeListener("stateChange", onState as (...args: never[]) => void);
      bleno.removeListener("stateChange", onState as (...args: never[]) => void);
      listeners.clear();
    },
  };
}
