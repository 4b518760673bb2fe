/**
 * Ground truth close contacts from the mobility model: pairs within a distance threshold (≤ 2 m by
 * default) for a cumulated time (≥ 15 min by default) in a day, found with the spatial grid at every
 * mobility step.
 */
import type { Mobility } from "./mobility";
import { DAY_MINUTES } from "./mobility";
import { createPairMinutes, type PairMinutes } from "./pair-minutes";

/** Close-contact definition. */
export interface ContactThresholds {
  /** Maximum distance (m); at most the mobility grid's cell size. Default 2. */
  maxDistanceM: number;
  /** Minimum cumulated minutes within that distance over the day. Default 15. */
  minMinutes: number;
}

/** The usual public-health definition: within 2 m for 15 minutes or more in a day. */
export const DEFAULT_CONTACT_THRESHOLDS: Readonly<ContactThresholds> = { maxDistanceM: 2, minMinutes: 15 };

/**
 * One day's true close contacts, as parallel arrays of pairs (a \< b).
 * @public
 */
export interface DayContacts {
  /** Day index. */
  day: number;
  /** First person of each pair. */
  a: Int32Array;
  /** Second person of each pair. */
  b: Int32Array;
  /** Cumulated minutes within the distance threshold. */
  minutes: Float32Array;
}

/** Close pairs of the last enumerated index version, re-used while positions do not change. */
export interface PairCache {
  /** Index version the pairs belong to (−1: none). */
  version: number;
  /** Distance threshold they were enumerated with. */
  maxDistanceM: number;
  /** Flattened pairs (a, b, a, b, …). */
  pairs: Int32Array;
  /** Number of pairs. */
  count: number;
}

/** An empty {@link PairCache}. */
export function createPairCache(): PairCache {
  return { version: -1, maxDistanceM: 0, pairs: new Int32Array(1024), count: 0 };
}

/** Accumulates within-threshold minutes of the current mobility step into `acc`. */
export function accumulateStep(
  mobility: Mobility,
  maxDistanceM: number,
  acc: PairMinutes,
  cache: PairCache = createPairCache(),
): void {
  const dt = mobility.stepMinutes;
  const index = mobility.index;
  if (cache.version !== index.version || cache.maxDistanceM !== maxDistanceM) {
    cache.version = index.version;
    cache.maxDistanceM = maxDistanceM;
    cache.count = 0;
    index.forEachPair(maxDistanceM, (a, b) => {
      if (2 * cache.count + 2 > cache.pairs.length) {
        const grown = new Int32Array(cache.pairs.length * 2);
        grown.set(cache.pairs);
        cache.pairs = grown;
      }
      cache.pairs[2 * cache.count] = a;
      cache.pairs[2 * cache.count + 1] = b;
      cache.count++;
    });
  }
  const pairs = cache.pairs;
  for (let i = 0; i < cache.count; i++) acc.add(pairs[2 * i]!, pairs[2 * i + 1]!, dt);
}

/**
 * Slack (minutes) on the duration threshold: minutes summed in single precision over fractional steps
 * (a replayed trace's 20 s) fall short of whole minutes by rounding, e.g. 45 steps of ⅓ min sum to
 * 14.99999. Sums of whole-minute steps are exact, so the slack changes nothing for them.
 */
const MINUTES_SLACK = 1e-3;

/** Pairs of `acc` at or above `minMinutes`, as {@link DayContacts}. */
export function closeContacts(day: number, acc: PairMinutes, minMinutes: number): DayContacts {
  const threshold = minMinutes - MINUTES_SLACK;
  let count = 0;
  acc.forEach((_a, _b, m) => {
    if (m >= threshold) count++;
  });
  const out: DayContacts = {
    day,
    a: new Int32Array(count),
    b: new Int32Array(count),
    minutes: new Float32Array(count),
  };
  let i = 0;
  acc.forEach((a, b, m) => {
    if (m < threshold) return;
    out.a[i] = a;
    out.b[i] = b;
    out.minutes[i] = m;
    i++;
  });
  return out;
}

/**
 * Steps `mobility` through its current day (after `startDay`) and returns the true close contacts.
 * `onStep` runs after each step (e.g. the epidemic's transmission), sharing the same positions.
 */
export function groundTruthDay(
  mobility: Mobility,
  thresholds: ContactThresholds = DEFAULT_CONTACT_THRESHOLDS,
  onStep?: (step: number) => void,
  acc: PairMinutes = createPairMinutes(mobility.world.size * 4),
): DayContacts {
  acc.clear();
  const cache = createPairCache();
  const steps = DAY_MINUTES / mobility.stepMinutes;
  for (let s = 0; s < steps; s++) {
    mobility.step(s);
    accumulateStep(mobility, thresholds.maxDistanceM, acc, cache);
    onStep?.(s);
  }
  return closeContacts(mobility.schedule.day, acc, thresholds.minMinutes);
}

/** Contacts of each person from a day's pairs: `list[p]` holds the other people. */
export function contactsByPerson(size: number, contacts: DayContacts): number[][] {
  const list = Array.from({ length: size }, (): number[] => []);
  for (let i = 0; i < contacts.a.length; i++) {
    list[contacts.a[i]!]!.push(contacts.b[i]!);
    list[contacts.b[i]!]!.push(contacts.a[i]!);
  }
  return list;
}
