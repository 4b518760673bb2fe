/**
 * Scanner load: 500 emulated devices advertising every 250 ms (2,000 advertisements/s) for 60 s of
 * virtual time, through the scanner path into a contact log; every advertisement must be counted in a
 * sighting (count in = count aggregated), memory must stay bounded, and CPU time per advertisement is
 * reported.
 *
 * `direct`: noble-shaped advertisement objects (as noble's `discover` hands them over) →
 * `decodeNobleAdvertisement` → the scan aggregator (continuous scanning, 10 s scans, like the tracer) →
 * `record()` per scan, into the memory log and into a LevelDB log (sync off and on).
 * `hci`: the same load over the radio emulator: 500 emulated controllers advertising raw EN payloads on a
 * virtual-clock medium, the real noble on an emulated controller, the BLE transport and the tracer
 * (continuous scan cycle) writing to a memory log. Counted in = noble `discover` events that decode.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  type ContactLog,
  createMemoryLog,
  createScanAggregator,
  createTracer,
  decodeNobleAdvertisement,
  deriveRpi,
  deriveRpik,
  encodeAdvertisingData,
  openLevelLog,
  virtualClock,
} from "../src/index";
import { createBleTransport } from "../src/transport/ble";
import {
  EmulatedHciController,
  loadNobleAndBleno,
  RadioMedium,
  runVirtualTime,
} from "../src/transport/hci-emulator/index";
import { seededRng } from "../src/transport/hci-emulator/rng";
import { once, RawHost } from "../tests/hci/helpers";
import { type Bench, sig3 } from "./harness";

const DEVICES = 500;
const INTERVAL_MS = 250;
const SECONDS = 60;
const SCAN_MS = 10_000;
const T0 = Date.UTC(2021, 6, 1, 12, 0, 0);

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
function heapInUse(): number {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Each device's service data (RPI ‖ AEM) for the minute simulated. */
function deviceData(): Buffer[] {
  const rng = seededRng(42);
  return Array.from({ length: DEVICES }, () => {
    const rpi = deriveRpi(deriveRpik(rng.bytes(16)), Math.floor(T0 / 600_000));
    return Buffer.concat([rpi, rng.bytes(4)]);
  });
}

interface PathFigures {
  advertisements: number;
  aggregatedPackets: number;
  dropped: number;
  sightings: number;
  cpuMicrosPerAdvertisement: number;
  wallSeconds: number;
  virtualToWallRatio: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
}

const mib = (b: number) => sig3(b / 2 ** 20);

/** Feeds the direct path into `log`. */
async function direct(log: ContactLog): Promise<PathFigures> {
  const data = deviceData();
  const rng = seededRng(7);
  const heapBefore = heapInUse();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const agg = createScanAggregator();
  let inCount = 0;
  let aggregated = 0;
  let sightings = 0;
  for (let scanStart = 0; scanStart < SECONDS * 1000; scanStart += SCAN_MS) {
    agg.beginScan(T0 + scanStart);
    for (let t = scanStart; t < scanStart + SCAN_MS; t += INTERVAL_MS) {
      for (let d = 0; d < DEVICES; d++) {
        // a fresh object per packet, as noble creates one per discover event
        const adv = { serviceData: [{ uuid: "fd6f", data: data[d]! }], serviceUuids: ["fd6f"] };
        const r = decodeNobleAdvertisement(adv);
        inCount++;
        if (r.status === "ok" && r.payload.scheme === "gaen")
          agg.addPacket(r.payload.rpi, r.payload.aem, -60 - Math.floor(rng.next() * 30));
      }
    }
    const out = agg.endScan();
    await log.record(out);
    sightings += out.length;
    for (const s of out) aggregated += s.packets;
  }
  return figures({ inCount, aggregated, sightings, t0, cpu0, heapBefore });
}

/** The figures of one path, measured from its start marks to now. */
function figures(m: {
  inCount: number;
  aggregated: number;
  sightings: number;
  t0: bigint;
  cpu0: NodeJS.CpuUsage;
  heapBefore: number;
}): PathFigures {
  const wall = Number(process.hrtime.bigint() - m.t0) / 1e9;
  const cpu = process.cpuUsage(m.cpu0);
  const heapAfter = heapInUse();
  return {
    advertisements: m.inCount,
    aggregatedPackets: m.aggregated,
    dropped: m.inCount - m.aggregated,
    sightings: m.sightings,
    cpuMicrosPerAdvertisement: sig3((cpu.user + cpu.system) / Math.max(1, m.inCount)),
    wallSeconds: sig3(wall),
    virtualToWallRatio: sig3(SECONDS / wall),
    heapBeforeMiB: mib(m.heapBefore),
    heapAfterMiB: mib(heapAfter),
  };
}

async function withLevel(sync: boolean): Promise<PathFigures & { logSightings: number }> {
  const dir = mkdtempSync(join(tmpdir(), "bluezone-scanner-bench-"));
  try {
    const log = await openLevelLog(join(dir, "db"), { sync });
    const f = await direct(log);
    const logSightings = (await log.stats()).sightings;
    await log.close();
    return { ...f, logSightings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same load over the radio emulator, noble, the BLE transport and the tracer. */
async function hci(): Promise<PathFigures & { mediumDelivered: number }> {
  const data = deviceData();
  const clock = virtualClock(T0);
  const medium = new RadioMedium({ clock, seed: 5, pathLoss: { noiseSigma: 4 } });
  const scanner = new EmulatedHciController({ medium, name: "scanner", seed: 1, position: { x: 0, y: 0 } });
  const hosts = loadNobleAndBleno({ socketFactory: () => scanner.openSocket() });
  try {
    const noble = hosts.noble!;
    await once(noble, "stateChange");
    const rng = seededRng(9);
    for (let d = 0; d < DEVICES; d++) {
      const host = new RawHost(
        new EmulatedHciController({
          medium,
          name: `dev${d}`,
          seed: 100 + d,
          position: { x: 1 + rng.next() * 9, y: rng.next() * 9 },
        }),
      );
      const payload = { scheme: "gaen" as const, rpi: data[d]!.subarray(0, 16), aem: data[d]!.subarray(16) };
      await host.advertise(encodeAdvertisingData(payload), INTERVAL_MS);
    }
    const log = createMemoryLog();
    const transport = createBleTransport({ modules: { noble, bleno: hosts.bleno! } as never, clock });
    const tracer = createTracer({
      transport,
      log,
      clock,
      random: seededRng(3).bytes,
      scan: { durationMs: SCAN_MS, periodMs: SCAN_MS, jitterMs: 0, continuous: true },
    });
    let inCount = 0;
    let aggregated = 0;
    let sightings = 0;
    const ours = new Set(data.map((b) => b.subarray(0, 16).toString("hex")));
    noble.on("discover", (p: { advertisement: never }) => {
      const r = decodeNobleAdvertisement(p.advertisement);
      if (
        r.status === "ok" &&
        r.payload.scheme === "gaen" &&
        ours.has(Buffer.from(r.payload.rpi).toString("hex"))
      )
        inCount++;
    });
    tracer.on("sighting", (s) => {
      if (!ours.has(Buffer.from(s.identifier).toString("hex"))) return;
      sightings++;
      aggregated += s.packets;
    });
    const delivered0 = medium.packetsDelivered;
    const heapBefore = heapInUse();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await tracer.start();
    await runVirtualTime(clock, SECONDS * 1000, 50);
    await tracer.stop();
    return {
      ...figures({ inCount, aggregated, sightings, t0, cpu0, heapBefore }),
      mediumDelivered: medium.packetsDelivered - delivered0,
    };
  } finally {
    hosts.dispose();
  }
}

const bench: Bench = {
  name: "scanner",
  async run() {
    const memoryLog = createMemoryLog();
    const memory = await direct(memoryLog);
    return {
      load: {
        devices: DEVICES,
        advertisingIntervalMs: INTERVAL_MS,
        advertisementsPerSecond: DEVICES * (1000 / INTERVAL_MS),
        virtualSeconds: SECONDS,
      },
      direct: {
        memory: { ...memory, logSightings: memoryLog.size },
        level: await withLevel(false),
        levelSync: await withLevel(true),
      },
      hci: await hci(),
    };
  },
};
export default bench;
