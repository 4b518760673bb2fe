/**
 * Daily schedules: time-sliced activities (home at night, work or school on weekdays, transit legs,
 * market and other visits), shaped by the day's restrictions and each person's confinement.
 */
import { type DayRestrictions, tripAllowed, workplaceOpen } from "./restrictions";
import { createRng, hash32, type Rng } from "../random";
import { ASSIGNED_KINDS } from "../scenario";
import type { World } from "./world";

/** Minutes in a day. */
export const DAY_MINUTES = 1440;

/** Confinement codes: free, kept at home, away from the community (hospital, quarantine facility). */
export const FREE = 0;
/** Kept at home all day (home isolation, quarantine, monitoring). */
export const AT_HOME = 1;
/** Away from the community: in no place at all. */
export const AWAY = 2;

/**
 * One day's schedule of everyone: per person, consecutive stays covering [0, 1440) minutes or none.
 * @public
 */
export interface DaySchedule {
  /** Day index (0 = scenario start). */
  day: number;
  /** Stays of person p are indices offset[p] … offset[p+1] − 1. */
  offset: Int32Array;
  /** Start minute of each stay. */
  start: Uint16Array;
  /** End minute (exclusive) of each stay. */
  end: Uint16Array;
  /** Place of each stay. */
  place: Int32Array;
}

/** Options of {@link buildDaySchedule}. */
export interface ScheduleOptions {
  /** Day index; weekday from the scenario start date. */
  day: number;
  /** Restrictions of the day. */
  restrictions: DayRestrictions;
  /** Per-person confinement ({@link FREE}, {@link AT_HOME}, {@link AWAY}); everyone free by default. */
  confinement?: Uint8Array;
  /** Times are rounded to multiples of this (minutes, default 5). */
  granularity?: number;
  /**
   * The mobility stream: one draw a day seeds the day; each person's stays are drawn from a stream of
   * their own for the day (seeded by that draw and the person), so that one person's confinement does
   * not change anyone else's day (common random numbers between arms whose confinements differ).
   */
  rng: Rng;
  /** Seed for stable per-place decisions (workplace open under lockdown). */
  seed: number;
}

/** Whether day `day` of the scenario is a weekday (Mon–Fri). */
export function isWeekday(world: World, day: number): boolean {
  const dow = new Date(Date.parse(`${world.scenario.startDate}T00:00:00Z`) + day * 86_400_000).getUTCDay();
  return dow >= 1 && dow <= 5;
}

/** Builds everyone's stays for one day. */
export function buildDaySchedule(world: World, options: ScheduleOptions): DaySchedule {
  const { day, restrictions: r, seed } = options;
  const dayBase = options.rng.next32();
  const rng = createRng(0);
  const g = options.granularity ?? 5;
  const venues = world.scenario.venues;
  const weekday = isWeekday(world, day);
  const n = world.size;
  const round = (m: number) => Math.max(0, Math.min(DAY_MINUTES, Math.round(m / g) * g));
  const offset = new Int32Array(n + 1);
  const start: number[] = [];
  const end: number[] = [];
  const place: number[] = [];
  const transit = venues.map((v, t) => (v.kind === "transit" ? t : -1)).filter((t) => t >= 0);
  const visits = venues.map((v, t) => (!ASSIGNED_KINDS.includes(v.kind) && v.kind !== "transit" ? t : -1));
  // Scratch list of (start, end, place) for one person.
  const acts: [number, number, number][] = [];
  const pickVisited = (t: number, homeWard: number): number => {
    const v = venues[t]!;
    const nw = world.scenario.wards.length;
    let w = homeWard;
    if (nw > 1 && rng.bernoulli(v.crossWardShare)) {
      const other = (homeWard + 1 + rng.int(nw - 1)) % nw;
      if (rng.bernoulli(tripAllowed(r, homeWard, other))) w = other;
      else if (!v.essential) return -1;
    }
    // A middle ring of a ring lockdown keeps only its essential venues open.
    if (r.essentialOnly[w] && !v.essential) return -1;
    const list = world.visited[t]![w]!;
    return list.length === 0 ? -1 : list[rng.int(list.length)]!;
  };
  for (let p = 0; p < n; p++) {
    offset[p] = place.length;
    rng.reseed(hash32(dayBase, p));
    const conf = options.confinement?.[p] ?? FREE;
    if (conf === AWAY) continue;
    const home = world.home[p]!;
    // Residents of a sealed core (ring lockdown) stay home all day; food is brought to them.
    if (conf === AT_HOME || r.sealed[world.ward[p]!]) {
      start.push(0);
      end.push(DAY_MINUTES);
      place.push(home);
      continue;
    }
    acts.length = 0;
    const hw = world.ward[p]!;
    let busyFrom = DAY_MINUTES;
    let busyTo = 0;
    const a = world.assigned[p]!;
    if (a >= 0) {
      const v = venues[world.placeType[a]!]!;
      const aw = world.placeWard[a]!;
      const open =
        (v.schedule.days === "everyday" || weekday) &&
        !r.closed.has(v.kind) &&
        (v.kind !== "workplace" || (workplaceOpen(r, seed, aw, a) && workplaceOpen(r, seed, hw, a)));
      if (open && rng.bernoulli(tripAllowed(r, hw, aw))) {
        const s = round(v.schedule.startHour * 60 + rng.range(-1, 1) * v.schedule.startJitterHours * 60);
        const e = round(
          s + (v.schedule.durationHours + rng.range(-1, 1) * v.schedule.durationJitterHours) * 60,
        );
        if (e > s) {
          acts.push([s, e, a]);
          busyFrom = s;
          busyTo = e;
          for (const t of transit) {
            const tv = venues[t]!;
            if (r.closed.has("transit") || !rng.bernoulli(tv.commuteShare ?? 0)) continue;
            const leg = Math.max(g, round(tv.schedule.durationHours * 60));
            const bus = pickVisited(t, hw);
            if (bus < 0 || s - leg < 0 || e + leg > DAY_MINUTES) continue;
            acts.push([s - leg, s, bus], [e, e + leg, pickVisited(t, hw)]);
            busyFrom = s - leg;
            busyTo = e + leg;
          }
        }
      }
    }
    for (let t = 0; t < visits.length; t++) {
      if (visits[t]! < 0) continue;
      const v = venues[t]!;
      if (r.closed.has(v.kind) || (v.schedule.days === "weekdays" && !weekday)) continue;
      if (v.ageGroups && !v.ageGroups.includes(world.scenario.ageGroups[world.ageGroup[p]!]!.name)) continue;
      if (r.essentialOnly[hw] && !v.essential) continue;
      if (!rng.bernoulli(Math.min(1, (v.visitsPerWeek ?? 0) / 7))) continue;
      // A green zone's community team delivers food: that share of market trips is not made (drawn
      // only where deliveries run, so other wards' draws are unchanged).
      const delivery = v.kind === "market" ? r.foodDelivery[hw]! : 0;
      if (delivery > 0 && rng.bernoulli(delivery)) continue;
      const dur = Math.max(
        g,
        round((v.schedule.durationHours + rng.range(-1, 1) * v.schedule.durationJitterHours) * 60),
      );
      let s = round(v.schedule.startHour * 60 + rng.range(-1, 1) * v.schedule.startJitterHours * 60);
      if (s < busyTo && s + dur > busyFrom) s = busyTo;
      if (s + dur > DAY_MINUTES) continue;
      if (acts.some(([as, ae]) => s < ae && s + dur > as)) continue;
      const q = pickVisited(t, hw);
      if (q >= 0) acts.push([s, s + dur, q]);
    }
    acts.sort((x, y) => x[0] - y[0]);
    let cursor = 0;
    for (const [s, e, q] of acts) {
      if (q < 0 || s < cursor) continue;
      if (s > cursor) {
        start.push(cursor);
        end.push(s);
        place.push(home);
      }
      start.push(s);
      end.push(e);
      place.push(q);
      cursor = e;
    }
    if (cursor < DAY_MINUTES) {
      start.push(cursor);
      end.push(DAY_MINUTES);
      place.push(home);
    }
  }
  offset[n] = place.length;
  return {
    day,
    offset,
    start: Uint16Array.from(start),
    end: Uint16Array.from(end),
    place: Int32Array.from(place),
  };
}

/** Index of the stay of person `p` at `minute`, or −1 if in no place. */
export function stayAt(s: DaySchedule, p: number, minute: number): number {
  for (let i = s.offset[p]!; i < s.offset[p + 1]!; i++)
    if (minute >= s.start[i]! && minute < s.end[i]!) return i;
  return -1;
}
