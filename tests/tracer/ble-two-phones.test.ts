/**
 * The two-phone test: two phones in separate worker threads, each running the real tracer with
 * the BLE transport on real noble + bleno on its own emulated controller, sharing one radio medium.
 * The medium's virtual clock lives here with the MediumHub; each worker's virtual clock follows it in
 * lock-step (MediumHub.runVirtualTime), so an hour of radio time takes a few seconds.
 */
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { virtualClock } from "../../src/clock";
import { INTERVAL_MS } from "../../src/protocol/index";
import { MediumHub, RadioMedium } from "../../src/transport/hci-emulator/index";

const T0 = Date.UTC(2021, 6, 24, 8, 0, 0);
/** Strong indoor path loss (n = 4) with 2 dB shadowing: −47 dBm at 1.5 m, −76 dBm at 8 m. */
const PATH_LOSS = { txPower: 0, referenceLoss: 40, pathLossExponent: 4, noiseSigma: 2 };

interface Sighting {
  id: string;
  time: number;
  meanRssi: number;
  maxRssi: number;
  packets: number;
}
interface Report {
  own: string[];
  sightings: Sighting[];
  keys: unknown[];
  status: { radioFailures: number; scans: number };
  /** Verdict of checkExposure (default policy) on the other phone's released keys. */
  verdict: string;
}

function next<T>(w: Worker, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (m: { type: string }) => {
      if (m.type !== type) return;
      w.off("message", on);
      resolve(m as T);
    };
    w.on("message", on);
    w.once("error", reject);
  });
}

/** Runs two phones `metres` apart for `minutes`; returns both reports, each with its verdict on the other. */
async function scenario(metres: number, minutes: number, seed: number) {
  const clock = virtualClock(T0);
  const medium = new RadioMedium({ clock, seed, pathLoss: PATH_LOSS });
  const hub = new MediumHub(medium);
  const names = ["alice", "bob"];
  const workers = names.map((name, i) => {
    const port = hub.createPort();
    return new Worker(new URL("../support/ts-worker.mjs", import.meta.url), {
      workerData: {
        entry: { module: new URL("./worker/ble-phone.ts", import.meta.url).href, fn: "runBlePhone" },
        name,
        seed: seed + i,
        t0: T0,
        minutes,
        port,
      },
      transferList: [port],
    });
  });
  try {
    await Promise.all(workers.map((w) => next(w, "ready")));
    medium.setDistance("alice", "bob", metres);
    for (let i = 0; i < 500 && hub.followers < 2; i++) await new Promise((r) => setImmediate(r));
    expect(hub.followers).toBe(2);
    await hub.runVirtualTime(minutes * 60_000);
    const reports = await Promise.all(
      workers.map((w) => {
        const r = next<Report>(w, "report");
        w.postMessage({ type: "stop" });
        return r;
      }),
    );
    // Each phone checks the other's released keys (includeToday) against its own log.
    const checked = await Promise.all(
      workers.map((w, i) => {
        const c = next<{ status: string }>(w, "checked");
        w.postMessage({ type: "check", keys: reports[1 - i]!.keys });
        return c;
      }),
    );
    checked.forEach((c, i) => {
      reports[i]!.verdict = c.status;
    });
    for (const w of workers) w.postMessage({ type: "exit" });
    return { medium, reports: reports as [Report, Report] };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    hub.close();
  }
}

describe("two phones, real tracer on real noble + bleno over emulated controllers, in worker threads", () => {
  it("at 1.5 m for an hour each logs the other's identifier in every 10-minute interval", async () => {
    const { medium, reports } = await scenario(1.5, 60, 41);
    const [alice, bob] = reports;
    const expected = medium.pathLoss.meanRssi(1.5);
    for (const [me, other] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      expect(me.own).toHaveLength(6);
      const heard = new Set(me.sightings.map((s) => s.id));
      for (const id of other.own) expect(heard.has(id)).toBe(true);
      for (const s of me.sightings) {
        expect(s.meanRssi).toBeGreaterThan(expected - 3);
        expect(s.meanRssi).toBeLessThan(expected + 3);
        expect(s.packets).toBeGreaterThanOrEqual(10); // 4 s scans, ~235 ms advertising
      }
      expect(me.status.radioFailures).toBe(0);
      const intervals = new Set(me.sightings.map((s) => Math.floor(s.time / INTERVAL_MS)));
      expect(intervals.size).toBe(6);
      expect(me.verdict).toBe("F1"); // ≥ 15 min close (attenuation ≈ 47 dB ≤ 58 dB) today
    }
  });

  it("at 8 m they still hear each other, but nothing is close: no F1", async () => {
    const { medium, reports } = await scenario(8, 60, 43);
    const expected = medium.pathLoss.meanRssi(8);
    for (const me of reports) {
      expect(me.sightings.length).toBeGreaterThan(0);
      for (const s of me.sightings) expect(Math.abs(s.meanRssi - expected)).toBeLessThan(3);
      expect(me.verdict).toBe("none");
    }
  });
});
