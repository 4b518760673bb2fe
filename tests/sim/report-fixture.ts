/** Hand-made, deterministic inputs of the report tests: a {@link SimulationResult}, a small sweep. */
import type { DetectionCounts, DetectionSummary } from "../../sim/app/detection";
import { type Infection, summariseEpidemic } from "../../sim/epidemic/epidemic-metrics";
import type { DayRow, SimulationResult, SimulationSummary } from "../../sim/run";
import type { SweepBase } from "../../sim/sweep/sweep";

const counts = (trueCloseContacts: number, detected: number, falseAlarms: number): DetectionCounts => ({
  trueCloseContacts,
  detected,
  falseAlarms,
  sensitivity: trueCloseContacts > 0 ? detected / trueCloseContacts : Number.NaN,
  precision: detected + falseAlarms > 0 ? detected / (detected + falseAlarms) : Number.NaN,
});

/** A detection block whose breakdowns add up to its totals (1,000 true, 760 caught, 140 false alarms). */
export function syntheticDetection(): DetectionSummary {
  const carriage: Record<string, DetectionCounts> = {};
  for (const r of ["hand", "pocket", "bag"])
    for (const a of ["hand", "pocket", "bag"]) carriage[`${r}-${a}`] = counts(0, 0, 0);
  carriage["pocket-pocket"] = counts(600, 480, 80);
  carriage["bag-hand"] = counts(400, 280, 60);
  return {
    ...counts(1000, 760, 140),
    receiverDays: 9000,
    appUserDays: 12000,
    bySetting: {
      household: counts(700, 600, 40),
      work: counts(200, 120, 50),
      school: counts(0, 0, 0),
      market: counts(50, 20, 20),
      transit: counts(30, 10, 10),
      other: counts(20, 10, 15),
      none: counts(0, 0, 5),
    },
    byCarriage: carriage,
    byDistance: {
      "0-1m": counts(600, 520, 0),
      "1-2m": counts(400, 240, 0),
      "2-4m": counts(0, 0, 100),
      ">4m": counts(0, 0, 40),
    },
  };
}

/** A tiny line list: one seeded case infecting two people, one at home (household 0) and one at work. */
const LINE_LIST: Infection[] = [
  {
    infectee: 0,
    infector: -1,
    time: -1.5,
    setting: "",
    place: -1,
    infectorState: "",
    generation: 0,
    infectiousUntil: 12.5,
    household: 0,
  },
  {
    infectee: 1,
    infector: 0,
    time: 2.25,
    setting: "home",
    place: 0,
    infectorState: "presymptomatic",
    generation: 1,
    infectiousUntil: 16.25,
    household: 0,
  },
  {
    infectee: 5,
    infector: 0,
    time: 4.5,
    setting: "office",
    place: 7,
    infectorState: "symptomatic",
    generation: 1,
    infectiousUntil: 18.5,
    household: 2,
  },
];

/** A 30-day outbreak: a bell-shaped epidemic curve the app flattens, notifications following cases. */
export function syntheticResult(overrides: Partial<SimulationSummary> = {}): SimulationResult {
  const daily: DayRow[] = Array.from({ length: 30 }, (_, day) => {
    const wave = Math.exp(-((day - 14) ** 2) / 40);
    const confirmed = Math.round(12 * Math.exp(-((day - 17) ** 2) / 40));
    return {
      day,
      date: new Date(Date.UTC(2021, 4, 1 + day)).toISOString().slice(0, 10),
      infections: Math.round(30 * wave),
      infectionsWithoutApp: Math.round(40 * wave),
      confirmed,
      keysPublished: day > 2 ? confirmed * 14 : 0,
      notifiedF1: day > 3 ? Math.round(confirmed * 2.5) : 0,
      notifiedF2: day > 3 ? Math.round(confirmed * 1.5) : 0,
      quarantined: Math.round(60 * wave),
      // A closed population of 2,000: infections move people from S through E and I to R.
      susceptible: 0,
      exposed: 0,
      infectious: 0,
      recovered: 0,
      tests: day === 10 ? 1200 : 0,
      pcrReactions: day === 10 ? 240 : 0,
      falsePositives: day === 11 ? 1 : 0,
      hospitalised: Math.round(1.5 * wave),
      inHospital: Math.round(10 * wave),
      deaths: day === 20 ? 1 : 0,
    };
  });
  // Compartments from the epidemic curve: exposed for 3 days, infectious for the next 7, then recovered.
  let infected = 0;
  for (const d of daily) {
    infected += d.infections;
    const since = (k: number) =>
      daily.slice(Math.max(0, d.day - k + 1), d.day + 1).reduce((s, x) => s + x.infections, 0);
    d.exposed = since(3);
    d.infectious = since(10) - d.exposed;
    d.recovered = infected - d.exposed - d.infectious;
    d.susceptible = 2000 - infected;
  }
  const infections = daily.reduce((s, d) => s + d.infections, 0);
  const infectionsWithoutApp = daily.reduce((s, d) => s + d.infectionsWithoutApp, 0);
  const hospitalisations = daily.reduce((s, d) => s + d.hospitalised, 0);
  const summary: SimulationSummary = {
    scenario: "hanoi-ward",
    phones: 2000,
    appUsers: 1200,
    days: daily.length,
    seed: 42,
    closeContactPairDays: 2400,
    groundTruthCloseContacts: 180,
    f1Notified: 160,
    f2Notified: 95,
    f1TruePositives: 128,
    f1Precision: 128 / 160,
    f1Recall: 128 / 180,
    groundTruthF2Contacts: 120,
    f2TruePositives: 70,
    f2Precision: 70 / 95,
    f2Recall: 70 / 120,
    traceableFraction: 0.74,
    notificationDelayDays: { mean: 2.4, median: 2 },
    infections,
    infectionsWithoutApp,
    infectionsAverted: infectionsWithoutApp - infections,
    attackRate: infections / 2000,
    keysPublished: daily.reduce((s, d) => s + d.keysPublished, 0),
    batches: 27,
    sightingsLogged: 1_234_567,
    logBytes: 61_000_000,
    policyRocAuc: 0.871,
    detection: syntheticDetection(),
    epidemic: summariseEpidemic(LINE_LIST, [0, 0, 1, 1, 1, 2, 2], daily.length, false),
    clinical: {
      hospitalisations,
      deaths: 1,
      eventualDeaths: 2,
      infectionHospitalisationRatio: hospitalisations / infections,
      infectionFatalityRatio: 2 / infections,
      inHospitalAtEnd: daily.at(-1)!.inHospital,
      byAgeGroup: [{ group: "adult", people: 2000, infections, hospitalisations, deaths: 1 }],
    },
    testing: {
      tests: 1200,
      pcrReactions: 240,
      confirmed: daily.reduce((s, d) => s + d.confirmed, 0),
      falsePositives: 1,
    },
    ...overrides,
  };
  const roc: [number, number][] = [
    [0, 0],
    [0.02, 0.35],
    [0.05, 0.6],
    [0.1, 0.74],
    [0.2, 0.85],
    [0.4, 0.93],
    [0.7, 0.98],
    [1, 1],
  ];
  return { summary, daily, roc, infections: LINE_LIST };
}

/** A small sweep of hanoi-ward (100 people, 2 days, per-scan radio) by bluezone `version`. */
export const smallSweepBase = (version: string): SweepBase => ({
  scenario: "hanoi-ward",
  set: [],
  phones: 100,
  days: 2,
  radio: "scan",
  noInterventions: false,
  version,
});
