/**
 * The synthetic population: people in households in wards, with age groups, app and phone carriage,
 * assigned to workplaces and schools; and the places (homes and venues) with their floor areas. All
 * per-person and per-place data are typed arrays indexed by id.
 */
import type { RngStreams } from "../random";
import { ASSIGNED_KINDS, CARRIAGES, type Scenario, type VENUE_KINDS } from "../scenario";

/** Place type code of homes in {@link World.placeType}; venues use their index in `scenario.venues`. */
export const HOME = -1;

/**
 * The population and its places.
 * @public
 */
export interface World {
  /** The scenario it was built from. */
  readonly scenario: Scenario;
  /** Number of people (ids 0 … size − 1). */
  readonly size: number;
  /** Household index of each person. */
  readonly household: Int32Array;
  /** Home place id of each person. */
  readonly home: Int32Array;
  /** Ward index of each person's home. */
  readonly ward: Uint16Array;
  /** Age group index of each person. */
  readonly ageGroup: Uint8Array;
  /** Assigned workplace or school place id, −1 if none. */
  readonly assigned: Int32Array;
  /** 1 if the person runs the app. */
  readonly hasApp: Uint8Array;
  /** Carriage code (index in {@link CARRIAGES}). */
  readonly carriage: Uint8Array;
  /** Number of places (homes first, then venues). */
  readonly placeCount: number;
  /** Venue type index of each place, `HOME` for homes. */
  readonly placeType: Int16Array;
  /** Ward of each place. */
  readonly placeWard: Uint16Array;
  /** Width (m) of each place's floor. */
  readonly placeWidth: Float32Array;
  /** Height (m) of each place's floor. */
  readonly placeHeight: Float32Array;
  /** 1 if the place is indoors. */
  readonly placeIndoor: Uint8Array;
  /** Visited venues by venue type and ward: `visited[type][ward]` lists place ids. */
  readonly visited: readonly (readonly (readonly number[])[])[];
}

/** Width and height (m) of a floor of `area` m² with a 3:2 aspect ratio. */
export function floorOf(area: number): [number, number] {
  const w = Math.sqrt(area * 1.5);
  return [w, area / w];
}

/** Builds the population and places of `scenario` from the `population` stream. */
export function buildWorld(scenario: Scenario, streams: RngStreams): World {
  const rng = streams.stream("population");
  const appRng = streams.stream("app");
  const n = scenario.population;
  const wards = scenario.wards;
  const wardShares = wards.map((w) => w.share);
  const groups = scenario.ageGroups;
  const groupShares = groups.map((g) => g.share);
  const adultShares = groups.map((g) => (g.activity === "school" ? 0 : g.share));
  const sizeWeights = scenario.households.sizeDistribution;

  const household = new Int32Array(n);
  const ward = new Uint16Array(n);
  const ageGroup = new Uint8Array(n);
  const hhSizes: number[] = [];
  const hhWards: number[] = [];
  for (let p = 0; p < n; ) {
    const size = Math.min(n - p, rng.weighted(sizeWeights) + 1);
    const h = hhSizes.length;
    const w = rng.weighted(wardShares);
    hhSizes.push(size);
    hhWards.push(w);
    for (let i = 0; i < size; i++, p++) {
      household[p] = h;
      ward[p] = w;
      ageGroup[p] = rng.weighted(i === 0 && adultShares.some((s) => s > 0) ? adultShares : groupShares);
    }
  }
  const homes = hhSizes.length;
  const home = new Int32Array(n);
  for (let p = 0; p < n; p++) home[p] = household[p]!;

  // Venues: assigned kinds sized by membership, visited kinds per thousand residents per ward.
  const placeTypes: number[] = new Array<number>(homes).fill(HOME);
  const placeWards: number[] = [...hhWards];
  const areas: number[] = hhSizes.map((s) => s * scenario.households.areaM2PerPerson);
  const wardPop = new Array<number>(wards.length).fill(0);
  for (let p = 0; p < n; p++) wardPop[ward[p]!]!++;
  const visited = scenario.venues.map(() => wards.map((): number[] => []));
  const assigned = new Int32Array(n).fill(-1);
  scenario.venues.forEach((v, t) => {
    if (ASSIGNED_KINDS.includes(v.kind)) return;
    wards.forEach((_, w) => {
      const count = Math.max(1, Math.round(((v.perThousand ?? 0) * wardPop[w]!) / 1000));
      for (let i = 0; i < count; i++) {
        visited[t]![w]!.push(placeTypes.length);
        placeTypes.push(t);
        placeWards.push(w);
        areas.push(v.areaM2 ?? 100);
      }
    });
  });
  for (const kind of ASSIGNED_KINDS) {
    const types = scenario.venues.map((v, t) => (v.kind === kind ? t : -1)).filter((t) => t >= 0);
    if (types.length === 0) continue;
    const activity = kind === "workplace" ? "work" : "school";
    const members = types.map(() => wards.map((): number[] => []));
    for (let p = 0; p < n; p++) {
      const g = groups[ageGroup[p]!]!;
      if (g.activity !== activity || !rng.bernoulli(g.activityShare)) continue;
      const ti = rng.int(types.length);
      const v = scenario.venues[types[ti]!]!;
      let w = ward[p]!;
      if (wards.length > 1 && rng.bernoulli(v.crossWardShare))
        w = (w + 1 + rng.int(wards.length - 1)) % wards.length;
      members[ti]![w]!.push(p);
    }
    types.forEach((t, ti) => {
      const v = scenario.venues[t]!;
      wards.forEach((_, w) => {
        const list = rng.shuffle(members[ti]![w]!);
        const count = Math.ceil(list.length / (v.meanSize ?? 1));
        const first = placeTypes.length;
        for (let i = 0; i < count; i++) {
          placeTypes.push(t);
          placeWards.push(w);
          areas.push(0);
        }
        list.forEach((p, i) => {
          const place = first + (i % count);
          assigned[p] = place;
          areas[place]! += v.areaM2PerMember ?? 10;
        });
      });
    });
  }
  const placeCount = placeTypes.length;
  const placeWidth = new Float32Array(placeCount);
  const placeHeight = new Float32Array(placeCount);
  const placeIndoor = new Uint8Array(placeCount);
  for (let q = 0; q < placeCount; q++) {
    const [w, h] = floorOf(Math.max(areas[q]!, 4));
    placeWidth[q] = w;
    placeHeight[q] = h;
    const t = placeTypes[q]!;
    placeIndoor[q] = t === HOME || scenario.venues[t]!.indoor ? 1 : 0;
  }

  const hasApp = new Uint8Array(n);
  const carriage = new Uint8Array(n);
  const carriageWeights = CARRIAGES.map((c) => scenario.app.carriage[c]);
  for (let p = 0; p < n; p++) {
    const g = groups[ageGroup[p]!]!;
    const adoption = scenario.app.byAgeGroup?.[g.name] ?? scenario.app.adoption;
    hasApp[p] = appRng.bernoulli(adoption) ? 1 : 0;
    carriage[p] = appRng.weighted(carriageWeights);
  }
  return {
    scenario,
    size: n,
    household,
    home,
    ward,
    ageGroup,
    assigned,
    hasApp,
    carriage,
    placeCount,
    placeType: Int16Array.from(placeTypes),
    placeWard: Uint16Array.from(placeWards),
    placeWidth,
    placeHeight,
    placeIndoor,
    visited,
  };
}

/** Venue kind of a place, or `"home"`. */
export function placeKind(world: World, place: number): (typeof VENUE_KINDS)[number] | "home" {
  const t = world.placeType[place]!;
  return t === HOME ? "home" : world.scenario.venues[t]!.kind;
}
