import { afterEach, describe, expect, it } from "vitest";
import { virtualClock } from "../../src/clock";
import { decodeNobleAdvertisement, type NobleAdvertisementLike } from "../../src/protocol/payload";
import {
  EmulatedHciController,
  type EmulatedHosts,
  loadNobleAndBleno,
  RadioMedium,
  runVirtualTime,
} from "../../src/transport/hci-emulator/index";
import { gaenData, gaenPayload, hex } from "./fixtures";
import { once, RawHost } from "./helpers";

interface Seen {
  address: string;
  addressType: string;
  rssi: number;
  rpi: string;
  aem: string;
}

const loaded: EmulatedHosts[] = [];
afterEach(() => {
  for (const h of loaded.splice(0)) h.dispose();
});

/** A virtual-clock medium with a noble scanner and a raw advertiser 2 m apart. */
async function setup(allowDuplicates: boolean) {
  const clock = virtualClock(1_700_000_000_000);
  const medium = new RadioMedium({ clock, seed: 11, pathLoss: { noiseSigma: 0 } });
  const scannerCtl = new EmulatedHciController({
    medium,
    name: "scanner",
    seed: 1,
    position: { x: 0, y: 0 },
  });
  const advertiser = new RawHost(
    new EmulatedHciController({ medium, name: "advertiser", seed: 2, position: { x: 2, y: 0 } }),
  );
  const hosts = loadNobleAndBleno({ socketFactory: () => scannerCtl.openSocket(), bleno: false });
  loaded.push(hosts);
  const noble = hosts.noble!;
  const seen: Seen[] = [];
  noble.on("discover", (p) => {
    const r = decodeNobleAdvertisement(p.advertisement as NobleAdvertisementLike);
    if (r.status !== "ok" || r.payload.scheme !== "gaen") throw new Error(`unexpected ${r.status}`);
    seen.push({
      address: p.address,
      addressType: p.addressType,
      rssi: p.rssi,
      rpi: hex(r.payload.rpi),
      aem: hex(r.payload.aem),
    });
  });
  expect(await once<string>(noble, "stateChange")).toBe("poweredOn");
  noble.startScanning([], allowDuplicates);
  await once(noble, "scanStart");
  return { clock, medium, advertiser, seen };
}

describe("real noble on an emulated controller", () => {
  it("reaches poweredOn, scans with duplicates and decodes the exact RPI/AEM", async () => {
    const { clock, medium, advertiser, seen } = await setup(true);
    await advertiser.advertise(gaenData(1), 100);
    await runVirtualTime(clock, 5_000);
    const p = gaenPayload(1);
    expect(seen.length).toBeGreaterThanOrEqual(45); // 100 ms + 0–10 ms advDelay over 5 s
    expect(new Set(seen.map((s) => `${s.rpi}/${s.aem}`))).toEqual(new Set([`${hex(p.rpi)}/${hex(p.aem)}`]));
    expect(seen.every((s) => s.addressType === "random")).toBe(true);
    expect(seen[0]!.rssi).toBe(Math.round(medium.pathLoss.meanRssi(2))); // −46 dBm at 2 m, n = 2
  });

  it("with the duplicates filter reports each address once per scan enable; rotation re-reports", async () => {
    const { clock, advertiser, seen } = await setup(false);
    await advertiser.advertise(gaenData(1), 100);
    await runVirtualTime(clock, 3_000);
    expect(seen.length).toBe(1);
    await advertiser.setData(gaenData(2)); // new identifier → new private address
    await runVirtualTime(clock, 3_000);
    expect(seen.length).toBe(2);
    expect(seen[1]!.address).not.toBe(seen[0]!.address);
    expect(seen[1]!.rpi).toBe(hex(gaenPayload(2).rpi));
  });

  it("runs an hour of radio time on a virtual clock; the address rotates with each RPI", async () => {
    const { clock, advertiser, seen } = await setup(true);
    await advertiser.advertise(gaenData(100), 250);
    for (let i = 0; i < 6; i++) {
      if (i > 0) await advertiser.setData(gaenData(100 + i));
      await runVirtualTime(clock, 10 * 60_000, 1_000);
    }
    // 3600 s / (250 + ~5 ms) ≈ 14 100 advertising events, every one delivered at 2 m.
    expect(seen.length).toBeGreaterThan(13_500);
    const byAddress = new Map<string, Set<string>>();
    for (const s of seen) byAddress.set(s.address, (byAddress.get(s.address) ?? new Set()).add(s.rpi));
    expect(byAddress.size).toBe(6);
    for (const rpis of byAddress.values()) expect(rpis.size).toBe(1);
    expect(new Set(seen.map((s) => s.rpi)).size).toBe(6);
  });
});
