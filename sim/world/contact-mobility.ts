/**
 * Mobility replayed from a real contact trace instead of generated schedules. Everyone lives alone; at
 * each 20-second step the people the trace puts in contact meet in one indoor "contact trace" venue,
 * about 1 m apart (1 m ± 0.25 m, fixed per pair and day), and nobody else is near anyone.
 *
 * Time line: the trace is cut into days at local midnight of the scenario's UTC offset, trace day 0 being
 * the day of the first contact, and simulated day `d` replays trace day `d mod D` (D = days from the
 * first to the last contact), so a simulation longer than the trace loops over its days, keeping each
 * contact's local time of day. Confinement (isolation, quarantine, monitoring) removes all of a
 * person's contacts for the day; the scenario's other restrictions (closures, lockdowns) do not apply
 * to a replayed trace.
 */
import { CONTACT_INTERVAL_S, type ContactTrace } from "./contact-trace";
import { type ContactDayPlan, createContactIndex } from "./contact-index";
import { AWAY, DAY_MINUTES, FREE, type Mobility, scenarioDayStarts } from "./mobility";
import type { Positions } from "./positions";
import { hashUniform, type RngStreams } from "../random";
import type { Scenario, VenueType } from "../scenario";
import type { DaySchedule } from "./schedule";
import { buildWorld, floorOf, type World } from "./world";

const DAY_MS = 86_400_000;

/** Default mobility step of a replayed trace: the trace's 20-second resolution, in minutes. */
export const CONTACT_STEP_MINUTES = CONTACT_INTERVAL_S / 60;

/** Nominal distance (m) of people in contact. */
export const CONTACT_DISTANCE_M = 1;

/** Distances of people in contact are uniform in {@link CONTACT_DISTANCE_M} ± this (m). */
export const CONTACT_JITTER_M = 0.25;

/**
 * The venue where replayed contacts happen: indoors (full transmission, as in the schools, hospitals,
 * offices and conferences of the SocioPatterns data), kind `other`.
 */
export const CONTACT_VENUE: Readonly<VenueType> = {
  kind: "other",
  name: "contact trace",
  perThousand: 0,
  areaM2: 0,
  visitsPerWeek: 0,
  indoor: true,
  movement: "seated",
  repositionMinutes: 60,
  crossWardShare: 0,
  schedule: {
    days: "everyday",
    startHour: 0,
    startJitterHours: 0,
    durationHours: 24,
    durationJitterHours: 0,
  },
};

/** Floor area (m²) of the contact venue per person of the trace. */
const CONTACT_AREA_M2_PER_PERSON = 10;

/**
 * Builds the world of a replayed trace: `size` people each in their own household and home (wards,
 * ages, app use and phone carriage drawn from the scenario as usual, ages from the whole age
 * distribution), no workplaces or schools, and one {@link CONTACT_VENUE} as the last place. The world's
 * scenario has that venue as its only venue type.
 */
export function buildContactWorld(scenario: Scenario, size: number, streams: RngStreams): World {
  // One-person households, and no age group marked as an activity, so the first (only) member of each
  // household is not forced into an adult group: ages follow the scenario's shares.
  const homes = buildWorld(
    {
      ...scenario,
      population: size,
      households: { ...scenario.households, sizeDistribution: [1] },
      ageGroups: scenario.ageGroups.map((g) => ({ ...g, activity: "none" as const })),
      venues: [],
    },
    streams,
  );
  const q = homes.placeCount;
  const [w, h] = floorOf(size * CONTACT_AREA_M2_PER_PERSON);
  const append = <T extends Int16Array | Uint16Array | Float32Array | Uint8Array>(a: T, v: number): T => {
    const out = new (a.constructor as new (n: number) => T)(q + 1);
    out.set(a);
    out[q] = v;
    return out;
  };
  return {
    ...homes,
    scenario: { ...scenario, population: size, venues: [CONTACT_VENUE] },
    placeCount: q + 1,
    placeType: append(homes.placeType, 0),
    placeWard: append(homes.placeWard, 0),
    placeWidth: append(homes.placeWidth, w),
    placeHeight: append(homes.placeHeight, h),
    placeIndoor: append(homes.placeIndoor, 1),
    visited: [scenario.wards.map(() => [q])],
  };
}

/** One day of a trace: merged contact intervals sorted by pair, then start; times in ms since the day's start. */
export interface TraceDay {
  /** First person of each interval's pair (a < b). */
  a: Int32Array;
  /** Second person. */
  b: Int32Array;
  /** Start (ms since the day's local midnight). */
  start: Float64Array;
  /** End, exclusive (ms since the day's local midnight). */
  end: Float64Array;
}

/**
 * Cuts a trace into days at local midnight of `utcOffsetHours`, day 0 being the day of the first
 * contact: each record covers [time, time + 20·weight s), split at midnights, and overlapping or
 * touching intervals of the same pair are merged. Days without contacts are empty.
 */
export function splitTraceDays(trace: ContactTrace, utcOffsetHours: number): TraceDay[] {
  const off = utcOffsetHours * 3_600_000;
  let first = Number.POSITIVE_INFINITY;
  for (const t of trace.time) first = Math.min(first, t * 1000);
  const day0 = Math.floor((first + off) / DAY_MS) * DAY_MS - off;
  // Pieces (day, a, b, start, end), one per record and day it touches.
  const pieces: number[][] = [];
  for (let r = 0; r < trace.time.length; r++) {
    const a = Math.min(trace.from[r]!, trace.to[r]!);
    const b = Math.max(trace.from[r]!, trace.to[r]!);
    let s = trace.time[r]! * 1000 - day0;
    const e = s + trace.weight[r]! * CONTACT_INTERVAL_S * 1000;
    while (s < e) {
      const k = Math.floor(s / DAY_MS);
      const next = (k + 1) * DAY_MS;
      pieces.push([k, a, b, s - k * DAY_MS, Math.min(e, next) - k * DAY_MS]);
      s = next;
    }
  }
  pieces.sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]! || x[3]! - y[3]!);
  const days = Array.from({ length: pieces.at(-1)![0]! + 1 }, () => [] as number[][]);
  for (const [k, a, b, s, e] of pieces) {
    const merged = days[k!]!;
    const last = merged.at(-1);
    if (last && last[0] === a && last[1] === b && s! <= last[3]!) last[3] = Math.max(last[3]!, e!);
    else merged.push([a!, b!, s!, e!]);
  }
  return days.map((m) => ({
    a: Int32Array.from(m, (x) => x[0]!),
    b: Int32Array.from(m, (x) => x[1]!),
    start: Float64Array.from(m, (x) => x[2]!),
    end: Float64Array.from(m, (x) => x[3]!),
  }));
}

/** Whether pair (a < b) is in contact at `ms` of trace day `td` (binary search of its sorted intervals). */
function inContact(td: TraceDay, a: number, b: number, ms: number): boolean {
  // The last interval at or before (a, b, ms) in (a, b, start) order.
  let lo = 0;
  let hi = td.a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const before = td.a[mid]! - a || td.b[mid]! - b || td.start[mid]! - ms;
    if (before <= 0) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  return i >= 0 && td.a[i] === a && td.b[i] === b && ms < td.end[i]!;
}

/** Options of {@link createContactMobility}. */
export interface ContactMobilityOptions {
  /** Minutes between steps; must divide a day. Default {@link CONTACT_STEP_MINUTES} (20 s). */
  stepMinutes?: number;
}

/** Everyone at home all day, except people confined {@link AWAY} (in no place). */
function homeSchedule(world: World, day: number, confinement: Uint8Array | undefined): DaySchedule {
  const n = world.size;
  const offset = new Int32Array(n + 1);
  const place: number[] = [];
  for (let p = 0; p < n; p++) {
    offset[p] = place.length;
    if ((confinement?.[p] ?? FREE) !== AWAY) place.push(world.home[p]!);
  }
  offset[n] = place.length;
  return {
    day,
    offset,
    start: new Uint16Array(place.length),
    end: new Uint16Array(place.length).fill(DAY_MINUTES),
    place: Int32Array.from(place),
  };
}

/**
 * Creates the mobility replaying `trace` on `world` (built by {@link buildContactWorld}; person `p` is
 * the trace's person `p`). Its schedule keeps everyone at home (away when so confined); the index puts
 * the people in contact at each step in the contact venue; `distance` answers at the trace's own
 * resolution: a record at second `t` makes the pair about 1 m apart during [t, t + 20·weight s).
 */
export function createContactMobility(
  world: World,
  trace: ContactTrace,
  streams: RngStreams,
  options: ContactMobilityOptions = {},
): Mobility {
  if (trace.size !== world.size)
    throw new RangeError(`the world has ${world.size} people, the trace ${trace.size} nodes`);
  const stepMinutes = options.stepMinutes ?? CONTACT_STEP_MINUTES;
  const steps = DAY_MINUTES / stepMinutes;
  if (!Number.isInteger(steps)) throw new RangeError("stepMinutes must divide 1440");
  const stepMs = stepMinutes * 60_000;
  const n = world.size;
  const days = splitTraceDays(trace, world.scenario.utcOffsetHours);
  const seed = streams.subSeed("contacts");
  const contactPlace = world.placeCount - 1;
  const index = createContactIndex(n, contactPlace, stepMinutes);
  const dayStartMs = scenarioDayStarts(world.scenario);
  const pairDistance = (a: number, b: number, day: number) =>
    CONTACT_DISTANCE_M + CONTACT_JITTER_M * (2 * hashUniform(seed, a, b, day) - 1);
  const positions: Positions = {
    at(s, _p, stay, _minute, out) {
      const q = s.place[stay]!;
      out[0] = world.placeWidth[q]! / 2;
      out[1] = world.placeHeight[q]! / 2;
    },
    nextChange: () => Number.POSITIVE_INFINITY,
  };
  let schedule: DaySchedule | undefined;
  let traceDay: TraceDay = days[0]!;
  let confined = new Uint8Array(n);
  let confinementCodes: Uint8Array = new Uint8Array(n);

  const plan = (day: number): ContactDayPlan => {
    const td = traceDay;
    const span = (i: number): [number, number] => [
      Math.max(0, Math.ceil(td.start[i]! / stepMs - 0.5)),
      Math.min(steps, Math.ceil(td.end[i]! / stepMs - 0.5)),
    ];
    const stepStart = new Int32Array(steps + 1);
    for (let i = 0; i < td.a.length; i++) {
      if (confined[td.a[i]!] || confined[td.b[i]!]) continue;
      const [s0, s1] = span(i);
      for (let s = s0; s < s1; s++) stepStart[s + 1]!++;
    }
    for (let s = 0; s < steps; s++) stepStart[s + 1]! += stepStart[s]!;
    const total = stepStart[steps]!;
    const cursor = stepStart.slice(0, steps);
    const out: ContactDayPlan = {
      stepStart,
      a: new Int32Array(total),
      b: new Int32Array(total),
      d: new Float64Array(total),
    };
    for (let i = 0; i < td.a.length; i++) {
      const a = td.a[i]!;
      const b = td.b[i]!;
      if (confined[a] || confined[b]) continue;
      const d = pairDistance(a, b, day);
      const [s0, s1] = span(i);
      for (let s = s0; s < s1; s++) {
        const k = cursor[s]!++;
        out.a[k] = a;
        out.b[k] = b;
        out.d[k] = d;
      }
    }
    return out;
  };

  const current = () => {
    if (!schedule) throw new Error("mobility: call startDay first");
    return schedule;
  };
  const api: Mobility = {
    world,
    stepMinutes,
    index,
    positions,
    get schedule() {
      return current();
    },
    dayStartMs,
    startDay(day, confinement) {
      traceDay = days[day % days.length]!;
      confinementCodes = confinement ?? new Uint8Array(n);
      confined = Uint8Array.from(confinementCodes, (c) => (c === FREE ? 0 : 1));
      schedule = homeSchedule(world, day, confinement);
      index.setDay(schedule, plan(day));
      return schedule;
    },
    currentDay: () => ({ day: current().day, confinement: confinementCodes, schedule: current() }),
    // Nothing here is drawn from a stream: adopting a day is starting it with the same confinement.
    adoptDay(shared) {
      if (shared.confinement.length !== n)
        throw new RangeError(`mobility: a day of another world (${n} people here)`);
      api.startDay(shared.day, shared.confinement);
    },
    step(step) {
      index.show(step);
      return index;
    },
    neighbours: (p, r, out) => index.neighbours(p, r, out),
    neighboursInto: (p, r, out, at) => index.neighboursInto(p, r, out, at),
    distance(a, b, t) {
      const s = current();
      const ms = t - dayStartMs(s.day);
      if (ms < 0 || ms >= DAY_MS || a === b || confined[a] || confined[b]) return undefined;
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      return inContact(traceDay, lo, hi, ms) ? pairDistance(lo, hi, s.day) : undefined;
    },
  };
  return api;
}
