/**
 * The tracer core against the device tracer: the same phone (same key and jitter seeds) driven once
 * through `createTracer` on a virtual clock and the simulated medium, and once through the core's own
 * timeline (`next`/`step`) with the scan results computed from the same link and advertisers, must give
 * identical logs, rotations and advertised payloads.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Broadcast,
  type ContactLog,
  createMemoryLog,
  createSimulatedMedium,
  createTracer,
  createTracerCore,
  cryptAem,
  decodeMetadata,
  deriveAemk,
  INTERVAL_MS,
  type LinkFunction,
  type LogWrite,
  type Payload,
  type ScanCycle,
  type Sighting,
  settle,
  toHex,
  type TracerCoreOptions,
  type Transport,
  type VirtualClock,
  virtualClock,
} from "../../src/index";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/data";
import { seededBytes } from "../helpers/random";

const T0 = Date.UTC(2021, 6, 24, 0, 0, 0);

/** A small deterministic hash (independent of the code under test). */
function h(...xs: number[]): number {
  let a = 0x9e3779b9;
  for (const x of xs) {
    a = Math.imul(a ^ (x | 0), 0x85ebca6b);
    a ^= a >>> 13;
    a = Math.imul(a, 0xc2b2ae35);
    a ^= a >>> 16;
  }
  return a >>> 0;
}

interface Setup {
  scheme: "gaen" | "bluezone";
  scan: "gaen" | "bluezone" | "continuous" | ScanCycle;
  startOffset: number;
  hours: number;
  advertisers: number;
  keySeed: number;
  jitterSeed: number;
  linkSeed: number;
  failingWrites: number;
  /** Whether the host steps the core with `advance()` (no result object) instead of `step()`. */
  viaAdvance: boolean;
}

/** Advertiser `i`'s payload during rotation slot `slot` (it changes every 10 minutes). */
function remotePayload(scheme: Setup["scheme"], i: number, slot: number): Payload {
  const bytes = (n: number) => Uint8Array.from({ length: n }, (_, j) => h(i, slot, j) & 0xff);
  return scheme === "gaen"
    ? { scheme: "gaen", rpi: bytes(16), aem: bytes(4) }
    : { scheme: "bluezone", id: bytes(12) };
}

function remote(s: Setup, id: string, t: number) {
  const i = Number(id.slice(1));
  const slot = Math.floor(t / INTERVAL_MS);
  // Advertiser i is silent in every third slot of its own.
  if (h(s.linkSeed, i, slot) % 3 === 0) return undefined;
  return { payload: remotePayload(s.scheme, i, slot), since: slot * INTERVAL_MS };
}

/** Packets every 250 ms from the window's start, some lost, RSSI from a hash; some links silent. */
function link(s: Setup): LinkFunction {
  return (adv, _scanner, from, to) => {
    const i = Number(adv.slice(1));
    if (h(s.linkSeed, i, Math.floor(from / 60_000)) % 4 === 0) return [];
    const out: number[] = [];
    for (let t = from; t < to; t += 250) {
      const r = h(s.linkSeed, i, t);
      if (r % 10 === 0) continue;
      out.push(-40 - (r % 60));
    }
    return out;
  };
}

function jitterSource(seed: number): () => number {
  let k = 0;
  return () => h(seed, k++) / 2 ** 32;
}

interface Run {
  sightings: Sighting[];
  ownKeys: string[];
  rotations: number[];
  advertised: string[];
}

const payloadHex = (p: Payload) => (p.scheme === "gaen" ? toHex(p.rpi) + toHex(p.aem) : toHex(p.id));
const keysHex = async (log: ContactLog) =>
  (await log.ownKeys()).map((k) => `${toHex(k.keyData)}/${k.rollingStartIntervalNumber}/${k.rollingPeriod}`);

async function throughDevice(s: Setup): Promise<Run> {
  const start = T0 + s.startOffset;
  const end = start + s.hours * 3600_000;
  const clock = virtualClock(start);
  const ids = Array.from({ length: s.advertisers }, (_, i) => `r${i}`);
  const medium = createSimulatedMedium({
    clock,
    random: seededBytes(7),
    link: link(s),
    candidates: () => ids,
    remote: (id, t) => remote(s, id, t),
  });
  const radio = medium.createTransport("me");
  const advertised: string[] = [];
  const transport: Transport = {
    ...radio,
    startAdvertising: (p) => {
      advertised.push(`${clock.now()}:${payloadHex(p)}`);
      return radio.startAdvertising(p);
    },
  };
  const memory = createMemoryLog();
  // A log whose first `failingWrites` record() calls fail: the tracer must retry them. The retry comes
  // with the next scan's write, so failures are confined to writes at least 20 minutes (more than the
  // longest scan period, 15.5 min) before the window ends, where a next scan is sure to come.
  let failures = s.failingWrites;
  const record = (batch: readonly Sighting[]) =>
    clock.now() <= end - 1_200_000 && failures-- > 0
      ? Promise.reject(new Error("disk full"))
      : memory.record(batch);
  const log = new Proxy(memory, {
    get(target, prop) {
      if (prop === "record") return record;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as ContactLog;
  const tracer = createTracer({
    transport,
    log,
    clock,
    scheme: s.scheme,
    scan: s.scan,
    random: seededBytes(s.keySeed),
    jitter: jitterSource(s.jitterSeed),
    metadata: { txPower: -12 },
  });
  const rotations: number[] = [];
  tracer.on("rotation", (b) => rotations.push(b.slot));
  tracer.on("error", () => {});
  await tracer.start();
  await settle();
  for (;;) {
    const next = clock.nextTimerAt();
    if (next === undefined || next > end) break;
    clock.advanceTo(next);
    await settle();
  }
  expect(tracer.status().pendingSightings).toBe(0);
  return { sightings: memory.rangeSync(0, 2 ** 53), ownKeys: await keysHex(memory), rotations, advertised };
}

async function throughCore(s: Setup): Promise<Run> {
  const start = T0 + s.startOffset;
  const end = start + s.hours * 3600_000;
  const core = createTracerCore({
    now: start,
    scheme: s.scheme,
    scan: s.scan,
    random: seededBytes(s.keySeed),
    jitter: jitterSource(s.jitterSeed),
    metadata: { txPower: -12 },
  });
  const log = createMemoryLog();
  const apply = async (writes: LogWrite[]) => {
    for (const w of writes) {
      if (w.kind === "sightings") log.recordSync(w.sightings);
      else if (w.kind === "own-key") await log.putOwnKeys([w.key]);
      else if (w.kind === "state") await log.putState(w.name, w.value);
      else log.purgeSync(w.before);
    }
  };
  const advertised: string[] = [];
  const rotations: number[] = [];
  const onAir = (t: number, b: Broadcast | undefined) => {
    if (b) advertised.push(`${t}:${payloadHex(b.payload)}`);
  };
  const first = core.start(start);
  rotations.push(first.slot);
  onAir(start, core.advertising());
  const hearing = link(s);
  const ids = Array.from({ length: s.advertisers }, (_, i) => `r${i}`);
  for (;;) {
    const e = core.next();
    if (!e || e.at > end) break;
    if (e.kind === "scan-end") {
      for (const id of ids) {
        const r = remote(s, id, e.at);
        if (!r) continue;
        const from = Math.max(core.scanStart!, r.since);
        if (from >= e.at) continue;
        const rssi = hearing(id, "me", from, e.at);
        if (rssi.length > 0) core.hear(r.payload, rssi);
      }
    }
    if (s.viaAdvance) {
      // The same through advance(): the kind alone; the slot on air tells a new identifier, which
      // is then read from advertising() (the broadcast made on demand).
      const kind = core.advance();
      expect(kind).toBe(e.kind);
      if (kind === "rotate") {
        const slot = core.advertisingSlot();
        if (slot !== rotations[rotations.length - 1]) {
          const b = core.advertising()!;
          expect(b.slot).toBe(slot);
          onAir(e.at, b);
          rotations.push(slot);
        } else onAir(e.at, core.advertising());
      }
    } else {
      const step = core.step();
      if (step.kind === "rotate") onAir(step.at, core.advertising());
      if (step.rotation) rotations.push(step.rotation.slot);
    }
    await apply(core.takeWrites());
  }
  await apply(core.takeWrites());
  return { sightings: log.rangeSync(0, 2 ** 53), ownKeys: await keysHex(log), rotations, advertised };
}

const setups: fc.Arbitrary<Setup> = fc.record({
  scheme: fc.constantFrom("gaen" as const, "bluezone" as const),
  scan: fc.oneof(
    fc.constantFrom("gaen" as const, "bluezone" as const, "continuous" as const),
    fc
      .record({
        durationMs: fc.integer({ min: 4_000, max: 30_000 }),
        extraMs: fc.integer({ min: 0, max: 900_000 }),
        jitterMs: fc.integer({ min: 0, max: 60_000 }),
      })
      .map(({ durationMs, extraMs, jitterMs }) => ({
        durationMs,
        periodMs: durationMs + extraMs,
        jitterMs,
        continuous: extraMs === 0,
      })),
  ),
  // Crossing UTC midnight now and then (a new day key).
  startOffset: fc.integer({ min: 0, max: 86_400_000 - 1 }),
  hours: fc.integer({ min: 1, max: 2 }),
  advertisers: fc.integer({ min: 0, max: 4 }),
  keySeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  jitterSeed: fc.integer(),
  linkSeed: fc.integer(),
  failingWrites: fc.integer({ min: 0, max: 2 }),
  viaAdvance: fc.boolean(),
});

describe("tracer core", () => {
  it("gives the device tracer's logs, rotations and advertised payloads for the same inputs", async () => {
    await fc.assert(
      fc.asyncProperty(setups, async (s) => {
        const device = await throughDevice(s);
        const core = await throughCore(s);
        expect(core.sightings).toEqual(device.sightings);
        expect(core.ownKeys).toEqual(device.ownKeys);
        expect(core.rotations).toEqual(device.rotations);
        expect(core.advertised).toEqual(device.advertised);
        // The run is not vacuous: the phone rotated every 10 (GAEN) or 15 (Bluezone) minutes.
        expect(core.rotations.length).toBeGreaterThanOrEqual(s.hours * (s.scheme === "gaen" ? 6 : 4));
      }),
      { numRuns: Number(process.env.CORE_RUNS ?? 60) },
    );
  });

  it("reports each scan's sightings once, with the aggregator's summary of the packets it was fed", () => {
    const core = createTracerCore({ random: seededBytes(3), jitter: () => 0 });
    const t = T0 + 3600_000;
    core.start(t);
    expect(core.next()).toEqual({ kind: "scan-end", at: t + 4_000 });
    const rpi = Uint8Array.from({ length: 16 }, (_, i) => i);
    const aem = Uint8Array.of(1, 2, 3, 4);
    core.hear({ scheme: "gaen", rpi, aem }, [-60, -70, -65]);
    core.hear({ scheme: "gaen", rpi, aem }, [-50]);
    const step = core.step();
    // Hand-worked: mean of −60, −70, −65, −50 = −61.25 → −61; max −50; 4 packets; first scan 300 s.
    expect(step.sightings).toEqual([
      { time: t, identifier: rpi, aem, meanRssi: -61, maxRssi: -50, packets: 4, secondsSinceLastScan: 300 },
    ]);
    // The next scan starts one period (5 min, jitter 0) after this one's start.
    expect(core.next()).toEqual({ kind: "scan-start", at: t + 300_000 });
    expect(core.takeWrites().filter((w) => w.kind === "sightings")).toHaveLength(1);
    expect(() => createTracerCore().step()).toThrow(/not been started/);
  });

  it("a first scan stands for one scan period: 60 s when scanning continuously, 260 s on Bluezone's cycle", () => {
    const rpi = Uint8Array.from({ length: 16 }, (_, i) => i);
    const aem = Uint8Array.of(1, 2, 3, 4);
    for (const [scan, seconds] of [
      ["continuous", 60],
      ["bluezone", 260],
      ["gaen", 300],
    ] as const) {
      const core = createTracerCore({ random: seededBytes(3), jitter: () => 0, scan });
      core.start(T0 + 3600_000);
      core.hear({ scheme: "gaen", rpi, aem }, [-60]);
      expect(core.step().sightings?.map((x) => x.secondsSinceLastScan)).toEqual([seconds]);
    }
  });

  it("refuses time that goes back", () => {
    const core = createTracerCore({ random: seededBytes(3) });
    core.start(T0 + 1000);
    expect(() => core.beginScan(T0)).toThrow(/time went back/);
  });
});

describe("the tx power a phone broadcasts", () => {
  /** The tx power its AEM carries, decrypted with its own TEK as a receiver would once it is published. */
  function broadcastTxPower(options: TracerCoreOptions & { clock: VirtualClock }): {
    txPower: number;
    confidence: number;
  } {
    const core = createTracerCore(options);
    core.start(options.clock.now());
    const b = core.broadcast(options.clock.now());
    const payload = b.payload as Extract<Payload, { scheme: "gaen" }>;
    // Narrowed by its scheme, without a cast (the schedule's type is a union).
    if (core.schedule.scheme !== "gaen") throw new Error("a GAEN phone was expected");
    const tek = core.schedule.keys().at(-1)!.keyData;
    const m = decodeMetadata(cryptAem(deriveAemk(tek), payload.rpi, payload.aem));
    return { txPower: m.txPower, confidence: m.calibrationConfidence };
  }
  /** The EN calibration table's row for a model, read from the shipped CSV (not through the library). */
  function tableRow(model: string): { txPower: number; confidence: number } {
    const lines = readFileSync(join(ROOT, "data/calibration/en-calibration-2020-12-14.csv"), "utf8").split(
      "\n",
    );
    const row = lines.find((l) => l.split(",")[2] === model)!.split(",");
    return { txPower: Number(row[4]), confidence: Number(row[5]) };
  }
  const clock = () => virtualClock(Date.UTC(2021, 6, 24, 8));

  it("is the model's calibrated tx power, the given metadata's, or the fleet average — never a bare 0 dBm", () => {
    expect(broadcastTxPower({ clock: clock(), random: seededBytes(1), model: "SM-G973F" })).toEqual(
      tableRow("SM-G973F"),
    );
    expect(
      broadcastTxPower({
        clock: clock(),
        random: seededBytes(1),
        model: "SM-G973F",
        metadata: { txPower: -12 },
      }).txPower,
    ).toBe(-12);
    // No model: the mean tx power over the table's rows, rounded, with confidence 0.
    const rows = readFileSync(join(ROOT, "data/calibration/en-calibration-2020-12-14.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => Number(l.split(",")[4]));
    const fleet = Math.round(rows.reduce((s, x) => s + x, 0) / rows.length);
    expect(fleet).toBeLessThan(-10);
    expect(broadcastTxPower({ clock: clock(), random: seededBytes(1) })).toEqual({
      txPower: fleet,
      confidence: 0,
    });
  });

  it("a retention that is not a whole number of days ≥ 1 is refused when the tracer is made, not at start()", () => {
    const transport = createSimulatedMedium({
      clock: clock(),
      random: seededBytes(3),
      link: () => [],
    }).createTransport("a");
    for (const [bad, shown] of [
      [0, "0"],
      [-1, "-1"],
      [0.5, "0.5"],
      [Number.NaN, "NaN"],
      ["14", '"14"'],
      [null, "null"],
    ] as const) {
      const refused = expect.objectContaining({
        code: "ERR_INVALID_ARGUMENT",
        message: `retentionDays must be a positive integer, got ${shown}`,
      });
      expect(() => createTracerCore({ clock: clock(), retentionDays: bad as number })).toThrow(refused);
      expect(() =>
        createTracer({ transport, log: createMemoryLog(), clock: clock(), retentionDays: bad as number }),
      ).toThrow(refused);
    }
  });

  it("a scheme other than gaen or bluezone is refused, not run as bluezone", () => {
    for (const scheme of ["GAEN", "en", "dp3t"])
      expect(() => createTracerCore({ clock: clock(), scheme: scheme as "gaen" })).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT" }),
      );
    const log = createMemoryLog();
    const transport = createSimulatedMedium({
      clock: clock(),
      random: seededBytes(2),
      link: () => [],
    }).createTransport("a");
    expect(() => createTracer({ transport, log, clock: clock(), scheme: "GAEN" as "gaen" })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT" }),
    );
    expect(() =>
      createTracer({ transport, log: undefined as unknown as ContactLog, clock: clock() }),
    ).toThrow(
      expect.objectContaining({
        code: "ERR_INVALID_ARGUMENT",
        message: expect.stringContaining("options.log"),
      }),
    );
  });
});
