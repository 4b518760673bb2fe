/**
 * One partition of the app arm: the coordinator's world, in which only this partition's share of the
 * app users have real phones (tracer, memory log, matcher); every other app user is a shadow replaying
 * its phone's broadcasts. In-process (one partition) it steps the coordinator's epidemic itself; in a
 * worker thread it follows the coordinator's mobility on the shared world (`createFollowerMobility`:
 * each day adopted, its phones' neighbours fed step by step). The coordinator in `run.ts` makes every
 * decision that draws randomness, in person order, and sends the decisions back to every partition.
 */
import {
  type ContactPolicy,
  checkExposure,
  createDerivedKeyIndex,
  dateDayNumber,
  type DerivedRun,
  deriveGaenRuns,
  type ExposureKey,
  getPolicy,
  localDate,
  readKeyFile,
  ReportType,
  type TemporaryExposureKey,
  utcOffsetBoundary,
  withDayBoundary,
} from "../../src/index";
import { buildMobility } from "../world/build";
import { createFollowerMobility, type FollowerMobility, type NotedSteps } from "../world/follower";
import type { Mobility, MobilityDay } from "../world/mobility";
import type { World } from "../world/world";
import { createAuthority } from "./authority";
import { detectionSample } from "./detection";
import type { ContactTrace } from "../world/contact-trace";
import type { DayReport, Epidemic } from "../epidemic/epidemic";
import { createBatchedFleet, type Fleet } from "./fleet";
import { createPhoneFleet, RADIO_RANGE_M } from "./phones";
import type { RadioSampling } from "../radio/radio";
import { hash32, mix32 } from "../random";
import type { Scenario } from "../scenario";

/** Which of `count` partitions simulates the phones of a person: app users round-robin in person order. */
export function partitionOf(hasApp: ArrayLike<number>, count: number): Int32Array {
  const out = new Int32Array(hasApp.length).fill(-1);
  let k = 0;
  for (let p = 0; p < hasApp.length; p++) if (hasApp[p]) out[p] = k++ % count;
  return out;
}

/** The people partition `index` simulates the phones of (see {@link partitionOf}), in person order. */
export function partitionPeople(owner: Int32Array, index: number): Int32Array {
  const out: number[] = [];
  for (let p = 0; p < owner.length; p++) if (owner[p] === index) out.push(p);
  return Int32Array.from(out);
}

/** Seeds of the app layer, derived from the master seed (shared by the coordinator and every partition). */
export const appSeeds = (seed: number) => ({
  fleet: hash32(seed, 0xa44),
  authority: hash32(seed, 0xa07),
  choices: hash32(seed, 0xc401ce),
});

/** What the coordinator decided at the end of a day, applied by every partition before the next one. */
export interface DayDecisions {
  /** Quarantines as flat pairs: person, first day no longer quarantined (exclusive). */
  quarantines: number[];
  /** People whose keys were released for upload, in the order of release. */
  releases: number[];
}

/** A day's published batch, as every phone downloads it. */
export interface BatchMessage {
  /** The signed key file. */
  file: Uint8Array;
}

/** The policy's verdict on one day (of the policy's day rule) for one key on one phone. */
export interface DayVerdict {
  /** Day index of the run (local days: day 0 is the scenario's start date). */
  day: number;
  /** Close seconds the policy counted that day. */
  closeSeconds: number;
  /** Whether the day rule was met that day. */
  f1: boolean;
}

/** One key's verdict on one phone. */
export interface KeyVerdict {
  /** Index of the key in the file. */
  keyIndex: number;
  /** The key's notification level (1 = F1 key, 2 = F2 key). */
  level: number;
  /** Whether the policy judged a contact with this key. */
  contact: boolean;
  /** The key's days with windows, by day. */
  days: DayVerdict[];
}

/** The matcher's result on one phone. */
export interface PhoneCheck {
  /** The phone's person. */
  person: number;
  /** Notification level the phone would raise, if any. */
  level?: number;
  /** Keys with a verdict, in the assessment's order. */
  keys: KeyVerdict[];
}

/** A partition's totals at the end of the run. */
export interface PartitionTotals {
  /** Sightings its phones logged. */
  sightings: number;
  /** Order-independent digest of the keys its own phones released (see {@link releaseDigest}). */
  releaseDigest: number;
  /** Bytes its phones' contact logs hold: sighting columns at their allocated capacity and identifier indexes. */
  logBytes: number;
}

/** The operations of a partition, the same in-process and across a worker thread. */
export interface AppPartition {
  /** Starts every local tracer. */
  start(): Promise<void>;
  /**
   * Applies the previous day's decisions, then simulates day `day`. A partition sharing the
   * coordinator's epidemic steps it (and returns its report); a following partition adopts `shared`
   * (the day as the coordinator's mobility started it) and runs its phones through the steps the
   * coordinator feeds ({@link AppPartition.feed}), returning nothing.
   */
  runDay(day: number, decisions: DayDecisions, shared?: MobilityDay): Promise<DayReport | undefined>;
  /** A following partition: takes the neighbours the coordinator noted for steps of a day. */
  feed?(steps: NotedSteps): void;
  /** Matches a batch on every local phone, in person order. */
  match(batch: BatchMessage): Promise<PhoneCheck[]>;
  /**
   * The detection measure of day `day` (just run): every local phone's log matched against the keys
   * of every app user, judged by the policy's day rule for that day. Returns the ordered pairs
   * (receiver, advertiser) judged close, flattened, receivers in person order.
   */
  detect(day: number): Promise<Int32Array>;
  /** Applies the last decisions and returns the totals. */
  finish(decisions: DayDecisions): Promise<PartitionTotals>;
}

/**
 * Which partition of how many, and either (in-process) the coordinator's epidemic to share, or the
 * world the partition follows the coordinator's mobility on.
 */
export interface PartitionOptions {
  index: number;
  count: number;
  /** The coordinator's own epidemic, stepped by this partition (one in-process partition only). */
  epidemic?: Epidemic;
  /**
   * Without `epidemic`: the coordinator's world (in shared memory from a worker), on which the partition
   * follows the coordinator's mobility (`createFollowerMobility`); built here from the scenario when absent.
   */
  world?: World;
  /** The contact trace replayed instead of generated mobility, if any. */
  contacts?: ContactTrace;
  /** Radio sampling of the phones (default `packets`). */
  radio?: RadioSampling;
  /** Which host runs the phones' tracers (default `batched`; see {@link SimEngine}). */
  engine?: SimEngine;
  /** Receivers the detection measure judges per day (see `detectionSample`; default 1,000). */
  detectionReceivers?: number;
}

/**
 * Which host runs the phones: `batched` (default) steps every phone's tracer core synchronously
 * (`createBatchedFleet`); `device` runs the device tracer on timers, promises and a simulated
 * transport (`createPhoneFleet`), the previous engine. Both give identical logs.
 * @public
 */
export type SimEngine = "batched" | "device";

/** A digest of one release (person and keys), summed over releases so the order does not matter. */
export function releaseDigest(person: number, keys: readonly TemporaryExposureKey[]): number {
  let h = hash32(person, keys.length);
  for (const k of keys) {
    h = hash32(h, k.rollingStartIntervalNumber, k.rollingPeriod);
    for (let i = 0; i < k.keyData.length; i += 4)
      h = mix32(
        h ^
          ((k.keyData[i]! << 24) | (k.keyData[i + 1]! << 16) | (k.keyData[i + 2]! << 8) | k.keyData[i + 3]!),
      );
  }
  return h;
}

/**
 * Time (ms) the batched fleet runs each phone through at once (phone-major: a phone's state stays in
 * the processor's cache through its scans of that stretch, and the misses of its first touch are paid
 * once a stretch). Six hours: 72 steps of 5 minutes, whose noted neighbour lists take 4 bytes per
 * app-using neighbour and step. Against one hour: 20,000 people × 5 days, 1 worker, 6–20% less CPU
 * time (5 pairs of runs); a whole day was no better than six hours.
 */
const PHONE_MAJOR_MS = 6 * 3_600_000;

/** Mobility steps of `stepMinutes` a partition runs its phones through at once ({@link PHONE_MAJOR_MS}). */
export const stepsPerAdvance = (stepMinutes: number): number =>
  Math.max(1, Math.floor(PHONE_MAJOR_MS / (stepMinutes * 60_000)));

/** Creates a partition of the app arm of `scenario` (prepared: population, days and adoption applied). */
export function createAppPartition(scenario: Scenario, options: PartitionOptions): AppPartition {
  const seeds = appSeeds(scenario.seed);
  // The day rule counts the scenario's local days, as the ground truth does.
  const policy: ContactPolicy = withDayBoundary(
    getPolicy(scenario.app.response.policy),
    utcOffsetBoundary(scenario.utcOffsetHours),
  );
  const dayOf = (date: string) => dateDayNumber(date) - dateDayNumber(scenario.startDate);
  // In-process, the coordinator's epidemic is stepped here; a worker's partition has no epidemic and
  // follows the coordinator's mobility: it adopts each day the coordinator started and is fed the
  // neighbours of its phones at each step.
  const epi = options.epidemic;
  let follower: FollowerMobility | undefined;
  let mobility: Mobility;
  let owner: Int32Array;
  if (epi) {
    mobility = epi.mobility;
    owner = partitionOf(mobility.world.hasApp, options.count);
  } else {
    const base = buildMobility(scenario, {
      seed: scenario.seed,
      ...(options.contacts ? { contacts: options.contacts } : {}),
      ...(options.world ? { world: options.world } : {}),
    });
    owner = partitionOf(base.world.hasApp, options.count);
    follower = createFollowerMobility(base, partitionPeople(owner, options.index), RADIO_RANGE_M);
    mobility = follower;
  }
  const world = mobility.world;
  const fleetOptions = {
    mobility,
    seed: seeds.fleet,
    owns: (p: number) => owner[p] === options.index,
    ...(options.radio ? { radio: options.radio } : {}),
  };
  const fleet: Fleet =
    options.engine === "device"
      ? // Timer by timer: each tracer's asynchronous work settles before the next timer fires, so the
        // device tracers keep their cores' own time lines and log what the batched fleet logs.
        createPhoneFleet({ ...fleetOptions, timerByTimer: true })
      : createBatchedFleet(fleetOptions);
  const measured = detectionSample(
    scenario.seed,
    world.hasApp.reduce((s: number, x: number) => s + x, 0),
    options.detectionReceivers,
  );
  const trustedKey = createAuthority(seeds.authority, fleet.clock).trustedKey;
  const stepMs = mobility.stepMinutes * 60_000;
  const stepsPerDay = Math.round(86_400_000 / stepMs);
  const perAdvance = stepsPerAdvance(mobility.stepMinutes);
  let digest = 0;
  const apply = (d: DayDecisions) => {
    // Quarantines only raise a person's end day: applying them again to an epidemic shared with the
    // coordinator, which applied them already, changes nothing. (A following partition has none: the
    // coordinator's days, which it adopts, have them.)
    if (epi)
      for (let i = 0; i < d.quarantines.length; i += 2)
        epi.quarantine(d.quarantines[i]!, d.quarantines[i + 1]!);
    for (const p of d.releases) {
      const keys = fleet.releaseKeys(p);
      if (keys) digest = (digest + releaseDigest(p, keys)) >>> 0;
    }
  };
  return {
    start: async () => fleet.start(),
    async runDay(day, decisions, shared) {
      apply(decisions);
      if (epi) {
        if (epi.day !== day)
          throw new Error(`partition ${options.index}: asked for day ${day} on day ${epi.day}`);
        epi.startDay();
      } else {
        if (!shared || shared.day !== day)
          throw new Error(`partition ${options.index}: day ${day} without the coordinator's day`);
        follower!.adoptDay(shared);
      }
      const dayStart = mobility.dayStartMs(day);
      for (let s = 0; s < stepsPerDay; s++) {
        if (epi) epi.runStep(s);
        else {
          if (!follower!.has(day, s)) await follower!.whenFed(day, s);
          follower!.step(s);
        }
        const end = dayStart + (s + 1) * stepMs;
        // The batched fleet notes each step's neighbours and runs its phones phone-major through
        // PHONE_MAJOR_MS of steps at a time; the device fleet runs every step as it comes.
        if (fleet.observe) {
          fleet.observe(end);
          if (s === stepsPerDay - 1 || (s + 1) % perAdvance === 0) await fleet.advanceTo(end);
        } else await fleet.advanceTo(end);
        // The batched fleet never waits for I/O: let the event loop run once a step, so signals
        // (Ctrl-C), progress output and a worker's messages are handled during a long day.
        await new Promise<void>((resume) => setImmediate(resume));
      }
      return epi?.finishDay();
    },
    ...(follower ? { feed: (steps: NotedSteps) => follower.feed(steps) } : {}),
    async match(batch) {
      const file = readKeyFile(batch.file, { trustedKeys: [trustedKey], clock: fleet.clock });
      const index = createDerivedKeyIndex(deriveGaenRuns(file.keys));
      // Every phone, its owner's batch-mates and the owner itself included: a phone does not know who
      // else is in a batch (its own keys are never in its log, so they match nothing).
      const out: PhoneCheck[] = [];
      for (const phone of fleet.phones) {
        const { assessment } = await checkExposure(phone.log, file.keys, {
          index,
          policy,
          receiverModel: phone.model,
        });
        if (assessment.keys.length === 0) continue;
        out.push({
          person: phone.person,
          ...(assessment.level !== undefined ? { level: assessment.level } : {}),
          keys: assessment.keys.map((k) => ({
            keyIndex: k.keyIndex,
            level: k.level,
            contact: k.contact,
            days: k.days.map((d) => ({ day: dayOf(d.day), closeSeconds: d.closeSeconds, f1: d.f1 })),
          })),
        });
      }
      return out;
    },
    async detect(day) {
      const from = mobility.dayStartMs(day);
      const to = mobility.dayStartMs(day + 1);
      const date = localDate(from, policy.day.boundary);
      // Every app user's keys that were on air during the day, as if all were published as cases.
      const keys: ExposureKey[] = [];
      const owners: number[] = [];
      const runs: DerivedRun[] = [];
      const hasApp = world.hasApp;
      for (let p = 0; p < hasApp.length; p++) {
        if (!hasApp[p]) continue;
        for (const k of fleet.keysOf(p)) {
          const start = k.rollingStartIntervalNumber * 600_000;
          if (start >= to || start + k.rollingPeriod * 600_000 <= from) continue;
          // Only the key's intervals within the day are derived (an RPI depends on the key and its
          // interval number alone): half of a whole key's 144, as a local day spans two UTC days.
          const first = Math.max(k.rollingStartIntervalNumber, Math.floor(from / 600_000));
          const end = Math.min(k.rollingStartIntervalNumber + k.rollingPeriod, Math.ceil(to / 600_000));
          keys.push({
            ...k,
            rollingStartIntervalNumber: first,
            rollingPeriod: end - first,
            reportType: ReportType.CONFIRMED_TEST,
          });
          owners.push(p);
          // The key's RPIs as the phone (or its shadow) derived them to broadcast: a view of its
          // schedule's bytes, not a second derivation of the key. A schedule never has two keys
          // covering one interval (a release truncates the key, its fresh key starts after it).
          const own = fleet.rpisAt(p, first);
          if (own.first !== k.rollingStartIntervalNumber)
            throw new Error(`detection: person ${p}'s keys overlap in interval ${first}`);
          runs.push({
            keyIndex: keys.length - 1,
            ids: own.rpis.subarray((first - own.first) * 16, (end - own.first) * 16),
            idLength: 16,
            count: end - first,
            firstSlotStart: first * 600_000,
            slotMs: 600_000,
          });
        }
      }
      const index = createDerivedKeyIndex(runs);
      const out: number[] = [];
      for (const phone of fleet.phones) {
        if (!measured(phone.person, day)) continue;
        // The day's sightings only (the day rule judges windows starting in the day; its bounds are
        // multiples of the 5-minute window): the verdict for the day on the whole log, but for the
        // share of the next day's first scan that stands for this day's last minutes (not logged yet
        // when the day is judged: at most 300 s of a pair's day). The range is matched in place: no
        // copy of the day into a new log.
        const { assessment } = await checkExposure(phone.log, keys, {
          index,
          range: { from, to },
          policy,
          receiverModel: phone.model,
        });
        const judged = new Set<number>();
        for (const k of assessment.keys) {
          const a = owners[k.keyIndex]!;
          if (a !== phone.person && k.days.some((d) => d.day === date && d.f1)) judged.add(a);
        }
        for (const a of [...judged].sort((x, y) => x - y)) out.push(phone.person, a);
      }
      return Int32Array.from(out);
    },
    async finish(decisions) {
      apply(decisions);
      // Tracers are not stopped: stopping them one by one would make the last partial scans depend on
      // which phones are local. A scan still running at the end of the horizon is not counted.
      let logBytes = 0;
      for (const phone of fleet.phones) logBytes += phone.log.columnBytes() + phone.log.indexBytes();
      return { sightings: fleet.sightingsLogged(), releaseDigest: digest, logBytes };
    },
  };
}
