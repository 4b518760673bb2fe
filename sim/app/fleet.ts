/**
 * The batched fleet: every app user's phone is the library's sans-I/O tracer core
 * (`createTracerCore`) with an in-memory contact log, stepped through time by this host without
 * timers, promises or transports. Per scan end, the scanner's neighbours come from the mobility
 * model's spatial index and the radio model draws one result per (scanner, advertiser, scan); the
 * scan's sightings go to the phone's log synchronously.
 *
 * It reproduces the device fleet (`createPhoneFleet`: the device tracer on a simulated medium)
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
  type KeyBroadcasts,
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
  rpisAt(person: number, interval: number): KeyBroadcasts;
}

/**
 * Options of `createBatchedFleet`: those of the device fleet (mobility, seed, scan duty cycle,
 * the partition's own phones, radio sampling), without its timer stepping.
 */
export type BatchedFleetOptions = Omit<PhoneFleetOptions, "timerByTimer">;

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
  const sampling = options.radio ?? "scan";
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
  // interval on, so the identifier on air when a release happens is pinned until then. A key's
  // identifiers are derived only when a neighbour first hears one of them: a phone that nobody hears
  // derives none (a shadow draws its keys in day order all the same).
  //
  // Nothing is copied: per app user, the key of its last lookup (its first interval and end, in
  // columns) with views of its RPIs and AEMs where its schedule derived them (`rpisAt`), and an
  // identifier pinned by a release (its interval, −1 for none, and its key's views and first interval).
  // A scan hands the core the views and the identifier's index in them. (A ring of copies per app user,
  // before, missed for most lookups: phone-major stepping asks a neighbour for six hours of intervals
  // once per phone that hears it; each miss searched the schedule's keys and copied 20 bytes.)
  const stationTable = createStationTable(stations);
  const appIndex = new Int32Array(world.size).fill(-1);
  let appUsers = 0;
  for (let p = 0; p < world.size; p++) if (world.hasApp[p]) appIndex[p] = appUsers++;
  const NO_BYTES: Uint8Array = new Uint8Array(0);
  const keyFirst = new Int32Array(appUsers);
  const keyEnd = new Int32Array(appUsers); // = keyFirst: no key looked up
  const keyRpis: Uint8Array[] = new Array<Uint8Array>(appUsers).fill(NO_BYTES);
  const keyAems: Uint8Array[] = new Array<Uint8Array>(appUsers).fill(NO_BYTES);
  const pinSlot = new Int32Array(appUsers).fill(-1);
  const pinFirst = new Int32Array(appUsers);
  const pinRpis: Uint8Array[] = new Array<Uint8Array>(appUsers).fill(NO_BYTES);
  const pinAems: Uint8Array[] = new Array<Uint8Array>(appUsers).fill(NO_BYTES);
  // What onAirOf found: the key's views and the identifier's index in them.
  let onRpis: Uint8Array = NO_BYTES;
  let onAems: Uint8Array = NO_BYTES;
  let onIndex = 0;
  /**
   * Whether app user `p` has an identifier on air at `t` (unix ms); if so, sets `onRpis`, `onAems`
   * and `onIndex` to it.
   */
  const onAirOf = (p: number, t: number): boolean => {
    const u = appIndex[p]!;
    if (u < 0) return false;
    const slot = Math.floor(t / INTERVAL_MS);
    if (pinSlot[u] === slot) {
      onRpis = pinRpis[u]!;
      onAems = pinAems[u]!;
      onIndex = slot - pinFirst[u]!;
      return true;
    }
    if (!(slot >= keyFirst[u]! && slot < keyEnd[u]!)) {
      let key: KeyBroadcasts;
      const phone = local[p];
      if (phone) {
        const schedule = phone.core.schedule;
        if (schedule.scheme !== "gaen") return false;
        key = (schedule as GaenSchedule).rpisAt(slot);
      } else {
        const shadow = shadows[p];
        if (!shadow) return false;
        key = shadow.rpisAt(slot);
      }
      keyFirst[u] = key.first;
      keyEnd[u] = key.first + key.count;
      keyRpis[u] = key.rpis;
      keyAems[u] = key.aems;
    }
    onRpis = keyRpis[u]!;
    onAems = keyAems[u]!;
    onIndex = slot - keyFirst[u]!;
    return true;
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
      if (!onAirOf(other, to)) continue;
      // On air since the later of its interval's start and the tracers' start.
      const from = Math.max(scanFrom, Math.floor(to / INTERVAL_MS) * INTERVAL_MS, startMs);
      if (from >= to) continue;
      linkAdvertiser = other;
      linkScanner = me;
      const model = modelAt(other, me, from);
      if (sampling === "scan") {
        const s = model.scanAt(stationTable, other, me, from, to, distanceAt, summary);
        if (s)
          core.hearSummaryAt(
            onRpis,
            onIndex * 16,
            16,
            onAems,
            onIndex * 4,
            4,
            s.packets,
            s.meanRssi,
            s.maxRssi,
          );
      } else {
        const rssi = model.samples(stations[other]!, scanner, from, to, distanceAt);
        if (rssi.length > 0)
          core.hearIdentifier(
            onRpis.subarray(onIndex * 16, onIndex * 16 + 16),
            onAems.subarray(onIndex * 4, onIndex * 4 + 4),
            rssi,
          );
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
      // The identifier on air now stays until the next rotation; the key looked up last is forgotten
      // (the release shortens it).
      const u = appIndex[person]!;
      if (u >= 0) {
        const now = clock.now();
        if (onAirOf(person, now)) {
          const slot = Math.floor(now / INTERVAL_MS);
          pinSlot[u] = slot;
          pinFirst[u] = slot - onIndex;
          pinRpis[u] = onRpis;
          pinAems[u] = onAems;
        } else pinSlot[u] = -1;
        keyEnd[u] = keyFirst[u]!;
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
