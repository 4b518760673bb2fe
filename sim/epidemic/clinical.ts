/**
 * Clinical and testing outcomes of a run: hospitalisations and deaths by age group (from each case's
 * severe course, drawn at infection from the age-specific risks of Verity et al. 2020, Lancet Infect Dis;
 * docs/epidemic-params.md) and the PCR testing done (samples, reactions, false positives).
 */
import type { DayReport, Epidemic } from "./epidemic";

/**
 * Outcomes of one age group.
 * @public
 */
export interface AgeGroupOutcome {
  /** Age-group name (scenario `ageGroups[].name`). */
  group: string;
  /** People in the group. */
  people: number;
  /** Infections of the group's members during the run (initial cases included). */
  infections: number;
  /** Hospital admissions by the end of the run. */
  hospitalisations: number;
  /** Deaths by the end of the run. */
  deaths: number;
}

/**
 * The summary's `clinical` block.
 * @public
 */
export interface ClinicalSummary {
  /** Hospital admissions by the end of the run (of people infected in it, initial cases included). */
  hospitalisations: number;
  /** Deaths by the end of the run. */
  deaths: number;
  /**
   * Deaths of people infected during the run, including those after its end (each case's course is
   * drawn at infection): the run's eventual toll.
   */
  eventualDeaths: number;
  /** Infection hospitalisation ratio: hospitalisations (eventual) / infections; null without infections. */
  infectionHospitalisationRatio: number | null;
  /** Infection fatality ratio: eventual deaths / infections; null without infections. */
  infectionFatalityRatio: number | null;
  /** People in hospital at the end of the run. */
  inHospitalAtEnd: number;
  /** The same by age group, in the scenario's order. */
  byAgeGroup: AgeGroupOutcome[];
}

/**
 * The summary's `testing` block: PCR tests of mass testing and F1 tests (symptomatic tests are not counted).
 * @public
 */
export interface TestingSummary {
  /** Samples tested. */
  tests: number;
  /** PCR reactions run (a pool is one reaction; its retests one each). */
  pcrReactions: number;
  /** Cases confirmed, every route (symptomatic tests, hospital admissions, mass testing, F1 tests). */
  confirmed: number;
  /** Of those, confirmed on a false positive result (not infected when sampled). */
  falsePositives: number;
}

/**
 * Hospitalisations and deaths of an epidemic after `days` simulated days (times before `days` count),
 * overall and by age group.
 * @public
 */
export function summariseClinical(epi: Epidemic, days: number): ClinicalSummary {
  const st = epi.state;
  const world = epi.world;
  const groups = world.scenario.ageGroups.map(
    (g): AgeGroupOutcome => ({ group: g.name, people: 0, infections: 0, hospitalisations: 0, deaths: 0 }),
  );
  let infections = 0;
  let hospitalisedEver = 0;
  let eventualDeaths = 0;
  let inHospitalAtEnd = 0;
  for (let p = 0; p < world.size; p++) {
    const g = groups[world.ageGroup[p]!]!;
    g.people++;
    if (Number.isNaN(st.infectedAt[p]!)) continue;
    g.infections++;
    infections++;
    const h = st.hospitalisedAt[p]!;
    if (!Number.isNaN(h)) hospitalisedEver++;
    if (h < days) g.hospitalisations++;
    if (h < days && st.dischargedAt[p]! > days) inHospitalAtEnd++;
    const d = st.diesAt[p]!;
    if (!Number.isNaN(d)) eventualDeaths++;
    if (d < days) g.deaths++;
  }
  return {
    hospitalisations: groups.reduce((s, g) => s + g.hospitalisations, 0),
    deaths: groups.reduce((s, g) => s + g.deaths, 0),
    eventualDeaths,
    infectionHospitalisationRatio: infections > 0 ? hospitalisedEver / infections : null,
    infectionFatalityRatio: infections > 0 ? eventualDeaths / infections : null,
    inHospitalAtEnd,
    byAgeGroup: groups,
  };
}

/**
 * Testing totals over a run's day reports.
 * @public
 */
export function summariseTesting(reports: readonly DayReport[]): TestingSummary {
  const sum = (f: (r: DayReport) => number) => reports.reduce((s, r) => s + f(r), 0);
  return {
    tests: sum((r) => r.tests),
    pcrReactions: sum((r) => r.pcrReactions),
    confirmed: sum((r) => r.confirmed),
    falsePositives: sum((r) => r.falsePositives),
  };
}
