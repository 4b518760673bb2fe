/** The BLE transport delivers packets noble reports while a scan is stopping to that scan's listener. */
import { EventEmitter } from "node:events";
import { expect, it } from "vitest";
import { encodeAdvertisingData, type ScanReport } from "../../src/index";
import { createBleTransport } from "../../src/transport/ble";

it("a packet reported between stopScanning() and noble's confirmation is not dropped", async () => {
  const noble = Object.assign(new EventEmitter(), {
    state: "poweredOn",
    startScanningAsync: async () => undefined,
    stopScanningAsync: async () => {
      // the controller still hears a packet before it confirms the stop
      noble.emit("discover", {
        rssi: -60,
        advertisement: {
          serviceData: [
            {
              uuid: "fd6f",
              data: Buffer.from(
                encodeAdvertisingData({
                  scheme: "gaen",
                  rpi: new Uint8Array(16).fill(1),
                  aem: new Uint8Array(4),
                }).subarray(11),
              ),
            },
          ],
        },
      });
    },
  });
  const bleno = Object.assign(new EventEmitter(), {
    state: "poweredOn",
    startAdvertisingWithEIRData: () => undefined,
    stopAdvertising: () => undefined,
  });
  const transport = createBleTransport({ modules: { noble, bleno } as never });
  const reports: ScanReport[] = [];
  await transport.startScanning({ onReport: (r) => reports.push(r) });
  await transport.stopScanning();
  expect(reports).toHaveLength(1);
  noble.emit("discover", {
    rssi: -60,
    advertisement: { serviceData: [{ uuid: "fd6f", data: new Uint8Array(20) }] },
  });
  expect(reports).toHaveLength(1); // after the stop resolved, nothing reaches the old listener
  await transport.close();
});
