/**
 * The comparison arms of the movement interventions (ring lockdown, green zones run by community
 * teams), shared by tests/sim/interventions-rings-green.test.ts and scripts/intervention-spread.ts (which
 * measured the spread between seeds the test's bounds come from). Each arm is the epidemic alone (no
 * phones) on hanoi-ward shrunk to {@link ARM_PEOPLE} people with Delta, over {@link ARM_DAYS} days with
 * 10-minute mobility steps; the figures are computed here from the epidemic's per-person state and the
 * line list, independently of the code under test.
 */
import { createEpidemic, SUSCEPTIBLE } from "../../sim/epidemic/epidemic";
import { lineList } from "../../sim/epidemic/epidemic-metrics";
import { createRng } from "../../sim/random";
import { type Intervention, loadScenario, type Scenario } from "../../sim/scenario";

/** People in an arm's world. */
export const ARM_PEOPLE = 3000;
/** Days an arm runs. */
export const ARM_DAYS = 21;

const hanoi = loadScenario("hanoi-ward");
/** Ward names of hanoi-ward, in order. */
export const WARDS = hanoi.wards.map((w) => w.name);

/** The arms' scenario: hanoi-ward with Delta and only the given interventions. */
export function armScenario(interventions: Intervention[], people = ARM_PEOPLE): Scenario {
  return {
    ...hanoi,
    population: people,
    days: ARM_DAYS,
    app: { ...hanoi.app, adoption: 0, byAgeGroup: {} },
    interventions,
    epidemic: { ...hanoi.epidemic, variant: "delta" },
  };
}

/** Figures of one arm. */
export interface ArmFigures {
  /** Infections (seeded ones excluded) by home ward. */
  infectionsByWard: number[];
  /** Infections that happened at a market. */
  marketInfections: number;
  /** Symptomatic cases of `focusWard` residents (every ward's when −1) whose onset fell in the run, and how many were confirmed. */
  symptomatic: number;
  confirmed: number;
  /** Mean days from onset to confirmation over those confirmed. */
  onsetToConfirmation: number;
  /** Transmissions (seeded cases excluded), and those by an infector in its symptomatic phase. */
  transmissions: number;
  symptomaticPhase: number;
  /** Secondary infections caused by `focusWard` residents infected in the first ARM_DAYS − 10 days, and their number. */
  secondary: number;
  cases: number;
}

/**
 * Runs one arm (`people` default {@link ARM_PEOPLE}): `seedCases` initial cases drawn (from a seed-derived stream) among the residents of
 * ward `seedWard` (or of every ward but `focusWard` when `seedWard` is −1), everything else as the
 * scenario says.
 */
export function runArm(
  interventions: Intervention[],
  seed: number,
  options: { seedWard: number; focusWard: number; seedCases?: number; people?: number },
): ArmFigures {
  const scenario = armScenario(interventions, options.people);
  const epi = createEpidemic(scenario, { seed, stepMinutes: 10, params: { initialInfected: 0 } });
  const world = epi.world;
  const pick = createRng(seed * 7919 + 17);
  const eligible: number[] = [];
  for (let p = 0; p < world.size; p++)
    if (options.seedWard < 0 ? world.ward[p] !== options.focusWard : world.ward[p] === options.seedWard)
      eligible.push(p);
  const seeded = new Set<number>();
  const want = Math.min(eligible.length, options.seedCases ?? 12);
  while (seeded.size < want) seeded.add(eligible[pick.int(eligible.length)]!);
  for (const p of seeded) epi.infect(p, -pick.uniform() * 3, -1);
  const confirmedAt = new Float64Array(world.size).fill(Number.NaN);
  for (let d = 0; d < ARM_DAYS; d++) for (const p of epi.runDay().confirmedIds) confirmedAt[p] = d;
  const st = epi.state;
  const inFocus = (p: number) => options.focusWard < 0 || world.ward[p] === options.focusWard;
  const infectionsByWard = new Array<number>(WARDS.length).fill(0);
  let symptomatic = 0;
  let confirmed = 0;
  let delay = 0;
  for (let p = 0; p < world.size; p++) {
    if (st.compartment[p] === SUSCEPTIBLE || seeded.has(p)) continue;
    infectionsByWard[world.ward[p]!]!++;
    if (!inFocus(p) || st.asymptomatic[p]) continue;
    const onset = st.infectedAt[p]! + st.incubationDays[p]!;
    if (onset >= ARM_DAYS - 3) continue;
    symptomatic++;
    if (!Number.isNaN(confirmedAt[p]!)) {
      confirmed++;
      delay += confirmedAt[p]! - onset;
    }
  }
  const list = lineList(epi);
  let secondary = 0;
  let cases = 0;
  const cohort = new Set<number>();
  for (const i of list)
    if (inFocus(i.infectee) && i.time < ARM_DAYS - 10 && i.infector >= 0) {
      cohort.add(i.infectee);
      cases++;
    }
  for (const i of list) if (cohort.has(i.infector)) secondary++;
  return {
    infectionsByWard,
    marketInfections: list.filter((i) => i.setting === "market").length,
    transmissions: list.filter((i) => i.infector >= 0).length,
    symptomaticPhase: list.filter((i) => i.infectorState === "symptomatic").length,
    symptomatic,
    confirmed,
    onsetToConfirmation: confirmed > 0 ? delay / confirmed : Number.NaN,
    secondary,
    cases,
  };
}

/** The scenario's first day: every arm's measures start then. */
export const START = hanoi.startDate;
/**
 * Directive 16 as the background of the green-zone arms: schools and non-essential venues closed,
 * every ward locked down (20% of cross-ward trips, 30% of workplaces open).
 */
export function directive16(): Intervention[] {
  return [
    { kind: "venueClosure", from: START, venues: ["school", "other"] },
    { kind: "wardLockdown", from: START, wards: "all", crossWardLeakage: 0.2, workplaceOpenShare: 0.3 },
  ];
}

/** Core, middle and outer rings of the ring-lockdown arm (by ward index). */
export const RING = { core: [0], middle: [1, 2, 3], outer: "all" as const };

export function ringLockdown(): Intervention {
  return {
    kind: "ringLockdown",
    from: START,
    core: RING.core.map((i) => WARDS[i]!),
    middle: { wards: RING.middle.map((i) => WARDS[i]!), crossWardLeakage: 0.05, workplaceOpenShare: 0.1 },
    outer: { wards: "all", crossWardLeakage: 0.2, workplaceOpenShare: 0.3 },
  };
}

/** A green zone on ward 0 with the given community-team settings (exit share 1: residents move freely). */
export function greenZone(over: Partial<Extract<Intervention, { kind: "greenZone" }>>): Intervention {
  return { kind: "greenZone", from: START, wards: [WARDS[0]!], exitShare: 1, entryShare: 1, ...over };
}
