/**
 * The transport seam: what the tracer needs from a radio. Implementations: the simulated in-memory
 * medium (simulator, unit tests) and the BLE transport on noble + bleno (`bluezone/ble`). Every
 * implementation passes the same conformance suite (`transportConformance` in `bluezone/testing`).
 */
import type { MalformedAdvertisementError } from "../errors";
import type { Payload } from "../protocol/payload";

/**
 * Adapter states, as noble and bleno report them.
 * @public
 */
export type AdapterState =
  | "unknown"
  | "resetting"
  | "unsupported"
  | "unauthorized"
  | "poweredOff"
  | "poweredOn";

/**
 * One advertiser heard by the scanner: its decoded payload and one or more RSSI samples.
 * @public
 */
export interface ScanReport {
  /** Decoded identifier payload (copies; the transport may reuse its buffers afterwards). */
  payload: Payload;
  /**
   * RSSI samples in dBm, one per packet heard (a batch transport may deliver many at once). The BLE
   * transport never reports a packet whose RSSI is 127 (HCI's "not available"); consumers ignore
   * 127 from any transport (the scan aggregator does).
   */
  rssi: readonly number[];
  /** Advertiser's (random, rotating) device address, when the radio reports one. */
  address?: string;
}

/**
 * Callbacks of a running scan.
 * @public
 */
export interface ScanListener {
  /** Our advertisements, decoded. Never called for foreign packets. */
  onReport(report: ScanReport): void;
  /** Advertisements that claimed our service but were malformed (counted, never fatal). */
  onMalformed?(error: MalformedAdvertisementError): void;
}

/**
 * Options every transport accepts for payload decoding.
 * @public
 */
export interface TransportPayloadOptions {
  /** EN service UUID (16-bit); default 0xFD6F. */
  serviceUuid?: number;
}

/**
 * A radio that can advertise one payload and scan for others.
 * @public
 */
export interface Transport {
  /** Short name for logs, e.g. `"simulated"` or `"ble"`. */
  readonly name: string;
  /** Current adapter state. */
  state(): AdapterState;
  /** Subscribes to adapter state changes; returns an unsubscribe function. */
  onStateChange(listener: (state: AdapterState) => void): () => void;
  /**
   * Starts (or replaces) the advertisement. A transport that can must change the device address
   * whenever the payload changes, so address and identifier rotate together.
   */
  startAdvertising(payload: Payload): Promise<void>;
  /** Stops advertising; a no-op when not advertising. */
  stopAdvertising(): Promise<void>;
  /**
   * Starts scanning (duplicates allowed, so repeated RSSI is reported). Reports may arrive live or in
   * a batch before {@link Transport.stopScanning} resolves; either way they arrive before it resolves.
   */
  startScanning(listener: ScanListener): Promise<void>;
  /** Stops scanning; all reports of the scan have been delivered when it resolves. */
  stopScanning(): Promise<void>;
  /** Releases the radio. */
  close(): Promise<void>;
}
