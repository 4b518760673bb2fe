/**
 * The app layer of the simulation: every person who runs the app gets a real phone — the library's
 * tracer with an in-memory contact log and a simulated transport on one shared medium — whose radio
 * links come from the fitted radio model and the mobility model's true positions.
 */
import {
  calibrationModels,
  type ContactLog,
  createMemoryLog,
  createSimulatedMedium,
  createTracer,
  lookupCalibration,
  type MemoryContactLog,
  type RandomBytes,
  settle,
  type Tracer,
  virtualClock,
  type VirtualClock,
} from "../src/index";
import type { Mobility } from "./mobility";
import { createLinkFunction, createRadioModel, type RadioStation, stationFor } from "./radio";
import { createRng, hash32 } from "./random";
import { CARRIAGES } from "./scenario";

/** How far (m) a scanner looks for advertisers; farther phones are not offered to the radio model. */
export const RADIO_RANGE_M = 10;

/** How long "who heard whom" is remembered: the log's 14-day retention plus the replay tolerance. */
const HEARD_RETENTION_MS = 15 * 86_400_000;

/** One simulated phone. */
export interface Phone {
  /** The person carrying it. */
  person: number;
  /** Its calibration-table model. */
  model: string;
  /** Its contact log. */
  log: MemoryContactLog;
  /** Its tracer (the library's orchestrator). */
  tracer: Tracer;
}

/** Options of {@link createPhoneFleet}. */
export interface PhoneFleetOptions {
  /** The mobility model (positions and neighbours). */
  mobility: Mobility;
  /** Seed of the app and radio randomness. */
  seed: number;
  /** Scan duty cycle of every tracer; default `gaen`. */
  scan?: "gaen" | "bluezone" | "continuous";
}

/** All phones, their medium and their clock. */
export interface PhoneFleet {
  /** Phones by person id (undefined for people without the app). */
  readonly byPerson: readonly (Phone | undefined)[];
  /** Phones in person order. */
  readonly phones: readonly Phone[];
  /** The shared virtual clock (unix ms). */
  readonly clock: VirtualClock;
  /** Starts every tracer. */
  start(): Promise<void>;
  /** Moves virtual time to `t`, firing every phone's timers, then lets their asynchronous work settle. */
  advanceTo(t: number): Promise<void>;
  /** Stops every tracer. */
  stop(): Promise<void>;
  /**
   * People whose phones received any packet from the phones of `advertisers` within the retention
   * window: the only phones on which matching those people's keys can find anything. (A simulator
   * shortcut that skips matching where it is certain to find nothing; it never changes a result.)
   */
  heardFrom(advertisers: Iterable<number>): Set<number>;
}

/** Random bytes from a seeded 32-bit generator (deterministic per phone). */
export function seededBytes(seed: number): RandomBytes {
  const rng = createRng(seed);
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const w = rng.next32();
      for (let b = 0; b < 4 && i + b < n; b++) out[i + b] = (w >>> (8 * b)) & 0xff;
    }
    return out;
  };
}

/** Creates a phone for every app user of the mobility model's world, on one simulated medium. */
export function createPhoneFleet(options: PhoneFleetOptions): PhoneFleet {
  const { mobility, seed } = options;
  const world = mobility.world;
  const clock = virtualClock(mobility.dayStartMs(0));
  const models = calibrationModels();
  const stations: RadioStation[] = [];
  const byPerson: (Phone | undefined)[] = new Array(world.size);
  const radio = createRadioModel(hash32(seed, 0x7ad10));
  const radioLink = createLinkFunction({
    model: radio,
    station: (id) => stations[Number(id)]!,
    distance: (a, s, t) => mobility.distance(Number(a), Number(s), t),
  });
  // Who heard whom, last time (ms): advertiser → scanner → time.
  const heard = new Map<number, Map<number, number>>();
  const link = (a: string, s: string, from: number, to: number) => {
    const samples = radioLink(a, s, from, to);
    if (samples.length > 0) {
      const adv = Number(a);
      let m = heard.get(adv);
      if (!m) {
        m = new Map();
        heard.set(adv, m);
      }
      m.set(Number(s), to);
    }
    return samples;
  };
  const near: number[] = [];
  const medium = createSimulatedMedium({
    clock,
    random: seededBytes(hash32(seed, 0xadd7)),
    link,
    candidates: (scanner) => {
      near.length = 0;
      mobility.neighbours(Number(scanner), RADIO_RANGE_M, near);
      const out: string[] = [];
      for (const p of near) if (byPerson[p]) out.push(String(p));
      return out;
    },
  });
  const phones: Phone[] = [];
  for (let p = 0; p < world.size; p++) {
    if (!world.hasApp[p]) continue;
    const pick = createRng(hash32(seed, p, 0x9e0de1));
    const model = models[pick.int(models.length)]!;
    const cal = lookupCalibration(model);
    stations[p] = stationFor(String(p), CARRIAGES[world.carriage[p]!]!, {
      txPower: cal.txPower,
      rssiCorrection: cal.rssiCorrection,
    });
    const log = createMemoryLog();
    const jitter = createRng(hash32(seed, p, 0x71773));
    const tracer = createTracer({
      transport: medium.createTransport(String(p)),
      log: log as ContactLog,
      clock,
      scan: options.scan ?? "gaen",
      random: seededBytes(hash32(seed, p, 0x7e4)),
      jitter: () => jitter.uniform(),
      metadata: { txPower: cal.txPower, calibrationConfidence: cal.calibrationConfidence },
    });
    const phone: Phone = { person: p, model, log, tracer };
    byPerson[p] = phone;
    phones.push(phone);
  }
  return {
    byPerson,
    phones,
    clock,
    async start() {
      for (const ph of phones) await ph.tracer.start();
      await settle();
    },
    async advanceTo(t) {
      clock.advanceTo(t);
      await settle();
    },
    async stop() {
      for (const ph of phones) await ph.tracer.stop();
    },
    heardFrom(advertisers) {
      const since = clock.now() - HEARD_RETENTION_MS;
      const out = new Set<number>();
      for (const a of advertisers) for (const [s, t] of heard.get(a) ?? []) if (t >= since) out.add(s);
      return out;
    },
  };
}
