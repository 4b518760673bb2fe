import { describe, expect, it } from "vitest";
import { virtualClock } from "../../src/clock";
import { createBleTransport } from "../../src/transport/ble";
import { BluetoothOperationError } from "../../src/transport/ble-errors";
import { combineAdapterStates } from "../../src/transport/ble";
import {
  ADDRESS_TYPE,
  ADV_TYPE,
  EmulatedHciController,
  emulatedBleModules,
  formatAddress,
  OP,
  RadioMedium,
  runVirtualTime,
  STATUS,
  settle,
} from "../../src/transport/hci-emulator/index";
import type { AddressRotation } from "../../src/transport/ble";
import type { Payload } from "../../src/protocol/payload";
import type { ScanReport, Transport } from "../../src/transport/types";
import { type TransportPair, transportConformance } from "../../src/testing";

/** Resolves once the transport reports poweredOn (hosts initialise over a few event-loop turns). */
async function poweredOn(t: Transport): Promise<void> {
  for (let i = 0; i < 200 && t.state() !== "poweredOn"; i++) await settle();
  if (t.state() !== "poweredOn") throw new Error(`transport stuck in ${t.state()}`);
}

interface Phones extends TransportPair {
  ctlA: EmulatedHciController;
  ctlB: EmulatedHciController;
}

/**
 * Two phones 1.5 m apart, each a BLE transport on real noble + bleno sharing one emulated controller.
 * `controllerPrivacy` false (the default here) means the emulator never rotates addresses itself, as a
 * controller without privacy: any rotation seen comes from the transport.
 */
async function phones(
  opts: { rotation?: AddressRotation; controllerPrivacy?: boolean } = {},
): Promise<Phones> {
  const clock = virtualClock(Date.UTC(2021, 6, 24));
  const medium = new RadioMedium({ clock, seed: 7, pathLoss: { noiseSigma: 2 } });
  const phone = (name: string, seed: number, x: number) => {
    const controller = new EmulatedHciController({
      medium,
      name,
      seed,
      position: { x, y: 0 },
      rotateAddress: opts.controllerPrivacy ?? false,
    });
    const modules = emulatedBleModules(controller);
    const transport = createBleTransport({
      modules,
      clock,
      addressRotation: opts.rotation ?? "auto",
      random: (n) =>
        new Uint8Array(n).map((_, i) => (seed * 31 + i * 7 + controller.commandLog.length) & 0xff),
    });
    return { controller, modules, transport };
  };
  const a = phone("a", 1, 0);
  const b = phone("b", 2, 1.5);
  await poweredOn(a.transport);
  await poweredOn(b.transport);
  return {
    a: a.transport,
    b: b.transport,
    ctlA: a.controller,
    ctlB: b.controller,
    pass: (ms) => runVirtualTime(clock, ms),
    cleanup: async () => {
      for (const p of [a, b]) {
        await p.transport.close();
        p.modules.dispose();
        p.controller.close();
      }
    },
  };
}

// Through the public entry (`bluezone/testing`), as a third-party transport would run it.
transportConformance({ describe, it, name: "BLE on emulated HCI controllers", factory: () => phones() });

const gaen = (fill: number): Payload => ({
  scheme: "gaen",
  rpi: new Uint8Array(16).fill(fill),
  aem: new Uint8Array(4).fill(fill),
});

async function heardBy(p: Phones, t: Transport, ms: number): Promise<ScanReport[]> {
  const heard: ScanReport[] = [];
  await t.startScanning({ onReport: (r) => heard.push(r) });
  await p.pass(ms);
  await t.stopScanning();
  return heard;
}

describe("BLE transport specifics on the emulator", () => {
  it("leaves no process listeners behind once the emulated hosts are disposed", async () => {
    const count = () => process.listenerCount("exit") + process.listenerCount("SIGINT");
    const before = count();
    const p = await phones();
    await p.a.startAdvertising(gaen(1));
    expect(count()).toBeGreaterThan(before); // noble and bleno each add exit and SIGINT handlers
    await p.cleanup();
    expect(count()).toBe(before);
  });

  it("host rotation: a fresh non-resolvable private address, non-connectable, 200–270 ms", async () => {
    const p = await phones();
    try {
      await p.a.startAdvertising(gaen(1));
      const adv = p.ctlA.radioState.advertising!;
      expect(adv.addressType).toBe(ADDRESS_TYPE.random);
      expect(adv.type).toBe(ADV_TYPE.advNonconnInd);
      expect(adv.intervalMs).toBeCloseTo(235, 0);
      expect(adv.address[5]! >> 6).toBe(0); // NRPA: top two bits 00
      expect(formatAddress(adv.address)).not.toBe(p.ctlA.address);
      const heard = await heardBy(p, p.b, 2_000);
      expect(new Set(heard.map((r) => r.address))).toEqual(new Set([formatAddress(adv.address)]));
      // ADV_NONCONN_IND: noble reports every packet (~8 in 2 s at ~235 ms), not only after scan responses.
      expect(heard.length).toBeGreaterThanOrEqual(7);
      const ops = p.ctlA.commandLog.map((c) => c.opcode);
      expect(ops.indexOf(OP.leSetRandomAddress)).toBeLessThan(ops.lastIndexOf(OP.leSetAdvertiseEnable));
    } finally {
      await p.cleanup();
    }
  });

  it("controller rotation on a controller without privacy keeps the public address (why host is the default)", async () => {
    const p = await phones({ rotation: "controller" });
    try {
      await p.a.startAdvertising(gaen(1));
      const first = await heardBy(p, p.b, 1_000);
      await p.a.startAdvertising(gaen(2));
      const second = await heardBy(p, p.b, 1_000);
      expect(first[0]!.address).toBe(p.ctlA.address);
      expect(second[0]!.address).toBe(p.ctlA.address);
    } finally {
      await p.cleanup();
    }
  });

  it("controller rotation relies on controller privacy (emulated here, like a privacy-enabled phone)", async () => {
    const p = await phones({ rotation: "controller", controllerPrivacy: true });
    try {
      await p.a.startAdvertising(gaen(1));
      const first = await heardBy(p, p.b, 1_000);
      await p.a.startAdvertising(gaen(2));
      const second = await heardBy(p, p.b, 1_000);
      expect(second[0]!.address).not.toBe(first[0]!.address);
      expect(second[0]!.address).not.toBe(p.ctlA.address);
    } finally {
      await p.cleanup();
    }
  });

  it("a refused LE Set Advertise Enable rejects with a typed error instead of hanging, and recovers", async () => {
    const p = await phones();
    try {
      p.ctlA.failNext(OP.leSetAdvertiseEnable, STATUS.commandDisallowed);
      await expect(p.a.startAdvertising(gaen(1))).rejects.toBeInstanceOf(BluetoothOperationError);
      expect(p.ctlA.radioState.advertising).toBeUndefined();
      await p.a.startAdvertising(gaen(2));
      expect((await heardBy(p, p.b, 1_000)).length).toBeGreaterThan(0);
    } finally {
      await p.cleanup();
    }
  });

  it("a refused LE Set Random Address rejects typed and resumes the paused scan", async () => {
    const p = await phones();
    try {
      await p.b.startAdvertising(gaen(5));
      const heard: ScanReport[] = [];
      await p.a.startScanning({ onReport: (r) => heard.push(r) });
      p.ctlA.failNext(OP.leSetRandomAddress, STATUS.commandDisallowed);
      await expect(p.a.startAdvertising(gaen(1))).rejects.toThrow(/HCI status 0xc/);
      await p.pass(1_000);
      expect(heard.length).toBeGreaterThan(0);
      expect(p.ctlA.radioState.scanning).toBeDefined();
      await p.a.stopScanning();
    } finally {
      await p.cleanup();
    }
  });

  it("reports poweredOff when the controller goes down, and poweredOn again", async () => {
    const p = await phones();
    try {
      const states: string[] = [];
      p.a.onStateChange((s) => states.push(s));
      p.ctlA.setPowered(false);
      await p.pass(1_100); // hosts poll isDevUp every second (real timers)
      for (let i = 0; i < 100 && p.a.state() !== "poweredOff"; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(p.a.state()).toBe("poweredOff");
      await expect(p.a.startAdvertising(gaen(1))).rejects.toThrow(/not poweredOn/);
      p.ctlA.setPowered(true);
      for (let i = 0; i < 150 && p.a.state() !== "poweredOn"; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(states).toEqual(["poweredOff", "poweredOn"]);
      await p.a.startAdvertising(gaen(2));
      expect((await heardBy(p, p.b, 1_000)).length).toBeGreaterThan(0);
    } finally {
      await p.cleanup();
    }
  });
});

describe("combineAdapterStates", () => {
  it("is poweredOn only when both are, and lets error states win over transient ones", () => {
    expect(combineAdapterStates("poweredOn", "poweredOn")).toBe("poweredOn");
    expect(combineAdapterStates("poweredOn", "unknown")).toBe("unknown");
    expect(combineAdapterStates("unknown", "unauthorized")).toBe("unauthorized");
    expect(combineAdapterStates("poweredOff", "resetting")).toBe("poweredOff");
    expect(combineAdapterStates("unsupported", "unauthorized")).toBe("unsupported");
    expect(combineAdapterStates("weird", "poweredOn")).toBe("unknown");
  });
});
