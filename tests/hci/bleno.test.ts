import { afterEach, describe, expect, it } from "vitest";
import { virtualClock } from "../../src/clock";
import { decodeAdvertisingData } from "../../src/protocol/payload";
import {
  EmulatedHciController,
  type EmulatedHosts,
  loadNobleAndBleno,
  OP,
  RadioMedium,
  REPORT_TYPE,
  runVirtualTime,
  STATUS,
} from "../../src/transport/hci-emulator/index";
import { gaenData, gaenPayload, hex } from "./fixtures";
import { once, RawHost } from "./helpers";

const loaded: EmulatedHosts[] = [];
afterEach(() => {
  for (const h of loaded.splice(0)) h.dispose();
});

async function setup() {
  const clock = virtualClock(0);
  const medium = new RadioMedium({ clock, seed: 3 });
  const ctl = new EmulatedHciController({ medium, name: "phone", seed: 4, position: { x: 0, y: 0 } });
  const scanner = new RawHost(
    new EmulatedHciController({ medium, name: "scanner", seed: 5, position: { x: 1, y: 0 } }),
  );
  const hosts = loadNobleAndBleno({ socketFactory: () => ctl.openSocket(), noble: false });
  loaded.push(hosts);
  const bleno = hosts.bleno!;
  expect(await once<string>(bleno, "stateChange")).toBe("poweredOn");
  return { clock, ctl, scanner, bleno };
}

describe("real bleno on an emulated controller", () => {
  it("reaches poweredOn and startAdvertisingWithEIRData puts the payload on the medium", async () => {
    const { clock, scanner, bleno } = await setup();
    await scanner.startScan(false, true);
    const started = new Promise<Error | null>((resolve) =>
      bleno.startAdvertisingWithEIRData(Buffer.from(gaenData(1)), (e) => resolve(e ?? null)),
    );
    expect(await started).toBeNull();
    await runVirtualTime(clock, 1_000);
    const adv = scanner.reports.filter((r) => r.eventType === REPORT_TYPE.advInd); // bleno: ADV_IND
    expect(adv.length).toBeGreaterThanOrEqual(9);
    const decoded = decodeAdvertisingData(adv[0]!.data);
    expect(decoded.status === "ok" && decoded.payload).toEqual(gaenPayload(1));
    expect(adv.every((r) => r.addressType === 1)).toBe(true);
    // Active scanning: ADV_IND is scannable, so (empty) scan responses follow.
    expect(scanner.reports.some((r) => r.eventType === REPORT_TYPE.scanRsp && r.data.length === 0)).toBe(
      true,
    );
    expect(adv[0]!.rssi).toBe(-40); // txPower 0, 40 dB at 1 m
  });

  it("a new payload rotates the advertiser's address", async () => {
    const { clock, scanner, bleno } = await setup();
    await scanner.startScan(false);
    bleno.startAdvertisingWithEIRData(Buffer.from(gaenData(1)));
    await once(bleno, "advertisingStart");
    await runVirtualTime(clock, 500);
    bleno.startAdvertisingWithEIRData(Buffer.from(gaenData(2)));
    await runVirtualTime(clock, 500);
    const byData = new Map(scanner.reports.map((r) => [hex(r.data), hex(r.address)]));
    expect(byData.size).toBe(2);
    expect(byData.get(hex(gaenData(1)))).not.toBe(byData.get(hex(gaenData(2))));
  });

  it("advertisingStartError when the data exceeds 31 bytes (bleno refuses before the controller)", async () => {
    const { ctl, bleno } = await setup();
    let called = false;
    const err = once<Error>(bleno, "advertisingStartError");
    bleno.startAdvertisingWithEIRData(Buffer.alloc(32, 1), () => {
      called = true;
    });
    expect((await err).message).toMatch(/31 bytes/);
    expect(called).toBe(false);
    expect(ctl.commandLog.some((c) => c.opcode === OP.leSetAdvertisingData && c.params[0] === 32)).toBe(
      false,
    );
  });

  it("advertisingStartError when the controller refuses LE Set Advertise Enable", async () => {
    const { ctl, bleno } = await setup();
    ctl.failNext(OP.leSetAdvertiseEnable, STATUS.commandDisallowed);
    let called = false;
    const err = once<Error>(bleno, "advertisingStartError");
    bleno.startAdvertisingWithEIRData(Buffer.from(gaenData(1)), () => {
      called = true;
    });
    expect((await err).message).toBe("Command Disallowed");
    expect(called).toBe(false);
    expect(ctl.radioState.advertising).toBeUndefined();
  });
});

describe("loader isolation", () => {
  it("leaves plain require of noble and bleno untouched (still the real socket)", async () => {
    const { createRequire } = await import("node:module");
    const req = createRequire(import.meta.url);
    const ctl = new EmulatedHciController();
    const before = Object.keys(req.cache).length;
    loaded.push(loadNobleAndBleno({ socketFactory: () => ctl.openSocket() }));
    expect(Object.keys(req.cache).length).toBe(before);
    expect(() => req("@abandonware/noble")).toThrow(/EAFNOSUPPORT/);
    expect(() => req("@abandonware/bleno")).toThrow(/EAFNOSUPPORT/);
  });

  it("gives separate bleno instances per load (bleno is a per-module singleton)", () => {
    const ctl = new EmulatedHciController();
    const a = loadNobleAndBleno({ socketFactory: () => ctl.openSocket(), noble: false });
    const b = loadNobleAndBleno({ socketFactory: () => ctl.openSocket(), noble: false });
    loaded.push(a, b);
    expect(a.bleno).not.toBe(b.bleno);
  });
});
