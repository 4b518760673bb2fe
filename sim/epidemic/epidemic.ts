/**
 * The epidemic on a world: per-person compartments, transmission at every mobility step as a function
 * of TRUE distance, duration and setting; symptomatic testing, mass testing (turnaround, Dorfman-pooled
 * PCR with sensitivity, specificity and dilution) and isolation; F1 quarantine (with PCR tests on entry
 * and before release, and leakage) and F2 monitoring from true close contacts; vaccination; severe
 * courses by age (hospitalisation and death; the hospitalised and the dead leave the community). Sources
 * in docs/epidemic-params.md. Also {@link measureR}, the reproduction number of the early generations,
 * used to calibrate β.
 */
import { buildMobility } from "../world/build";
import type { ContactTrace } from "../world/contact-trace";
import type { EpidemicParams } from "./epidemic-params";
import {
  accumulateStep,
  closeContacts,
  contactsByPerson,
  createPairCache,
  DEFAULT_CONTACT_THRESHOLDS,
  type DayContacts,
} from "../world/ground-truth";
import { distanceKernel, drawCourse, infectiousness } from "./infection";
import { AT_HOME, AWAY, DAY_MINUTES, FREE, type Mobility } from "../world/mobility";
import { createPairMinutes } from "../world/pair-minutes";
import { createRng, createStreams, hash32, hashUniform, type Rng } from "../random";
import { inForce, restrictionsOn, selectWards } from "../world/restrictions";
import { reportSymptoms } from "./community-teams";
import { type Intervention, resolveEpidemicParams, type Scenario, withoutInterventions } from "../scenario";
import { HOME, type World } from "../world/world";

/**
 * Compartments.
 * @public
 */
export const SUSCEPTIBLE = 0;
/**
 * Infected, not yet infectious.
 * @public
 */
export const EXPOSED = 1;
/**
 * Infectious before symptom onset.
 * @public
 */
export const PRESYMPTOMATIC = 2;
/**
 * Infectious with symptoms.
 * @public
 */
export const SYMPTOMATIC = 3;
/**
 * Infectious, never symptomatic.
 * @public
 */
export const ASYMPTOMATIC = 4;
/**
 * No longer infectious.
 * @public
 */
export const RECOVERED = 5;

/**
 * Compartment names, by code.
 * @public
 */
export const COMPARTMENTS = [
  "susceptible",
  "exposed",
  "presymptomatic",
  "symptomatic",
  "asymptomatic",
  "recovered",
];

/**
 * Per-person epidemic state (typed arrays indexed by person id).
 * @public
 */
export interface EpidemicState {
  /** Compartment code. */
  compartment: Uint8Array;
  /** Infection time (days since scenario start), NaN if never infected. */
  infectedAt: Float64Array;
  /** Days from infection to infectiousness. */
  latentDays: Float32Array;
  /** Days from infection to (would-be) symptom onset. */
  incubationDays: Float32Array;
  /** Days from infection to recovery. */
  recoveryDays: Float32Array;
  /** 1 if asymptomatic. */
  asymptomatic: Uint8Array;
  /** Individual infectiousness multiplier (mean 1; see `infectiousnessDispersionK`). */
  relInfectiousness: Float32Array;
  /** Who infected this person: −1 initial case, −2 not infected. */
  infector: Int32Array;
  /** Generation (0 = initial case). */
  generation: Int16Array;
  /** Number of people this person infected. */
  secondary: Int32Array;
  /** Place where this person was infected (id in the world's places), −1 for an initial case or none. */
  infectionPlace: Int32Array;
  /**
   * The infector's state when it transmitted to this person: {@link PRESYMPTOMATIC},
   * {@link SYMPTOMATIC} or {@link ASYMPTOMATIC} (read from its course at that time, not from the
   * compartment, which only moves in the evening); {@link SUSCEPTIBLE} (0) for an initial case or none.
   */
  infectorState: Uint8Array;
  /** 1 if vaccinated. */
  vaccinated: Uint8Array;
  /** Day of vaccination (protection ramps up from then), NaN if not vaccinated. */
  vaccinatedAt: Float32Array;
  /** Day a positive test result isolates this person, NaN if none scheduled. */
  positiveAt: Float32Array;
  /** 1 if isolated as a confirmed case. */
  isolated: Uint8Array;
  /** Quarantined (F1) until this day (exclusive); 0 if never. */
  quarantinedUntil: Float32Array;
  /** Monitored (F2) and staying home until this day (exclusive); 0 if never. */
  monitoredUntil: Float32Array;
  /** Time (days) from which a symptomatic case self-isolates at home, NaN if it does not. */
  selfIsolatesAt: Float32Array;
  /** First day of the current (or last) F1 quarantine, NaN if never quarantined. */
  quarantineStart: Float32Array;
  /** Day of the person's last F1 test (sampling), NaN if never tested as an F1. */
  f1TestedAt: Float32Array;
  /** 1 while isolated on a false positive result (the person was not infected when sampled). */
  falsePositive: Uint8Array;
  /** Day an isolated false positive is released, NaN if none. */
  releaseAt: Float32Array;
  /** Time (days) of hospital admission, NaN if never hospitalised. */
  hospitalisedAt: Float32Array;
  /** Time (days) of leaving hospital (discharge or death), NaN if never hospitalised. */
  dischargedAt: Float32Array;
  /** Time (days) of death, NaN if the person does not die of the infection. */
  diesAt: Float32Array;
}

/**
 * What happened on one simulated day.
 * @public
 */
export interface DayReport {
  /** Day index. */
  day: number;
  /** New infections. */
  infections: number;
  /** New confirmed cases. */
  confirmed: number;
  /** Who was confirmed this morning (ids). */
  confirmedIds: number[];
  /** People counted in each compartment at the end of the day. */
  compartments: number[];
  /** People in F1 quarantine at the end of the day. */
  quarantined: number;
  /** People vaccinated so far. */
  vaccinated: number;
  /** Samples PCR-tested that morning (mass testing and F1 tests; symptomatic tests not counted). */
  tests: number;
  /** PCR reactions run on those samples (fewer than the samples when pooled). */
  pcrReactions: number;
  /** Confirmed that morning on a false positive result (not infected when sampled). */
  falsePositives: number;
  /** Hospital admissions during the day. */
  hospitalised: number;
  /** People in hospital at the end of the day. */
  inHospital: number;
  /** Deaths during the day. */
  deaths: number;
}

/**
 * Options of {@link createEpidemic}.
 * @public
 */
export interface EpidemicOptions {
  /** Master seed (default: the scenario's). */
  seed?: number;
  /** Parameter overrides on top of the scenario's. */
  params?: Partial<EpidemicParams>;
  /**
   * The world and its movement, built by the world layer (`buildMobility`) from the same scenario and
   * seed; when given, `stepMinutes` and `contacts` are not used. Default: built from them here.
   */
  mobility?: Mobility;
  /** Mobility step in minutes (default 5, or 20 s when replaying `contacts`). */
  stepMinutes?: number;
  /** Compute true close contacts every day (default: when F1 quarantine is in the scenario). */
  trackContacts?: boolean;
  /** Only generations below this transmit (for measuring R of early generations); all by default. */
  transmittingGenerations?: number;
  /**
   * Replay this contact trace instead of generated mobility: one person per trace node (the scenario's
   * population is ignored), mobility steps of 20 s unless `stepMinutes` says otherwise.
   */
  contacts?: ContactTrace;
  /**
   * Called after every mobility step of every day (after transmission), with the step's positions in
   * `mobility.index`: a hook for observers of the true positions (the detection ground truth).
   */
  onStep?: (step: number) => void;
}

/**
 * An epidemic running on a world, one day at a time.
 * @public
 */
export interface Epidemic {
  /** The world. */
  readonly world: World;
  /** Its mobility. */
  readonly mobility: Mobility;
  /** Parameters in use. */
  readonly params: EpidemicParams;
  /** Per-person state. */
  readonly state: EpidemicState;
  /** Next day to run. */
  readonly day: number;
  /** Runs one day: {@link Epidemic.startDay}, every {@link Epidemic.runStep}, {@link Epidemic.finishDay}. */
  runDay(): DayReport;
  /** Mobility steps per day. */
  readonly steps: number;
  /** Morning: test results, mass testing, vaccination, confinement; builds the day's schedule. */
  startDay(): void;
  /** Steps mobility to step `s` of the current day: true contacts accumulate, transmission happens. */
  runStep(s: number): void;
  /** Evening: compartments progress; returns the day's report and moves to the next day. */
  finishDay(): DayReport;
  /**
   * Quarantines `p` at home until day `untilDay` (exclusive), from the next morning on, as an app
   * notification does; isolated cases stay isolated.
   */
  quarantine(p: number, untilDay: number): void;
  /** True close contacts of the last finished day (when tracked). */
  lastContacts(): DayContacts | undefined;
  /**
   * Infects `p` at time `t` (days) by `infector` (−1 for an initial case), at place `place` (a place
   * id, −1 when not known).
   */
  infect(p: number, t: number, infector: number, place?: number): void;
}

function createState(n: number): EpidemicState {
  return {
    compartment: new Uint8Array(n),
    infectedAt: new Float64Array(n).fill(Number.NaN),
    latentDays: new Float32Array(n),
    incubationDays: new Float32Array(n),
    recoveryDays: new Float32Array(n),
    asymptomatic: new Uint8Array(n),
    relInfectiousness: new Float32Array(n),
    infector: new Int32Array(n).fill(-2),
    generation: new Int16Array(n).fill(-1),
    secondary: new Int32Array(n),
    infectionPlace: new Int32Array(n).fill(-1),
    infectorState: new Uint8Array(n),
    vaccinated: new Uint8Array(n),
    vaccinatedAt: new Float32Array(n).fill(Number.NaN),
    positiveAt: new Float32Array(n).fill(Number.NaN),
    isolated: new Uint8Array(n),
    quarantinedUntil: new Float32Array(n),
    monitoredUntil: new Float32Array(n),
    selfIsolatesAt: new Float32Array(n).fill(Number.NaN),
    quarantineStart: new Float32Array(n).fill(Number.NaN),
    f1TestedAt: new Float32Array(n).fill(Number.NaN),
    falsePositive: new Uint8Array(n),
    releaseAt: new Float32Array(n).fill(Number.NaN),
    hospitalisedAt: new Float32Array(n).fill(Number.NaN),
    dischargedAt: new Float32Array(n).fill(Number.NaN),
    diesAt: new Float32Array(n).fill(Number.NaN),
  };
}

// What a keyed draw is for (see `coin` in createEpidemic): each purpose draws its own values.
const SELF_ISOLATION = 1;
const SYMPTOMATIC_TEST = 2;
const TRACING = 3;
const COMPLIANCE = 4;
const F2_STAY_HOME = 5;
const F1_TEST = 6;
const LEAKAGE = 7;
const SYMPTOM_REPORT = 8;
/** Mass testing: purposes MASS_TEST + 8·(the intervention's index) + 0…4. */
const MASS_TEST = 16;

/**
 * Creates an epidemic on `scenario` (world and mobility built from its seed), seeding the initial cases.
 * @public
 */
export function createEpidemic(scenario: Scenario, options: EpidemicOptions = {}): Epidemic {
  const streams = createStreams(options.seed ?? scenario.seed);
  // The world and its movement come from the world layer; built here only when the caller gave none.
  const mobility =
    options.mobility ??
    buildMobility(scenario, {
      seed: streams.seed,
      ...(options.stepMinutes !== undefined ? { stepMinutes: options.stepMinutes } : {}),
      ...(options.contacts ? { contacts: options.contacts } : {}),
    });
  const world = mobility.world;
  const params: EpidemicParams = { ...resolveEpidemicParams(scenario), ...options.params };
  // Common random numbers: every draw is keyed by who (and when) it is for, not by how many draws came
  // before it, so two arms of a comparison (with and without the app, two adoption levels) that differ
  // in a few people's quarantines draw the same values for everyone else, and their difference is the
  // intervention's effect rather than a new realisation of the epidemic (the design of Starsim's common
  // random numbers: Klein et al. 2025, "Noise-free comparison of stochastic agent-based simulations
  // using common random numbers", arXiv:2409.02086). One draw of each stream seeds its keyed draws.
  const rng: Rng = streams.stream("disease");
  const testing: Rng = streams.stream("testing");
  const transmissionBase = rng.next32();
  const courseBase = rng.next32();
  const testingBase = testing.next32();
  const severityBase = streams.stream("severity").next32();
  /** A person's own stream for the draws of their infection (course, testing delay). */
  const personal: Rng = createRng(0);
  /** A uniform draw for `purpose` about `a` (and `b`) on the current day. */
  const coin = (purpose: number, a: number, b = 0) => hashUniform(hash32(testingBase, purpose, day), a, b);
  const n = world.size;
  const st = createState(n);
  const ivs = scenario.interventions;
  const trackContacts = options.trackContacts ?? ivs.some((iv) => iv.kind === "f1Quarantine");
  const recentContacts: number[][][] = [];
  const confinement = new Uint8Array(n);
  const symptomReported = new Uint8Array(n);
  const away = params.isolationSetting === "facility" ? AWAY : AT_HOME;
  const infectious: number[] = [];
  const near: number[] = [];
  let day = 0;
  let newInfections = 0;

  const infect = (p: number, t: number, by: number, place = -1) => {
    if (st.compartment[p] !== SUSCEPTIBLE) return;
    st.infectionPlace[p] = place;
    st.infectorState[p] = by < 0 ? SUSCEPTIBLE : stateAt(by, t);
    personal.reseed(hash32(courseBase, p));
    const c = drawCourse(params, personal);
    st.compartment[p] = EXPOSED;
    st.infectedAt[p] = t;
    st.latentDays[p] = c.latentDays;
    st.incubationDays[p] = c.incubationDays;
    st.recoveryDays[p] = c.recoveryDays;
    st.asymptomatic[p] = c.asymptomatic ? 1 : 0;
    st.relInfectiousness[p] = c.relInfectiousness;
    st.infector[p] = by;
    st.generation[p] = by < 0 ? 0 : st.generation[by]! + 1;
    if (by >= 0) st.secondary[by]!++;
    newInfections++;
    // Keyed draws (the person and the purpose): whether one is taken changes no other draw.
    if (!c.asymptomatic && hashUniform(courseBase, p, SELF_ISOLATION) < params.selfIsolationShare)
      st.selfIsolatesAt[p] = t + c.incubationDays + params.selfIsolationDelayDays;
    if (!c.asymptomatic && hashUniform(courseBase, p, SYMPTOMATIC_TEST) < params.symptomaticTestingShare) {
      personal.reseed(hash32(courseBase, p, SYMPTOMATIC_TEST));
      st.positiveAt[p] = t + c.incubationDays + personal.gamma(2, params.testDelayMeanDays / 2);
    }
    drawSeverity(p, t, c.asymptomatic, c.incubationDays);
  };
  /**
   * Severe course of symptomatic case `p` infected at `t`: one uniform draw decides death (u below the
   * fatality risk) and hospitalisation (u below the larger of the two risks), so that deaths are
   * hospitalised first. Risks per infection by age group, per symptomatic case here.
   */
  const drawSeverity = (p: number, t: number, asymptomatic: boolean, incubation: number) => {
    const u = hashUniform(severityBase, p);
    if (asymptomatic) return;
    const g = world.ageGroup[p]!;
    const r = st.vaccinated[p] ? protection(p, t) : 0;
    const vaccine =
      r > 0
        ? Math.min(1, (1 - params.vaccineEfficacySevere * r) / (1 - params.vaccineEfficacyInfection * r))
        : 1;
    const perSymptomatic = params.asymptomaticShare < 1 ? 1 / (1 - params.asymptomaticShare) : 1;
    const death = Math.min(1, deathRisk[g]! * perSymptomatic * vaccine);
    const hospital = Math.max(death, Math.min(1, hospitalRisk[g]! * perSymptomatic * vaccine));
    if (u >= hospital) return;
    const onset = t + incubation;
    st.hospitalisedAt[p] = onset + params.onsetToHospitalDays;
    st.dischargedAt[p] = st.hospitalisedAt[p]! + params.hospitalStayDays;
    if (u < death) {
      st.diesAt[p] = Math.max(onset + params.onsetToDeathDays, st.hospitalisedAt[p]!);
      st.dischargedAt[p] = st.diesAt[p]!;
    }
    // A hospital tests its patients: confirmed on admission at the latest when testing is on.
    if (params.symptomaticTestingShare > 0 && !(st.positiveAt[p]! <= st.hospitalisedAt[p]!))
      st.positiveAt[p] = st.hospitalisedAt[p]!;
  };
  /** State of infected person `p` at time `t` from its course: pre-symptomatic, symptomatic or asymptomatic. */
  const stateAt = (p: number, t: number) =>
    st.asymptomatic[p]
      ? ASYMPTOMATIC
      : t - st.infectedAt[p]! < st.incubationDays[p]!
        ? PRESYMPTOMATIC
        : SYMPTOMATIC;
  const infNow = (p: number, t: number) =>
    st.relInfectiousness[p]! *
    infectiousness(
      params,
      t - st.infectedAt[p]!,
      st.latentDays[p]!,
      st.incubationDays[p]!,
      st.asymptomatic[p] === 1,
      st.recoveryDays[p]!,
    );
  const groups = world.scenario.ageGroups;
  const ageSusceptibility = Float64Array.from(groups, (g) => params.susceptibilityByAgeGroup[g.name] ?? 1);
  /** Severity risks per infection by age group (the `adult` entry for groups not listed), × the variant's. */
  const riskTable = (table: Readonly<Record<string, number>>, multiplier: number) =>
    Float64Array.from(groups, (g) => (table[g.name] ?? table.adult ?? 0) * multiplier);
  const hospitalRisk = riskTable(params.hospitalisationByAgeGroup, params.hospitalisationMultiplier);
  const deathRisk = riskTable(params.fatalityByAgeGroup, params.fatalityMultiplier);
  let rampDays = 14;
  /** Share of full vaccine protection a vaccinated person `p` has at time `t` (linear ramp). */
  const protection = (p: number, t: number) =>
    rampDays > 0 ? Math.min(1, Math.max(0, (t - st.vaccinatedAt[p]!) / rampDays)) : 1;
  const susceptibility = (p: number, t: number) =>
    ageSusceptibility[world.ageGroup[p]!]! *
    (st.vaccinated[p] ? 1 - params.vaccineEfficacyInfection * protection(p, t) : 1);
  /** Vaccination order (built on first use): priority age groups in order, then everyone, each shuffled. */
  let vaccinationQueue: number[] | undefined;
  let vaccinationNext = 0;
  const beta = params.beta * params.transmissibility;

  const seeds = rng
    .shuffle(Array.from({ length: n }, (_, i) => i))
    .slice(0, Math.min(n, params.initialInfected));
  for (const p of seeds) infect(p, -rng.uniform() * 3, -1);

  const transmitStep = (step: number) => {
    const dtMin = mobility.stepMinutes;
    const t = day + ((step + 0.5) * dtMin) / DAY_MINUTES;
    const stepOfRun = day * (DAY_MINUTES / dtMin) + step;
    const index = mobility.index;
    for (const i of infectious) {
      const q = index.placeOf[i]!;
      if (q < 0) continue;
      const inf = infNow(i, t);
      if (inf <= 0) continue;
      const setting =
        (world.placeIndoor[q] ? 1 : params.outdoorFactor) *
        (world.placeType[q] === HOME ? params.householdTransmissionFactor : 1);
      // Written over the previous case's (`length = 0` would free the storage and allocate it again).
      const end = index.neighboursInto(i, params.maxDistanceM, near, 0);
      for (let k = 0; k < end; k++) {
        const j = near[k]!;
        if (st.compartment[j] !== SUSCEPTIBLE) continue;
        const d = index.distance(i, j) ?? Number.POSITIVE_INFINITY;
        const h = beta * inf * distanceKernel(params, d) * setting * susceptibility(j, t) * dtMin;
        if (h > 0 && hashUniform(transmissionBase, i, j, stepOfRun) < 1 - Math.exp(-h)) infect(j, t, i, q);
      }
    }
  };

  const confirm = (p: number, today: number) => {
    st.isolated[p] = 1;
    st.positiveAt[p] = today;
    const f1 = inForceOf("f1Quarantine", today);
    if (f1?.kind !== "f1Quarantine") return;
    const traced = new Set<number>();
    // Households are contiguous runs of ids.
    const hh = world.household[p]!;
    for (let h = p - 1; h >= 0 && world.household[h] === hh; h--) traced.add(h);
    for (let h = p + 1; h < n && world.household[h] === hh; h++) traced.add(h);
    for (const day of recentContacts)
      for (const c of day[p] ?? []) if (coin(TRACING, p, c) < f1.tracingRecall) traced.add(c);
    const f2 = inForceOf("f2Monitoring", today);
    for (const c of traced) {
      if (st.isolated[c] || !(coin(COMPLIANCE, c) < f1.compliance)) continue;
      if (!(st.quarantinedUntil[c]! > today)) st.quarantineStart[c] = today;
      st.quarantinedUntil[c] = Math.max(st.quarantinedUntil[c]!, today + f1.durationDays);
      if (f2?.kind !== "f2Monitoring") continue;
      for (const day of recentContacts)
        for (const c2 of day[c] ?? [])
          if (c2 !== p && coin(F2_STAY_HOME, c2) < f2.stayHomeShare)
            st.monitoredUntil[c2] = Math.max(st.monitoredUntil[c2]!, today + f2.durationDays);
    }
  };
  const inForceOf = (kind: string, d: number) =>
    ivs.find((iv) => iv.kind === kind && inForce(scenario, iv, d));
  /** Infected now (exposed, pre-symptomatic, symptomatic or asymptomatic). */
  const infectedNow = (p: number) => {
    const c = st.compartment[p]!;
    return c !== SUSCEPTIBLE && c !== RECOVERED;
  };
  /** Whether a sample of `p` taken at `t` carries virus PCR can find: from a day before infectiousness to recovery. */
  const detectable = (p: number, t: number) =>
    infectedNow(p) && t - st.infectedAt[p]! >= st.latentDays[p]! - 1;
  const dead = (p: number, d: number) => st.diesAt[p]! < d + 1;
  const inHospital = (p: number, d: number) => st.hospitalisedAt[p]! < d + 1 && st.dischargedAt[p]! > d;

  // Test results: due later (by day) or this morning (the queue), each flagged false when the person was
  // not infected when sampled.
  const dueResults = new Map<number, { p: number; falsePositive: boolean }[]>();
  const resultQueue: { p: number; falsePositive: boolean }[] = [];
  let testsToday = 0;
  let reactionsToday = 0;
  let falsePositivesToday = 0;
  const result = (p: number, due: number, falsePositive: boolean) => {
    const r = { p, falsePositive };
    if (due <= day) resultQueue.push(r);
    else {
      const list = dueResults.get(due);
      if (list) list.push(r);
      else dueResults.set(due, [r]);
    }
  };
  /** One PCR reaction on one sample of `p` taken this morning; a positive result is due `turnaround` days later. */
  const testOne = (
    p: number,
    sensitivity: number,
    specificity: number,
    turnaround: number,
    purpose: number,
  ) => {
    testsToday++;
    reactionsToday++;
    if (detectable(p, day)) {
      if (coin(purpose, p) < sensitivity) result(p, day + turnaround, false);
    } else if (coin(purpose, p) < 1 - specificity) result(p, day + turnaround, !infectedNow(p));
  };
  /** Confirms every positive result in the queue (a false positive is released after `isolationDays`). */
  const confirmQueued = () => {
    for (let r = resultQueue.shift(); r; r = resultQueue.shift()) {
      const p = r.p;
      if (st.isolated[p] || dead(p, day)) continue;
      confirm(p, day);
      confirmedToday.push(p);
      if (r.falsePositive) {
        st.falsePositive[p] = 1;
        st.releaseAt[p] = day + params.isolationDays;
        falsePositivesToday++;
      }
    }
  };
  /**
   * A mass-testing round: `coverage` of the wards' residents sampled (not isolated, in hospital, in a
   * quarantine facility or dead); tested one by one, or in Dorfman pools of `poolSize` consecutive samples whose positive pools
   * are retested sample by sample (the retest's result `turnaroundDays` after the pool's).
   */
  const massTest = (iv: Extract<Intervention, { kind: "massTesting" }>, ivIndex: number) => {
    const purpose = MASS_TEST + 8 * ivIndex;
    const wards = new Set(selectWards(scenario, iv.wards));
    const sensitivity = iv.sensitivity ?? params.testSensitivity;
    const specificity = iv.specificity ?? params.testSpecificity;
    const turnaround = iv.turnaroundDays ?? 1;
    const k = iv.poolSize ?? 1;
    const sampled: number[] = [];
    for (let p = 0; p < n; p++)
      if (
        !st.isolated[p] &&
        !dead(p, day) &&
        !inHospital(p, day) &&
        !(away === AWAY && st.quarantinedUntil[p]! > day) &&
        wards.has(world.ward[p]!) &&
        coin(purpose, p) < iv.coverage
      )
        sampled.push(p);
    if (k <= 1) {
      for (const p of sampled) testOne(p, sensitivity, specificity, turnaround, purpose + 1);
      return;
    }
    const diluted = Math.max(0, 1 - params.poolSensitivityLossPerDoubling * Math.log2(k));
    for (let i = 0; i < sampled.length; i += k) {
      const pool = sampled.slice(i, i + k);
      testsToday += pool.length;
      reactionsToday++;
      // A sample carries detectable virus with the test's sensitivity; the pool finds each such sample
      // with the diluted probability, or reacts falsely.
      const carries = pool.map((p) => detectable(p, day) && coin(purpose + 1, p) < sensitivity);
      let positive = false;
      for (let j = 0; j < pool.length; j++)
        if (carries[j] && coin(purpose + 2, pool[j]!) < diluted) positive = true;
      if (!positive && !(coin(purpose + 3, pool[0]!) < 1 - specificity)) continue;
      pool.forEach((p, j) => {
        reactionsToday++;
        if (carries[j]) result(p, day + 2 * turnaround, false);
        else if (coin(purpose + 4, p) < 1 - specificity) result(p, day + 2 * turnaround, !infectedNow(p));
      });
    }
  };
  /**
   * F1 tests of the quarantine in force: on its first day (`entryTest`) and so that the result is known
   * on its last day (`releaseTest`); repeated while positives confirmed this morning quarantine new F1s.
   */
  const testF1s = () => {
    const f1 = inForceOf("f1Quarantine", day);
    if (f1?.kind !== "f1Quarantine" || !(f1.entryTest || f1.releaseTest)) return;
    const turnaround = f1.testTurnaroundDays ?? 1;
    for (let again = true; again; ) {
      for (let p = 0; p < n; p++) {
        if (st.isolated[p] || !(st.quarantinedUntil[p]! > day) || st.f1TestedAt[p] === day) continue;
        const start = st.quarantineStart[p]!;
        const entry = f1.entryTest === true && start === day;
        const release =
          f1.releaseTest === true && day === Math.max(start, st.quarantinedUntil[p]! - 1 - turnaround);
        if (!entry && !release) continue;
        st.f1TestedAt[p] = day;
        testOne(p, params.testSensitivity, params.testSpecificity, turnaround, F1_TEST);
      }
      again = resultQueue.length > 0;
      confirmQueued();
    }
  };

  const steps = DAY_MINUTES / mobility.stepMinutes;
  const pairMinutes = createPairMinutes(n * 4);
  const pairCache = createPairCache();
  let lastContacts: DayContacts | undefined;
  let confirmedToday: number[] = [];
  const maxGen = options.transmittingGenerations ?? Number.POSITIVE_INFINITY;

  const startDay = (): void => {
    newInfections = 0;
    confirmedToday = [];
    testsToday = 0;
    reactionsToday = 0;
    falsePositivesToday = 0;
    // Morning: green zones' symptom reports, false positives released, test results, mass testing, F1
    // tests, vaccination, then confinement for the day.
    reportSymptoms(
      st,
      world,
      restrictionsOn(scenario, day),
      day,
      (p) => hashUniform(testingBase, SYMPTOM_REPORT, p),
      symptomReported,
    );
    for (let p = 0; p < n; p++)
      if (st.falsePositive[p] && st.releaseAt[p]! <= day) {
        st.falsePositive[p] = 0;
        st.releaseAt[p] = Number.NaN;
        // Infected meanwhile (home isolation): stays isolated as a case.
        if (!infectedNow(p)) {
          st.isolated[p] = 0;
          st.positiveAt[p] = Number.NaN;
        }
      }
    for (let p = 0; p < n; p++)
      if (!st.isolated[p] && st.positiveAt[p]! <= day + 1 && !dead(p, day)) {
        confirm(p, day);
        confirmedToday.push(p);
      }
    resultQueue.push(...(dueResults.get(day) ?? []));
    dueResults.delete(day);
    confirmQueued();
    for (let ivIndex = 0; ivIndex < ivs.length; ivIndex++) {
      const iv = ivs[ivIndex]!;
      if (!inForce(scenario, iv, day)) continue;
      if (iv.kind === "massTesting") {
        const start = Math.round(
          (Date.parse(`${iv.from}T00:00:00Z`) - Date.parse(`${scenario.startDate}T00:00:00Z`)) / 86_400_000,
        );
        if ((day - start) % iv.everyDays !== 0) continue;
        massTest(iv, ivIndex);
        confirmQueued();
      } else if (iv.kind === "vaccination") {
        rampDays = iv.rampDays ?? 14;
        if (!vaccinationQueue) {
          const rank = (p: number) => {
            const r = (iv.priorityAgeGroups ?? []).indexOf(groups[world.ageGroup[p]!]!.name);
            return r < 0 ? Number.POSITIVE_INFINITY : r;
          };
          const order = streams.stream("vaccination").shuffle(Array.from({ length: n }, (_, i) => i));
          const ranks = order.map(rank);
          vaccinationQueue = order
            .map((p, i) => [p, ranks[i]!] as const)
            .sort((a, b) => a[1] - b[1])
            .map(([p]) => p);
        }
        // Without replacement: each person once; confirmed cases (known infected) are skipped for good.
        let count = Math.round(iv.dailyRate * n);
        while (count > 0 && vaccinationNext < n) {
          const p = vaccinationQueue[vaccinationNext++]!;
          if (st.vaccinated[p] || st.isolated[p] || dead(p, day)) continue;
          st.vaccinated[p] = 1;
          st.vaccinatedAt[p] = day;
          count--;
        }
      }
    }
    testF1s();
    const leakage = params.quarantineLeakage;
    for (let p = 0; p < n; p++)
      confinement[p] =
        dead(p, day) || inHospital(p, day)
          ? AWAY
          : st.isolated[p] && st.compartment[p] !== RECOVERED
            ? away
            : // Quarantine leakage (drawn only when on): a normal day instead, as if not quarantined.
              st.quarantinedUntil[p]! > day && !(leakage > 0 && coin(LEAKAGE, p) < leakage)
              ? away
              : st.monitoredUntil[p]! > day ||
                  (st.selfIsolatesAt[p]! <= day && st.compartment[p] !== RECOVERED)
                ? AT_HOME
                : FREE;
    infectious.length = 0;
    for (let p = 0; p < n; p++) {
      const c = st.compartment[p]!;
      if (c !== SUSCEPTIBLE && c !== RECOVERED && st.generation[p]! < maxGen) infectious.push(p);
    }
    mobility.startDay(day, confinement);
    pairMinutes.clear();
  };

  const runStep = (s: number): void => {
    mobility.step(s);
    if (trackContacts)
      accumulateStep(mobility, DEFAULT_CONTACT_THRESHOLDS.maxDistanceM, pairMinutes, pairCache);
    transmitStep(s);
    options.onStep?.(s);
  };

  const finishDay = (): DayReport => {
    if (trackContacts) {
      lastContacts = closeContacts(day, pairMinutes, DEFAULT_CONTACT_THRESHOLDS.minMinutes);
      recentContacts.unshift(contactsByPerson(n, lastContacts));
      if (recentContacts.length > 3) recentContacts.pop();
    }
    // Evening: progress compartments.
    const end = day + 1;
    const counts = new Array<number>(COMPARTMENTS.length).fill(0);
    let quarantined = 0;
    let vaccinated = 0;
    let hospitalised = 0;
    let inHospitalNow = 0;
    let deaths = 0;
    for (let p = 0; p < n; p++) {
      const h = st.hospitalisedAt[p]!;
      if (h >= day && h < end) hospitalised++;
      if (h < end && st.dischargedAt[p]! > end) inHospitalNow++;
      const death = st.diesAt[p]!;
      if (death >= day && death < end) deaths++;
      const c = st.compartment[p]!;
      if (c !== SUSCEPTIBLE && c !== RECOVERED) {
        const tau = end - st.infectedAt[p]!;
        st.compartment[p] =
          tau >= st.recoveryDays[p]!
            ? RECOVERED
            : tau < st.latentDays[p]!
              ? EXPOSED
              : st.asymptomatic[p]
                ? ASYMPTOMATIC
                : tau < st.incubationDays[p]!
                  ? PRESYMPTOMATIC
                  : SYMPTOMATIC;
      }
      counts[st.compartment[p]!]!++;
      if (st.quarantinedUntil[p]! > day) quarantined++;
      vaccinated += st.vaccinated[p]!;
    }
    const report: DayReport = {
      day,
      infections: newInfections,
      confirmed: confirmedToday.length,
      confirmedIds: confirmedToday,
      compartments: counts,
      quarantined,
      vaccinated,
      tests: testsToday,
      pcrReactions: reactionsToday,
      falsePositives: falsePositivesToday,
      hospitalised,
      inHospital: inHospitalNow,
      deaths,
    };
    day++;
    return report;
  };

  const runDay = (): DayReport => {
    startDay();
    for (let s = 0; s < steps; s++) runStep(s);
    return finishDay();
  };

  return {
    world,
    mobility,
    params,
    state: st,
    get day() {
      return day;
    },
    steps,
    runDay,
    startDay,
    runStep,
    finishDay,
    quarantine(p, untilDay) {
      if (!(st.quarantinedUntil[p]! > day)) st.quarantineStart[p] = day;
      st.quarantinedUntil[p] = Math.max(st.quarantinedUntil[p]!, untilDay);
    },
    lastContacts: () => lastContacts,
    infect,
  };
}

/**
 * Result of {@link measureR}.
 * @public
 */
export interface RMeasurement {
  /** Mean secondary infections of people in the measured generations. */
  R: number;
  /** People in the measured generations (the denominator). */
  cases: number;
  /** Mean secondary infections by generation (0 = initial cases). */
  byGeneration: number[];
  /** Total infections during the run. */
  infections: number;
}

/**
 * Options of {@link measureR}.
 * @public
 */
export interface MeasureROptions {
  /** Master seed (default the scenario's). */
  seed?: number;
  /** Population (default the scenario's). */
  population?: number;
  /** Initial cases (default 1% of the population, at least 10). */
  initialInfected?: number;
  /** Generations measured, from 0 (default 2: initial cases and their infectees). */
  generations?: number;
  /** Days simulated (default 40: enough for generation 1 to finish being infectious). */
  days?: number;
  /** β override. */
  beta?: number;
  /** Mobility step (minutes, default 10). */
  stepMinutes?: number;
}

/**
 * Measures R without app or interventions: seeds initial cases and runs the epidemic, then averages the
 * secondary infections of people in the first `generations` generations (all of whom have recovered by
 * the end when `days` is long enough). Only those generations transmit, so later generations neither
 * cost time nor deplete susceptibles.
 * @public
 */
export function measureR(scenario: Scenario, options: MeasureROptions = {}): RMeasurement {
  const population = options.population ?? scenario.population;
  const base = withoutInterventions({ ...scenario, population });
  const initialInfected = options.initialInfected ?? Math.max(10, Math.round(population / 100));
  const params: Partial<EpidemicParams> = { initialInfected };
  if (options.beta !== undefined) params.beta = options.beta;
  const epi = createEpidemic(base, {
    seed: options.seed ?? scenario.seed,
    params,
    stepMinutes: options.stepMinutes ?? 10,
    trackContacts: false,
    transmittingGenerations: options.generations ?? 2,
  });
  const days = options.days ?? 40;
  const gens = options.generations ?? 2;
  let infections = 0;
  for (let d = 0; d < days; d++) infections += epi.runDay().infections;
  const sum = new Array<number>(gens).fill(0);
  const cnt = new Array<number>(gens).fill(0);
  const st = epi.state;
  for (let p = 0; p < epi.world.size; p++) {
    const g = st.generation[p]!;
    if (g < 0 || g >= gens) continue;
    sum[g]! += st.secondary[p]!;
    cnt[g]!++;
  }
  const cases = cnt.reduce((a, b) => a + b, 0);
  return {
    R: sum.reduce((a, b) => a + b, 0) / Math.max(1, cases),
    cases,
    byGeneration: sum.map((s, g) => s / Math.max(1, cnt[g]!)),
    infections: infections + initialInfected,
  };
}

/**
 * Pools several {@link measureR} runs (e.g. one per seed) into one estimate: R = Σ secondary / Σ cases,
 * so each run weighs by its number of cases. One seed is too noisy for R (household clustering makes
 * secondary cases overdispersed).
 * @public
 */
export function poolR(runs: readonly RMeasurement[]): { R: number; cases: number } {
  const cases = runs.reduce((a, r) => a + r.cases, 0);
  const secondary = runs.reduce((a, r) => a + r.R * r.cases, 0);
  return { R: secondary / Math.max(1, cases), cases };
}
