/**
 * Scenario files: the types of a simulated place and period, their validation against the published JSON
 * Schema (`schemas/scenario.schema.json`, checked with Ajv; typed errors naming the field path) plus the
 * cross-references a schema cannot express, `--set` overrides, and the loader for the shipped scenarios
 * in `sim/scenarios/`.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import hanoiDistrict from "./scenarios/hanoi-district.json";
import hanoiWard from "./scenarios/hanoi-ward.json";
import market from "./scenarios/market.json";
import office from "./scenarios/office.json";
import school from "./scenarios/school.json";
import scenarioSchema from "../schemas/scenario.schema.json";
import { DEFAULT_EPIDEMIC_PARAMS, DELTA_OVERRIDES, type EpidemicParams } from "./epidemic/epidemic-params";
import { type Carriage, InvalidArgumentError } from "../src/index";
import { checkSchema, isoDate, join, ScenarioError } from "./validate";

export { ScenarioError } from "./validate";

/**
 * Kinds of venue. Workplaces and schools are assigned; the others are visited.
 * @public
 */
export type VenueKind = "workplace" | "school" | "market" | "transit" | "other";
/**
 * Venue kinds people are assigned to (one each, by age group activity).
 * @public
 */
export const ASSIGNED_KINDS: readonly VenueKind[] = ["workplace", "school"];
/**
 * All venue kinds.
 * @public
 */
export const VENUE_KINDS: readonly VenueKind[] = ["workplace", "school", "market", "transit", "other"];
// How a phone is carried, and the carriages in a fixed order (index = carriage code in typed arrays): the
// library's radio model's.
export { type Carriage, CARRIAGES } from "../src/index";
/**
 * How people move inside a place during a stay.
 * @public
 */
export type Movement = "seated" | "roaming";

/**
 * An age group of the population.
 * @public
 */
export interface AgeGroup {
  /** Name, referenced by `app.byAgeGroup` and `venues[].ageGroups`. */
  name: string;
  /** Relative share of the population. */
  share: number;
  /** What members do on weekdays: attend a school, a workplace, or neither. */
  activity: "school" | "work" | "none";
  /** Fraction of members who have that activity (e.g. employment rate). */
  activityShare: number;
}

/**
 * An administrative ward (phường).
 * @public
 */
export interface Ward {
  /** Ward name, referenced by interventions. */
  name: string;
  /** Relative share of the population living there. */
  share: number;
}

/**
 * When a venue is attended. Hours are local time of day.
 * @public
 */
export interface VenueSchedule {
  /** Days on which it is attended. */
  days: "weekdays" | "everyday";
  /** Mean start hour. */
  startHour: number;
  /** Start is uniform in startHour ± this. */
  startJitterHours: number;
  /** Mean duration in hours. */
  durationHours: number;
  /** Duration is uniform in durationHours ± this. */
  durationJitterHours: number;
}

/**
 * A type of venue: how many, how large, how people attend it and move in it.
 * @public
 */
export interface VenueType {
  /** Kind of venue. */
  kind: VenueKind;
  /** Display name, e.g. "office". */
  name: string;
  /** Assigned kinds: mean number of members per venue. */
  meanSize?: number;
  /** Assigned kinds: floor area per member (m²). */
  areaM2PerMember?: number;
  /** Visited kinds: venues per 1000 residents. */
  perThousand?: number;
  /** Visited kinds: area of each venue (m²). */
  areaM2?: number;
  /** Visited kinds (not transit): visits per person per week. */
  visitsPerWeek?: number;
  /** Transit: fraction of commuters who ride it each way on a commuting day. */
  commuteShare?: number;
  /** Age groups who visit (visited kinds); all by default. */
  ageGroups?: string[];
  /** Indoors (full transmission) or outdoors (× epidemic.outdoorFactor). */
  indoor: boolean;
  /** Seated (keep a spot, shift a little) or roaming (new spot each interval). */
  movement: Movement;
  /** Minutes between position changes. */
  repositionMinutes: number;
  /** Probability that the venue chosen is in another ward than home. */
  crossWardShare: number;
  /** When it is attended. */
  schedule: VenueSchedule;
  /** Visited kinds: considered essential (trips allowed under lockdown at the essential rate). */
  essential?: boolean;
}

/**
 * Household composition and homes.
 * @public
 */
export interface Households {
  /** Relative frequency of household sizes 1, 2, 3, … */
  sizeDistribution: number[];
  /** Floor area per resident (m²). */
  areaM2PerPerson: number;
  /** Minutes between position changes at home. */
  repositionMinutes: number;
}

/**
 * App adoption and phone carriage.
 * @public
 */
export interface AppSpec {
  /** Fraction of people running the app. */
  adoption: number;
  /** Adoption by age group name (overrides `adoption` for that group). */
  byAgeGroup?: Record<string, number>;
  /** Relative frequency of phone carriage. */
  carriage: Record<Carriage, number>;
  /** How cases and contacts act on the app. */
  response: AppResponse;
}

/**
 * How people act on the app: uploads, publication, and what a notification makes them do.
 * @public
 */
export interface AppResponse {
  /** Probability that a confirmed case with the app uploads its keys. */
  uploadConsent: number;
  /** Days from confirmation to the keys' publication (verification, embargo, batching). */
  uploadDelayDays: number;
  /** Probability that a notified F1 quarantines. */
  quarantineCompliance: number;
  /** Length of the app-triggered quarantine (days). */
  quarantineDays: number;
  /** Whether notified F1s upload their keys as RECURSIVE, so their contacts learn they are F2. */
  publishF1Keys: boolean;
  /** Probability that a notified F2 stays home for the monitoring period. */
  f2StayHomeShare: number;
  /** Length of F2 monitoring (days). */
  f2Days: number;
  /** Contact policy the phones use (a preset name of the library). */
  policy: string;
}

/**
 * App response used when a scenario says nothing (plausible values for Vietnam 2021): the defaults
 * written in the scenario schema (`schemas/scenario.schema.json`, `app.response`).
 * @public
 */
export const DEFAULT_APP_RESPONSE: Readonly<AppResponse> = Object.freeze(
  Object.fromEntries(
    Object.entries(scenarioSchema.properties.app.properties.response.properties).map(([k, v]) => [
      k,
      v.default,
    ]),
  ) as unknown as AppResponse,
);

/**
 * Wards a measure applies to: listed names, or every ward.
 * @public
 */
export type WardSelector = string[] | "all";

/**
 * A ring of a three-layer lockdown (`ringLockdown`): its wards and how much movement it keeps.
 * @public
 */
export interface LockdownRing {
  /** Wards of the ring. */
  wards: string[];
  /**
   * Fraction of cross-ward trips from or into the ring still made (checkpoint leakage); default 0.05
   * in the middle ring, 0.2 in the outer.
   */
  crossWardLeakage?: number;
  /** Fraction of the ring's workplaces still open (essential work); default 0.1 middle, 0.3 outer. */
  workplaceOpenShare?: number;
}

/**
 * Time-bounded interventions. Dates are inclusive ISO dates; `to` open-ended when absent.
 * @public
 */
export type Intervention =
  | {
      kind: "wardLockdown";
      from: string;
      to?: string;
      wards: WardSelector;
      /** Fraction of non-essential cross-ward trips still made (checkpoint leakage). */
      crossWardLeakage: number;
      /** Fraction of workplaces still open (essential work). */
      workplaceOpenShare: number;
    }
  | {
      kind: "greenZone";
      from: string;
      to?: string;
      wards: WardSelector;
      /** Fraction of residents' trips out of the zone still made (essential). */
      exitShare: number;
      /**
       * Fraction of non-residents' trips into the zone the community team's checkpoints let through
       * (default 0: entry control, residents only; 1: no entry control).
       */
      entryShare?: number;
      /** Fraction of residents' market trips the team's food deliveries replace (default 0). */
      foodDeliveryShare?: number;
      /**
       * Fraction of symptomatic residents the team finds through daily symptom reports and sends for a
       * test (default 0: no reporting); they are confirmed `symptomReportDelayDays` after onset.
       */
      symptomReportShare?: number;
      /** Days from symptom onset to the positive result of a reported resident (default 1). */
      symptomReportDelayDays?: number;
    }
  | {
      kind: "ringLockdown";
      from: string;
      to?: string;
      /** The outbreak's core: sealed completely (residents stay home, nobody enters or leaves). */
      core: string[];
      /** The middle ring: essential trips only (markets, essential work), checkpoints at its edge. */
      middle?: LockdownRing;
      /** The outer ring: checkpoints and limited movement ("all": every ward not in core or middle). */
      outer?: Omit<LockdownRing, "wards"> & { wards: WardSelector };
    }
  | {
      kind: "venueClosure";
      from: string;
      to?: string;
      venues: VenueKind[];
    }
  | {
      kind: "massTesting";
      from: string;
      to?: string;
      wards: WardSelector;
      /** Days between rounds. */
      everyDays: number;
      /** Fraction of residents tested per round. */
      coverage: number;
      /**
       * Days from sampling to result (default 1: sampled in the morning, confirmed the next morning;
       * 0 = the same morning). A positive pool's members are retested from their stored samples, which
       * takes as long again.
       */
      turnaroundDays?: number;
      /**
       * Samples per PCR reaction (default 1: individual tests). Above 1, Dorfman pooling: the samples
       * of consecutive residents (households are contiguous) are pooled, and only positive pools'
       * samples are tested one by one; dilution lowers the pool's sensitivity
       * (`epidemic.poolSensitivityLossPerDoubling`).
       */
      poolSize?: number;
      /** Sensitivity of one sample (default `epidemic.testSensitivity`). */
      sensitivity?: number;
      /** Specificity of one PCR reaction (default `epidemic.testSpecificity`). */
      specificity?: number;
    }
  | {
      kind: "f1Quarantine";
      from: string;
      to?: string;
      /** Fraction of true close contacts identified by manual tracing. */
      tracingRecall: number;
      /** Fraction of identified F1 who comply. */
      compliance: number;
      /** Quarantine length (days). */
      durationDays: number;
      /**
       * PCR-test every F1 (traced or notified by the app) on the first day of quarantine (Vietnam 2021;
       * default false); a positive F1 is confirmed (F0), isolated and its own contacts traced.
       */
      entryTest?: boolean;
      /** PCR-test every F1 so that the result is known on the last day of quarantine (default false). */
      releaseTest?: boolean;
      /** Days from an F1's sampling to the result (default 1). */
      testTurnaroundDays?: number;
    }
  | {
      kind: "f2Monitoring";
      from: string;
      to?: string;
      /** Fraction of F2 (contacts of F1) who stay home while monitored. */
      stayHomeShare: number;
      /** Monitoring length (days). */
      durationDays: number;
    }
  | {
      kind: "vaccination";
      from: string;
      to?: string;
      /** Fraction of the population vaccinated per day (each person at most once; confirmed cases skipped). */
      dailyRate: number;
      /** Age groups vaccinated first, in this order; everyone else after them in random order. */
      priorityAgeGroups?: string[];
      /**
       * Days over which protection rises linearly from 0 to `vaccineEfficacyInfection` (default 14:
       * protection from about two weeks after a dose; Polack et al. 2020, NEJM; Voysey et al. 2021, Lancet).
       */
      rampDays?: number;
    };

/**
 * Epidemic settings: overrides of {@link EpidemicParams}, a variant preset and a β multiplier.
 * @public
 */
export interface EpidemicSpec extends Partial<EpidemicParams> {
  /** Variant preset; `delta` applies {@link DELTA_OVERRIDES}. */
  variant?: "ancestral" | "delta";
  /** Multiplies β (a scenario-level adjustment; Delta's transmissibility is in its preset). */
  betaMultiplier?: number;
}

/**
 * A validated scenario.
 * @public
 */
export interface Scenario {
  /** Short name. */
  name: string;
  /** What it represents, with sources. */
  description?: string;
  /** First simulated day (ISO date, a day starts at 00:00 local time). */
  startDate: string;
  /** Number of days simulated. */
  days: number;
  /** Master seed (default 1). */
  seed: number;
  /** UTC offset of local time, hours (Hanoi: 7). */
  utcOffsetHours: number;
  /** Number of residents. */
  population: number;
  /** Household composition. */
  households: Households;
  /** Age groups. */
  ageGroups: AgeGroup[];
  /** Wards. */
  wards: Ward[];
  /** Venue types. */
  venues: VenueType[];
  /** App adoption and carriage. */
  app: AppSpec;
  /** Interventions over time. */
  interventions: Intervention[];
  /** Epidemic overrides. */
  epidemic: EpidemicSpec;
  /**
   * A public record the report compares the run with: `"hanoi-2021"`, Hanoi's reported cases of the
   * 2021 Delta wave (docs/hanoi-2021.md).
   */
  observed?: "hanoi-2021";
}

/** The scenario JSON as the schema describes it, after validation with its defaults filled in. */
interface ScenarioJson extends Omit<Scenario, "venues" | "description"> {
  description?: string;
  venues: (VenueType & { name?: string })[];
  $schema?: string;
}

/** Asserts a positive sum of weights already known to be non-negative numbers. */
function positiveSum(values: readonly number[], path: string): void {
  if (!(values.reduce((a, w) => a + w, 0) > 0)) throw new ScenarioError(path, "must have a positive sum");
}

/** Asserts unique `name`s. */
function uniqueNames(items: readonly { name: string }[], path: string): Set<string> {
  const names = new Set(items.map((x) => x.name));
  if (names.size !== items.length) throw new ScenarioError(path, "names must be unique");
  return names;
}

/** Asserts every listed name is known. */
function known(names: readonly string[] | "all", path: string, set: Set<string>, what: string): void {
  if (names === "all") return;
  names.forEach((name, i) => {
    if (!set.has(name)) throw new ScenarioError(join(path, i), `unknown ${what} "${name}"`);
  });
}

/** A venue type with the fields of its kind only (assigned or visited), as the simulator reads it. */
function venueOf(v: ScenarioJson["venues"][number]): VenueType {
  const venue: VenueType = {
    kind: v.kind,
    name: v.name ?? v.kind,
    indoor: v.indoor,
    movement: v.movement,
    repositionMinutes: v.repositionMinutes,
    crossWardShare: v.crossWardShare,
    schedule: v.schedule,
  };
  if (ASSIGNED_KINDS.includes(v.kind)) {
    venue.meanSize = v.meanSize!;
    venue.areaM2PerMember = v.areaM2PerMember!;
  } else {
    venue.perThousand = v.perThousand!;
    venue.areaM2 = v.areaM2!;
    if (v.kind === "transit") venue.commuteShare = v.commuteShare!;
    else venue.visitsPerWeek = v.visitsPerWeek!;
    venue.essential = v.essential ?? false;
  }
  if (v.ageGroups !== undefined) venue.ageGroups = v.ageGroups;
  return venue;
}

/** A ring lockdown's wards: known names, each ward in one ring only. */
function checkRings(
  x: Extract<Intervention, { kind: "ringLockdown" }>,
  path: string,
  wardNames: Set<string>,
): void {
  const seen = new Map<string, string>();
  const rings: [string, WardSelector | undefined][] = [
    ["core", x.core],
    ["middle.wards", x.middle?.wards],
    ["outer.wards", x.outer?.wards],
  ];
  for (const [name, wards] of rings) {
    if (wards === undefined) continue;
    const at = join(path, name);
    known(wards, at, wardNames, "ward");
    if (wards === "all") continue;
    wards.forEach((w, i) => {
      const other = seen.get(w);
      if (other !== undefined)
        throw new ScenarioError(
          join(at, i),
          `ward "${w}" is already in ${other}: a ward is in one ring only`,
        );
      seen.set(w, name.replace(".wards", ""));
    });
  }
}

/**
 * Kinds of which one is in force at a time: the simulator applies the first listed one in force (F1
 * tracing's recall and compliance, F2 monitoring's share) or keeps one queue (vaccination's priority
 * groups, its ramp), so a second one overlapping it would be ignored without a word — the common
 * "tighten from a date" written as a second entry did nothing.
 */
const ONE_AT_A_TIME = new Set(["f1Quarantine", "f2Monitoring", "vaccination"]);

/** Refuses two interventions of a one-at-a-time kind whose periods overlap. */
function checkOneAtATime(interventions: readonly Intervention[]): void {
  const last = "9999-12-31";
  interventions.forEach((x, i) => {
    if (!ONE_AT_A_TIME.has(x.kind)) return;
    for (let j = 0; j < i; j++) {
      const y = interventions[j]!;
      if (y.kind !== x.kind) continue;
      if (x.from <= (y.to ?? last) && y.from <= (x.to ?? last))
        throw new ScenarioError(
          join("interventions", i),
          `${x.kind} from ${x.from}${x.to ? ` to ${x.to}` : ""} overlaps interventions[${j}] (${y.kind} from ${y.from}${y.to ? ` to ${y.to}` : ""}): one ${x.kind} is in force at a time (the simulator would apply the first) — to change it from a date, end the first the day before`,
        );
    }
  });
}

/**
 * Validates untrusted JSON as a {@link Scenario}: first against the scenario JSON Schema
 * (`schemas/scenario.schema.json`: types, ranges, required and unknown fields, defaults), then the
 * cross-references it cannot express (ward and age-group names, unique names, positive weight sums,
 * real calendar dates, `to` not before `from`, a venue for every age group's activity). Does not modify
 * `json`.
 * @throws ScenarioError naming the first offending field, e.g.
 *   `app.response.quarantineDay: unknown field (did you mean "quarantineDays"?)`
 * @public
 */
export function parseScenario(json: unknown): Scenario {
  const o = checkSchema<ScenarioJson>(json);
  positiveSum(o.households.sizeDistribution, "households.sizeDistribution");
  positiveSum(
    o.ageGroups.map((g) => g.share),
    "ageGroups[].share",
  );
  const groupNames = uniqueNames(o.ageGroups, "ageGroups");
  const wardNames = uniqueNames(o.wards, "wards");
  positiveSum(
    o.wards.map((w) => w.share),
    "wards[].share",
  );
  if (o.epidemic.initialInfected !== undefined && o.epidemic.initialInfected > o.population)
    throw new ScenarioError(
      "epidemic.initialInfected",
      `must be at most the population (${o.population}), got ${o.epidemic.initialInfected}`,
    );
  o.venues.forEach((v, i) => {
    if (v.ageGroups) known(v.ageGroups, join(join("venues", i), "ageGroups"), groupNames, "age group");
  });
  for (const g of o.ageGroups) {
    if (g.activity === "none" || g.activityShare === 0) continue;
    const kind = g.activity === "work" ? "workplace" : "school";
    if (!o.venues.some((v) => v.kind === kind))
      throw new ScenarioError("venues", `age group "${g.name}" needs a venue of kind "${kind}"`);
  }
  positiveSum(Object.values(o.app.carriage), "app.carriage");
  for (const k of Object.keys(o.app.byAgeGroup ?? {}))
    if (!groupNames.has(k)) throw new ScenarioError(join("app.byAgeGroup", k), `unknown age group "${k}"`);
  for (const table of [
    "susceptibilityByAgeGroup",
    "hospitalisationByAgeGroup",
    "fatalityByAgeGroup",
  ] as const)
    for (const k of Object.keys(o.epidemic[table] ?? {}))
      if (!groupNames.has(k))
        throw new ScenarioError(join(`epidemic.${table}`, k), `unknown age group "${k}"`);
  isoDate(o.startDate, "startDate");
  o.interventions.forEach((x, i) => {
    const p = join("interventions", i);
    const from = isoDate(x.from, join(p, "from"));
    if (x.to !== undefined && isoDate(x.to, join(p, "to")) < from)
      throw new ScenarioError(join(p, "to"), "must not be before `from`");
    if ("wards" in x) known(x.wards, join(p, "wards"), wardNames, "ward");
    if (x.kind === "ringLockdown") checkRings(x, p, wardNames);
    if (x.kind === "vaccination" && x.priorityAgeGroups)
      known(x.priorityAgeGroups, join(p, "priorityAgeGroups"), groupNames, "age group");
  });
  checkOneAtATime(o.interventions);
  const scenario: Scenario = {
    name: o.name,
    startDate: o.startDate,
    days: o.days,
    seed: o.seed,
    utcOffsetHours: o.utcOffsetHours,
    population: o.population,
    households: o.households,
    ageGroups: o.ageGroups,
    wards: o.wards,
    venues: o.venues.map(venueOf),
    app: o.app,
    interventions: o.interventions,
    epidemic: o.epidemic,
  };
  if (o.description !== undefined) scenario.description = o.description;
  if (o.observed !== undefined) scenario.observed = o.observed;
  return scenario;
}

/** Run options that set a scenario field themselves, and the `--set` paths they would override. */
const OPTION_FIELDS = [
  ["phones", "--phones", /^population$/],
  ["days", "--days", /^days$/],
  ["seed", "--seed", /^seed$/],
  ["adoption", "--adoption", /^app\.(adoption|byAgeGroup)(\.|$)/],
  ["utcOffset", "--utc-offset", /^utcOffsetHours$/],
] as const;

/**
 * Refuses a `--set` of a field that a run option given beside it also sets (`population` with
 * `--phones`, `days` with `--days`, `seed` with `--seed`, `app.adoption`/`app.byAgeGroup` with
 * `--adoption`, `utcOffsetHours` with `--utc-offset`): the option would override it without a word.
 * @param assignments - the `path=value` overrides (as for {@link applyScenarioOverrides})
 * @param given - the options given (undefined: not given)
 * @throws InvalidArgumentError `--set population=… and --phones both set it: give one of them`
 * @public
 */
export function checkOverriddenFields(
  assignments: readonly string[],
  given: { phones?: number; days?: number; seed?: number; adoption?: number; utcOffset?: number },
): void {
  const paths = assignments.map((a) => a.split("=")[0]!.trim());
  for (const [name, option, fields] of OPTION_FIELDS) {
    const clash = given[name] === undefined ? undefined : paths.find((p) => fields.test(p));
    if (clash !== undefined)
      throw new InvalidArgumentError(`--set ${clash}=… and ${option} both set it: give one of them`);
  }
}

/**
 * Applies `--set path=value` overrides to a scenario's JSON (a copy; `json` is not modified). `path` is
 * dotted with array indices, e.g. `app.response.quarantineDays` or `interventions[7].coverage`
 * (`interventions.2.coverage` too); objects missing along the way are created. `value` is read as JSON
 * when it parses (`7`, `true`, `"text"`, `[1,2]`, `{"a":1}`), else as a plain string (`cwa`). The result
 * is not validated: pass it to {@link parseScenario}, whose errors name the field (so a typo in a path
 * is an "unknown field" error).
 * @throws ScenarioError when an assignment is malformed or a path goes through a non-object
 * @public
 */
export function applyScenarioOverrides(json: unknown, assignments: readonly string[]): unknown {
  const root = structuredClone(json) as Record<string, unknown>;
  for (const assignment of assignments) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) throw new ScenarioError("", `--set "${assignment}" must have the form path=value`);
    const pathText = assignment.slice(0, eq).trim();
    const raw = assignment.slice(eq + 1);
    const keys = pathText
      .replace(/\[(\d+)\]/g, ".$1")
      .split(".")
      .filter((k) => k !== "");
    if (keys.length === 0 || keys.some((k) => !/^[\w$-]+$/.test(k)))
      throw new ScenarioError("", `--set "${assignment}": "${pathText}" is not a field path`);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    let node: Record<string, unknown> = root;
    let at = "";
    for (const [i, key] of keys.entries()) {
      const index = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key;
      at = join(at, index);
      // Past an array's end (other than the next element) would leave holes, reported under another index.
      if (Array.isArray(node) && typeof index === "number" && index > node.length)
        throw new ScenarioError(
          at,
          `no such element: the array has ${node.length} (indices 0–${node.length - 1}; ${node.length} appends one)`,
        );
      if (i === keys.length - 1) {
        node[key] = value;
        break;
      }
      if (node[key] === undefined) node[key] = {};
      const next = node[key];
      if (typeof next !== "object" || next === null)
        throw new ScenarioError(at, `--set ${pathText}: ${at} is not an object or array`);
      node = next as Record<string, unknown>;
    }
  }
  return root;
}

/**
 * The epidemic parameters a scenario runs with: defaults, then the variant preset, then overrides
 * (`susceptibilityByAgeGroup`, `hospitalisationByAgeGroup` and `fatalityByAgeGroup` are merged group by
 * group into the default's).
 * @public
 */
export function resolveEpidemicParams(scenario: Scenario): EpidemicParams {
  const { variant, betaMultiplier, ...overrides } = scenario.epidemic;
  const p: EpidemicParams = {
    ...DEFAULT_EPIDEMIC_PARAMS,
    ...(variant === "delta" ? DELTA_OVERRIDES : {}),
    ...overrides,
    susceptibilityByAgeGroup: {
      ...DEFAULT_EPIDEMIC_PARAMS.susceptibilityByAgeGroup,
      ...overrides.susceptibilityByAgeGroup,
    },
    hospitalisationByAgeGroup: {
      ...DEFAULT_EPIDEMIC_PARAMS.hospitalisationByAgeGroup,
      ...overrides.hospitalisationByAgeGroup,
    },
    fatalityByAgeGroup: {
      ...DEFAULT_EPIDEMIC_PARAMS.fatalityByAgeGroup,
      ...overrides.fatalityByAgeGroup,
    },
  };
  p.beta *= betaMultiplier ?? 1;
  return p;
}

/**
 * The shipped scenarios, bundled as data so they load from any build (no file lookups).
 * @public
 */
export const SHIPPED_SCENARIOS: Readonly<Record<string, unknown>> = {
  "hanoi-ward": hanoiWard,
  "hanoi-district": hanoiDistrict,
  office,
  market,
  school,
};

/**
 * Reads a scenario's JSON without validating it: a shipped name (`"hanoi-ward"`, `"hanoi-district"`,
 * `"office"`, `"market"`, `"school"`) or a path to a JSON file. Use with {@link applyScenarioOverrides} and {@link parseScenario}.
 * @throws ScenarioError for an unknown name, an unreadable file or invalid JSON
 * @public
 */
export function readScenarioJson(nameOrPath: string): unknown {
  const isName = /^[\w-]+$/.test(nameOrPath);
  if (isName) {
    const shipped = SHIPPED_SCENARIOS[nameOrPath];
    if (!shipped) {
      throw new ScenarioError(
        "",
        `unknown scenario "${nameOrPath}" (shipped: ${Object.keys(SHIPPED_SCENARIOS).join(", ")}; or give a path to a JSON file)`,
      );
    }
    return shipped;
  }
  const file = resolve(nameOrPath);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new ScenarioError("", `cannot read scenario ${file}: ${(cause as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ScenarioError("", `${file} is not valid JSON: ${(cause as Error).message}`);
  }
}

/**
 * Loads and validates a scenario (see {@link readScenarioJson}), with optional `--set` style overrides
 * (see {@link applyScenarioOverrides}) applied before validation.
 * @throws ScenarioError naming the offending field
 * @public
 */
export function loadScenario(nameOrPath: string, overrides: readonly string[] = []): Scenario {
  const json = readScenarioJson(nameOrPath);
  return parseScenario(overrides.length > 0 ? applyScenarioOverrides(json, overrides) : json);
}

/**
 * A copy of `scenario` with another population size (venue counts scale with it: they are per thousand residents or by mean size).
 * @public
 */
export function withPopulation(scenario: Scenario, population: number): Scenario {
  return { ...scenario, population };
}

/**
 * A copy of `scenario` without interventions and without the app: the baseline epidemic.
 * @public
 */
export function baseline(scenario: Scenario): Scenario {
  return { ...scenario, interventions: [], app: { ...scenario.app, adoption: 0, byAgeGroup: {} } };
}

/**
 * A copy of `scenario` in which nothing intervenes (`bluezone sim --no-interventions`, the R0 arm): no
 * interventions, no symptomatic testing (so no one is confirmed or isolated and no keys are uploaded),
 * and an app response that does nothing (no uploads, no quarantine or staying home on a notification).
 * The app, if adopted, still runs and logs.
 * @public
 */
export function withoutInterventions(scenario: Scenario): Scenario {
  return {
    ...scenario,
    interventions: [],
    epidemic: { ...scenario.epidemic, symptomaticTestingShare: 0, selfIsolationShare: 0 },
    app: {
      ...scenario.app,
      response: {
        ...scenario.app.response,
        uploadConsent: 0,
        quarantineCompliance: 0,
        publishF1Keys: false,
        f2StayHomeShare: 0,
      },
    },
  };
}
