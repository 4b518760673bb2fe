import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { MediumHub, RadioMedium } from "../../src/transport/hci-emulator/index";
import { gaenPayload, hex } from "./fixtures";
import { until } from "./helpers";

interface Seen {
  by: string;
  rpi: string;
  rssi: number;
}

const PATH_LOSS = { txPower: 0, referenceLoss: 40, pathLossExponent: 3.5, noiseSigma: 2 };
const medium = new RadioMedium({ seed: 2021, pathLoss: PATH_LOSS });
const hub = new MediumHub(medium);
const seen: Seen[] = [];
const ready = new Set<string>();
const workers: Worker[] = [];

function startPhone(name: string, seed: number, payloadSeed: number): Worker {
  const port = hub.createPort();
  const w = new Worker(new URL("../support/ts-worker.mjs", import.meta.url), {
    workerData: {
      entry: { module: new URL("./worker/phone.ts", import.meta.url).href, fn: "runPhone" },
      name,
      seed,
      payloadSeed,
      port,
    },
    transferList: [port],
  });
  w.on("message", (m: { type: string; name?: string } & Seen) => {
    if (m.type === "ready") ready.add(m.name!);
    if (m.type === "seen") seen.push({ by: m.by, rpi: m.rpi, rssi: m.rssi });
  });
  w.on("error", (e) => {
    throw e;
  });
  workers.push(w);
  return w;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Clears observations, waits for `n` per phone, returns them (real time, 100 ms advertising). */
async function collect(n: number): Promise<Map<string, Seen[]>> {
  await new Promise((r) => setTimeout(r, 150)); // drop packets in flight from before
  seen.length = 0;
  const per = () => ["alice", "bob"].map((p) => seen.filter((s) => s.by === p).length);
  await until(() => per().every((c) => c >= n), 10_000, `${n} observations per phone`);
  return new Map(["alice", "bob"].map((p) => [p, seen.filter((s) => s.by === p)]));
}

afterAll(async () => {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          w.once("exit", () => resolve());
          w.postMessage({ type: "stop" });
          setTimeout(() => void w.terminate(), 2_000).unref();
        }),
    ),
  );
  hub.close();
});

describe("two phones in worker threads on a shared medium", () => {
  it("see each other's payloads with RSSI following the distance", async () => {
    startPhone("alice", 1, 501);
    startPhone("bob", 2, 502);
    medium.setDistance("alice", "bob", 1.5);
    await until(() => ready.size === 2, 20_000, "both phones advertising and scanning");

    const near = await collect(15);
    expect(new Set(near.get("alice")!.map((s) => s.rpi))).toEqual(new Set([hex(gaenPayload(502).rpi)]));
    expect(new Set(near.get("bob")!.map((s) => s.rpi))).toEqual(new Set([hex(gaenPayload(501).rpi)]));
    const nearMean = mean([...near.values()].flat().map((s) => s.rssi));
    expect(Math.abs(nearMean - medium.pathLoss.meanRssi(1.5))).toBeLessThan(2); // ≈ −46 dBm

    medium.setDistance("alice", "bob", 8);
    const far = await collect(15);
    const farMean = mean([...far.values()].flat().map((s) => s.rssi));
    expect(Math.abs(farMean - medium.pathLoss.meanRssi(8))).toBeLessThan(2); // ≈ −72 dBm
    expect(nearMean - farMean).toBeGreaterThan(20);
  });
});
