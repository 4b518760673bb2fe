/**
 * The epidemic on a world: per-person compartments, transmission at every mobility step as a function
 * of TRUE distance, duration and setting, symptomatic and mass testing, isolation, F1 quarantine and F2
 * monitoring from true close contacts, and vaccination. Also {@link measureR}, the reproduction number
 * of the early generations, used to calibrate β.
 */
import { buildContactWorld, createContactMobility } from "../world/contact-mobility";
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
import { AT_HOME, AWAY, createMobility, DAY_MINUTES, FREE, type Mobility } from "../world/mobility";
import { createPairMinutes } from "../world/pair-minutes";
import { createStreams, type Rng } from "../random";
import { inForce, restrictionsOn, selectWards } from "../world/restrictions";
import { reportSymptoms } from "./community-teams";
import { resolveEpidemicParams, type Scenario, withoutInterventions } from "../scenario";
import { buildWorld, HOME, type World } from "../world/world";

/** Compartments. */
export const SUSCEPTIBLE = 0;
/** Infected, not yet infectious. */
export const EXPOSED = 1;
/** Infectious before symptom onset. */
export const PRESYMPTOMATIC = 2;
/** Infectious with symptoms. */
export const SYMPTOMATIC = 3;
/** Infectious, never symptomatic. */
export const ASYMPTOMATIC = 4;
/** No longer infectious. */
export const RECOVERED = 5;

/** Compartment names, by code. */
export const COMPARTMENTS = [
  "susceptible",
  "exposed",
  "presymptomatic",
  "symptomatic",
  "asymptomatic",
  "recovered",
];

/** Per-person epidemic state (typed arrays indexed by person id). */
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
}

/** What happened on one simulated day. */
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
}

/** Options of {@link createEpidemic}. */
export interface EpidemicOptions {
  /** Master seed (default: the scenario's). */
  seed?: number;
  /** Parameter overrides on top of the scenario's. */
  params?: Partial<EpidemicParams>;
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

/** An epidemic running on a world, one day at a time. */
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
  };
}

/** Creates an epidemic on `scenario` (world and mobility built from its seed), seeding the initial cases. */
export function createEpidemic(scenario: Scenario, options: EpidemicOptions = {}): Epidemic {
  const streams = createStreams(options.seed ?? scenario.seed);
  const mobility = options.contacts
    ? createContactMobility(
        buildContactWorld(scenario, options.contacts.size, streams),
        options.contacts,
        streams,
        options.stepMinutes === undefined ? {} : { stepMinutes: options.stepMinutes },
      )
    : createMobility(buildWorld(scenario, streams), streams, { stepMinutes: options.stepMinutes ?? 5 });
  const world = mobility.world;
  const params: EpidemicParams = { ...resolveEpidemicParams(scenario), ...options.params };
  const rng: Rng = streams.stream("disease");
  const testing: Rng = streams.stream("testing");
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
    const c = drawCourse(params, rng);
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
    // Drawn only when on, so that turning it off leaves every other draw as it was.
    if (!c.asymptomatic && params.selfIsolationShare > 0 && testing.bernoulli(params.selfIsolationShare))
      st.selfIsolatesAt[p] = t + c.incubationDays + params.selfIsolationDelayDays;
    if (!c.asymptomatic && rng.bernoulli(params.symptomaticTestingShare))
      st.positiveAt[p] = t + c.incubationDays + rng.gamma(2, params.testDelayMeanDays / 2);
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
  let rampDays = 14;
  const susceptibility = (p: number, t: number) =>
    ageSusceptibility[world.ageGroup[p]!]! *
    (st.vaccinated[p]
      ? 1 -
        params.vaccineEfficacyInfection *
          (rampDays > 0 ? Math.min(1, Math.max(0, (t - st.vaccinatedAt[p]!) / rampDays)) : 1)
      : 1);
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
    const index = mobility.index;
    for (const i of infectious) {
      const q = index.placeOf[i]!;
      if (q < 0) continue;
      const inf = infNow(i, t);
      if (inf <= 0) continue;
      const setting =
        (world.placeIndoor[q] ? 1 : params.outdoorFactor) *
        (world.placeType[q] === HOME ? params.householdTransmissionFactor : 1);
      near.length = 0;
      index.neighbours(i, params.maxDistanceM, near);
      for (const j of near) {
        if (st.compartment[j] !== SUSCEPTIBLE) continue;
        const d = index.distance(i, j) ?? Number.POSITIVE_INFINITY;
        const h = beta * inf * distanceKernel(params, d) * setting * susceptibility(j, t) * dtMin;
        if (h > 0 && rng.uniform() < 1 - Math.exp(-h)) infect(j, t, i, q);
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
      for (const c of day[p] ?? []) if (testing.bernoulli(f1.tracingRecall)) traced.add(c);
    const f2 = inForceOf("f2Monitoring", today);
    for (const c of traced) {
      if (st.isolated[c] || !testing.bernoulli(f1.compliance)) continue;
      st.quarantinedUntil[c] = Math.max(st.quarantinedUntil[c]!, today + f1.durationDays);
      if (f2?.kind !== "f2Monitoring") continue;
      for (const day of recentContacts)
        for (const c2 of day[c] ?? [])
          if (c2 !== p && testing.bernoulli(f2.stayHomeShare))
            st.monitoredUntil[c2] = Math.max(st.monitoredUntil[c2]!, today + f2.durationDays);
    }
  };
  const inForceOf = (kind: string, d: number) =>
    ivs.find((iv) => iv.kind === kind && inForce(scenario, iv, d));
  const pcrPositive = (p: number, t: number) => {
    const c = st.compartment[p]!;
    if (c === SUSCEPTIBLE || c === RECOVERED) return false;
    return t - st.infectedAt[p]! >= st.latentDays[p]! - 1 && testing.bernoulli(params.testSensitivity);
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
    // Morning: green zones' symptom reports, test results, mass testing, vaccination, then confinement.
    reportSymptoms(st, world, restrictionsOn(scenario, day), day, testing, symptomReported);
    for (let p = 0; p < n; p++)
      if (!st.isolated[p] && st.positiveAt[p]! <= day + 1) {
        confirm(p, day);
        confirmedToday.push(p);
      }
    for (const iv of ivs) {
      if (!inForce(scenario, iv, day)) continue;
      if (iv.kind === "massTesting") {
        const start = Math.round(
          (Date.parse(`${iv.from}T00:00:00Z`) - Date.parse(`${scenario.startDate}T00:00:00Z`)) / 86_400_000,
        );
        if ((day - start) % iv.everyDays !== 0) continue;
        const wards = new Set(selectWards(scenario, iv.wards));
        for (let p = 0; p < n; p++)
          if (
            !st.isolated[p] &&
            wards.has(world.ward[p]!) &&
            testing.bernoulli(iv.coverage) &&
            pcrPositive(p, day)
          ) {
            confirm(p, day);
            confirmedToday.push(p);
          }
      } else if (iv.kind === "vaccination") {
        rampDays = iv.rampDays ?? 14;
        if (!vaccinationQueue) {
          const rank = (p: number) => {
            const r = (iv.priorityAgeGroups ?? []).indexOf(groups[world.ageGroup[p]!]!.name);
            return r < 0 ? Number.POSITIVE_INFINITY : r;
          };
          const order = testing.shuffle(Array.from({ length: n }, (_, i) => i));
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
          if (st.vaccinated[p] || st.isolated[p]) continue;
          st.vaccinated[p] = 1;
          st.vaccinatedAt[p] = day;
          count--;
        }
      }
    }
    for (let p = 0; p < n; p++)
      confinement[p] =
        st.isolated[p] && st.compartment[p] !== RECOVERED
          ? away
          : st.quarantinedUntil[p]! > day
            ? away
            : st.monitoredUntil[p]! > day || (st.selfIsolatesAt[p]! <= day && st.compartment[p] !== RECOVERED)
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
    for (let p = 0; p < n; p++) {
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
      st.quarantinedUntil[p] = Math.max(st.quarantinedUntil[p]!, untilDay);
    },
    lastContacts: () => lastContacts,
    infect,
  };
}

/** Result of {@link measureR}. */
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

/** Options of {@link measureR}. */
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
 */
export function poolR(runs: readonly RMeasurement[]): { R: number; cases: number } {
  const cases = runs.reduce((a, r) => a + r.cases, 0);
  const secondary = runs.reduce((a, r) => a + r.R * r.cases, 0);
  return { R: secondary / Math.max(1, cases), cases };
}
