/**
 * One simulation: the epidemic on a world of people, the app on every adopter's phone (the library's
 * tracer, log and matcher), the health authority publishing keys, and notified contacts quarantining —
 * next to the same world without the app, so infections averted can be counted.
 */
import {
  checkExposure,
  createDerivedKeyIndex,
  DAY_MS,
  deriveGaenRuns,
  type ExposureKey,
  getPolicy,
  INTERVALS_PER_DAY,
  readKeyFile,
  InvalidArgumentError,
  ReportType,
} from "../src/index";
import { createAuthority } from "./authority";
import type { ContactTrace } from "./contact-trace";
import { createEpidemic, type DayReport, type Epidemic } from "./epidemic";
import { createEvaluation, type EvaluationSummary } from "./evaluation";
import { runWithoutAppInWorker } from "./parallel";
import { createPhoneFleet, type PhoneFleet } from "./phones";
import { createRng, hash32 } from "./random";
import type { Scenario } from "./scenario";
import { withPopulation } from "./scenario";

/** Options of {@link runSimulation}. */
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
  /** Worker threads: with 2 or more the counterfactual arm runs in parallel (results are identical). */
  workers?: number;
  /** Progress callback, once per simulated day of each arm. */
  onProgress?: (p: { arm: "app" | "noApp"; day: number; days: number }) => void;
}

/** One day of the time series. */
export interface DayRow {
  /** Day index and ISO date. */
  day: number;
  date: string;
  /** New infections with the app, and without it. */
  infections: number;
  infectionsWithoutApp: number;
  /** New confirmed cases (with the app). */
  confirmed: number;
  /** Keys published that day. */
  keysPublished: number;
  /** People notified F1 and F2 that day. */
  notifiedF1: number;
  notifiedF2: number;
  /** People in quarantine at the end of the day (with the app). */
  quarantined: number;
}

/** The summary written to `summary.json` (and printed by `bluezone sim --json`). */
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
  /** Infections over the run, with and without the app, and their difference. */
  infections: number;
  infectionsWithoutApp: number;
  infectionsAverted: number;
  /** Keys published and batches. */
  keysPublished: number;
  batches: number;
  /** Sightings the phones logged (scan instances). */
  sightingsLogged: number;
  /** Area under the ROC of the policy's daily close seconds against true ≤ 2 m / 15 min contact days. */
  policyRocAuc: number;
}

/** Everything a run produces. */
export interface SimulationResult {
  /** Headline figures. */
  summary: SimulationSummary;
  /** Daily series. */
  daily: DayRow[];
  /** ROC points of the contact policy against the ground truth. */
  roc: [number, number][];
}

/**
 * The scenario as run: population (the trace's nodes when replaying one), days and adoption applied.
 * @throws InvalidArgumentError when both `phones` and `contacts` are given
 */
export function prepareScenario(options: SimulationOptions): Scenario {
  let s = options.scenario;
  if (options.contacts) {
    if (options.phones !== undefined)
      throw new InvalidArgumentError(
        "phones cannot be combined with a contact trace: the population is the trace's nodes",
      );
    s = withPopulation(s, options.contacts.size);
  }
  if (options.phones !== undefined) s = withPopulation(s, options.phones);
  if (options.days !== undefined) s = { ...s, days: options.days };
  if (options.adoption !== undefined)
    s = { ...s, app: { ...s.app, adoption: options.adoption, byAgeGroup: undefined } };
  if (options.seed !== undefined) s = { ...s, seed: options.seed };
  return s;
}

const DAY_KEY = (interval: number) => Math.floor(interval / INTERVALS_PER_DAY);

/** The epidemic without any app (replaying `contacts` when given): daily new infections. */
export function runWithoutApp(
  scenario: Scenario,
  onDay?: (day: number) => void,
  contacts?: ContactTrace,
): number[] {
  const epi = createEpidemic(scenario, { seed: scenario.seed, ...(contacts ? { contacts } : {}) });
  const out: number[] = [];
  for (let d = 0; d < scenario.days; d++) {
    out.push(epi.runDay().infections);
    onDay?.(d);
  }
  return out;
}

interface AppArm {
  reports: DayReport[];
  published: number[];
  notified: { f1: number[]; f2: number[] };
  evaluation: EvaluationSummary;
  keysPublished: number;
  batches: number;
  sightings: number;
  appUsers: number;
}

/** Releases a phone's keys for upload, with report type and days since symptom onset. */
function keysForUpload(
  fleet: PhoneFleet,
  epi: Epidemic,
  person: number,
  reportType: ExposureKey["reportType"],
  level?: number,
): ExposureKey[] {
  const phone = fleet.byPerson[person];
  if (!phone) return [];
  const schedule = phone.tracer.schedule() as {
    releaseKeys?: (o: { includeToday: boolean }) => ExposureKey[];
  };
  const keys = schedule.releaseKeys?.({ includeToday: true }) ?? [];
  const st = epi.state;
  const onsetDay = Math.floor(
    epi.mobility.dayStartMs(0) / DAY_MS + st.infectedAt[person]! + st.incubationDays[person]!,
  );
  return keys.map((k) => {
    const dso = DAY_KEY(k.rollingStartIntervalNumber) - onsetDay;
    return {
      ...k,
      reportType,
      ...(level !== undefined ? { transmissionRiskLevel: level } : {}),
      ...(Number.isFinite(dso) && Math.abs(dso) <= 14 && !st.asymptomatic[person]
        ? { daysSinceOnsetOfSymptoms: dso }
        : {}),
    };
  });
}

async function runWithApp(
  scenario: Scenario,
  onDay?: (day: number) => void,
  contacts?: ContactTrace,
): Promise<AppArm> {
  const seed = scenario.seed;
  const response = scenario.app.response;
  const policy = getPolicy(response.policy);
  const epi = createEpidemic(scenario, { seed, trackContacts: true, ...(contacts ? { contacts } : {}) });
  const fleet = createPhoneFleet({ mobility: epi.mobility, seed: hash32(seed, 0xa44) });
  const authority = createAuthority(hash32(seed, 0xa07), fleet.clock);
  const choices = createRng(hash32(seed, 0xc401ce));
  const evaluation = createEvaluation(scenario.utcOffsetHours);
  const day0 = Math.floor(Date.parse(`${scenario.startDate}T00:00:00Z`) / DAY_MS);
  const localDays = scenario.utcOffsetHours > 0 ? 1 : 0;
  const notifiedUntil = new Float64Array(epi.world.size);
  const reports: DayReport[] = [];
  const published: number[] = [];
  const notified = { f1: [] as number[], f2: [] as number[] };
  let keysPublished = 0;
  let batches = 0;
  await fleet.start();
  const stepMs = epi.mobility.stepMinutes * 60_000;

  for (let day = 0; day < scenario.days; day++) {
    const dayStart = epi.mobility.dayStartMs(day);
    epi.startDay();
    for (let s = 0; s < epi.steps; s++) {
      epi.runStep(s);
      await fleet.advanceTo(dayStart + (s + 1) * stepMs);
    }
    const report = epi.finishDay();
    reports.push(report);
    const contacts = epi.lastContacts();
    if (contacts) evaluation.addContacts(contacts);

    // Confirmed cases with the app upload their keys (consent), published after the delay.
    for (const p of report.confirmedIds) {
      if (!fleet.byPerson[p] || !choices.bernoulli(response.uploadConsent)) continue;
      const keys = keysForUpload(fleet, epi, p, ReportType.CONFIRMED_TEST);
      authority.upload({ owner: p, keys, publishDay: day + response.uploadDelayDays });
    }

    // The day's batch: verified once (every phone downloads the same bytes), derived once, matched on
    // every phone that could have heard a published key's owner.
    let dayF1 = 0;
    let dayF2 = 0;
    let dayKeys = 0;
    const batch = authority.publish(day);
    if (batch) {
      batches++;
      const file = readKeyFile(batch.file, { trustedKeys: [authority.trustedKey], clock: fleet.clock });
      dayKeys = file.keys.length;
      keysPublished += dayKeys;
      const ownersByKey = batch.owners;
      const owners = new Set(ownersByKey);
      file.keys.forEach((k, i) => {
        const d = DAY_KEY(k.rollingStartIntervalNumber) - day0;
        evaluation.addPublication(ownersByKey[i]!, d - (scenario.utcOffsetHours < 0 ? 1 : 0), d + localDays);
      });
      const index = createDerivedKeyIndex(deriveGaenRuns(file.keys));
      const candidates = fleet.heardFrom(owners);
      for (const p of candidates) {
        const phone = fleet.byPerson[p];
        if (!phone || owners.has(p)) continue;
        const check = await checkExposure(phone.log, file.keys, {
          index,
          policy,
          receiverModel: phone.model,
        });
        for (const k of check.assessment.keys) {
          const owner = ownersByKey[k.keyIndex]!;
          const keyDay = DAY_KEY(file.keys[k.keyIndex]!.rollingStartIntervalNumber) - day0;
          if (k.level !== 1) continue;
          const close = k.days.reduce((s, d) => s + d.closeSeconds, 0);
          evaluation.addScore({
            person: p,
            owner,
            keyDay,
            score: close,
            truth: evaluation.isContactOnKeyDay(p, owner, keyDay),
            judged: k.contact,
          });
        }
        const level = check.assessment.level;
        if (level === undefined || notifiedUntil[p]! > day) continue;
        const contactOwners = check.assessment.keys
          .filter((k) => k.contact)
          .map((k) => ownersByKey[k.keyIndex]!);
        evaluation.addNotification({ person: p, day, level, owners: contactOwners });
        if (level === 1) {
          dayF1++;
          notifiedUntil[p] = day + response.quarantineDays;
          if (choices.bernoulli(response.quarantineCompliance))
            epi.quarantine(p, day + 1 + response.quarantineDays);
          if (response.publishF1Keys && choices.bernoulli(response.uploadConsent)) {
            const keys = keysForUpload(fleet, epi, p, ReportType.RECURSIVE, 1);
            authority.upload({ owner: p, keys, publishDay: day + response.uploadDelayDays });
          }
        } else {
          dayF2++;
          notifiedUntil[p] = day + response.f2Days;
          if (choices.bernoulli(response.f2StayHomeShare)) epi.quarantine(p, day + 1 + response.f2Days);
        }
      }
    }
    published.push(dayKeys);
    notified.f1.push(dayF1);
    notified.f2.push(dayF2);
    onDay?.(day);
  }
  await fleet.stop();
  let sightings = 0;
  for (const ph of fleet.phones) sightings += ph.tracer.status().sightingsLogged;
  return {
    reports,
    published,
    notified,
    evaluation: evaluation.summarise((p) => fleet.byPerson[p] !== undefined),
    keysPublished,
    batches,
    sightings,
    appUsers: fleet.phones.length,
  };
}

/** Runs a simulation: the app arm and (by default) the same world without the app. */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const scenario = prepareScenario(options);
  const days = scenario.days;
  const noAppProgress = (day: number) => options.onProgress?.({ arm: "noApp", day, days });
  const parallel =
    options.counterfactual !== false && (options.workers ?? 1) >= 2
      ? runWithoutAppInWorker(scenario, noAppProgress, options.contacts)
      : undefined;
  const app = await runWithApp(
    scenario,
    (day) => options.onProgress?.({ arm: "app", day, days }),
    options.contacts,
  );
  const without =
    options.counterfactual === false
      ? undefined
      : parallel
        ? await parallel
        : runWithoutApp(scenario, noAppProgress, options.contacts);
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
      keysPublished: app.keysPublished,
      batches: app.batches,
      sightingsLogged: app.sightings,
      policyRocAuc: roc.auc,
    },
    daily,
    roc: roc.points,
  };
}
