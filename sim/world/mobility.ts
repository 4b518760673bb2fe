/**
 * Mobility of a world over days: each day's schedule (restrictions and confinement applied), positions
 * inside places, and a spatial index stepped through the day, with neighbour and distance queries.
 */
import { createPositions, type Positions } from "./positions";
import type { RngStreams } from "../random";
import { restrictionsOn } from "./restrictions";
import type { Scenario } from "../scenario";
import { buildDaySchedule, DAY_MINUTES, type DaySchedule, stayAt } from "./schedule";
import { createSpatialIndex, type SpatialIndex } from "./spatial";
import type { World } from "./world";

export { AT_HOME, AWAY, DAY_MINUTES, FREE } from "./schedule";

/**
 * One day of a mobility as replicas share it ({@link Mobility.currentDay}, {@link Mobility.adoptDay}).
 * @public
 */
export interface MobilityDay {
  /** Day index (0 = scenario start). */
  day: number;
  /** Confinement code per person (`FREE` 0, `AT_HOME` 1 or `AWAY` 2, as the schedule module defines them). */
  confinement: Uint8Array;
  /** The day's schedule. */
  schedule: DaySchedule;
}

/** Options of {@link createMobility}. */
export interface MobilityOptions {
  /** Minutes between position steps of the spatial index (default 5). */
  stepMinutes?: number;
  /** Grid cell side (m); pair enumeration works up to this radius (default 2). */
  cellM?: number;
}

/**
 * A world's movement, one day at a time.
 * @public
 */
export interface Mobility {
  /** The world. */
  readonly world: World;
  /** Minutes between steps. */
  readonly stepMinutes: number;
  /** The current day's schedule (after {@link Mobility.startDay}). */
  readonly schedule: DaySchedule;
  /** The spatial index at the current step. */
  readonly index: SpatialIndex;
  /** The position model. */
  readonly positions: Positions;
  /** Builds the schedule of `day` (0 = scenario start) with per-person confinement codes. */
  startDay(day: number, confinement?: Uint8Array): DaySchedule;
  /**
   * The current day (after {@link Mobility.startDay} or {@link Mobility.adoptDay}) as another replica
   * of this mobility takes it with {@link Mobility.adoptDay}: the day, its confinement codes and its
   * schedule (not copies).
   */
  currentDay(): MobilityDay;
  /**
   * Takes the day another replica of the same world started (its {@link Mobility.currentDay}) instead of
   * building it: the same schedule, hence the same distances and places, without drawing from the
   * `mobility` stream. A replica that adopts its days builds none (its stream is not where the
   * builder's is). Throws `RangeError` when the schedule is not of this world's size.
   */
  adoptDay(shared: MobilityDay): void;
  /** Indexes positions at the middle of step `step` (0 … 1440/stepMinutes − 1) of the current day. */
  step(step: number): SpatialIndex;
  /** People within `radiusM` of `p` at the current step. */
  neighbours(p: number, radiusM: number, out?: number[]): number[];
  /** {@link Mobility.neighbours} written into `out` from index `at` on; returns the end (see `SpatialIndex.neighboursInto`). */
  neighboursInto(p: number, radiusM: number, out: number[], at: number): number;
  /**
   * Distance (m) between `a` and `b` at unix-ms time `t` within the current day, `undefined` if they
   * are not in the same place (or `t` is outside the day).
   */
  distance(a: number, b: number, t: number): number | undefined;
  /**
   * The place (world place index) where `a` and `b` are together at unix-ms time `t`, `undefined` when
   * {@link Mobility.distance} is (the radio's setting comes from its kind). Optional: a replayed contact trace has
   * no places.
   */
  placeOf?(a: number, b: number, t: number): number | undefined;
  /** Unix ms of the start (local midnight) of day `day`. */
  dayStartMs(day: number): number;
}

/** Unix ms of the start (local midnight) of day `day` of `scenario` (day 0 is its start date). */
export function scenarioDayStartMs(scenario: Scenario, day: number): number {
  return scenarioDayStarts(scenario)(day);
}

/** {@link scenarioDayStartMs} with the start date parsed once (it is asked on every radio sample). */
export function scenarioDayStarts(scenario: Scenario): (day: number) => number {
  const day0 = Date.parse(`${scenario.startDate}T00:00:00Z`) - scenario.utcOffsetHours * 3_600_000;
  return (day) => day0 + day * 86_400_000;
}

/** Creates the mobility of `world`, drawing from the `mobility` stream. */
export function createMobility(world: World, streams: RngStreams, options: MobilityOptions = {}): Mobility {
  const stepMinutes = options.stepMinutes ?? 5;
  if (!Number.isInteger(DAY_MINUTES / stepMinutes)) throw new RangeError("stepMinutes must divide 1440");
  const rng = streams.stream("mobility");
  const seed = streams.subSeed("positions");
  const positions = createPositions(world, seed);
  const index = createSpatialIndex(world, positions, options.cellM ?? 2);
  const dayStartMs = scenarioDayStarts(world.scenario);
  let schedule: DaySchedule | undefined;
  let confined: Uint8Array = new Uint8Array(world.size);
  const pa = new Float64Array(2);
  const pb = new Float64Array(2);
  const last = {
    a: -1,
    b: -1,
    schedule: undefined as DaySchedule | undefined,
    from: 0,
    until: 0,
    value: undefined as number | undefined,
    place: -1,
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
    currentDay: () => ({ day: current().day, confinement: confined, schedule: current() }),
    adoptDay(shared) {
      if (shared.schedule.offset.length !== world.size + 1 || shared.confinement.length !== world.size)
        throw new RangeError(`mobility: a day of another world (${world.size} people here)`);
      confined = shared.confinement;
      schedule = shared.schedule;
    },
    startDay(day, confinement) {
      confined = confinement ?? new Uint8Array(world.size);
      schedule = buildDaySchedule(world, {
        day,
        restrictions: restrictionsOn(world.scenario, day),
        confinement,
        granularity: stepMinutes,
        rng,
        seed,
      });
      return schedule;
    },
    step(step) {
      index.update(current(), (step + 0.5) * stepMinutes);
      return index;
    },
    neighbours: (p, r, out) => index.neighbours(p, r, out),
    neighboursInto: (p, r, out, at) => index.neighboursInto(p, r, out, at),
    distance(a, b, t) {
      const s = current();
      // The radio asks once a second for the same pair; positions hold between reposition epochs.
      const minute = (t - dayStartMs(s.day)) / 60_000;
      if (a === last.a && b === last.b && s === last.schedule && minute >= last.from && minute < last.until)
        return last.value;
      if (minute < 0 || minute >= DAY_MINUTES) return undefined;
      const sa = stayAt(s, a, minute);
      const sb = stayAt(s, b, minute);
      if (sa < 0 || sb < 0) return undefined;
      const q = s.place[sa]!;
      let value: number | undefined;
      let until = Math.min(s.end[sa]!, s.end[sb]!);
      if (q === s.place[sb]) {
        positions.at(s, a, sa, minute, pa);
        positions.at(s, b, sb, minute, pb);
        // √(dx² + dy²): positions are metres within a place, far from overflow (Math.hypot guards
        // against it at several times the cost; it was 1.6% of a run).
        const dx = pa[0]! - pb[0]!;
        const dy = pa[1]! - pb[1]!;
        value = Math.sqrt(dx * dx + dy * dy);
        until = Math.min(until, positions.nextChange(q, s.day, minute));
      }
      last.a = a;
      last.b = b;
      last.schedule = s;
      last.from = minute;
      last.until = until;
      last.value = value;
      last.place = q;
      return value;
    },
    placeOf(a, b, t) {
      // distance() leaves the pair's place in `last` (computed or cached for this very interval).
      return api.distance(a, b, t) === undefined ? undefined : last.place;
    },
  };
  return api;
}
