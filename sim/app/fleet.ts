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
 * How the time line is cut: identifiers rotate only at 10-minute interval boundaries (GAEN v1.2 §
 * "Rolling Proximity Identifier": a new RPI every interval), so between two boundaries what every
 * advertiser has on air is fixed, and the phones can be stepped one after another, each through the
 * whole stretch. At a boundary every phone first takes its rotation (and purge) due then, then the
 * scans due at that instant run.
 */
import {
  type CoreEventKind,
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
import type { RadioStation, ScanSummary } from "../radio/radio";

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
  /** Releases `person`'s keys (see `PhoneFleet.releaseKeys`). */
  releaseKeys(person: number): TemporaryExposureKey[] | undefined;
  /** Sightings this fleet's own phones have logged so far. */
  sightingsLogged(): number;
  /** The TEKs `person`'s phone holds now (see `PhoneFleet.keysOf`). */
  keysOf(person: number): TemporaryExposureKey[];
}

/**
 * Options of {@link createBatchedFleet}: those of the device fleet (mobility, seed, scan duty cycle,
 * the partition's own phones, radio sampling), without its timer stepping.
 */
export type BatchedFleetOptions = Omit<PhoneFleetOptions, "timerByTimer">;

/** What an advertiser has on air: its identifier, AEM, and since when (unix ms). */
interface Air {
  rpi: Uint8Array;
  aem: Uint8Array;
  since: number;
}

/** Creates the batched fleet: one tracer core per own app user, stepped without timers. */
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
  /** What each local phone has on air (set at its rotations). */
  const air: (Air | undefined)[] = new Array(world.size);
  /** What each local phone had on air before its latest rotation. */
  const previousAir: (Air | undefined)[] = new Array(world.size);
  const phones: CorePhone[] = [];
  let failure: unknown;
  let sightings = 0;

  setUpAppUsers(world, seed, clock, startMs, owns, stations, shadows, (identity, log, jitter) => {
    const { person: p, model, calibration: cal } = identity;
    const core = createTracerCore({
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
    for (const w of phone.core.takeWrites()) {
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

  /** Shadows' broadcasts as {@link Air}, made once per identifier (a shadow returns one object per interval). */
  const shadowAir: (Air | undefined)[] = new Array(world.size);
  const shadowSource: unknown[] = new Array(world.size);
  const onAirOf = (p: number, t: number): Air | undefined => {
    if (local[p]) {
      // A phone stepped earlier in this stretch may already have rotated at its end: at `t` (before
      // that end) its previous identifier was on air.
      const a = air[p];
      return a !== undefined && a.since > t ? previousAir[p] : a;
    }
    const s = shadows[p]?.onAir(t);
    if (s?.payload.scheme !== "gaen") return undefined;
    if (shadowSource[p] !== s) {
      shadowSource[p] = s;
      shadowAir[p] = { rpi: s.payload.rpi, aem: s.payload.aem, since: s.since };
    }
    return shadowAir[p];
  };

  const near: number[] = [];
  /** The radio's summary of one link's scan, written in place by every draw. */
  const summary: ScanSummary = { packets: 0, meanRssi: 0, maxRssi: 0 };
  // The pair whose distance the radio asks for: one function for every call, not a closure per link.
  let linkAdvertiser = 0;
  let linkScanner = 0;
  const distanceAt = (t: number) => mobility.distance(linkAdvertiser, linkScanner, t);
  /** What `phone`'s open scan, ending at `to`, hears from its neighbours. */
  const hearScan = (phone: CorePhone, to: number) => {
    const core = phone.core;
    const scanFrom = core.scanStart!;
    const me = phone.person;
    const scanner = stations[me]!;
    near.length = 0;
    mobility.neighbours(me, RADIO_RANGE_M, near);
    for (let i = 0; i < near.length; i++) {
      const other = near[i]!;
      if (other === me || !world.hasApp[other]) continue;
      const on = onAirOf(other, to);
      if (!on) continue;
      const from = Math.max(scanFrom, on.since);
      if (from >= to) continue;
      linkAdvertiser = other;
      linkScanner = me;
      const model = modelAt(other, me, from);
      if (sampling === "scan") {
        const s = model.scan(stations[other]!, scanner, from, to, distanceAt, summary);
        if (s) core.hearSummary(on.rpi, on.aem, s.packets, s.meanRssi, s.maxRssi);
      } else {
        const rssi = model.samples(stations[other]!, scanner, from, to, distanceAt);
        if (rssi.length > 0) core.hearIdentifier(on.rpi, on.aem, rssi);
      }
    }
  };

  /** Performs `phone`'s next event (due at `at`), with the radio before a scan's end. */
  const stepPhone = (phone: CorePhone, kind: CoreEventKind | undefined, at: number) => {
    if (kind === "scan-end") hearScan(phone, at);
    const r = phone.core.step();
    if (r.rotation) {
      const b = r.rotation;
      if (b.payload.scheme === "gaen") {
        previousAir[phone.person] = air[phone.person];
        air[phone.person] = { rpi: b.payload.rpi, aem: b.payload.aem, since: r.at };
      }
    }
    write(phone);
  };

  let now = startMs;
  let started = false;
  /** Phones (by index) with a scan event due exactly at the current stretch's end. */
  const atEnd: number[] = [];
  const fleet: BatchedFleet = {
    phones,
    byPerson: local,
    clock,
    start() {
      if (started) return;
      started = true;
      for (const phone of phones) {
        const b = phone.core.start(startMs);
        if (b.payload.scheme === "gaen")
          air[phone.person] = { rpi: b.payload.rpi, aem: b.payload.aem, since: startMs };
        write(phone);
      }
    },
    advanceTo(target) {
      if (target < now) throw new RangeError(`fleet cannot go back from ${now} to ${target}`);
      while (now < target) {
        // The next stretch ends at the next interval boundary (or the target): no rotation inside it.
        const boundary = (Math.floor(now / INTERVAL_MS) + 1) * INTERVAL_MS;
        const end = Math.min(boundary, target);
        clock.advanceTo(end);
        // Phone after phone, each touched once: its events strictly inside the stretch, then its
        // rotation and purge due at the stretch's end (a later phone's scan inside the stretch still
        // hears this one's previous identifier: see onAirOf). Then, once every phone has rotated, the
        // scans due exactly at the end, which hear the new identifiers only from the end on (nothing).
        atEnd.length = 0;
        for (let i = 0; i < phones.length; i++) {
          const phone = phones[i]!;
          const core = phone.core;
          let at = core.nextDue();
          for (; at < end; at = core.nextDue()) {
            const kind = core.nextKind();
            if (kind === "rotate") throw new Error(`rotation at ${at} is not on an interval boundary`);
            stepPhone(phone, kind, at);
          }
          for (; at === end; at = core.nextDue()) {
            const kind = core.nextKind();
            if (kind !== "rotate" && kind !== "purge") {
              atEnd.push(i);
              break;
            }
            stepPhone(phone, kind, at);
          }
        }
        for (const i of atEnd) {
          const phone = phones[i]!;
          const core = phone.core;
          for (let at = core.nextDue(); at === end; at = core.nextDue())
            stepPhone(phone, core.nextKind(), at);
        }
        now = end;
      }
      if (failure !== undefined) throw failure;
    },
    releaseKeys(person) {
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
    keysOf(person) {
      const phone = local[person];
      if (phone) return (phone.core.schedule as GaenSchedule).keys();
      const shadow = shadows[person];
      if (!shadow) throw new RangeError(`person ${person} has no phone with the app`);
      return shadow.keys();
    },
  };
  return fleet;
}

/** The batched fleet: a {@link Fleet} whose phones are tracer cores, stepped synchronously. */
export interface BatchedFleet extends Fleet {
  readonly phones: readonly CorePhone[];
  /** Own phones by person id (undefined for people without the app and for shadows). */
  readonly byPerson: readonly (CorePhone | undefined)[];
  start(): void;
  advanceTo(t: number): void;
}
