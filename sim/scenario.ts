/**
 * Scenario files: the JSON schema of a simulated place and period, its validation (typed errors naming
 * the field path) and the loader for the shipped scenarios in `sim/scenarios/`.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import hanoiWard from "./scenarios/hanoi-ward.json";
import market from "./scenarios/market.json";
import office from "./scenarios/office.json";
import school from "./scenarios/school.json";
import { DEFAULT_EPIDEMIC_PARAMS, DELTA_OVERRIDES, type EpidemicParams } from "./epidemic-params";
import {
  arr,
  bool,
  isoDate,
  join,
  num,
  obj,
  oneOf,
  opt,
  prob,
  ScenarioError,
  str,
  weights,
} from "./validate";

export { ScenarioError } from "./validate";

/** Kinds of venue. Workplaces and schools are assigned; the others are visited. */
export type VenueKind = "workplace" | "school" | "market" | "transit" | "other";
/** Venue kinds people are assigned to (one each, by age group activity). */
export const ASSIGNED_KINDS: readonly VenueKind[] = ["workplace", "school"];
/** All venue kinds. */
export const VENUE_KINDS: readonly VenueKind[] = ["workplace", "school", "market", "transit", "other"];
/** How a phone is carried. */
export type Carriage = "hand" | "pocket" | "bag";
/** Carriage modes in a fixed order (index = carriage code in typed arrays). */
export const CARRIAGES: readonly Carriage[] = ["hand", "pocket", "bag"];
/** How people move inside a place during a stay. */
export type Movement = "seated" | "roaming";

/** An age group of the population. */
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

/** An administrative ward (phường). */
export interface Ward {
  /** Ward name, referenced by interventions. */
  name: string;
  /** Relative share of the population living there. */
  share: number;
}

/** When a venue is attended. Hours are local time of day. */
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

/** A type of venue: how many, how large, how people attend it and move in it. */
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

/** Household composition and homes. */
export interface Households {
  /** Relative frequency of household sizes 1, 2, 3, … */
  sizeDistribution: number[];
  /** Floor area per resident (m²). */
  areaM2PerPerson: number;
  /** Minutes between position changes at home. */
  repositionMinutes: number;
}

/** App adoption and phone carriage. */
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

/** How people act on the app: uploads, publication, and what a notification makes them do. */
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

/** App response used when a scenario says nothing (plausible values for Vietnam 2021, documented). */
export const DEFAULT_APP_RESPONSE: Readonly<AppResponse> = {
  uploadConsent: 0.8,
  uploadDelayDays: 1,
  quarantineCompliance: 0.8,
  quarantineDays: 14,
  publishF1Keys: true,
  f2StayHomeShare: 0.3,
  f2Days: 7,
  policy: "default",
};

/** Wards a measure applies to: listed names, or every ward. */
export type WardSelector = string[] | "all";

/** Time-bounded interventions. Dates are inclusive ISO dates; `to` open-ended when absent. */
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
      /** Fraction of the population vaccinated per day. */
      dailyRate: number;
    };

/** Epidemic settings: overrides of {@link EpidemicParams}, a variant preset and a β multiplier. */
export interface EpidemicSpec extends Partial<EpidemicParams> {
  /** Variant preset; `delta` applies {@link DELTA_OVERRIDES}. */
  variant?: "ancestral" | "delta";
  /** Multiplies β (e.g. ≈ 2 for Delta's transmissibility). */
  betaMultiplier?: number;
}

/** A validated scenario. */
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
}

function wardSelector(v: unknown, path: string, wards: Set<string>): WardSelector {
  if (v === "all") return "all";
  return arr(v, path, 1).map((w, i) => {
    const name = str(w, join(path, i));
    if (!wards.has(name)) throw new ScenarioError(join(path, i), `unknown ward "${name}"`);
    return name;
  });
}

function parseSchedule(v: unknown, path: string): VenueSchedule {
  const o = obj(v, path);
  return {
    days: oneOf(o.days, join(path, "days"), ["weekdays", "everyday"] as const),
    startHour: num(o.startHour, join(path, "startHour"), { min: 0, max: 24 }),
    startJitterHours: num(o.startJitterHours ?? 0, join(path, "startJitterHours"), { min: 0 }),
    durationHours: num(o.durationHours, join(path, "durationHours"), { min: 0, max: 24 }),
    durationJitterHours: num(o.durationJitterHours ?? 0, join(path, "durationJitterHours"), { min: 0 }),
  };
}

function parseVenue(v: unknown, path: string, groups: Set<string>): VenueType {
  const o = obj(v, path);
  const kind = oneOf(o.kind, join(path, "kind"), VENUE_KINDS);
  const assigned = ASSIGNED_KINDS.includes(kind);
  const need = (key: string, read: (v: unknown, p: string) => number) => {
    if (o[key] === undefined) throw new ScenarioError(join(path, key), `is required for kind "${kind}"`);
    return read(o[key], join(path, key));
  };
  const positive = (x: unknown, p: string) => num(x, p, { min: 1e-9 });
  const nonNeg = (x: unknown, p: string) => num(x, p, { min: 0 });
  const venue: VenueType = {
    kind,
    name: str(o.name ?? kind, join(path, "name")),
    indoor: bool(o.indoor, join(path, "indoor")),
    movement: oneOf(o.movement, join(path, "movement"), ["seated", "roaming"] as const),
    repositionMinutes: num(o.repositionMinutes, join(path, "repositionMinutes"), { min: 1 }),
    crossWardShare: prob(o.crossWardShare ?? 0, join(path, "crossWardShare")),
    schedule: parseSchedule(o.schedule, join(path, "schedule")),
  };
  if (assigned) {
    venue.meanSize = need("meanSize", (x, p) => num(x, p, { min: 1 }));
    venue.areaM2PerMember = need("areaM2PerMember", positive);
  } else {
    venue.perThousand = need("perThousand", positive);
    venue.areaM2 = need("areaM2", positive);
    if (kind === "transit") venue.commuteShare = need("commuteShare", prob);
    else venue.visitsPerWeek = need("visitsPerWeek", nonNeg);
    venue.essential = opt(o.essential, (x) => bool(x, join(path, "essential"))) ?? false;
  }
  if (o.ageGroups !== undefined)
    venue.ageGroups = arr(o.ageGroups, join(path, "ageGroups")).map((g, i) => {
      const name = str(g, join(join(path, "ageGroups"), i));
      if (!groups.has(name))
        throw new ScenarioError(join(join(path, "ageGroups"), i), `unknown age group "${name}"`);
      return name;
    });
  return venue;
}

function parseIntervention(v: unknown, path: string, wards: Set<string>): Intervention {
  const o = obj(v, path);
  const kind = oneOf(o.kind, join(path, "kind"), [
    "wardLockdown",
    "greenZone",
    "venueClosure",
    "massTesting",
    "f1Quarantine",
    "f2Monitoring",
    "vaccination",
  ] as const);
  const from = str(o.from, join(path, "from"));
  const fromMs = isoDate(from, join(path, "from"));
  const to = opt(o.to, (x) => str(x, join(path, "to")));
  if (to !== undefined && isoDate(to, join(path, "to")) < fromMs)
    throw new ScenarioError(join(path, "to"), "must not be before `from`");
  const span = to === undefined ? { from } : { from, to };
  const p = (key: string) => join(path, key);
  switch (kind) {
    case "wardLockdown":
      return {
        kind,
        ...span,
        wards: wardSelector(o.wards, p("wards"), wards),
        crossWardLeakage: prob(o.crossWardLeakage, p("crossWardLeakage")),
        workplaceOpenShare: prob(o.workplaceOpenShare, p("workplaceOpenShare")),
      };
    case "greenZone":
      return {
        kind,
        ...span,
        wards: wardSelector(o.wards, p("wards"), wards),
        exitShare: prob(o.exitShare, p("exitShare")),
      };
    case "venueClosure":
      return {
        kind,
        ...span,
        venues: arr(o.venues, p("venues"), 1).map((x, i) => oneOf(x, join(p("venues"), i), VENUE_KINDS)),
      };
    case "massTesting":
      return {
        kind,
        ...span,
        wards: wardSelector(o.wards, p("wards"), wards),
        everyDays: num(o.everyDays, p("everyDays"), { min: 1, integer: true }),
        coverage: prob(o.coverage, p("coverage")),
      };
    case "f1Quarantine":
      return {
        kind,
        ...span,
        tracingRecall: prob(o.tracingRecall, p("tracingRecall")),
        compliance: prob(o.compliance, p("compliance")),
        durationDays: num(o.durationDays, p("durationDays"), { min: 1, integer: true }),
      };
    case "f2Monitoring":
      return {
        kind,
        ...span,
        stayHomeShare: prob(o.stayHomeShare, p("stayHomeShare")),
        durationDays: num(o.durationDays, p("durationDays"), { min: 1, integer: true }),
      };
    case "vaccination":
      return { kind, ...span, dailyRate: prob(o.dailyRate, p("dailyRate")) };
  }
}

const PROBABILITY_PARAMS = new Set<keyof EpidemicParams>([
  "asymptomaticShare",
  "asymptomaticRelInfectiousness",
  "outdoorFactor",
  "symptomaticTestingShare",
  "testSensitivity",
  "vaccineEfficacyInfection",
]);

function parseEpidemic(v: unknown, path: string): EpidemicSpec {
  const o = obj(v ?? {}, path);
  const spec: EpidemicSpec = {};
  for (const [key, value] of Object.entries(o)) {
    const p = join(path, key);
    if (key === "variant") spec.variant = oneOf(value, p, ["ancestral", "delta"] as const);
    else if (key === "betaMultiplier") spec.betaMultiplier = num(value, p, { min: 0 });
    else if (key === "isolationSetting")
      spec.isolationSetting = oneOf(value, p, ["home", "facility"] as const);
    else if (key === "initialInfected") spec.initialInfected = num(value, p, { min: 0, integer: true });
    else if (key in DEFAULT_EPIDEMIC_PARAMS) {
      const k = key as Exclude<keyof EpidemicParams, "isolationSetting">;
      (spec as Record<string, unknown>)[k] = PROBABILITY_PARAMS.has(k)
        ? prob(value, p)
        : num(value, p, { min: 0 });
    } else throw new ScenarioError(p, "unknown epidemic parameter");
  }
  return spec;
}

/** Validates untrusted JSON as a {@link Scenario}; throws {@link ScenarioError} naming the field. */
export function parseScenario(json: unknown): Scenario {
  const o = obj(json, "");
  const hh = obj(o.households, "households");
  const households: Households = {
    sizeDistribution: weights(hh.sizeDistribution, "households.sizeDistribution"),
    areaM2PerPerson: num(hh.areaM2PerPerson, "households.areaM2PerPerson", { min: 1 }),
    repositionMinutes: num(hh.repositionMinutes ?? 30, "households.repositionMinutes", { min: 1 }),
  };
  const ageGroups = arr(o.ageGroups, "ageGroups", 1).map((g, i): AgeGroup => {
    const p = join("ageGroups", i);
    const go = obj(g, p);
    return {
      name: str(go.name, join(p, "name")),
      share: num(go.share, join(p, "share"), { min: 0 }),
      activity: oneOf(go.activity, join(p, "activity"), ["school", "work", "none"] as const),
      activityShare: prob(go.activityShare ?? 1, join(p, "activityShare")),
    };
  });
  weights(
    ageGroups.map((g) => g.share),
    "ageGroups[].share",
  );
  const groupNames = new Set(ageGroups.map((g) => g.name));
  if (groupNames.size !== ageGroups.length) throw new ScenarioError("ageGroups", "names must be unique");
  const wards = arr(o.wards, "wards", 1).map((w, i): Ward => {
    const p = join("wards", i);
    const wo = obj(w, p);
    return { name: str(wo.name, join(p, "name")), share: num(wo.share ?? 1, join(p, "share"), { min: 0 }) };
  });
  const wardNames = new Set(wards.map((w) => w.name));
  if (wardNames.size !== wards.length) throw new ScenarioError("wards", "names must be unique");
  const venues = arr(o.venues, "venues").map((v, i) => parseVenue(v, join("venues", i), groupNames));
  for (const g of ageGroups) {
    if (g.activity === "none" || g.activityShare === 0) continue;
    const kind = g.activity === "work" ? "workplace" : "school";
    if (!venues.some((v) => v.kind === kind))
      throw new ScenarioError("venues", `age group "${g.name}" needs a venue of kind "${kind}"`);
  }
  const ao = obj(o.app ?? { adoption: 0 }, "app");
  const co = obj(ao.carriage ?? { hand: 1, pocket: 1, bag: 1 }, "app.carriage");
  const ro = obj(ao.response ?? {}, "app.response");
  const d = DEFAULT_APP_RESPONSE;
  const response: AppResponse = {
    uploadConsent: prob(ro.uploadConsent ?? d.uploadConsent, "app.response.uploadConsent"),
    uploadDelayDays: num(ro.uploadDelayDays ?? d.uploadDelayDays, "app.response.uploadDelayDays", {
      min: 0,
      max: 14,
      integer: true,
    }),
    quarantineCompliance: prob(
      ro.quarantineCompliance ?? d.quarantineCompliance,
      "app.response.quarantineCompliance",
    ),
    quarantineDays: num(ro.quarantineDays ?? d.quarantineDays, "app.response.quarantineDays", {
      min: 1,
      max: 60,
      integer: true,
    }),
    publishF1Keys: bool(ro.publishF1Keys ?? d.publishF1Keys, "app.response.publishF1Keys"),
    f2StayHomeShare: prob(ro.f2StayHomeShare ?? d.f2StayHomeShare, "app.response.f2StayHomeShare"),
    f2Days: num(ro.f2Days ?? d.f2Days, "app.response.f2Days", { min: 1, max: 60, integer: true }),
    policy: oneOf(ro.policy ?? d.policy, "app.response.policy", [
      "default",
      "swisscovid",
      "cwa",
      "bluezone",
    ] as const),
  };
  const app: AppSpec = {
    response,
    adoption: prob(ao.adoption, "app.adoption"),
    carriage: {
      hand: num(co.hand, "app.carriage.hand", { min: 0 }),
      pocket: num(co.pocket, "app.carriage.pocket", { min: 0 }),
      bag: num(co.bag, "app.carriage.bag", { min: 0 }),
    },
  };
  weights(Object.values(app.carriage), "app.carriage");
  if (ao.byAgeGroup !== undefined) {
    const by = obj(ao.byAgeGroup, "app.byAgeGroup");
    app.byAgeGroup = {};
    for (const [k, x] of Object.entries(by)) {
      if (!groupNames.has(k)) throw new ScenarioError(join("app.byAgeGroup", k), `unknown age group "${k}"`);
      app.byAgeGroup[k] = prob(x, join("app.byAgeGroup", k));
    }
  }
  const startDate = str(o.startDate, "startDate");
  isoDate(startDate, "startDate");
  const scenario: Scenario = {
    name: str(o.name, "name"),
    startDate,
    days: num(o.days, "days", { min: 1, integer: true }),
    seed: num(o.seed ?? 1, "seed", { min: 0, integer: true }),
    utcOffsetHours: num(o.utcOffsetHours ?? 0, "utcOffsetHours", { min: -12, max: 14 }),
    population: num(o.population, "population", { min: 1, integer: true }),
    households,
    ageGroups,
    wards,
    venues,
    app,
    interventions: arr(o.interventions ?? [], "interventions").map((x, i) =>
      parseIntervention(x, join("interventions", i), wardNames),
    ),
    epidemic: parseEpidemic(o.epidemic, "epidemic"),
  };
  if (o.description !== undefined) scenario.description = str(o.description, "description");
  return scenario;
}

/** The epidemic parameters a scenario runs with: defaults, then the variant preset, then overrides. */
export function resolveEpidemicParams(scenario: Scenario): EpidemicParams {
  const { variant, betaMultiplier, ...overrides } = scenario.epidemic;
  const p: EpidemicParams = {
    ...DEFAULT_EPIDEMIC_PARAMS,
    ...(variant === "delta" ? DELTA_OVERRIDES : {}),
    ...overrides,
  };
  p.beta *= betaMultiplier ?? 1;
  return p;
}

/** The shipped scenarios, bundled as data so they load from any build (no file lookups). */
export const SHIPPED_SCENARIOS: Readonly<Record<string, unknown>> = {
  "hanoi-ward": hanoiWard,
  office,
  market,
  school,
};

/**
 * Loads and validates a scenario: a shipped name (`"hanoi-ward"`, `"office"`, `"market"`, `"school"`)
 * or a path to a JSON file.
 */
export function loadScenario(nameOrPath: string): Scenario {
  const isName = /^[\w-]+$/.test(nameOrPath);
  if (isName) {
    const shipped = SHIPPED_SCENARIOS[nameOrPath];
    if (!shipped) {
      throw new ScenarioError(
        "",
        `unknown scenario "${nameOrPath}" (shipped: ${Object.keys(SHIPPED_SCENARIOS).join(", ")}; or give a path to a JSON file)`,
      );
    }
    return parseScenario(shipped);
  }
  const file = resolve(nameOrPath);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new ScenarioError("", `cannot read scenario ${file}: ${(cause as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ScenarioError("", `${file} is not valid JSON: ${(cause as Error).message}`);
  }
  return parseScenario(json);
}

/** A copy of `scenario` with another population size (venue counts scale with it: they are per thousand residents or by mean size). */
export function withPopulation(scenario: Scenario, population: number): Scenario {
  return { ...scenario, population };
}

/** A copy of `scenario` without interventions and without the app: the baseline epidemic. */
export function baseline(scenario: Scenario): Scenario {
  return { ...scenario, interventions: [], app: { ...scenario.app, adoption: 0, byAgeGroup: {} } };
}
