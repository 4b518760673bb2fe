/**
 * One virtual phone in a worker thread: an emulated controller on the shared medium (through the port
 * in workerData), real noble scanning with duplicates and real bleno advertising a GAEN payload.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import {
  decodeNobleAdvertisement,
  encodeAdvertisingData,
  type NobleAdvertisementLike,
} from "../../../src/protocol/payload";
import {
  connectRemoteMedium,
  EmulatedHciController,
  loadNobleAndBleno,
} from "../../../src/transport/hci-emulator/index";
import { gaenPayload, hex } from "../fixtures";

/** What the test passes in workerData. */
export interface PhoneData {
  name: string;
  seed: number;
  payloadSeed: number;
  port: MessagePort;
}

/** Starts the phone; posts `ready`, then one `seen` per decoded advertisement; `stop` disposes it. */
export function runPhone(): void {
  const data = workerData as PhoneData;
  const out = parentPort!;
  const medium = connectRemoteMedium(data.port);
  const ctl = new EmulatedHciController({ medium, name: data.name, seed: data.seed });
  const { noble, bleno, dispose } = loadNobleAndBleno({ socketFactory: () => ctl.openSocket() });
  let advertising = false;
  let scanning = false;
  const ready = () => advertising && scanning && out.postMessage({ type: "ready", name: data.name });
  bleno!.on("stateChange", (s) => {
    if (s !== "poweredOn" || advertising) return;
    bleno!.startAdvertisingWithEIRData(
      Buffer.from(encodeAdvertisingData(gaenPayload(data.payloadSeed))),
      (e) => {
        if (e) throw e;
        advertising = true;
        ready();
      },
    );
  });
  noble!.on("stateChange", (s: string) => {
    if (s === "poweredOn" && !scanning) noble!.startScanning([], true);
  });
  noble!.on("scanStart", () => {
    scanning = true;
    ready();
  });
  noble!.on("discover", (p) => {
    const r = decodeNobleAdvertisement(p.advertisement as NobleAdvertisementLike);
    if (r.status === "ok" && r.payload.scheme === "gaen") {
      out.postMessage({ type: "seen", by: data.name, rpi: hex(r.payload.rpi), rssi: p.rssi });
    }
  });
  out.on("message", (m: { type: string }) => {
    if (m.type !== "stop") return;
    dispose();
    ctl.close();
    data.port.close();
    out.postMessage({ type: "stopped" });
    out.close();
  });
}
