/**
 * The app layer of the simulation: every person who runs the app gets a real phone — the library's
 * tracer with an in-memory contact log and a simulated transport on one shared medium — whose radio
 * links come from the fitted radio model and the mobility model's true positions.
 */
import {
  type Calibration,
  type Clock,
  calibrationModels,
  type ContactLog,
  createGaenSchedule,
  DAY_MS,
  createMemoryLog,
  createSimulatedMedium,
  createTracer,
  type GaenSchedule,
  type KeyBroadcasts,
  INTERVAL_MS,
  intervalNumber,
  lookupCalibration,
  type MemoryContactLog,
  type Payload,
  type RandomBytes,
  settle,
  type TemporaryExposureKey,
  type Tracer,
  utcDay,
  virtualClock,
  type VirtualClock,
} from "../../src/index";
import type { Mobility } from "../world/mobility";
import {
  createLinkFunction,
  createRadioModel,
  createSettingModels,
  FITTED_RADIO_SETTINGS,
  type RadioModel,
  type RadioSampling,
  type RadioStation,
  stationFor,
} from "../radio/radio";
import { createRng, hash32, mix32, type Rng } from "../random";
import { CARRIAGES } from "../scenario";
import { placeKind } from "../world/world";

/** How far (m) a scanner looks for advertisers; farther phones are not offered to the radio model. */
export const RADIO_RANGE_M = 10;

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

/** Options of `createPhoneFleet`. */
export interface PhoneFleetOptions {
  /** The mobility model (positions and neighbours). */
  mobility: Mobility;
  /** Seed of the app and radio randomness. */
  seed: number;
  /** Scan duty cycle of every tracer; default `gaen`. */
  scan?: "gaen" | "bluezone" | "continuous";
  /**
   * Which app users' phones this fleet simulates (a partition of the app arm); every other app user is
   * a {@link ShadowPhone} that replays its phone's broadcasts for the local scanners. Default: all.
   */
  owns?: (person: number) => boolean;
  /**
   * How the radio draws what a scan hears: `scan` (default) one summary per scan and link from the
   * distribution the per-packet model implies (see `RadioModel.scan`), `packets` every packet.
   */
  radio?: RadioSampling;
  /**
   * Let every timer's asynchronous work settle before the next timer fires (default false: all timers
   * due in an {@link PhoneFleet.advanceTo} fire first, then the work settles, which is faster but lets
   * a scan armed after an `await` start late, at the advance's end). With it the device tracers follow
   * their cores' own time lines exactly, as the batched fleet does (tests/sim/fleet.test.ts).
   */
  timerByTimer?: boolean;
}

/** All phones, their medium and their clock. */
export interface PhoneFleet {
  /** This fleet's own phones by person id (undefined for people without the app and for shadows). */
  readonly byPerson: readonly (Phone | undefined)[];
  /** This fleet's own phones in person order. */
  readonly phones: readonly Phone[];
  /** The shared virtual clock (unix ms). */
  readonly clock: VirtualClock;
  /** Starts every tracer. */
  start(): Promise<void>;
  /** Moves virtual time to `t`, firing every phone's timers, then lets their asynchronous work settle. */
  advanceTo(t: number): Promise<void>;
  /**
   * Stops every tracer. (One after another: a phone stopped later no longer hears those stopped before
   * it in its last partial scan, so a simulation that must not depend on which phones are local counts
   * sightings with {@link PhoneFleet.sightingsLogged} without stopping.)
   */
  stop(): Promise<void>;
  /**
   * Releases `person`'s keys for a diagnosis report at the clock's time, as
   * `releaseKeys({ includeToday: true })` on its tracer's schedule — on its own phone, returning the
   * keys, or on its shadow (which must follow every release of the phone it mirrors; it keeps no key
   * history, so nothing is returned).
   */
  releaseKeys(person: number): TemporaryExposureKey[] | undefined;
  /** Sightings this fleet's own phones have logged so far. */
  sightingsLogged(): number;
  /**
   * The TEKs `person`'s phone holds now, without releasing anything: its own phone's retained keys (14
   * days), or its shadow's (the current and the previous UTC day). For the simulator's detection
   * measure, which matches every log against every app user's keys.
   */
  keysOf(person: number): TemporaryExposureKey[];
  /**
   * The RPIs and AEMs of the key `person`'s phone has (or had) on air in interval number `interval`, as its
   * schedule or shadow derived them to broadcast (see `GaenSchedule.rpisAt`): the detection measure
   * indexes them without deriving the key again.
   */
  rpisAt(person: number, interval: number): KeyBroadcasts;
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

/** What makes a phone itself wherever it is simulated: its model and the seeds of its randomness. */
export interface PhoneIdentity {
  /** The person carrying it. */
  person: number;
  /** Its calibration-table model and that model's calibration. */
  model: string;
  calibration: Calibration;
  /** Seed of its key draws (the tracer's `random`). */
  keySeed: number;
  /** Seed of its scan jitter (the tracer's `jitter`). */
  jitterSeed: number;
}

/** The identity of `person`'s phone in a fleet seeded with `seed` (a pure function of both). */
export function phoneIdentity(seed: number, person: number, models = calibrationModels()): PhoneIdentity {
  const pick = createRng(hash32(seed, person, 0x9e0de1));
  const model = models[pick.int(models.length)]!;
  return {
    person,
    model,
    calibration: lookupCalibration(model),
    keySeed: hash32(seed, person, 0x7e4),
    jitterSeed: hash32(seed, person, 0x71773),
  };
}

/** What a phone has on air: the payload, the device address, and since when (unix ms). */
export interface OnAir {
  payload: Payload;
  address: string;
  since: number;
}

/**
 * A phone simulated somewhere else, replayed from its identity: a GAEN schedule drawing the same keys
 * from the same seeded source, in the same order, as the phone's tracer does.
 */
export interface ShadowPhone {
  /** The person carrying the phone. */
  readonly person: number;
  /**
   * What the phone's tracer has on air at `t`, as it advertises it: a new identifier at every interval
   * boundary from the tracer's start on, each kept until the next boundary (a release switches keys
   * from the next interval on). `t` may go back (the batched fleet asks phone-major), within the keys
   * the shadow keeps, but not to its last release's interval or earlier once it has answered for a
   * later one (the fleet keeps that identifier itself).
   */
  onAir(t: number): OnAir;
  /**
   * The RPIs and AEMs of the key covering interval number `interval` (see `GaenSchedule.rpisAt`; days'
   * keys drawn in day order up to the interval's day first, as {@link onAir} does).
   */
  rpisAt(interval: number): KeyBroadcasts;
  /** Mirrors `releaseKeys({ includeToday: true })` on the phone's schedule at the clock's time. */
  releaseKeys(): TemporaryExposureKey[];
  /** The keys the phone's schedule holds at the clock's time (drawing due days' keys, releasing none). */
  keys(): TemporaryExposureKey[];
}

/** Options of {@link createShadowPhone}. */
export interface ShadowPhoneOptions {
  /**
   * Days of keys kept (default 14, as the tracer): what {@link ShadowPhone.releaseKeys} returns. A
   * shadow that only broadcasts needs 1; a fleet's shadows keep 2, so that at the end of a local day
   * every key that covered it is still there for the detection measure (see `PhoneFleet.keysOf`).
   */
  retentionDays?: number;
}

/**
 * Creates the shadow of a phone whose tracer started at `startMs` on a clock that `clock` follows.
 * The tracer draws a day's key at its first rotation in that day (and a fresh one at each release), so
 * the shadow creates every day's key in day order before answering for a later time.
 */
export function createShadowPhone(
  identity: PhoneIdentity,
  clock: Pick<Clock, "now">,
  startMs: number,
  options: ShadowPhoneOptions = {},
): ShadowPhone {
  const cal = identity.calibration;
  const schedule: GaenSchedule = createGaenSchedule({
    clock,
    random: seededBytes(identity.keySeed),
    metadata: { txPower: cal.txPower, calibrationConfidence: cal.calibrationConfidence },
    retentionDays: options.retentionDays ?? 14,
  });
  let keyedDay = utcDay(startMs) - 1; // last UTC day whose key the tracer has drawn
  let current: (OnAir & { slot: number }) | undefined;
  const keyDaysUntil = (t: number) => {
    const d = utcDay(t);
    if (keyedDay >= d) return;
    while (keyedDay < d) {
      keyedDay++;
      schedule.slotAt(Math.max(keyedDay * DAY_MS, startMs));
    }
    schedule.purge();
  };
  // A scan that ends exactly at a rotation hears the new identifier only from the rotation on (that is,
  // nothing): on a local station the rotation's timer, armed an interval earlier, fires before the
  // scan's stop, armed one scan duration earlier (scans are shorter than an interval).
  const onAir = (t: number): OnAir => {
    const slot = intervalNumber(t);
    if (current?.slot === slot) return current;
    keyDaysUntil(t);
    const b = schedule.at(t);
    // A device address per phone and interval. (A local station's address comes from the medium's
    // shared generator instead; the tracer does not use addresses, so logs do not depend on either.)
    const h = hash32(identity.keySeed, slot);
    current = {
      slot,
      payload: b.payload,
      address: (h >>> 0).toString(16).padStart(8, "0") + (mix32(h) & 0xffff).toString(16).padStart(4, "0"),
      since: Math.max(b.start, startMs),
    };
    return current;
  };
  return {
    person: identity.person,
    onAir,
    rpisAt(interval) {
      keyDaysUntil(interval * INTERVAL_MS);
      return schedule.rpisAt(interval);
    },
    releaseKeys() {
      // The tracer keeps the identifier it advertised at the interval's start until the next rotation.
      onAir(clock.now());
      return schedule.releaseKeys({ includeToday: true });
    },
    keys() {
      // The keys drawn up to now, as onAir(now) would draw them, without deriving a broadcast.
      const now = clock.now();
      keyDaysUntil(now);
      schedule.slotAt(now);
      return schedule.keys();
    },
  };
}

/** A phone's radio station: its person's id, carriage (index into CARRIAGES) and model's calibration. */
export function phoneStation(identity: PhoneIdentity, carriage: number): RadioStation {
  return stationFor(String(identity.person), CARRIAGES[carriage]!, {
    txPower: identity.calibration.txPower,
    rssiCorrection: identity.calibration.rssiCorrection,
  });
}

/**
 * Sightings a phone's log starts with: a quarter of a day in a city setting (hanoi-ward logs ≈
 * 1,010–1,090 per phone-day, but many phones hear far fewer). The log's tables grow by a sixteenth, so
 * a start of a whole day would be slack for the phones that hear fewer.
 */
const SIGHTINGS_PER_PHONE_DAY = 256;

/**
 * The app users of a fleet, set up the same way by both engines: each one's identity and radio station
 * (into `stations`), a shadow for a phone another partition simulates (into `shadows`), and for each of
 * this partition's own phones, `own(identity, log, jitter)` with its empty memory log and jitter stream.
 */
export function setUpAppUsers(
  world: { size: number; hasApp: ArrayLike<number>; carriage: ArrayLike<number> },
  seed: number,
  clock: VirtualClock,
  startMs: number,
  owns: (person: number) => boolean,
  stations: RadioStation[],
  shadows: (ShadowPhone | undefined)[],
  own: (identity: PhoneIdentity, log: MemoryContactLog, jitter: Rng) => void,
): void {
  const models = calibrationModels();
  for (let p = 0; p < world.size; p++) {
    if (!world.hasApp[p]) continue;
    const identity = phoneIdentity(seed, p, models);
    stations[p] = phoneStation(identity, world.carriage[p]!);
    if (!owns(p)) {
      shadows[p] = createShadowPhone(identity, clock, startMs, { retentionDays: 2 });
      continue;
    }
    own(
      identity,
      createMemoryLog({ initialCapacity: SIGHTINGS_PER_PHONE_DAY }),
      createRng(identity.jitterSeed),
    );
  }
}

/** A fleet's radio: the pooled field fit and the per-setting fits, picked per link by place. */
export interface FleetRadio {
  /** The pooled field fit (links whose place is unknown). */
  readonly pooled: RadioModel;
  /**
   * The radio fitted to the setting of the place `a` and `s` are in at `t` (docs/radio-fit.md); the
   * pooled fit where the mobility has no places or the two are not in one.
   */
  modelAt(a: number, s: number, t: number): RadioModel;
}

/** The radio of a fleet seeded with `seed` on `mobility` (the same for every fleet engine). */
export function fleetRadio(mobility: Mobility, seed: number): FleetRadio {
  const pooled = createRadioModel(hash32(seed, 0x7ad10));
  const settingModels = createSettingModels(hash32(seed, 0x7ad10));
  const placeOf = mobility.placeOf?.bind(mobility);
  const world = mobility.world;
  return {
    pooled,
    modelAt(a, s, t) {
      const q = placeOf?.(a, s, t);
      return q === undefined ? pooled : settingModels[FITTED_RADIO_SETTINGS.places[placeKind(world, q)]];
    },
  };
}

/** Creates a phone for every app user of the mobility model's world, on one simulated medium. */
export function createPhoneFleet(options: PhoneFleetOptions): PhoneFleet {
  const { mobility, seed } = options;
  const world = mobility.world;
  const startMs = mobility.dayStartMs(0);
  const clock = virtualClock(startMs);
  const owns = options.owns ?? (() => true);
  const stations: RadioStation[] = [];
  const byPerson: (Phone | undefined)[] = new Array(world.size);
  const shadows: (ShadowPhone | undefined)[] = new Array(world.size);
  const radio = fleetRadio(mobility, seed);
  const radioLink = createLinkFunction({
    model: radio.pooled,
    sampling: options.radio ?? "scan",
    station: (id) => stations[Number(id)]!,
    distance: (a, s, t) => mobility.distance(Number(a), Number(s), t),
    modelAt: (a, s, t) => radio.modelAt(Number(a), Number(s), t),
  });
  const near: number[] = [];
  // Station ids are the people's numbers; made once, not per scan.
  const ids = Array.from({ length: world.size }, (_, p) => String(p));
  const medium = createSimulatedMedium({
    clock,
    random: seededBytes(hash32(seed, 0xadd7)),
    link: radioLink,
    candidates: (scanner) => {
      near.length = 0;
      mobility.neighbours(Number(scanner), RADIO_RANGE_M, near);
      const out: string[] = [];
      for (const p of near) if (world.hasApp[p]) out.push(ids[p]!);
      return out;
    },
    remote: (id, t) => shadows[Number(id)]?.onAir(t),
  });
  const phones: Phone[] = [];
  setUpAppUsers(world, seed, clock, startMs, owns, stations, shadows, (identity, log, jitter) => {
    const { person: p, model, calibration: cal } = identity;
    const tracer = createTracer({
      transport: medium.createTransport(String(p)),
      log: log as ContactLog,
      clock,
      scan: options.scan ?? "gaen",
      random: seededBytes(identity.keySeed),
      jitter: () => jitter.uniform(),
      metadata: { txPower: cal.txPower, calibrationConfidence: cal.calibrationConfidence },
    });
    const phone: Phone = { person: p, model, log, tracer };
    byPerson[p] = phone;
    phones.push(phone);
  });
  /** Whose keys `person`'s are: their own phone's schedule here, or their shadow. */
  const keyHolder = (person: number): Pick<GaenSchedule, "keys" | "rpisAt"> => {
    const phone = byPerson[person];
    if (phone) return phone.tracer.schedule() as GaenSchedule;
    const shadow = shadows[person];
    if (!shadow) throw new RangeError(`person ${person} has no phone with the app`);
    return shadow;
  };
  return {
    byPerson,
    phones,
    clock,
    async start() {
      for (const ph of phones) await ph.tracer.start();
      await settle();
    },
    async advanceTo(t) {
      if (options.timerByTimer) {
        for (let due = clock.nextTimerAt(); due !== undefined && due <= t; due = clock.nextTimerAt()) {
          clock.advanceTo(due);
          await settle();
        }
      }
      clock.advanceTo(t);
      await settle();
    },
    async stop() {
      for (const ph of phones) await ph.tracer.stop();
    },
    releaseKeys(person) {
      const phone = byPerson[person];
      if (phone) return (phone.tracer.schedule() as GaenSchedule).releaseKeys({ includeToday: true });
      const shadow = shadows[person];
      if (!shadow) throw new RangeError(`person ${person} has no phone with the app`);
      shadow.releaseKeys();
      return undefined;
    },
    sightingsLogged() {
      let n = 0;
      for (const ph of phones) n += ph.tracer.status().sightingsLogged;
      return n;
    },
    keysOf: (person) => keyHolder(person).keys(),
    rpisAt: (person, interval) => keyHolder(person).rpisAt(interval),
  };
}
