/**
 * RSSI 127 is HCI's and noble's "not available" (Core v5.3 Vol 4 Part E §7.7.65.2), never a signal
 * level. On every path where RSSI enters — the scan aggregator, the tracer, the BLE transport, the
 * sightings and beacon CSVs, the log itself — packets [−70, 127, −72, 127] must give mean −71 (not
 * (−70 + 127 − 72 + 127) / 4 = 28), max −70 and 2 packets, and a scan of only 127s no sighting.
 */
import { describe, expect, it } from "vitest";
import {
  advanceAndSettle,
  createMemoryLog,
  createScanAggregator,
  createSimulatedMedium,
  createTracer,
  InvalidSightingError,
  parseBeaconCsv,
  RSSI_NOT_AVAILABLE,
  type Sighting,
  virtualClock,
} from "../../src/index";
import { parseSightingsCsv } from "../../src/match/sightings-csv";
import type { Payload } from "../../src/protocol/payload";
import { createBleTransport } from "../../src/transport/ble";
import {
  EmulatedHciController,
  emulatedBleModules,
  type PathLossModel,
  RadioMedium,
  runVirtualTime,
  settle,
} from "../../src/transport/hci-emulator/index";
import type { ScanReport, Transport } from "../../src/transport/types";
import { seededBytes } from "../helpers/random";

const RPI = new Uint8Array(16).fill(7);
const AEM = new Uint8Array(4).fill(1);
const OTHER = new Uint8Array(16).fill(8);
const PATTERN = [-70, 127, -72, 127];

describe("RSSI 127 (not available)", () => {
  it("is the constant 127", () => {
    expect(RSSI_NOT_AVAILABLE).toBe(127);
  });

  it("scan aggregator: [−70, 127, −72, 127] → mean −71, max −70, 2 packets; only 127s → no sighting", () => {
    const agg = createScanAggregator();
    agg.beginScan(1_000);
    agg.addPackets(RPI, AEM, PATTERN);
    agg.addPacket(OTHER, AEM, 127);
    agg.addPackets(OTHER, AEM, [127, 127]);
    const out = agg.endScan();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ meanRssi: -71, maxRssi: -70, packets: 2 });
    // An identifier's first packet without RSSI does not fix the sighting's AEM either.
    agg.beginScan(2_000);
    agg.addPacket(OTHER, new Uint8Array(4).fill(9), 127);
    agg.addPacket(OTHER, AEM, -80);
    expect(agg.endScan()).toMatchObject([{ aem: AEM, meanRssi: -80, maxRssi: -80, packets: 1 }]);
  });

  it("contact log: a sighting with mean or max RSSI 127 is rejected, nothing stored", async () => {
    const log = createMemoryLog();
    const ok: Sighting = {
      time: 0,
      identifier: RPI,
      aem: AEM,
      meanRssi: -71,
      maxRssi: -70,
      packets: 2,
      secondsSinceLastScan: 300,
    };
    await expect(log.record([ok, { ...ok, meanRssi: 127 }])).rejects.toThrow(InvalidSightingError);
    await expect(log.record([{ ...ok, maxRssi: 127 }])).rejects.toThrow(/127 = not available/);
    await log.record([{ ...ok, meanRssi: 126, maxRssi: 126 }]); // 126 is a (very strong) level
    expect(await log.range(0, 1)).toHaveLength(1);
  });

  it("tracer: logs mean −71, max −70 from [−70, 127, −72, 127]…, and nothing from only 127s", async () => {
    const T0 = Date.UTC(2021, 6, 24, 8, 0, 0);
    const clock = virtualClock(T0);
    // Packets every 250 ms: phone a hears −70, 127, −72, 127, …; phone b hears only 127.
    const medium = createSimulatedMedium({
      clock,
      random: seededBytes(99),
      link: (_advertiser, scanner, from, to) =>
        Array.from({ length: Math.floor((to - from) / 250) }, (_, i) =>
          scanner === "a" ? PATTERN[i % 4]! : 127,
        ),
    });
    const phone = (id: string, seed: number) => {
      const log = createMemoryLog();
      const tracer = createTracer({
        transport: medium.createTransport(id),
        log,
        clock,
        random: seededBytes(seed),
      });
      return { log, tracer };
    };
    const a = phone("a", 1);
    const b = phone("b", 2);
    await a.tracer.start();
    await b.tracer.start();
    await advanceAndSettle(clock, 1_800_000);
    await a.tracer.stop();
    await b.tracer.stop();
    const heard = await a.log.range(T0, T0 + 1_800_000);
    expect(heard.length).toBeGreaterThan(0);
    // A 4 s scan hears 16 packets, 8 of them with an RSSI: 4 × −70 and 4 × −72.
    for (const s of heard) expect(s).toMatchObject({ meanRssi: -71, maxRssi: -70, packets: 8 });
    expect(await b.log.range(0, Number.MAX_SAFE_INTEGER)).toHaveLength(0);
    expect(b.tracer.status().sightingsLogged).toBe(0);
  });

  it("BLE transport (real noble on an emulated controller): packets with RSSI 127 are not reported", async () => {
    const clock = virtualClock(Date.UTC(2021, 6, 24));
    let n = 0;
    const cycling: PathLossModel = { meanRssi: () => -71, sample: () => PATTERN[n++ % 4]! };
    const medium = new RadioMedium({ clock, seed: 7, pathLoss: cycling });
    const phone = (name: string, seed: number, x: number) => {
      const controller = new EmulatedHciController({ medium, name, seed, position: { x, y: 0 } });
      const modules = emulatedBleModules(controller);
      const transport = createBleTransport({ modules, clock });
      return { controller, modules, transport };
    };
    const poweredOn = async (t: Transport) => {
      for (let i = 0; i < 200 && t.state() !== "poweredOn"; i++) await settle();
      expect(t.state()).toBe("poweredOn");
    };
    const a = phone("a", 1, 0);
    const b = phone("b", 2, 1.5);
    try {
      await poweredOn(a.transport);
      await poweredOn(b.transport);
      const payload: Payload = { scheme: "gaen", rpi: RPI, aem: AEM };
      await a.transport.startAdvertising(payload);
      const heard: ScanReport[] = [];
      await b.transport.startScanning({ onReport: (r) => heard.push(r) });
      const before = medium.packetsDelivered;
      await runVirtualTime(clock, 4_000);
      await b.transport.stopScanning();
      const delivered = medium.packetsDelivered - before;
      const rssi = heard.flatMap((r) => [...r.rssi]);
      expect(delivered).toBeGreaterThanOrEqual(8);
      expect(rssi.length).toBeGreaterThanOrEqual(4);
      expect(new Set(rssi)).toEqual(new Set([-70, -72]));
      // Every other packet the controller delivered (RSSI 127) was dropped.
      expect(Math.abs(rssi.length - delivered / 2)).toBeLessThanOrEqual(1);
      const agg = createScanAggregator();
      agg.beginScan(0);
      for (const r of heard) agg.addPackets(RPI, AEM, r.rssi);
      const [s] = agg.endScan();
      expect(s!.maxRssi).toBe(-70);
      expect(s!.meanRssi).toBe(Math.round(rssi.reduce((x, y) => x + y, 0) / rssi.length));
    } finally {
      for (const p of [a, b]) {
        await p.transport.close();
        p.modules.dispose();
        p.controller.close();
      }
    }
  });

  it("sightings CSV: 127 rows are read but not aggregated; only 127s give no sighting", () => {
    const rpi = "07".repeat(16);
    const other = "08".repeat(16);
    const csv = [
      "time,rpi,aem,rssi,receiver_model",
      ...PATTERN.map((r, i) => `${1_627_113_600 + i},${rpi},01010101,${r},Pixel 4`),
      `1627113601,${other},01010101,127,Pixel 4`,
      `1627113602,${other},01010101,127,Pixel 4`,
    ].join("\n");
    const parsed = parseSightingsCsv(csv);
    expect(parsed.packets).toBe(6);
    expect(parsed.rssiUnavailable).toBe(4);
    expect(parsed.sightings).toHaveLength(1);
    expect(parsed.sightings[0]).toMatchObject({ meanRssi: -71, maxRssi: -70, packets: 2 });
    expect(() => parseSightingsCsv(`time,rpi,aem,rssi,receiver_model\n1,${rpi},,126,\n`)).toThrow(
      /line 2.*-127…20, or 127/,
    );
  });

  it("beacon CSV: 127 rows are skipped", () => {
    const rows = parseBeaconCsv(
      [
        "pair,time,rssi,tx_power,receiver_model,transmitter_model",
        ...PATTERN.map((r, i) => `p,${i},${r},,,`),
      ].join("\n"),
    );
    expect(rows.map((r) => r.rssi)).toEqual([-70, -72]);
  });
});
