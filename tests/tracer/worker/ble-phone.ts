/**
 * One phone in a worker thread: the real tracer on the BLE transport, on real noble + bleno sharing
 * one emulated controller, on the shared medium behind the port in workerData. The worker's own
 * virtual clock follows the hub's time (connectRemoteMedium with `clock`).
 *
 * Messages from the test: `stop` → `report` (own identifiers per interval, sightings, own released
 * keys); `check` with the other phone's keys → `checked` (checkExposure verdict, default policy);
 * `exit` → releases everything.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { toHex } from "../../../src/bytes";
import { settle, virtualClock } from "../../../src/clock";
import { createMemoryLog } from "../../../src/log/index";
import type { ExposureKey } from "../../../src/match/index";
import { checkExposure } from "../../../src/match/index";
import { type GaenSchedule, INTERVAL_MS } from "../../../src/protocol/index";
import { getPolicy } from "../../../src/proximity/index";
import { createTracer } from "../../../src/tracer/index";
import { createBleTransport } from "../../../src/transport/ble";
import {
  connectRemoteMedium,
  EmulatedHciController,
  emulatedBleModules,
  seededRng,
} from "../../../src/transport/hci-emulator/index";

/** What the test passes in workerData. */
export interface BlePhoneData {
  name: string;
  seed: number;
  t0: number;
  minutes: number;
  port: MessagePort;
}

/** Starts the phone and answers the test's messages. */
export async function runBlePhone(): Promise<void> {
  const data = workerData as BlePhoneData;
  const out = parentPort!;
  const clock = virtualClock(data.t0);
  const medium = connectRemoteMedium(data.port, { clock });
  // No controller privacy: the transport itself rotates the address with each identifier.
  const ctl = new EmulatedHciController({ medium, name: data.name, seed: data.seed, rotateAddress: false });
  const modules = emulatedBleModules(ctl);
  const rng = seededRng(data.seed * 1000 + 1);
  const random = (n: number) => rng.bytes(n);
  const transport = createBleTransport({ modules, clock, random });
  const log = createMemoryLog();
  const tracer = createTracer({ transport, log, clock, random, metadata: { txPower: 0 } });
  for (let i = 0; i < 200 && transport.state() !== "poweredOn"; i++) await settle();
  await tracer.start();
  out.postMessage({ type: "ready", name: data.name });

  out.on("message", async (m: { type: string; keys?: ExposureKey[] }) => {
    if (m.type === "check") {
      const r = await checkExposure(log, m.keys!, { policy: getPolicy("default") });
      out.postMessage({ type: "checked", status: r.assessment.status, windows: r.windows.length });
      return;
    }
    if (m.type === "stop") {
      await tracer.stop();
      const sightings = (await log.range(0, Number.MAX_SAFE_INTEGER)).map((s) => ({
        id: toHex(s.identifier),
        time: s.time,
        meanRssi: s.meanRssi,
        maxRssi: s.maxRssi,
        packets: s.packets,
      }));
      const schedule = tracer.schedule();
      const own = Array.from({ length: Math.ceil((data.minutes * 60_000) / INTERVAL_MS) }, (_, i) =>
        toHex(schedule.at(data.t0 + i * INTERVAL_MS).identifier),
      );
      const keys = (schedule as GaenSchedule).releaseKeys({ includeToday: true }); // scheme gaen
      out.postMessage({ type: "report", own, sightings, keys, status: tracer.status() });
      return;
    }
    if (m.type !== "exit") return;
    await transport.close();
    modules.dispose();
    ctl.close();
    data.port.close();
    out.close();
  });
}
