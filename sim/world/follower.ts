/**
 * A mobility that follows another thread's: it adopts the days that mobility started
 * ({@link Mobility.adoptDay}) and, instead of stepping a spatial index of its own, answers neighbour
 * queries from lists that mobility's thread noted at each step and fed here. Distances and places come
 * from the adopted schedule, as on the leader. A simulator's worker threads run their phones on one.
 */
import type { Mobility, MobilityDay } from "./mobility";

/**
 * Neighbour lists of consecutive steps of one day, for a fixed set of people (`people`, in the order
 * of `starts`): step `first + k`'s list of the i-th person is
 * `list[starts[k·(m+1) + i] … starts[k·(m+1) + i + 1])`, m = `people.length`.
 * @public
 */
export interface NotedSteps {
  /** Day index of the steps. */
  day: number;
  /** First step (0 … steps of a day − 1). */
  first: number;
  /** Number of steps. */
  count: number;
  /** Offsets into `list`, m + 1 per step. */
  starts: Int32Array;
  /** The neighbours (person ids). */
  list: Int32Array;
}

/**
 * Writes, for each person of `people` (ids, in order), the people within `radiusM` of them at the
 * leader's current step that `keep` accepts (not the person), into `starts` (from `at` on, m + 1
 * entries) and `list` (grown as needed; the returned list is the one to use).
 */
export function noteNeighbours(
  mobility: Mobility,
  people: Int32Array,
  radiusM: number,
  keep: ArrayLike<number>,
  starts: Int32Array,
  at: number,
  list: Int32Array,
  used: number,
  near: number[],
): { list: Int32Array; used: number } {
  let n = used;
  for (let i = 0; i < people.length; i++) {
    starts[at + i] = n;
    const me = people[i]!;
    const end = mobility.neighboursInto(me, radiusM, near, 0);
    if (n + end > list.length) {
      const bigger = new Int32Array(Math.max(2 * list.length, n + end, 64));
      bigger.set(list.subarray(0, n));
      list = bigger;
    }
    for (let j = 0; j < end; j++) {
      const other = near[j]!;
      if (other !== me && keep[other]) list[n++] = other;
    }
  }
  starts[at + people.length] = n;
  return { list, used: n };
}

/** A {@link Mobility} following a leader's, fed with its days' {@link NotedSteps}. */
export interface FollowerMobility extends Mobility {
  /** The people whose neighbours are noted, in the order of the noted offsets. */
  readonly people: Int32Array;
  /**
   * The current step's noted lists (after {@link Mobility.step}): for the i-th of {@link people},
   * `list[starts[i] … starts[i + 1])`. Views of what was fed, not copies.
   */
  currentLists(): { starts: Int32Array; list: Int32Array };
  /**
   * Takes noted steps (any order of arrival). A day's steps are kept until a later day is adopted, or a
   * later stretch of the same day is stepped into (then the earlier stretches are let go: a step
   * before the current stretch is not fed any more).
   */
  feed(steps: NotedSteps): void;
  /** Whether step `step` of day `day` has been fed. */
  has(day: number, step: number): boolean;
  /** Resolves once step `step` of day `day` has been fed. */
  whenFed(day: number, step: number): Promise<void>;
}

/**
 * A mobility following a leader's: `base` is this thread's replica of the leader's mobility (the same
 * world and seed; its days are adopted, never built), `people` the people whose neighbours the leader
 * notes (within `radiusM`, the only radius asked). Neighbour queries for anyone else, at another
 * radius, or of a step not fed throw `RangeError`; {@link Mobility.index} throws: the follower has none.
 */
export function createFollowerMobility(
  base: Mobility,
  people: Int32Array,
  radiusM: number,
): FollowerMobility {
  const row = new Int32Array(base.world.size).fill(-1);
  people.forEach((p, i) => {
    row[p] = i;
  });
  const m = people.length;
  let fed: NotedSteps[] = [];
  const waiting: { day: number; step: number; resolve: () => void }[] = [];
  let day = -1;
  let current: NotedSteps | undefined;
  let offset = 0;
  const find = (d: number, s: number) =>
    fed.find((f) => f.day === d && s >= f.first && s < f.first + f.count);
  const neighboursInto = (p: number, r: number, out: number[], at: number) => {
    const i = row[p]!;
    if (i < 0 || r !== radiusM || !current)
      throw new RangeError(`follower mobility: no neighbours noted for person ${p} within ${r} m`);
    const from = current.starts[offset + i]!;
    const to = current.starts[offset + i + 1]!;
    let k = at;
    for (let j = from; j < to; j++) {
      if (k < out.length) out[k] = current.list[j]!;
      else out.push(current.list[j]!);
      k++;
    }
    return k;
  };
  const follower: FollowerMobility = {
    people,
    currentLists() {
      if (!current) throw new RangeError("follower mobility: no step selected");
      return { starts: current.starts.subarray(offset, offset + m + 1), list: current.list };
    },
    world: base.world,
    stepMinutes: base.stepMinutes,
    positions: base.positions,
    get index(): never {
      throw new RangeError("follower mobility: no spatial index (neighbours are noted by the leader)");
    },
    get schedule() {
      return base.schedule;
    },
    dayStartMs: (d) => base.dayStartMs(d),
    startDay() {
      throw new RangeError("follower mobility: days are adopted from the leader, not built (adoptDay)");
    },
    currentDay: () => base.currentDay(),
    adoptDay(shared: MobilityDay) {
      base.adoptDay(shared);
      day = shared.day;
      current = undefined;
      fed = fed.filter((f) => f.day >= day);
    },
    // Selects the step's noted lists; returns the base's index, which a follower never steps.
    step(s) {
      const f = find(day, s);
      if (!f) throw new RangeError(`follower mobility: step ${s} of day ${day} was not fed`);
      // Stepping into a stretch lets go of the day's earlier ones (steps are taken in order; at
      // 1,000,000 people a day's lists are ≈ 0.3 GB a worker).
      if (f !== current && fed[0] !== f) fed = fed.filter((g) => g.day !== day || g.first >= f.first);
      current = f;
      offset = (s - f.first) * (m + 1);
      return base.index;
    },
    neighbours: (p, r, out = []) => {
      neighboursInto(p, r, out, out.length);
      return out;
    },
    neighboursInto,
    distance: (a, b, t) => base.distance(a, b, t),
    ...(base.placeOf ? { placeOf: base.placeOf.bind(base) } : {}),
    feed(steps) {
      if (steps.starts.length !== steps.count * (m + 1))
        throw new RangeError(
          `follower mobility: ${steps.starts.length} offsets for ${steps.count} steps of ${m} people`,
        );
      fed.push(steps);
      for (let i = waiting.length - 1; i >= 0; i--) {
        const w = waiting[i]!;
        if (w.day === steps.day && w.step >= steps.first && w.step < steps.first + steps.count) {
          waiting.splice(i, 1);
          w.resolve();
        }
      }
    },
    has: (d, s) => find(d, s) !== undefined,
    whenFed: (d, s) =>
      find(d, s)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.push({ day: d, step: s, resolve })),
  };
  return follower;
}
