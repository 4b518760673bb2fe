/**
 * What an epidemiologist checks first, measured on a run: the line list of infections (who infected
 * whom, when, where, and in which state the infector was) and, as pure functions over it, R0 of the
 * early generations, the cohort reproduction number by day, the generation interval, the shares of
 * transmission by the infector's state, and the household secondary attack rate.
 */
import { ASYMPTOMATIC, type Epidemic, PRESYMPTOMATIC, SYMPTOMATIC } from "./epidemic";
import type { Scenario } from "../scenario";
import { resolveEpidemicParams } from "../scenario";
import { HOME } from "../world/world";

/**
 * The infector's state at transmission; `""` for an initial (seeded) case.
 * @public
 */
export type InfectorState = "presymptomatic" | "symptomatic" | "asymptomatic" | "";

/**
 * One infection of the line list. Times are days since the scenario's start (day 0, 00:00 local).
 * @public
 */
export interface Infection {
  /** Person infected (id). */
  infectee: number;
  /** Who infected them (id), −1 for an initial (seeded) case. */
  infector: number;
  /** Time of infection (days; initial cases are seeded in (−3, 0]). */
  time: number;
  /** Where: `home` (a household's home) or the venue type's name (e.g. `office`); `""` for an initial case. */
  setting: string;
  /** Place id in the world where it happened, −1 for an initial case. */
  place: number;
  /** The infector's state at that time. */
  infectorState: InfectorState;
  /** Generation: 0 for an initial case, the infector's + 1 otherwise. */
  generation: number;
  /** Time the infectee stops being infectious (days): its infection time + its recovery time. */
  infectiousUntil: number;
  /** The infectee's household index. */
  household: number;
}

const STATE_NAMES: Record<number, InfectorState> = {
  [PRESYMPTOMATIC]: "presymptomatic",
  [SYMPTOMATIC]: "symptomatic",
  [ASYMPTOMATIC]: "asymptomatic",
};

/**
 * The line list of an epidemic's infections so far, ordered by time (then infectee id).
 * @public
 */
export function lineList(epi: Epidemic): Infection[] {
  const st = epi.state;
  const world = epi.world;
  const venues = world.scenario.venues;
  const out: Infection[] = [];
  for (let p = 0; p < world.size; p++) {
    const time = st.infectedAt[p]!;
    if (Number.isNaN(time)) continue;
    const place = st.infectionPlace[p]!;
    const type = place >= 0 ? world.placeType[place]! : Number.NaN;
    out.push({
      infectee: p,
      infector: st.infector[p]!,
      time,
      setting: place < 0 ? "" : type === HOME ? "home" : (venues[type]?.name ?? `venue ${type}`),
      place,
      infectorState: STATE_NAMES[st.infectorState[p]!] ?? "",
      generation: st.generation[p]!,
      infectiousUntil: time + st.recoveryDays[p]!,
      household: world.household[p]!,
    });
  }
  return out.sort((a, b) => a.time - b.time || a.infectee - b.infectee);
}

/** Secondary infections of each infector in the list (id → count). */
function secondaryCounts(list: readonly Infection[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const i of list) if (i.infector >= 0) counts.set(i.infector, (counts.get(i.infector) ?? 0) + 1);
  return counts;
}

/**
 * Result of {@link earlyR}.
 * @public
 */
export interface EarlyR {
  /** Mean secondary infections of the cases of generations 0 … generations − 1; NaN without cases. */
  R: number;
  /** Cases in those generations (the denominator). */
  cases: number;
  /** Their secondary infections (the numerator). */
  secondary: number;
}

/**
 * R of the early generations: the mean number of people infected by each case of generation
 * 0 … `generations` − 1 (default 2: the initial cases and their infectees), the estimator of
 * {@link measureR}. In an arm without interventions and with few initial cases this is R0 (the
 * susceptibles those generations deplete are a small share of a large population). Cases still
 * infectious at `end` (days) would be undercounted, so they are left out of both counts.
 * @public
 */
export function earlyR(list: readonly Infection[], end: number, generations = 2): EarlyR {
  const counts = secondaryCounts(list);
  let cases = 0;
  let secondary = 0;
  for (const i of list) {
    if (i.generation >= generations || i.infectiousUntil > end) continue;
    cases++;
    secondary += counts.get(i.infectee) ?? 0;
  }
  return { R: cases > 0 ? secondary / cases : Number.NaN, cases, secondary };
}

/**
 * One day of {@link cohortRt}.
 * @public
 */
export interface CohortR {
  /** Day index (day d covers times [d, d + 1)). */
  day: number;
  /** People infected that day (the cohort). */
  cases: number;
  /** Mean secondary infections of the cohort; null when the cohort is empty or not complete. */
  R: number | null;
}

/**
 * The cohort (case) reproduction number by day: for each day d in 0 … days − 1, the mean number of
 * people infected by those infected on day d (Fraser 2007, PLoS ONE: the "case reproduction number").
 * A cohort with someone still infectious at `end` is right-censored: its R is null.
 * @public
 */
export function cohortRt(list: readonly Infection[], days: number, end: number): CohortR[] {
  const counts = secondaryCounts(list);
  const cases = new Array<number>(days).fill(0);
  const secondary = new Array<number>(days).fill(0);
  const complete = new Array<boolean>(days).fill(true);
  for (const i of list) {
    const d = Math.floor(i.time);
    if (d < 0 || d >= days) continue;
    cases[d]!++;
    secondary[d]! += counts.get(i.infectee) ?? 0;
    if (i.infectiousUntil > end) complete[d] = false;
  }
  return cases.map((c, day) => ({ day, cases: c, R: c > 0 && complete[day] ? secondary[day]! / c : null }));
}

/**
 * Mean and standard deviation (days) of the generation interval, and the pairs behind them.
 * @public
 */
export interface GenerationInterval {
  /** Mean days from the infector's infection to the infectee's; NaN without pairs. */
  mean: number;
  /** Sample standard deviation (n − 1), days; NaN with fewer than 2 pairs. */
  sd: number;
  /** Infector–infectee pairs used. */
  pairs: number;
}

/**
 * The generation interval: time from the infector's infection to the infectee's over every
 * transmission pair whose infector had stopped being infectious by `end` (days), so that late,
 * still-infectious infectors do not shorten it by censoring their later transmissions (the forward
 * generation interval of complete infectors).
 * @public
 */
export function generationInterval(list: readonly Infection[], end: number): GenerationInterval {
  const byId = new Map<number, Infection>();
  for (const i of list) byId.set(i.infectee, i);
  const gaps: number[] = [];
  for (const i of list) {
    if (i.infector < 0) continue;
    const by = byId.get(i.infector);
    if (!by || by.infectiousUntil > end) continue;
    gaps.push(i.time - by.time);
  }
  const n = gaps.length;
  const mean = n > 0 ? gaps.reduce((a, b) => a + b, 0) / n : Number.NaN;
  const sd = n > 1 ? Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  return { mean, sd, pairs: n };
}

/**
 * Shares of transmissions by the infector's state (they sum to 1 when there was any transmission).
 * @public
 */
export interface TransmissionShares {
  /** Before symptom onset, by cases who develop symptoms. */
  presymptomatic: number;
  /** After symptom onset. */
  symptomatic: number;
  /** By cases who never develop symptoms. */
  asymptomatic: number;
  /**
   * Through the environment (surfaces, air of a room left by the source). Always 0: the model has no
   * such route — every transmission needs source and infectee in the same place at the same step.
   */
  environmental: number;
}

/**
 * Shares of all transmissions (initial cases excluded) by the infector's state; NaN without any.
 * @public
 */
export function transmissionShares(list: readonly Infection[]): TransmissionShares {
  let pre = 0;
  let sym = 0;
  let asym = 0;
  for (const i of list) {
    if (i.infectorState === "presymptomatic") pre++;
    else if (i.infectorState === "symptomatic") sym++;
    else if (i.infectorState === "asymptomatic") asym++;
  }
  const n = pre + sym + asym;
  return {
    presymptomatic: n > 0 ? pre / n : Number.NaN,
    symptomatic: n > 0 ? sym / n : Number.NaN,
    asymptomatic: n > 0 ? asym / n : Number.NaN,
    environmental: n > 0 ? 0 : Number.NaN,
  };
}

/**
 * The settings a transmission can happen in: `home`, then each venue type's name in the scenario's order.
 * @public
 */
export function transmissionSettings(scenario: Pick<Scenario, "venues">): string[] {
  return ["home", ...scenario.venues.map((v) => v.name)];
}

/**
 * Transmissions by setting (`home` or a venue type's name), initial cases excluded; every setting of
 * `settings` is present, 0 when nothing happened there (so a table of runs has the same columns for
 * every run, and a 0 is a 0, not a missing value).
 * @public
 */
export function transmissionsBySetting(
  list: readonly Infection[],
  settings: readonly string[] = [],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of settings) out[s] = 0;
  for (const i of list) if (i.infector >= 0) out[i.setting] = (out[i.setting] ?? 0) + 1;
  return out;
}

/**
 * Result of {@link householdSecondaryAttackRate}.
 * @public
 */
export interface HouseholdSAR {
  /** Secondary cases / household contacts, pooled over index cases; NaN without contacts. */
  SAR: number;
  /** Index cases counted (households of ≥ 2 people with a complete follow-up). */
  indexCases: number;
  /** Their household contacts (the denominator). */
  contacts: number;
  /** Contacts infected within the household during the follow-up (the numerator). */
  secondary: number;
  /**
   * Secondary cases infected by the index case itself (no tertiary cases): the strict secondary attack
   * rate is fromIndex / contacts.
   */
  fromIndex: number;
}

/**
 * The household secondary attack rate as the meta-analyses pool it (Madewell et al. 2020, JAMA Netw
 * Open; 2021, JAMA Netw Open): Σ secondary cases / Σ household contacts over index cases. For each
 * household of ≥ 2 people with an infection, the index case is its first member infected (earliest
 * time, then lowest id); its contacts are the other members (all still susceptible then, by
 * definition). A secondary case is a contact infected by a member of the same household within
 * `followUpDays` of the index's infection (default 21: the 14-day follow-up of the studies counted from
 * the index's diagnosis, about a week after infection); tertiary cases within the household inside that
 * window count, as they do in the studies. Contacts infected outside the household stay in the
 * denominator only (the model knows the infector; a study could not tell, so it would count them).
 * Households whose follow-up has not ended by `end` (days) are left out, and so are those whose index
 * case's generation is above `maxIndexGeneration` (for runs in which only early generations transmit).
 *
 * @param household - household index of each person (ids index it)
 * @public
 */
export function householdSecondaryAttackRate(
  list: readonly Infection[],
  household: ArrayLike<number>,
  end: number,
  followUpDays = 21,
  maxIndexGeneration = Number.POSITIVE_INFINITY,
): HouseholdSAR {
  const size = new Map<number, number>();
  for (let p = 0; p < household.length; p++) size.set(household[p]!, (size.get(household[p]!) ?? 0) + 1);
  const index = new Map<number, Infection>();
  for (const i of list) {
    const first = index.get(i.household);
    if (!first || i.time < first.time || (i.time === first.time && i.infectee < first.infectee))
      index.set(i.household, i);
  }
  let indexCases = 0;
  let contacts = 0;
  let secondary = 0;
  let fromIndex = 0;
  const counted = new Set<number>();
  for (const [h, first] of index) {
    const members = size.get(h) ?? 1;
    if (members < 2 || first.time + followUpDays > end || first.generation > maxIndexGeneration) continue;
    indexCases++;
    contacts += members - 1;
    counted.add(h);
  }
  for (const i of list) {
    if (!counted.has(i.household) || i.infector < 0 || household[i.infector] !== i.household) continue;
    const first = index.get(i.household)!;
    if (i.time > first.time + followUpDays) continue;
    secondary++;
    if (i.infector === first.infectee) fromIndex++;
  }
  return {
    SAR: contacts > 0 ? secondary / contacts : Number.NaN,
    indexCases,
    contacts,
    secondary,
    fromIndex,
  };
}

/**
 * The `epidemic` block of a run's summary. NaN figures are written as null in `summary.json`.
 * @public
 */
export interface EpidemicSummary {
  /**
   * R0: mean secondary infections of generations 0 and 1 ({@link earlyR}). Only meaningful when
   * nothing intervenes (`bluezone sim --no-interventions`), so null otherwise.
   */
  R0: number | null;
  /**
   * Cases behind R0 (generations 0–1, finished being infectious): pool seeds by Σ R0·cases / Σ cases;
   * 0 when R0 is null (not measured).
   */
  R0Cases: number;
  /** Cohort reproduction number by day ({@link cohortRt}); null for empty or censored cohorts. */
  Rt: CohortR[];
  /** Generation interval (days) over complete infectors ({@link generationInterval}). */
  generationInterval: GenerationInterval;
  /** Shares of transmission by the infector's state ({@link transmissionShares}). */
  transmissionShares: TransmissionShares;
  /** Transmissions by setting: `home` or the venue type's name (every setting of the scenario, 0 included). */
  transmissionsBySetting: Record<string, number>;
  /** Household secondary attack rate ({@link householdSecondaryAttackRate}, 21-day follow-up). */
  householdSAR: number;
  /** The same counting only contacts infected by the index case itself (no tertiary cases). */
  householdSARFromIndex: number;
  /** Index cases behind the household secondary attack rate. */
  householdIndexCases: number;
  /** Household contacts (people) of those index cases behind it. */
  householdContacts: number;
  /** Transmissions in the line list (initial cases excluded). */
  transmissions: number;
}

/**
 * True when nothing intervenes in the scenario: no interventions, no symptomatic testing (so no one
 * is confirmed, isolated or uploads keys, and the app, if any, notifies no one) and no symptom
 * self-isolation.
 * @public
 */
export function isInterventionFree(scenario: Scenario): boolean {
  const p = resolveEpidemicParams(scenario);
  return scenario.interventions.length === 0 && p.symptomaticTestingShare === 0 && p.selfIsolationShare === 0;
}

/**
 * The `epidemic` block from a run's line list: `days` simulated (the run ends at time `days`),
 * `household` the household index of each person, `interventionFree` whether R0 is reported,
 * `settings` every setting {@link transmissionsBySetting} reports (0 where nothing happened; see
 * {@link transmissionSettings}).
 * @public
 */
export function summariseEpidemic(
  list: readonly Infection[],
  household: ArrayLike<number>,
  days: number,
  interventionFree: boolean,
  settings: readonly string[] = [],
): EpidemicSummary {
  const r0 = earlyR(list, days);
  const sar = householdSecondaryAttackRate(list, household, days);
  return {
    R0: interventionFree && r0.cases > 0 ? r0.R : null,
    R0Cases: interventionFree ? r0.cases : 0,
    Rt: cohortRt(list, days, days),
    generationInterval: generationInterval(list, days),
    transmissionShares: transmissionShares(list),
    transmissionsBySetting: transmissionsBySetting(list, settings),
    householdSAR: sar.SAR,
    householdSARFromIndex: sar.contacts > 0 ? sar.fromIndex / sar.contacts : Number.NaN,
    householdIndexCases: sar.indexCases,
    householdContacts: sar.contacts,
    transmissions: list.filter((i) => i.infector >= 0).length,
  };
}

/**
 * Offspring distribution of the early generations (those {@link earlyR} counts).
 * @public
 */
export interface OffspringDispersion {
  /** Mean secondary infections. */
  mean: number;
  /** Their sample variance. */
  variance: number;
  /**
   * Negative-binomial dispersion k by moments, mean² / (variance − mean): small k, few cases cause most
   * transmission (Lloyd-Smith et al. 2005, Nature); Infinity when not over-dispersed; NaN without cases.
   */
  k: number;
  /** Cases counted. */
  cases: number;
}

/**
 * {@link OffspringDispersion} of the cases {@link earlyR} counts (generations 0 … generations − 1).
 * @public
 */
export function offspringDispersion(
  list: readonly Infection[],
  end: number,
  generations = 2,
): OffspringDispersion {
  const counts = secondaryCounts(list);
  const xs: number[] = [];
  for (const i of list)
    if (i.generation < generations && i.infectiousUntil <= end) xs.push(counts.get(i.infectee) ?? 0);
  const n = xs.length;
  const mean = n > 0 ? xs.reduce((a, b) => a + b, 0) / n : Number.NaN;
  const variance = n > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) : Number.NaN;
  const k = !(n > 1)
    ? Number.NaN
    : variance > mean
      ? mean ** 2 / (variance - mean)
      : Number.POSITIVE_INFINITY;
  return { mean, variance, k, cases: n };
}
