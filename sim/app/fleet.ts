/**
 * The batched fleet: every app user's phone is the library's sans-I/O tracer core
 * (`createTracerCore`) with an in-memory contact log, stepped through time by this host without
 * timers, promises or transports. Per scan end, the scanner's neighbours come from the mobility
 * model's spatial index and the radio model draws one result per (scanner, advertiser, scan); the
 * scan's sightings go to the phone's log synchronously.
 *
 * It reproduces the device fleet ({@link createPhoneFleet}: the device tracer on a simulated medium)
 * event for event — the same rule of what a scan hears (each advertiser's identifier on air at the
 * scan's end, heard from the later of the scan's start and the identifier's start), the same order of
 * events due at the same instant (identifier rotations before scans), the same candidates in the same
 * order — so both give identical logs (tests/sim/fleet.test.ts); only the cost differs.
 *
 * How the time line is cut: what an advertiser has on air at any instant follows from its key
 * schedule alone (a new RPI at every 10-minute interval boundary, GAEN v1.2 § "Rolling Proximity
 * Identifier"), and within a mobility step the neighbours are fixed, so the phones are stepped one
 * after another, each through a whole stretch of time (one mobility step, or several noted with
 * `observe`: phone-major), looking up what each neighbour had on air at each scan's end.
 */
import {
  createTracerCore,
  type GaenSchedule,
  INTERVAL_MS,
  type MemoryContactLog,
  type TemporaryExposureKey,
  type TracerCore,
  virtualClock,
  type VirtualClock,
} from "../../src/index";
import {
  fleetRadio,
  type PhoneFleetOptions,
  RADIO_RANGE_M,
  seededBytes,
  setUpAppUsers,
  type ShadowPhone,
} from "./phones";
import { createStationTable, type RadioStation, type ScanSummary } from "../radio/radio";
import { type FollowerMobility, noteNeighbours } from "../world/follower";

/** One phone of the batched fleet. */
export interface CorePhone {
  /** The person carrying it. */
  readonly person: number;
  /** Its calibration-table model. */
  readonly model: string;
  /** Its contact log. */
  readonly log: MemoryContactLog;
  /** Its tracer core. */
  readonly core: TracerCore;
}

/** What the partition needs of a fleet, whichever engine runs the phones. */
export interface Fleet {
  /** This fleet's own phones in person order. */
  readonly phones: readonly {
    readonly person: number;
    readonly model: string;
    readonly log: MemoryContactLog;
  }[];
  /** The shared virtual clock (unix ms). */
  readonly clock: VirtualClock;
  /** Starts every phone at the clock's time. */
  start(): void | Promise<void>;
  /** Runs every phone through every event due up to and including `t` (unix ms). */
  advanceTo(t: number): void | Promise<void>;
  /**
   * Notes the neighbours of the mobility step ending at `until` for a later {@link advanceTo} over
   * several steps (the batched fleet only; see `BatchedFleet.observe`).
   */
  observe?(until: number): void;
  /** Releases `person`'s keys (see `PhoneFleet.releaseKeys`). */
  releaseKeys(person: number): TemporaryExposureKey[] | undefined;
  /** Sightings this fleet's own phones have logged so far. */
  sightingsLogged(): number;
  /** The TEKs `person`'s phone holds now (see `PhoneFleet.keysOf`). */
  keysOf(person: number): TemporaryExposureKey[];
  /** The RPIs of a key `person`'s phone had on air (see `PhoneFleet.rpisAt`). */
  rpisAt(person: number, interval: number): { first: number; rpis: Uint8Array };
}

/**
 * Options of {@link createBatchedFleet}: those of the device fleet (mobility, seed, scan duty cycle,
 * the partition's own phones, radio sampling), without its timer stepping.
 */
export type BatchedFleetOptions = Omit<PhoneFleetOptions, "timerByTimer">;

/** Bytes of an identifier entry: the RPI (16) and its AEM (4). */
const AIR_BYTES = 20;

/**
 * Intervals each advertiser's recent identifiers are remembered for (a power of two). An advance spans
 * six hours (partition.ts), 37 intervals, and its phones run one after another through all of them, so
 * an advertiser's neighbours may ask for its identifiers out of order and find some forgotten: more
 * lookups, not wrong answers (a release's identifier is pinned apart). 64 slots were no faster
 * (hanoi-ward 20,000 × 5 days and 10,000 × 2 days at adoption 1): the entries are cache misses too.
 */
const AIR_SLOTS = 8;

/**
 * Creates the batched fleet: one tracer core per own app user, stepped without timers.
 *
 * Two ways to drive it. {@link BatchedFleet.advanceTo} alone takes the neighbours each phone hears
 * from the mobility's spatial index as it is when called (one mobility step per call, as the device
 * fleet). Or, phone-major: call {@link BatchedFleet.observe} after each mobility step to note every
 * phone's neighbours for the events up to that step's end, and {@link BatchedFleet.advanceTo} once for
 * several steps; each phone then runs through all of them in one go, its state staying in the cache,
 * instead of every phone being touched once per step. Both give identical logs (tests/sim/fleet.test.ts).
 */
export function createBatchedFleet(options: BatchedFleetOptions): BatchedFleet {
  const { mobility, seed } = options;
  const world = mobility.world;
  const startMs = mobility.dayStartMs(0);
  const clock = virtualClock(startMs);
  const owns = options.owns ?? (() => true);
  const sampling = options.radio ?? "packets";
  const { modelAt } = fleetRadio(mobility, seed);
  const stations: RadioStation[] = new Array(world.size);
  const shadows: (ShadowPhone | undefined)[] = new Array(world.size);
  const local: (CorePhone | undefined)[] = new Array(world.size);
  const phones: CorePhone[] = [];
  let failure: unknown;
  let sightings = 0;

  // Which own phones' cores have queued log writes (by phone index): most events queue none, and
  // asking each core after each event was 1% of a run.
  const queued: number[] = [];
  setUpAppUsers(world, seed, clock, startMs, owns, stations, shadows, (identity, log, jitter) => {
    const { person: p, model, calibration: cal } = identity;
    const index = phones.length;
    queued.push(0);
    const core = createTracerCore({
      onWrites: () => {
        queued[index] = 1;
      },
      scanSink: (batch) => {
        log.recordScan(batch);
        sightings += batch.count;
      },
      clock,
      now: startMs,
      scan: options.scan ?? "gaen",
      random: seededBytes(identity.keySeed),
      jitter: () => jitter.uniform(),
      metadata: { txPower: cal.txPower, calibrationConfidence: cal.calibrationConfidence },
    });
    const phone: CorePhone = { person: p, model, log, core };
    local[p] = phone;
    phones.push(phone);
  });

  /** Carries out the writes `phone`'s core queued, as the device tracer does (in order). */
  const write = (phone: CorePhone) => {
    const writes = phone.core.takeWrites();
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!;
      switch (w.kind) {
        case "sightings": // not queued: the core hands scans to its scanSink
          phone.log.recordSync(w.sightings);
          sightings += w.sightings.length;
          break;
        case "own-key":
          // The memory log stores synchronously; the promise only carries errors.
          phone.log.putOwnKeys([w.key]).catch((e: unknown) => {
            failure ??= e;
          });
          break;
        case "purge":
          phone.log.purgeSync(w.before);
          break;
        case "state":
          phone.log.putState(w.name, w.value).catch((e: unknown) => {
            failure ??= e;
          });
          break;
      }
    }
  };

  // What every app user advertises, by time. A phone's tracer puts a new identifier on air at every
  // interval boundary from its start on (GAEN v1.2: a new RPI every interval), taken from its key
  // schedule at that moment, so the identifier on air at `t` is the schedule's broadcast for t's
  // interval, on air since the later of the interval's start and the tracer's start. Looked up from
  // the schedule here rather than tracked through the phones' rotations, it does not depend on the
  // order the phones are stepped in. (A lookup may draw the key of a new UTC day before the phone's
  // own rotation does: the same key, from the same seeded source, in the same order; its write is
  // queued on the phone and carried out at its next step.) A key release switches keys from the next
  // interval on, so the identifier on air when a release happens is pinned until then. An identifier
  // is looked up only when a neighbour hears it, and a key's identifiers derived only then: a phone that
  // nobody hears derives none (a shadow draws its keys in day order all the same).
  //
  // The identifiers are kept in flat columns, not objects, per app user: AIR_SLOTS entries for the
  // recent intervals (entry slot & (AIR_SLOTS − 1)) and one more for a pinned identifier; each entry
  // has its interval number (−1: empty), since when it is on air (unix ms), and its RPI and AEM bytes
  // (copied: views of the schedules' buffers kept for an hour outlived the young generation and made
  // the collector copy them).
  const stationTable = createStationTable(stations);
  const appIndex = new Int32Array(world.size).fill(-1);
  let appUsers = 0;
  for (let p = 0; p < world.size; p++) if (world.hasApp[p]) appIndex[p] = appUsers++;
  const ENTRIES = AIR_SLOTS + 1;
  const airSlot = new Int32Array(appUsers * ENTRIES).fill(-1);
  const airSince = new Float64Array(appUsers * ENTRIES);
  const air = new Uint8Array(appUsers * ENTRIES * AIR_BYTES);
  /**
   * Stores as entry `e` what `source` (a local phone's GAEN schedule or a shadow) has on air at `t`
   * (unix ms), in interval `slot`: its bytes written straight into the columns.
   */
  const storeFrom = (e: number, slot: number, source: GaenSchedule | ShadowPhone, t: number) => {
    airSlot[e] = slot;
    airSince[e] = Math.max(slot * INTERVAL_MS, startMs);
    source.identifierInto(t, air, e * AIR_BYTES);
  };
  /** The entry of what app user `p` has on air at `t` (unix ms), or −1 when nothing. */
  const onAirOf = (p: number, t: number): number => {
    const slot = Math.floor(t / INTERVAL_MS);
    const first = appIndex[p]! * ENTRIES;
    if (first < 0) return -1;
    const pin = first + AIR_SLOTS;
    if (airSlot[pin] === slot) return pin;
    const e = first + (slot & (AIR_SLOTS - 1));
    if (airSlot[e] === slot) return e;
    const phone = local[p];
    if (phone) {
      const schedule = phone.core.schedule;
      if (schedule.scheme !== "gaen") return -1;
      storeFrom(e, slot, schedule as GaenSchedule, t);
      return e;
    }
    const shadow = shadows[p];
    if (!shadow) return -1;
    storeFrom(e, slot, shadow, t);
    return e;
  };
  // Neighbours noted by observe(): per noted step, the time it covers events up to, and each own
  // phone's app-using neighbours (offsets by phone index into one flat list).
  const stepUntil: number[] = [];
  const stepStarts: Int32Array[] = [];
  const stepLists: Int32Array[] = [];
  let lastObserved = Number.NEGATIVE_INFINITY;
  const near: number[] = [];
  // The own phones' people in a column: reading each phone's object for it was a cache miss a phone
  // and step (1% of a 20,000-people run).
  const personOf = Int32Array.from(phones, (p) => p.person);
  // A follower mobility noting exactly these phones' neighbours (a worker's partition) hands its
  // noted lists over as they are: no second copy.
  const follower =
    "currentLists" in mobility &&
    (mobility as FollowerMobility).people.length === personOf.length &&
    (mobility as FollowerMobility).people.every((p, i) => p === personOf[i])
      ? (mobility as FollowerMobility)
      : undefined;
  const observe = (until: number) => {
    if (!(until > lastObserved) || until <= now)
      throw new RangeError(`fleet: observe(${until}) must come after ${Math.max(lastObserved, now)}`);
    lastObserved = until;
    const k = stepUntil.length;
    stepUntil.push(until);
    if (follower) {
      const noted = follower.currentLists();
      stepStarts[k] = noted.starts;
      stepLists[k] = noted.list;
      return;
    }
    let starts = stepStarts[k];
    if (starts === undefined || starts.length !== phones.length + 1) {
      starts = new Int32Array(phones.length + 1);
      stepStarts[k] = starts;
    }
    const noted = noteNeighbours(
      mobility,
      personOf,
      RADIO_RANGE_M,
      world.hasApp,
      starts,
      0,
      stepLists[k] ?? new Int32Array(Math.max(64, 4 * phones.length)),
      0,
      near,
    );
    stepLists[k] = noted.list;
  };

  /** The radio's summary of one link's scan, written in place by every draw. */
  const summary: ScanSummary = { packets: 0, meanRssi: 0, maxRssi: 0 };
  // The pair whose distance the radio asks for: one function for every call, not a closure per link.
  let linkAdvertiser = 0;
  let linkScanner = 0;
  const distanceAt = (t: number) => mobility.distance(linkAdvertiser, linkScanner, t);
  /** What phone `i`'s open scan, ending at `to`, hears from the neighbours noted for step `k`. */
  const hearScan = (i: number, k: number, to: number) => {
    const phone = phones[i]!;
    const core = phone.core;
    const scanFrom = core.scanStart!;
    const me = phone.person;
    const scanner = stations[me]!;
    const list = stepLists[k]!;
    const last = stepStarts[k]![i + 1]!;
    for (let j = stepStarts[k]![i]!; j < last; j++) {
      const other = list[j]!;
      const e = onAirOf(other, to);
      if (e < 0) continue;
      const from = Math.max(scanFrom, airSince[e]!);
      if (from >= to) continue;
      linkAdvertiser = other;
      linkScanner = me;
      const model = modelAt(other, me, from);
      if (sampling === "scan") {
        const s = model.scanAt(stationTable, other, me, from, to, distanceAt, summary);
        const o = e * AIR_BYTES;
        if (s) core.hearSummaryAt(air, o, 16, o + 16, 4, s.packets, s.meanRssi, s.maxRssi);
      } else {
        const rssi = model.samples(stations[other]!, scanner, from, to, distanceAt);
        const o = e * AIR_BYTES;
        if (rssi.length > 0) core.hearIdentifier(air.subarray(o, o + 16), air.subarray(o + 16, o + 20), rssi);
      }
    }
  };

  /** Whose keys `person`'s are: their own phone's schedule here, or their shadow. */
  const keyHolder = (person: number): Pick<GaenSchedule, "keys" | "rpisAt"> => {
    const phone = local[person];
    if (phone) return phone.core.schedule as GaenSchedule;
    const shadow = shadows[person];
    if (!shadow) throw new RangeError(`person ${person} has no phone with the app`);
    return shadow;
  };

  let now = startMs;
  let started = false;
  const fleet: BatchedFleet = {
    phones,
    byPerson: local,
    clock,
    start() {
      if (started) return;
      started = true;
      for (const phone of phones) {
        phone.core.start(startMs);
        write(phone);
      }
    },
    observe,
    advanceTo(target) {
      if (target < now) throw new RangeError(`fleet cannot go back from ${now} to ${target}`);
      if (target === now) return;
      if (stepUntil.length === 0) observe(target);
      if (lastObserved !== target)
        throw new RangeError(`fleet: advanceTo(${target}) after observing up to ${lastObserved}`);
      clock.advanceTo(target);
      // Phone after phone, each through every event due up to the target; a scan hears the neighbours
      // noted for the step its end falls in, each with the identifier it had on air at the scan's end.
      for (let i = 0; i < phones.length; i++) {
        const phone = phones[i]!;
        const core = phone.core;
        let k = 0;
        for (let at = core.nextDue(); at <= target; at = core.nextDue()) {
          if (core.nextKind() === "scan-end") {
            while (stepUntil[k]! < at) k++;
            hearScan(i, k, at);
          }
          core.advance();
          if (queued[i] === 1) {
            queued[i] = 0;
            write(phone);
          }
        }
      }
      stepUntil.length = 0;
      now = target;
      if (failure !== undefined) throw failure;
    },
    releaseKeys(person) {
      // The identifier on air now stays until the next rotation.
      const first = appIndex[person]! * ENTRIES;
      if (first >= 0) {
        const e = onAirOf(person, clock.now());
        const pin = first + AIR_SLOTS;
        if (e < 0) airSlot[pin] = -1;
        else if (e !== pin) {
          airSlot[pin] = airSlot[e]!;
          airSince[pin] = airSince[e]!;
          air.copyWithin(pin * AIR_BYTES, e * AIR_BYTES, (e + 1) * AIR_BYTES);
        }
        airSlot.fill(-1, first, first + AIR_SLOTS);
      }
      const phone = local[person];
      if (phone) {
        const keys = (phone.core.schedule as GaenSchedule).releaseKeys({ includeToday: true });
        write(phone);
        return keys;
      }
      const shadow = shadows[person];
      if (!shadow) throw new RangeError(`person ${person} has no phone with the app`);
      shadow.releaseKeys();
      return undefined;
    },
    sightingsLogged: () => sightings,
    keysOf: (person) => keyHolder(person).keys(),
    rpisAt: (person, interval) => keyHolder(person).rpisAt(interval),
  };
  return fleet;
}

/** The batched fleet: a {@link Fleet} whose phones are tracer cores, stepped synchronously. */
export interface BatchedFleet extends Fleet {
  readonly phones: readonly CorePhone[];
  /** Own phones by person id (undefined for people without the app and for shadows). */
  readonly byPerson: readonly (CorePhone | undefined)[];
  start(): void;
  /**
   * Notes every own phone's neighbours as the mobility's spatial index has them now, for the events
   * due after the previous noted step's end (or the last advance) up to and including `until` (unix
   * ms); a later {@link advanceTo} to the last noted `until` runs them (phone-major stepping).
   * @throws RangeError when `until` is not after the previous one and the last advance
   */
  observe(until: number): void;
  /**
   * Runs every phone through every event due up to and including `t` (unix ms): with the steps noted
   * by {@link observe} (the last ending at `t`), or, when none were noted, with the neighbours as the
   * spatial index has them now.
   * @throws RangeError when going back, or when noted steps do not end at `t`
   */
  advanceTo(t: number): void;
}
