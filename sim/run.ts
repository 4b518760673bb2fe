/**
 * One simulation: the epidemic on a world of people, the app on every adopter's phone (the library's
 * tracer, log and matcher), the health authority publishing keys, and notified contacts quarantining —
 * next to the same world without the app, so infections averted can be counted.
 */
import { buildMobility, buildRunWorld } from "./world/build";
import { noteNeighbours } from "./world/follower";
import { shareDay, shareWorld } from "./world/shared";
import type { World } from "./world/world";
import {
  calibrationModels,
  DAY_MS,
  type ExposureKey,
  INTERVALS_PER_DAY,
  readKeyFile,
  InvalidArgumentError,
  ReportType,
} from "../src/index";
import { createAuthority } from "./app/authority";
import { isNews } from "./app/notification";
import type { ContactTrace } from "./world/contact-trace";
import {
  createDetectionTally,
  detectionSample,
  createPairDayTracker,
  type DetectionSummary,
  type PairDayTracker,
} from "./app/detection";
import {
  ASYMPTOMATIC,
  createEpidemic,
  type DayReport,
  type Epidemic,
  EXPOSED,
  PRESYMPTOMATIC,
  RECOVERED,
  SUSCEPTIBLE,
  SYMPTOMATIC,
} from "./epidemic/epidemic";
import {
  type EpidemicSummary,
  type Infection,
  isInterventionFree,
  lineList,
  summariseEpidemic,
  transmissionSettings,
} from "./epidemic/epidemic-metrics";
import {
  type ClinicalSummary,
  summariseClinical,
  summariseTesting,
  type TestingSummary,
} from "./epidemic/clinical";
import { createEvaluation, type EvaluationSummary } from "./evaluation/evaluation";
import { type AppPartitionHandle, startPartitionWorker } from "./app/parallel";
import {
  appSeeds,
  type BatchMessage,
  createAppPartition,
  partitionOf,
  partitionPeople,
  stepsPerAdvance,
  type DayDecisions,
  releaseDigest,
  type SimEngine,
} from "./app/partition";
import { createShadowPhone, phoneIdentity, RADIO_RANGE_M, type ShadowPhone } from "./app/phones";
import { hashUniform } from "./random";
import type { Scenario } from "./scenario";
import { withoutInterventions, withPopulation } from "./scenario";
import type { RadioSampling } from "./radio/radio";

/**
 * Options of {@link runSimulation}.
 * @public
 */
export interface SimulationOptions {
  /** The scenario (see `loadScenario`). */
  scenario: Scenario;
  /** Population size: every person carries a phone; `adoption` of them run the app. Default: the scenario's. */
  phones?: number;
  /**
   * Replay this contact trace instead of generated mobility (see `createContactMobility`): the
   * population is the trace's nodes, so `phones` must not be given too.
   */
  contacts?: ContactTrace;
  /** Days simulated; default the scenario's. */
  days?: number;
  /** App adoption (replaces the scenario's, including its per-age values). */
  adoption?: number;
  /** Master seed; default the scenario's. */
  seed?: number;
  /** Also run the same world without the app (default true). */
  counterfactual?: boolean;
  /**
   * Turn off every intervention, symptomatic testing and isolation, and the app's response
   * ({@link withoutInterventions}): the arm in which the summary's `epidemic.R0` is R0. Default false.
   */
  noInterventions?: boolean;
  /**
   * Worker threads (default 1). With 1 everything runs on this thread; with W ≥ 2 the app users' phones
   * are split over W worker threads (round-robin in person order) while this thread coordinates and
   * runs the counterfactual arm. The output is identical for every W.
   */
  workers?: number;
  /**
   * How the radio draws what a scan hears: `scan` (default) one summary per scan and link, drawn from
   * the distribution the per-packet model implies (see `RadioModel.scan`; the two agree within a KS
   * distance of 0.05, tests/sim/radio-scan.test.ts); `packets` every packet (the reference, ≈ 16 draws
   * per 4-s scan; slower).
   */
  radio?: RadioSampling;
  /**
   * Which host runs the phones' tracers: `batched` (default) the tracer core stepped synchronously,
   * `device` the device tracer on timers and a simulated transport (the previous engine; slower, see the throughput table in README).
   * Both give the same output.
   */
  engine?: SimEngine;
  /**
   * Receivers the detection measure judges per day: a deterministic sample of about this many app
   * users a day (see `detectionSample`); default {@link DETECTION_RECEIVERS_PER_DAY} (1,000),
   * `Infinity` for every phone every day.
   */
  detectionReceivers?: number;
  /** Progress callback, once per simulated day of each arm. */
  onProgress?: (p: { arm: "app" | "noApp"; day: number; days: number }) => void;
  /** Called once the world is built, before the first simulated day, with the run's size. */
  onStart?: (size: RunSize) => void;
}

/**
 * The size of a run, known once its world is built.
 * @public
 */
export interface RunSize {
  /** People in the world (each carries a phone). */
  people: number;
  /** People running the app (the phones the library runs on). */
  appUsers: number;
  /** Days simulated. */
  days: number;
  /** Worker threads the app users' phones are split over (1: all on the calling thread). */
  workers: number;
}

/**
 * One day of the time series. Its testing and clinical fields (`tests`, `pcrReactions`,
 * `falsePositives`, `hospitalised`, `inHospital`, `deaths`) are the epidemic's {@link DayReport} fields
 * of the run with the app.
 * @public
 */
export interface DayRow
  extends Pick<
    DayReport,
    "tests" | "pcrReactions" | "falsePositives" | "hospitalised" | "inHospital" | "deaths"
  > {
  /** Day index (0 = the scenario's start date). */
  day: number;
  /** The day's date, ISO `YYYY-MM-DD` (UTC). */
  date: string;
  /** New infections with the app. */
  infections: number;
  /** New infections in the counterfactual run without the app (NaN when it was not run). */
  infectionsWithoutApp: number;
  /** New confirmed cases (with the app). */
  confirmed: number;
  /** Keys in the day's published batch: confirmed cases' (CONFIRMED_TEST) and notified F1s' (RECURSIVE). */
  keysPublished: number;
  /**
   * F1 notifications that day (a person is notified again once an earlier notification's quarantine
   * has run out, so the sum over days can exceed the people notified).
   */
  notifiedF1: number;
  /** F2 notifications that day (as {@link DayRow.notifiedF1}). */
  notifiedF2: number;
  /**
   * People in quarantine at the end of the day (with the app), by any measure: manual tracing's F1
   * quarantine, the app's F1 quarantine, F2s staying home; confirmed cases in isolation are not counted.
   */
  quarantined: number;
  /**
   * SEIR compartments at the end of the day (with the app): susceptible, exposed (infected, not yet
   * infectious), infectious (pre-symptomatic + symptomatic + asymptomatic), recovered (no longer infectious).
   */
  susceptible: number;
  /** Exposed: infected, not yet infectious (people). */
  exposed: number;
  /** Infectious: pre-symptomatic + symptomatic + asymptomatic (people). */
  infectious: number;
  /** Recovered: no longer infectious (people). */
  recovered: number;
}

/**
 * The summary written to `summary.json` (and printed by `bluezone sim --json`).
 * @public
 */
export interface SimulationSummary extends Omit<EvaluationSummary, "roc"> {
  /** Scenario name. */
  scenario: string;
  /** People (each with a phone). */
  phones: number;
  /** People running the app. */
  appUsers: number;
  /** Days simulated. */
  days: number;
  /** Master seed. */
  seed: number;
  /** Infections over the run, with the app. */
  infections: number;
  /** Infections over the run without the app (NaN when the counterfactual was not run). */
  infectionsWithoutApp: number;
  /** infectionsWithoutApp − infections. */
  infectionsAverted: number;
  /**
   * Attack rate: infections over the run (with the app) / people — the share infected during the run,
   * the index cases infected before day 0 not counted.
   */
  attackRate: number;
  /** Keys published over the run. */
  keysPublished: number;
  /** Key-file batches the authority published. */
  batches: number;
  /** Sightings the phones logged (scan instances). */
  sightingsLogged: number;
  /**
   * Bytes the phones' contact logs hold at the end of the run (memory logs at their allocated capacity:
   * identifier records, scan entries and 4-byte rows, ≈ 18 KB a phone-day on hanoi-ward; see
   * `createMemoryLog`); retention keeps 14 days.
   */
  logBytes: number;
  /** Area under the ROC of the policy's daily close seconds against true ≤ 2 m / 15 min contact days. */
  policyRocAuc: number;
  /**
   * Contact detection over every ordered pair of app users and every day, independent of the epidemic
   * (see `sim/app/detection.ts`): true close contacts, detected, false alarms, sensitivity, precision, and
   * the same by setting, carriage pair and true distance band.
   */
  detection: DetectionSummary;
  /** Measured epidemic figures of the run (with the app): R0, Rt, generation interval, shares, household SAR. */
  epidemic: EpidemicSummary;
  /** Hospitalisations and deaths of the run (with the app), overall and by age group. */
  clinical: ClinicalSummary;
  /** PCR testing of the run (with the app): samples, reactions, confirmed cases, false positives. */
  testing: TestingSummary;
}

/**
 * Everything a run produces.
 * @public
 */
export interface SimulationResult {
  /** Headline figures. */
  summary: SimulationSummary;
  /** Daily series. */
  daily: DayRow[];
  /** ROC points of the contact policy against the ground truth. */
  roc: [number, number][];
  /** Line list of the run's infections (with the app), in time order: `infections.csv`. */
  infections: Infection[];
  /** The scenario as run (population, days, adoption, seed applied): the report's settings. */
  scenario?: Scenario;
}

/**
 * The scenario as run: population (the trace's nodes when replaying one), days and adoption applied.
 * @throws InvalidArgumentError when both `phones` and `contacts` are given, when the scenario's index
 * cases (`epidemic.initialInfected`) exceed the run's people, or when a numeric option is
 * out of its range (phones 2…10⁶, days 1…365, seed 0…2³²−1 and workers 1…64, integers; adoption 0…1;
 * detectionReceivers above 0)
 * @public
 */
export function prepareScenario(options: SimulationOptions): Scenario {
  checkSimulationOptions(options);
  let s = options.scenario;
  if (options.contacts) {
    if (options.phones !== undefined)
      throw new InvalidArgumentError(
        "phones cannot be combined with a contact trace: the population is the trace's nodes",
      );
    s = withPopulation(s, options.contacts.size);
  }
  if (options.phones !== undefined) s = withPopulation(s, options.phones);
  // The index cases are the scenario's count (not scaled with the population): more than the people
  // would leave no one to infect.
  const index = s.epidemic.initialInfected;
  if (index !== undefined && index > s.population)
    throw new InvalidArgumentError(
      `the scenario's ${index} index cases (epidemic.initialInfected) exceed the ${s.population} people of the run: ` +
        "lower epidemic.initialInfected (--set) or run more people",
    );
  if (options.days !== undefined) s = { ...s, days: options.days };
  if (options.adoption !== undefined)
    s = { ...s, app: { ...s.app, adoption: options.adoption, byAgeGroup: undefined } };
  if (options.seed !== undefined) s = { ...s, seed: options.seed };
  if (options.noInterventions) s = withoutInterventions(s);
  return s;
}

/** An integer option within [min, max], or an InvalidArgumentError naming it. */
function checkInteger(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
}

/**
 * The numeric options' ranges, as `bluezone sim` checks its flags: phones 2…10⁶ (the people the
 * world is built for), days 1…365, adoption a fraction 0…1, seed 0…2³²−1 (the scenario schema's),
 * workers 1…64, detectionReceivers a number > 0 (`Infinity` allowed).
 */
function checkSimulationOptions(o: SimulationOptions): void {
  checkInteger("phones", o.phones, 2, 1_000_000);
  checkInteger("days", o.days, 1, 365);
  checkInteger("seed", o.seed, 0, 0xffffffff);
  checkInteger("workers", o.workers, 1, 64);
  if (o.adoption !== undefined && !(typeof o.adoption === "number" && o.adoption >= 0 && o.adoption <= 1))
    throw new InvalidArgumentError(`adoption must be a fraction from 0 to 1, got ${String(o.adoption)}`);
  if (
    o.detectionReceivers !== undefined &&
    !(typeof o.detectionReceivers === "number" && o.detectionReceivers > 0)
  )
    throw new InvalidArgumentError(
      `detectionReceivers must be a number > 0 (Infinity: every phone), got ${String(o.detectionReceivers)}`,
    );
}

const DAY_KEY = (interval: number) => Math.floor(interval / INTERVALS_PER_DAY);

/**
 * The epidemic without any app (replaying `contacts` when given), one day at a time: each call runs the
 * next day, returning its new infections. `world`: the scenario's world built already (`buildRunWorld`
 * with the same seed and contacts), moved rather than built again.
 * @public
 */
export function startWithoutApp(scenario: Scenario, contacts?: ContactTrace, world?: World): () => number {
  const mobility = buildMobility(scenario, {
    seed: scenario.seed,
    ...(contacts ? { contacts } : {}),
    ...(world ? { world } : {}),
  });
  const epi = createEpidemic(scenario, { seed: scenario.seed, mobility });
  return () => epi.runDay().infections;
}

/**
 * The epidemic without any app (replaying `contacts` when given): daily new infections.
 * @public
 */
export function runWithoutApp(
  scenario: Scenario,
  onDay?: (day: number) => void,
  contacts?: ContactTrace,
): number[] {
  const next = startWithoutApp(scenario, contacts);
  const out: number[] = [];
  for (let d = 0; d < scenario.days; d++) {
    out.push(next());
    onDay?.(d);
  }
  return out;
}

interface AppArm {
  reports: DayReport[];
  published: number[];
  notified: { f1: number[]; f2: number[] };
  evaluation: EvaluationSummary;
  detection: DetectionSummary;
  /** Line list of the arm's infections and the household of each person. */
  infections: Infection[];
  household: Int32Array;
  /** Hospitalisations and deaths of the arm. */
  clinical: ClinicalSummary;
  keysPublished: number;
  batches: number;
  sightings: number;
  /** Bytes the phones' contact logs hold at the end (see {@link SimulationSummary.logBytes}). */
  logBytes: number;
  appUsers: number;
  /** The counterfactual's daily infections, when it ran alongside. */
  withoutApp?: number[];
}

/** Options of the app arm's coordinator. */
interface AppArmOptions {
  /** Worker threads: the app users' phones are split over this many partitions (1: in-process). */
  workers: number;
  /** Also run the no-app arm, a day at a time, on this thread while the partitions simulate. */
  counterfactual: boolean;
  onDay?: (arm: "app" | "noApp", day: number) => void;
  onStart?: (size: RunSize) => void;
  /** The contact trace replayed instead of generated mobility, if any. */
  contacts?: ContactTrace;
  /** Radio sampling (default `packets`). */
  radio?: RadioSampling;
  /** Which host runs the phones (default `batched`). */
  engine?: SimEngine;
  /** Receivers the detection measure judges per day (default 1,000). */
  detectionReceivers?: number;
}

/** Days since symptom onset of a person's keys: the onset day (UTC day number), NaN when asymptomatic. */
function onsetDay(epi: Epidemic, person: number): number {
  const st = epi.state;
  if (st.asymptomatic[person]) return Number.NaN;
  return Math.floor(
    epi.mobility.dayStartMs(0) / DAY_MS + st.infectedAt[person]! + st.incubationDays[person]!,
  );
}

/** Released keys as uploaded: report type, transmission risk level and days since onset. */
function uploadKeys(
  keys: readonly ExposureKey[],
  onset: number,
  reportType: ExposureKey["reportType"],
  level?: number,
): ExposureKey[] {
  return keys.map((k) => {
    const dso = DAY_KEY(k.rollingStartIntervalNumber) - onset;
    return {
      ...k,
      reportType,
      ...(level !== undefined ? { transmissionRiskLevel: level } : {}),
      ...(Number.isFinite(dso) && Math.abs(dso) <= 14 ? { daysSinceOnsetOfSymptoms: dso } : {}),
    };
  });
}

/**
 * The app arm. The app users' phones are split over partitions ({@link createAppPartition}): in-process
 * with one worker (stepping this thread's epidemic), else one worker thread each, following this
 * thread's mobility on the one world they share (the day's schedule in shared memory, their phones'
 * neighbours noted here step by step). This coordinator holds the only epidemic (with the true
 * contacts, for the evaluation), the authority, a key replica of every uploader's phone (to build
 * uploads without a round trip to the phone's partition) and the people's choices (consent, compliance:
 * draws keyed by person, day and purpose): it merges the partitions' match results in person order, so
 * the output does not depend on the number of partitions. The no-app arm runs here too, a day at a time, while the partitions simulate.
 */
async function runWithApp(scenario: Scenario, options: AppArmOptions): Promise<AppArm> {
  const seed = scenario.seed;
  const seeds = appSeeds(seed);
  const response = scenario.app.response;
  const contacts = options.contacts;
  const radio = options.radio ?? "scan";
  let tracker: PairDayTracker | undefined;
  const count = Math.max(1, Math.floor(options.workers));
  const inProcess = count === 1;
  // Built once: with worker threads its columns go to shared memory, which every worker reads.
  const built = buildRunWorld(scenario, { seed, ...(contacts ? { contacts } : {}) });
  const world = inProcess ? built : shareWorld(built);
  let noteStep: ((s: number) => void) | undefined;
  const epi = createEpidemic(scenario, {
    seed,
    mobility: buildMobility(scenario, { seed, world, ...(contacts ? { contacts } : {}) }),
    trackContacts: true,
    onStep: (s) => {
      tracker?.step();
      noteStep?.(s);
    },
  });
  tracker = createPairDayTracker(epi.mobility, world.hasApp);
  const detection = createDetectionTally(world.carriage, world.hasApp);
  const measured = detectionSample(
    seed,
    world.hasApp.reduce((s: number, x: number) => s + x, 0),
    options.detectionReceivers,
  );
  const startMs = epi.mobility.dayStartMs(0);
  let now = startMs;
  const clock = { now: () => now };
  const authority = createAuthority(seeds.authority, clock);
  // People's choices (consent, compliance) keyed by person, day and purpose, not drawn in sequence: two
  // runs whose notifications differ draw the same for everyone else (common random numbers; see
  // createEpidemic).
  const choice = (purpose: number, p: number, day: number) => hashUniform(seeds.choices, purpose, p, day);
  const evaluation = createEvaluation();
  const models = calibrationModels();
  const keyReplicas = new Map<number, ShadowPhone>();
  /** The local day (of the run) of unix-ms time `t`. */
  const localDay = (t: number) => Math.floor((t - startMs) / DAY_MS);
  const notifiedUntil = new Float64Array(world.size);
  // The level of the notification in force (0: none; see isNews).
  const notifiedLevel = new Uint8Array(world.size);
  const reports: DayReport[] = [];
  const published: number[] = [];
  const notified = { f1: [] as number[], f2: [] as number[] };
  const noApp = options.counterfactual ? startWithoutApp(scenario, contacts, world) : undefined;
  const withoutApp: number[] = [];
  let keysPublished = 0;
  let batches = 0;
  let digest = 0;
  let decisions: DayDecisions = { quarantines: [], releases: [] };

  /** Releases `p`'s keys (on its replica here; its partition follows with the decisions) and uploads them. */
  const upload = (p: number, day: number, reportType: ExposureKey["reportType"], level?: number) => {
    let replica = keyReplicas.get(p);
    if (!replica) {
      replica = createShadowPhone(phoneIdentity(seeds.fleet, p, models), clock, startMs);
      keyReplicas.set(p, replica);
    }
    const keys = replica.releaseKeys();
    decisions.releases.push(p);
    digest = (digest + releaseDigest(p, keys)) >>> 0;
    authority.upload({
      owner: p,
      keys: uploadKeys(keys, onsetDay(epi, p), reportType, level),
      publishDay: day + response.uploadDelayDays,
    });
  };

  const partitions: AppPartitionHandle[] = inProcess
    ? [
        createAppPartition(scenario, {
          index: 0,
          count: 1,
          epidemic: epi,
          radio,
          ...(options.engine ? { engine: options.engine } : {}),
          ...(options.detectionReceivers !== undefined
            ? { detectionReceivers: options.detectionReceivers }
            : {}),
          ...(options.detectionReceivers !== undefined
            ? { detectionReceivers: options.detectionReceivers }
            : {}),
        }),
      ]
    : Array.from({ length: count }, (_, index) =>
        startPartitionWorker({
          scenario,
          world,
          partition: { index, count },
          radio,
          ...(options.engine ? { engine: options.engine } : {}),
          ...(contacts ? { contacts } : {}),
        }),
      );
  // Worker threads follow this thread's mobility: at each step, the neighbours of each partition's
  // phones (app users within radio range) are noted, and sent to the partition stretch by stretch
  // (the stretches it runs its phones through at once), the buffers transferred, not copied.
  if (!inProcess) {
    const owner = partitionOf(world.hasApp, count);
    const people = Array.from({ length: count }, (_, i) => partitionPeople(owner, i));
    const perStretch = stepsPerAdvance(epi.mobility.stepMinutes);
    const near: number[] = [];
    const lists: Int32Array[] = people.map((m) => new Int32Array(Math.max(64, 4 * m.length)));
    let starts: Int32Array[] = [];
    const used = people.map(() => 0);
    let first = 0;
    noteStep = (s) => {
      if (s === first) starts = people.map((m) => new Int32Array(perStretch * (m.length + 1)));
      const k = s - first;
      for (let i = 0; i < count; i++) {
        const m = people[i]!.length;
        const noted = noteNeighbours(
          epi.mobility,
          people[i]!,
          RADIO_RANGE_M,
          world.hasApp,
          starts[i]!,
          k * (m + 1),
          lists[i]!,
          used[i]!,
          near,
        );
        lists[i] = noted.list;
        used[i] = noted.used;
      }
      if (s !== epi.steps - 1 && (s + 1) % perStretch !== 0) return;
      for (let i = 0; i < count; i++) {
        const m = people[i]!.length;
        partitions[i]!.feed!({
          day: epi.day, // the day being stepped (it advances when the day is finished)
          first,
          count: k + 1,
          starts: starts[i]!.subarray(0, (k + 1) * (m + 1)),
          list: lists[i]!.subarray(0, used[i]!),
        });
        // The next stretch's list: a new buffer (this one is transferred), as large as this one used.
        lists[i] = new Int32Array(Math.max(64, used[i]!));
        used[i] = 0;
      }
      first = s + 1 === epi.steps ? 0 : s + 1;
    };
  }
  const all = <T>(f: (p: AppPartitionHandle) => Promise<T>) => {
    const done = Promise.all(partitions.map(f));
    done.catch(() => {}); // awaited below; if this thread fails first, the workers are closed instead
    return done;
  };
  try {
    options.onStart?.({
      people: world.size,
      appUsers: world.hasApp.reduce((s: number, x: number) => s + x, 0),
      days: scenario.days,
      workers: count,
    });
    await all((p) => p.start());
    for (let day = 0; day < scenario.days; day++) {
      let report: DayReport;
      let running: Promise<unknown> | undefined;
      if (inProcess) {
        const [own] = await all((p) => p.runDay(day, decisions));
        report = own!;
      } else {
        // The workers follow this thread's epidemic: they adopt the day it starts (in shared memory)
        // and are fed their phones' neighbours stretch by stretch while it steps (noteStep).
        epi.startDay();
        running = all((p) => p.runDay(day, decisions, shareDay(epi.mobility.currentDay())));
        for (let s = 0; s < epi.steps; s++) epi.runStep(s);
        report = epi.finishDay();
      }
      decisions = { quarantines: [], releases: [] };
      // While the workers run their phones: the no-app arm.
      if (noApp) {
        withoutApp.push(noApp());
        options.onDay?.("noApp", day);
      }
      await running;
      reports.push(report);
      now = epi.mobility.dayStartMs(day + 1);
      const contacts = epi.lastContacts();
      if (contacts) evaluation.addContacts(contacts);
      // Detection over all app users: the day's truth against every phone's verdicts for the day.
      const judged = await all((p) => p.detect(day));
      detection.addDay(
        tracker.finishDay(),
        judged.flatMap((j) => [...j]),
        (p) => measured(p, day),
      );

      // Confirmed cases with the app upload their keys (consent), published after the delay.
      for (const p of report.confirmedIds) {
        if (!world.hasApp[p] || !(choice(1, p, day) < response.uploadConsent)) continue;
        upload(p, day, ReportType.CONFIRMED_TEST);
      }

      // The day's batch: verified and derived once per partition, matched on every phone that could
      // have heard a published key's owner; the verdicts merged in person order.
      let dayF1 = 0;
      let dayF2 = 0;
      let dayKeys = 0;
      const batch = authority.publish(day);
      if (batch) {
        batches++;
        const message: BatchMessage = { file: batch.file };
        const checking = all((p) => p.match(message));
        const file = readKeyFile(batch.file, { trustedKeys: [authority.trustedKey], clock });
        dayKeys = file.keys.length;
        keysPublished += dayKeys;
        const ownersByKey = batch.owners;
        file.keys.forEach((k, i) => {
          const start = k.rollingStartIntervalNumber * 600_000;
          evaluation.addPublication({
            owner: ownersByKey[i]!,
            kind: k.reportType === ReportType.RECURSIVE ? "f1" : "case",
            from: localDay(start),
            to: localDay(start + k.rollingPeriod * 600_000 - 1),
            day,
          });
        });
        const checks = (await checking).flat().sort((a, b) => a.person - b.person);
        for (const check of checks) {
          const p = check.person;
          for (const k of check.keys) {
            if (file.keys[k.keyIndex]!.reportType !== ReportType.CONFIRMED_TEST) continue;
            const owner = ownersByKey[k.keyIndex]!;
            for (const d of k.days)
              evaluation.addJudgement({ person: p, owner, day: d.day, score: d.closeSeconds, judged: d.f1 });
          }
          const level = check.level;
          if (level === undefined) continue;
          if (!isNews(level, day, { until: notifiedUntil[p]!, level: notifiedLevel[p]! })) continue;
          notifiedLevel[p] = level;
          const contactOwners = check.keys
            .filter((k) => k.contact && k.level === level)
            .map((k) => ownersByKey[k.keyIndex]!);
          evaluation.addNotification({ person: p, day, level, owners: contactOwners });
          if (level === 1) {
            dayF1++;
            notifiedUntil[p] = day + response.quarantineDays;
            if (choice(2, p, day) < response.quarantineCompliance)
              quarantine(p, day + 1 + response.quarantineDays);
            if (response.publishF1Keys && choice(3, p, day) < response.uploadConsent)
              upload(p, day, ReportType.RECURSIVE, 1);
          } else {
            dayF2++;
            notifiedUntil[p] = day + response.f2Days;
            if (choice(4, p, day) < response.f2StayHomeShare) quarantine(p, day + 1 + response.f2Days);
          }
        }
      }
      published.push(dayKeys);
      notified.f1.push(dayF1);
      notified.f2.push(dayF2);
      options.onDay?.("app", day);
    }
    const totals = await all((p) => p.finish(decisions));
    const partitionDigest = totals.reduce((s, t) => (s + t.releaseDigest) >>> 0, 0);
    if (partitionDigest !== digest)
      throw new Error(
        "simulation: a phone's released keys differ from its replica's (shadow schedules diverged)",
      );
    return {
      reports,
      published,
      notified,
      evaluation: evaluation.summarise((p) => world.hasApp[p] === 1),
      detection: detection.summary(),
      infections: lineList(epi),
      household: world.household,
      clinical: summariseClinical(epi, scenario.days),
      keysPublished,
      batches,
      sightings: totals.reduce((s, t) => s + t.sightings, 0),
      logBytes: totals.reduce((s, t) => s + t.logBytes, 0),
      appUsers: world.hasApp.reduce((s: number, x: number) => s + x, 0),
      ...(noApp ? { withoutApp } : {}),
    };
  } finally {
    await Promise.all(partitions.map((p) => p.close?.()));
  }

  /** Quarantines `p` on this replica now and on every partition's before the next day. */
  function quarantine(p: number, untilDay: number) {
    epi.quarantine(p, untilDay);
    decisions.quarantines.push(p, untilDay);
  }
}

/**
 * Runs a simulation: the app arm and (by default) the same world without the app.
 * @throws InvalidArgumentError (`ERR_INVALID_ARGUMENT`) for options out of range (see
 * {@link prepareScenario}), before anything runs
 * @public
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const scenario = prepareScenario(options);
  const days = scenario.days;
  const app = await runWithApp(scenario, {
    workers: options.workers ?? 1,
    counterfactual: options.counterfactual !== false,
    ...(options.contacts ? { contacts: options.contacts } : {}),
    ...(options.radio ? { radio: options.radio } : {}),
    ...(options.engine ? { engine: options.engine } : {}),
    ...(options.detectionReceivers !== undefined ? { detectionReceivers: options.detectionReceivers } : {}),
    onDay: (arm, day) => options.onProgress?.({ arm, day, days }),
    ...(options.onStart ? { onStart: options.onStart } : {}),
  });
  const without = app.withoutApp;
  const start = Date.parse(`${scenario.startDate}T00:00:00Z`);
  const daily: DayRow[] = app.reports.map((r, i) => ({
    day: i,
    date: new Date(start + i * DAY_MS).toISOString().slice(0, 10),
    infections: r.infections,
    infectionsWithoutApp: without?.[i] ?? Number.NaN,
    confirmed: r.confirmed,
    keysPublished: app.published[i]!,
    notifiedF1: app.notified.f1[i]!,
    notifiedF2: app.notified.f2[i]!,
    quarantined: r.quarantined,
    susceptible: r.compartments[SUSCEPTIBLE] ?? 0,
    exposed: r.compartments[EXPOSED] ?? 0,
    infectious:
      (r.compartments[PRESYMPTOMATIC] ?? 0) +
      (r.compartments[SYMPTOMATIC] ?? 0) +
      (r.compartments[ASYMPTOMATIC] ?? 0),
    recovered: r.compartments[RECOVERED] ?? 0,
    tests: r.tests,
    pcrReactions: r.pcrReactions,
    falsePositives: r.falsePositives,
    hospitalised: r.hospitalised,
    inHospital: r.inHospital,
    deaths: r.deaths,
  }));
  const infections = daily.reduce((s, d) => s + d.infections, 0);
  const infectionsWithoutApp = without ? without.reduce((s, d) => s + d, 0) : Number.NaN;
  const { roc, ...evaluation } = app.evaluation;
  return {
    summary: {
      scenario: scenario.name,
      phones: scenario.population,
      appUsers: app.appUsers,
      days,
      seed: scenario.seed,
      ...evaluation,
      infections,
      infectionsWithoutApp,
      infectionsAverted: infectionsWithoutApp - infections,
      attackRate: scenario.population > 0 ? infections / scenario.population : Number.NaN,
      keysPublished: app.keysPublished,
      batches: app.batches,
      sightingsLogged: app.sightings,
      logBytes: app.logBytes,
      policyRocAuc: roc.auc,
      detection: app.detection,
      epidemic: summariseEpidemic(
        app.infections,
        app.household,
        days,
        isInterventionFree(scenario),
        transmissionSettings(scenario),
      ),
      clinical: app.clinical,
      testing: summariseTesting(app.reports),
    },
    daily,
    roc: roc.points,
    infections: app.infections,
    scenario,
  };
}
