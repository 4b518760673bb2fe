/** A hand-made, deterministic {@link SimulationResult} for the report tests. */
import { type Infection, summariseEpidemic } from "../../sim/epidemic-metrics";
import type { DayRow, SimulationResult, SimulationSummary } from "../../sim/run";

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
    };
  });
  const infections = daily.reduce((s, d) => s + d.infections, 0);
  const infectionsWithoutApp = daily.reduce((s, d) => s + d.infectionsWithoutApp, 0);
  const summary: SimulationSummary = {
    scenario: "hanoi-ward",
    phones: 2000,
    appUsers: 1200,
    days: daily.length,
    seed: 42,
    groundTruthCloseContacts: 180,
    f1Notified: 160,
    f2Notified: 95,
    f1TruePositives: 128,
    f1Precision: 128 / 160,
    f1Recall: 128 / 180,
    traceableFraction: 0.74,
    notificationDelayDays: { mean: 2.4, median: 2 },
    infections,
    infectionsWithoutApp,
    infectionsAverted: infectionsWithoutApp - infections,
    keysPublished: daily.reduce((s, d) => s + d.keysPublished, 0),
    batches: 27,
    sightingsLogged: 1_234_567,
    policyRocAuc: 0.871,
    epidemic: summariseEpidemic(LINE_LIST, [0, 0, 1, 1, 1, 2, 2], daily.length, false),
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
