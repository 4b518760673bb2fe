/**
 * Privacy checks on the simulated medium: what goes on air (nothing constant but the header; addresses
 * rotate with the identifier and only then), what retention leaves (nothing older than the window, in
 * memory and in LevelDB, including the raw files), and what the LevelDB log holds (identifiers, times,
 * RSSI statistics, own TEKs; nothing else).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterAll, describe, expect, it } from "vitest";
import {
  advanceAndSettle,
  type ContactLog,
  createMemoryLog,
  createSimulatedMedium,
  createTracer,
  DAY_MS,
  encodeAdvertisingData,
  type Payload,
  type ScanCycle,
  openLevelLog,
  toHex,
  virtualClock,
} from "../../src/index";
import { seededRng } from "../../src/transport/hci-emulator/rng";

const T0 = Date.UTC(2021, 6, 1, 0, 0, 0);
const HOURLY: ScanCycle = { durationMs: 4_000, periodMs: 3600_000, jitterMs: 0, continuous: false };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "bluezone-privacy-"));
  dirs.push(d);
  return d;
};

/** Two phones 1.5 m apart; phone a's advertisements are recorded with its address at each call. */
function world(logA: ContactLog, scan?: ScanCycle) {
  const clock = virtualClock(T0);
  const medium = createSimulatedMedium({
    clock,
    random: seededRng(3).bytes,
    link: (_a, _s, from, to) => Array.from({ length: Math.floor((to - from) / 250) }, () => -65),
  });
  const inner = medium.createTransport("a");
  const aired: { time: number; payload: Payload; address: string | undefined }[] = [];
  const transportA = Object.assign(Object.create(inner), {
    startAdvertising: async (p: Payload) => {
      await inner.startAdvertising(p);
      aired.push({ time: clock.now(), payload: p, address: inner.address() });
    },
  });
  const common = { clock, metadata: { txPower: -10 }, ...(scan ? { scan } : {}) };
  const a = createTracer({ ...common, transport: transportA, log: logA, random: seededRng(1).bytes });
  const bTransport = medium.createTransport("b");
  const b = createTracer({
    ...common,
    transport: bTransport,
    log: createMemoryLog(),
    random: seededRng(2).bytes,
  });
  return { clock, a, b, inner, bTransport, aired };
}

describe("on air", () => {
  it("over a day: every RPI and AEM distinct, no payload byte constant but the header, addresses rotate with identifiers", async () => {
    const w = world(createMemoryLog());
    const samples: { id: string; address: string | undefined }[] = [];
    const sample = () => {
      samples.push({ id: toHex(w.a.schedule().current().identifier), address: w.inner.address() });
      if (w.clock.now() < T0 + DAY_MS - 60_000) w.clock.setTimeout(sample, 60_000);
    };
    await w.a.start();
    await w.b.start();
    w.clock.setTimeout(sample, 30_000);
    await advanceAndSettle(w.clock, DAY_MS - 1);
    await w.a.stop();
    await w.b.stop();

    const gaen = w.aired.map((x) => x.payload).filter((p) => p.scheme === "gaen");
    expect(gaen).toHaveLength(144);
    expect(new Set(gaen.map((p) => toHex(p.rpi))).size).toBe(144);
    expect(new Set(gaen.map((p) => toHex(p.aem))).size).toBe(144);

    const bytes = gaen.map((p) => encodeAdvertisingData(p));
    const header = bytes[0]!.subarray(0, 11); // flags, service UUID list, service data length/type/UUID
    expect(toHex(header)).toBe("02011a03036ffd17166ffd");
    for (const b of bytes) expect(toHex(b.subarray(0, 11))).toBe(toHex(header));
    for (let pos = 11; pos < 31; pos++) {
      // 144 uniform bytes take ~110 distinct values; a constant or low-entropy position would show
      const distinct = new Set(bytes.map((b) => b[pos])).size;
      expect(distinct, `byte ${pos}`).toBeGreaterThan(80);
    }
    // the metadata's version byte is encrypted too: AEM byte 0 is not constant
    expect(new Set(gaen.map((p) => p.aem[0])).size).toBeGreaterThan(80);

    // addresses: one per advertisement, distinct, and per-minute samples change together with the RPI
    expect(new Set(w.aired.map((x) => x.address)).size).toBe(w.aired.length);
    expect(samples.length).toBeGreaterThan(1400);
    for (let i = 1; i < samples.length; i++) {
      const idChanged = samples[i]!.id !== samples[i - 1]!.id;
      const addressChanged = samples[i]!.address !== samples[i - 1]!.address;
      expect(addressChanged, `minute ${i}`).toBe(idChanged);
    }
  });
});

/**
 * Wraps a log so a test can wait until every call the tracer made has finished: LevelDB calls take
 * real time while the virtual clock would otherwise race ahead of them (delaying the hourly purges).
 */
function tracked(inner: ContactLog) {
  let pending = 0;
  let wake: (() => void) | undefined;
  const log = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        const out = v.apply(target, args);
        if (!(out instanceof Promise)) return out;
        pending++;
        return out.finally(() => {
          if (--pending === 0) wake?.();
        });
      };
    },
  });
  const idle = async () => {
    while (pending > 0) await new Promise<void>((r) => (wake = r));
  };
  return { log, idle };
}

/** Runs phone a for 20 days with hourly scans, returning what it logged on its first day. */
async function twentyDays(inner: ContactLog) {
  const { log, idle } = tracked(inner);
  const w = world(log, HOURLY);
  const firstDay: string[] = [];
  w.a.on("sighting", (s) => {
    if (s.time < T0 + DAY_MS) firstDay.push(toHex(s.identifier));
  });
  await w.a.start();
  await w.b.start();
  for (let h = 0; h < 20 * 24; h++) {
    await advanceAndSettle(w.clock, 3600_000);
    await idle();
  }
  await w.a.stop();
  await w.b.stop();
  const cutoff = w.clock.now() - 14 * DAY_MS - 3600_000; // purge runs hourly
  const sightings = await log.range(0, Number.MAX_SAFE_INTEGER);
  const keys = await log.ownKeys();
  return { w, firstDay, cutoff, sightings, keys };
}

function expectRetained(r: Awaited<ReturnType<typeof twentyDays>>) {
  expect(r.firstDay.length).toBeGreaterThan(0);
  expect(r.sightings.length).toBeGreaterThan(0);
  for (const s of r.sightings) expect(s.time).toBeGreaterThanOrEqual(r.cutoff);
  for (const k of r.keys)
    expect((k.rollingStartIntervalNumber + k.rollingPeriod) * 600_000).toBeGreaterThan(r.cutoff);
  // 14 retained days, today's key, and at midnight the key that the next hourly purge removes
  expect(r.keys.length).toBeLessThanOrEqual(16);
  const left = new Set(r.sightings.map((s) => toHex(s.identifier)));
  for (const id of r.firstDay) expect(left.has(id)).toBe(false);
}

describe("retention through the tracer over 20 days", () => {
  it("memory log: no sighting or own key older than 14 days remains", async () => {
    expectRetained(await twentyDays(createMemoryLog()));
  });

  it("LevelDB log: nothing older remains, in the log or in its files; it stores nothing personal", async () => {
    const location = join(tempDir(), "db");
    const log = await openLevelLog(location);
    const r = await twentyDays(log);
    expectRetained(r);
    await log.close();
    // Purge compacts the purged ranges, so deleted records leave the table and log files. LevelDB's
    // MANIFEST still names the boundary keys of deleted tables (an index key starts with an
    // identifier) until the database is opened again, which rewrites it: reopen before inspecting.
    await (await openLevelLog(location)).close();

    // Raw files: no first-day identifier survives purge (compaction included), and no device address.
    const raw = Buffer.concat(readdirSync(location).map((f) => readFileSync(join(location, f))));
    for (const id of r.firstDay) expect(raw.includes(Buffer.from(id, "hex")), `identifier ${id}`).toBe(false);
    const addresses = new Set<string>();
    r.w.bTransport.address() && addresses.add(r.w.bTransport.address()!);
    for (const a of addresses) {
      expect(raw.includes(Buffer.from(a, "hex"))).toBe(false);
      expect(raw.includes(Buffer.from(a, "latin1"))).toBe(false);
    }

    // Every key and value has the shape of an identifier, a time, RSSI statistics or an own TEK.
    const db = new Level<Buffer, Buffer>(location, { keyEncoding: "buffer", valueEncoding: "buffer" });
    const kinds = new Map<string, number>();
    for await (const [k, v] of db.iterator()) {
      const prefix = k.subarray(0, 3).toString("latin1");
      const key = k.subarray(3);
      kinds.set(prefix, (kinds.get(prefix) ?? 0) + 1);
      if (prefix === "!s!") {
        expect(key.length).toBe(12); // time ‖ sequence
        expect([7 + 16 + 4, 7 + 12]).toContain(v.length); // flags, RSSI stats, counts ‖ identifier ‖ AEM
      } else if (prefix === "!i!") {
        expect([1 + 16 + 12, 1 + 12 + 12]).toContain(key.length); // identifier ‖ sighting key
        expect(v.length).toBe(0);
      } else if (prefix === "!k!") {
        expect(key.length).toBe(4); // rolling start interval
        expect(v.length).toBe(17); // TEK ‖ rolling period
      } else if (prefix === "!m!") {
        expect(key.toString("latin1")).toBe("seq");
        expect(v.length).toBe(4);
      } else {
        throw new Error(`unexpected record kind ${JSON.stringify(prefix)}`);
      }
    }
    await db.close();
    expect([...kinds.keys()].sort()).toEqual(["!i!", "!k!", "!m!", "!s!"]);
  });
});
