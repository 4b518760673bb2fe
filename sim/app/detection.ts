/**
 * Contact detection over all app users, independent of the epidemic: for every ordered pair (receiver,
 * advertiser) of app users and every day, the ground truth (within 2 m for ≥ 15 minutes cumulated in
 * the local day) against the contact policy's verdict on the receiver's own log for the advertiser's
 * keys that day. "What share of real close contacts does the phone catch, and how many false alarms
 * does it raise?" — broken down by setting, carriage pair and true distance band.
 *
 * The truth side is accumulated here from the mobility model's positions at every step (the same
 * positions, steps and `≤` distance test as the epidemic's ground truth); the app side comes from the
 * partitions (`AppPartition.detect`).
 */
import type { Mobility } from "../world/mobility";
import { hashUniform } from "../random";
import { CARRIAGES } from "../scenario";
import { placeKind } from "../world/world";

/**
 * Settings of the breakdown: where a pair-day spent most of its time within 4 m.
 * @public
 */
export const DETECTION_SETTINGS = [
  "household",
  "work",
  "school",
  "market",
  "transit",
  "other",
  "none",
] as const;
/**
 * A setting; `none` for pair-days never within 4 m (heard from farther away).
 * @public
 */
export type DetectionSetting = (typeof DETECTION_SETTINGS)[number];

/**
 * True distance bands: the smallest of 1, 2 and 4 m within which the pair cumulated ≥ 15 minutes that
 * day (time nearer counts for every farther band), `>4m` when none. A pair-day is a true close contact
 * exactly when its band is `0-1m` or `1-2m`.
 * @public
 */
export const DISTANCE_BANDS = ["0-1m", "1-2m", "2-4m", ">4m"] as const;
/**
 * A true distance band.
 * @public
 */
export type DistanceBand = (typeof DISTANCE_BANDS)[number];

/** The close-contact rule of the ground truth: 15 minutes cumulated within 2 m in a day. */
const MIN_MINUTES = 15;
/** As in `ground-truth.ts`: sums of fractional steps (20 s) fall short of whole minutes by rounding. */
const MINUTES_SLACK = 1e-3;
const BAND_RADII = [1, 2, 4] as const;
const SETTING_OF_KIND: Record<string, DetectionSetting> = {
  home: "household",
  workplace: "work",
  school: "school",
  market: "market",
  transit: "transit",
  other: "other",
};

/**
 * Counts of ordered pair-days, with the rates derived from them.
 * @public
 */
export interface DetectionCounts {
  /** Ordered (receiver, advertiser) app-user pair-days truly within 2 m for ≥ 15 min. */
  trueCloseContacts: number;
  /** Of those, the ones the policy judged close on the receiver's log (true positives). */
  detected: number;
  /** Pair-days the policy judged close that were not true close contacts (false positives). */
  falseAlarms: number;
  /** detected / trueCloseContacts (NaN when there are none). */
  sensitivity: number;
  /** detected / (detected + falseAlarms) (NaN when nothing was judged close). */
  precision: number;
}

/**
 * The detection block of the summary: totals and breakdowns.
 * @public
 */
export interface DetectionSummary extends DetectionCounts {
  /** By setting (where the pair-day spent most of its time within 4 m). */
  bySetting: Record<DetectionSetting, DetectionCounts>;
  /** By carriage pair, `receiver-advertiser` (e.g. `pocket-hand`). */
  byCarriage: Record<string, DetectionCounts>;
  /** By true distance band (see {@link DISTANCE_BANDS}). */
  byDistance: Record<DistanceBand, DetectionCounts>;
  /** Receiver-days measured: app users whose phone's verdicts were taken that day (see {@link detectionSample}). */
  receiverDays: number;
  /** App-user-days of the run: receiver-days had every phone been measured every day. */
  appUserDays: number;
}

/**
 * Receivers measured per day by default: a deterministic sample of this many app users a day (all of
 * them in smaller runs). Matching a phone's day against every app user's keys costs as much as the
 * phone's whole day of scanning, so measuring every phone would double a city-size run; 1,000
 * receivers a day give ≈ 3,000–10,000 ordered close pairs a day, i.e. a sensitivity's standard error
 * below 0.01 within a few days.
 * @public
 */
export const DETECTION_RECEIVERS_PER_DAY = 1000;

/**
 * Which app users' phones the detection measure judges on `day`: each independently with probability
 * min(1, perDay / appUsers), from a hash of (seed, person, day), so every partition and the coordinator
 * agree without talking. `perDay` = Infinity measures every phone every day.
 * @public
 */
export function detectionSample(
  seed: number,
  appUsers: number,
  perDay: number = DETECTION_RECEIVERS_PER_DAY,
): (person: number, day: number) => boolean {
  const rate = appUsers <= 0 ? 1 : Math.min(1, perDay / appUsers);
  if (rate >= 1) return () => true;
  return (person, day) => hashUniform(seed, person, day, 0xde7ec7) < rate;
}

/**
 * One app-user pair's day near each other: minutes within 1, 2 and 4 m, and its setting.
 * @public
 */
export interface PairDay {
  /** The pair's first person (index), the smaller of the two. */
  a: number;
  /** The pair's second person (index), greater than `a`. */
  b: number;
  /** Minutes cumulated within 1, 2 and 4 m. */
  minutes: [number, number, number];
  /** Setting where it spent most minutes within 4 m (the first in {@link DETECTION_SETTINGS} on a tie). */
  setting: DetectionSetting;
}

/**
 * The band of a pair-day from its minutes within 1, 2 and 4 m.
 * @public
 */
export function distanceBand(minutes: readonly [number, number, number]): DistanceBand {
  for (let i = 0; i < BAND_RADII.length; i++)
    if (minutes[i]! >= MIN_MINUTES - MINUTES_SLACK) return DISTANCE_BANDS[i]!;
  return ">4m";
}

/**
 * Whether a band is a true close contact (≤ 2 m for ≥ 15 min).
 * @public
 */
export const isCloseBand = (band: DistanceBand) => band === "0-1m" || band === "1-2m";

/**
 * Accumulates the app users' pair-days from the mobility's positions, step by step.
 * @public
 */
export interface PairDayTracker {
  /** Adds the current step (after `mobility.step`). */
  step(): void;
  /** The pairs of the day so far (within 4 m at some step), then starts a new day. */
  finishDay(): PairDay[];
}

/**
 * Creates a tracker of the app users' pair-days (`hasApp[p]` = 1 for app users).
 * @public
 */
export function createPairDayTracker(mobility: Mobility, hasApp: ArrayLike<number>): PairDayTracker {
  const world = mobility.world;
  const n = world.size;
  const apps: number[] = [];
  for (let p = 0; p < n; p++) if (hasApp[p]) apps.push(p);
  const settings = DETECTION_SETTINGS.length;
  // pair key a·n + b → minutes within 1, 2, 4 m, then minutes within 4 m per setting
  let rows = new Map<number, Float64Array>();
  // Pairs of the last step (a, b, radius index, setting), reused while positions do not change.
  let cachedVersion = -1;
  let cached: number[] = [];
  const near: number[] = [];
  const enumerate = () => {
    const index = mobility.index;
    cached = [];
    for (const a of apps) {
      const q = index.placeOf[a]!;
      if (q < 0) continue;
      // Written over the previous phone's (`length = 0` would free the storage and allocate it again).
      const end = index.neighboursInto(a, BAND_RADII[2], near, 0);
      if (end === 0) continue;
      const setting = DETECTION_SETTINGS.indexOf(SETTING_OF_KIND[placeKind(world, q)] ?? "other");
      for (let k = 0; k < end; k++) {
        const b = near[k]!;
        if (b <= a || !hasApp[b]) continue;
        const dx = index.x[b]! - index.x[a]!;
        const dy = index.y[b]! - index.y[a]!;
        const d2 = dx * dx + dy * dy;
        const r = d2 <= 1 ? 0 : d2 <= 4 ? 1 : 2;
        cached.push(a, b, r, setting);
      }
    }
  };
  return {
    step() {
      const index = mobility.index;
      if (index.version !== cachedVersion) {
        enumerate();
        cachedVersion = index.version;
      }
      const dt = mobility.stepMinutes;
      for (let i = 0; i < cached.length; i += 4) {
        const key = cached[i]! * n + cached[i + 1]!;
        let row = rows.get(key);
        if (!row) {
          row = new Float64Array(3 + settings);
          rows.set(key, row);
        }
        for (let r = cached[i + 2]!; r < 3; r++) row[r]! += dt;
        row[3 + cached[i + 3]!]! += dt;
      }
    },
    finishDay() {
      const out: PairDay[] = [];
      for (const [key, row] of rows) {
        let best = 0;
        for (let s = 1; s < settings; s++) if (row[3 + s]! > row[3 + best]!) best = s;
        out.push({
          a: Math.floor(key / n),
          b: key % n,
          minutes: [row[0]!, row[1]!, row[2]!],
          setting: DETECTION_SETTINGS[best]!,
        });
      }
      rows = new Map();
      cachedVersion = -1;
      out.sort((x, y) => x.a - y.a || x.b - y.b);
      return out;
    },
  };
}

interface Tally {
  trueCloseContacts: number;
  detected: number;
  falseAlarms: number;
}

const rates = (t: Tally): DetectionCounts => ({
  ...t,
  sensitivity: t.trueCloseContacts > 0 ? t.detected / t.trueCloseContacts : Number.NaN,
  precision: t.detected + t.falseAlarms > 0 ? t.detected / (t.detected + t.falseAlarms) : Number.NaN,
});

/**
 * Counts detection outcomes over ordered pair-days.
 * @public
 */
export interface DetectionTally {
  /**
   * Adds one day: the app users' pair-days of the truth (from {@link PairDayTracker.finishDay}) and the
   * ordered pairs the policy judged close that day (flattened receiver, advertiser).
   */
  addDay(pairs: readonly PairDay[], judged: ArrayLike<number>, receivers?: (person: number) => boolean): void;
  /** The totals and breakdowns so far. */
  summary(): DetectionSummary;
}

/**
 * Creates an empty tally; `carriage[p]` indexes {@link CARRIAGES}; `hasApp[p]` (default: everyone)
 * says who the app users are, for the receiver-day counts.
 * @public
 */
export function createDetectionTally(
  carriage: ArrayLike<number>,
  hasApp?: ArrayLike<number>,
): DetectionTally {
  const isAppUser = (p: number) => (hasApp ? hasApp[p] === 1 : true);
  const empty = (): Tally => ({ trueCloseContacts: 0, detected: 0, falseAlarms: 0 });
  const total = empty();
  let receiverDays = 0;
  let appUserDays = 0;
  const bySetting = new Map<string, Tally>(DETECTION_SETTINGS.map((s) => [s, empty()]));
  const carriagePairs = CARRIAGES.flatMap((r) => CARRIAGES.map((a) => `${r}-${a}`));
  const byCarriage = new Map<string, Tally>(carriagePairs.map((c) => [c, empty()]));
  const byDistance = new Map<string, Tally>(DISTANCE_BANDS.map((b) => [b, empty()]));
  const count = (receiver: number, advertiser: number, pair: PairDay | undefined, judged: boolean) => {
    const band = pair ? distanceBand(pair.minutes) : ">4m";
    const close = isCloseBand(band);
    if (!close && !judged) return;
    const groups = [
      total,
      bySetting.get(pair?.setting ?? "none")!,
      byCarriage.get(`${CARRIAGES[carriage[receiver]!]}-${CARRIAGES[carriage[advertiser]!]}`)!,
      byDistance.get(band)!,
    ];
    for (const g of groups) {
      if (close) g.trueCloseContacts++;
      if (close && judged) g.detected++;
      if (!close && judged) g.falseAlarms++;
    }
  };
  return {
    addDay(pairs, judged, receivers = () => true) {
      const n = carriage.length;
      for (let p = 0; p < n; p++) {
        if (!isAppUser(p)) continue;
        appUserDays++;
        if (receivers(p)) receiverDays++;
      }
      const byKey = new Map<number, PairDay>();
      for (const p of pairs) byKey.set(p.a * n + p.b, p);
      const seen = new Set<number>(); // ordered pairs judged close: receiver · n + advertiser
      for (let i = 0; i < judged.length; i += 2) seen.add(judged[i]! * n + judged[i + 1]!);
      for (const p of pairs) {
        if (receivers(p.a)) count(p.a, p.b, p, seen.has(p.a * n + p.b));
        if (receivers(p.b)) count(p.b, p.a, p, seen.has(p.b * n + p.a));
      }
      // Judged close but never within 4 m: false alarms outside the tracked pairs.
      for (const key of seen) {
        const r = Math.floor(key / n);
        const a = key % n;
        if (!byKey.has(Math.min(r, a) * n + Math.max(r, a))) count(r, a, undefined, true);
      }
    },
    summary() {
      const obj = (m: Map<string, Tally>) => Object.fromEntries([...m].map(([k, t]) => [k, rates(t)]));
      return {
        ...rates(total),
        bySetting: obj(bySetting) as Record<DetectionSetting, DetectionCounts>,
        byCarriage: obj(byCarriage),
        byDistance: obj(byDistance) as Record<DistanceBand, DetectionCounts>,
        receiverDays,
        appUserDays,
      };
    },
  };
}

/**
 * `detection.csv` rows: `breakdown,group,trueCloseContacts,detected,falseAlarms,sensitivity,precision`.
 * @public
 */
export function detectionRows(d: DetectionSummary): (string | number)[][] {
  const row = (breakdown: string, group: string, c: DetectionCounts) => [
    breakdown,
    group,
    c.trueCloseContacts,
    c.detected,
    c.falseAlarms,
    c.sensitivity,
    c.precision,
  ];
  return [
    row("all", "all", d),
    ...Object.entries(d.bySetting).map(([k, c]) => row("setting", k, c)),
    ...Object.entries(d.byCarriage).map(([k, c]) => row("carriage", k, c)),
    ...Object.entries(d.byDistance).map(([k, c]) => row("distance", k, c)),
  ];
}

/**
 * Columns of `detection.csv`.
 * @public
 */
export const DETECTION_COLUMNS = [
  "breakdown",
  "group",
  "trueCloseContacts",
  "detected",
  "falseAlarms",
  "sensitivity",
  "precision",
] as const;
