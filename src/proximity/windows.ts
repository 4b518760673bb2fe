/**
 * Window and day decisions. Scan instances (one identifier heard during one scan) are grouped into
 * fixed windows aligned to multiples of `windowSeconds`; each window gets one attenuation (the policy's
 * summary of its instances), a bucket, a close/not-close decision and the seconds it stands for. Days
 * (UTC, or local days at the policy's `day.boundary`) add up their windows and apply the day rule.
 */
import type { Sighting } from "../log/types";
import { groupBy } from "../collections";
import { InvalidArgumentError } from "../errors";
import {
  attenuationOf,
  DISTANCE_BUCKETS,
  type DistanceBucket,
  distanceBucket,
  type PairCalibration,
} from "./attenuation";
import { localDate } from "./day-boundary";
import { type ContactPolicy, validatePolicy } from "./policy";

/**
 * What the window logic needs of a scan instance (an EN v2 ScanInstance plus its time).
 * @public
 */
export interface ScanInstanceLike {
  /** Unix ms of the scan (the project's time convention; may be fractional). */
  time: number;
  /** Typical attenuation of the scan, dB (from the mean RSSI). */
  typicalAttenuation: number;
  /** Minimum attenuation of the scan, dB (from the strongest packet). */
  minAttenuation: number;
  /** Packets heard (≥ 1); informative only. */
  packets?: number;
  /** Seconds this instance stands for (since the previous scan, capped at 300). */
  secondsSinceLastScan: number;
  /** Calibration confidence 0…3 of the pair; 3 when omitted. */
  calibrationConfidence?: number;
}

/**
 * The decision for one window.
 * @public
 */
export interface WindowResult {
  /** Unix ms of the window's start (a multiple of the window length). */
  start: number;
  /** Scan instances in the window. */
  instances: number;
  /** Packets in the window (sum of the instances' `packets`, 1 each when absent). */
  beacons: number;
  /** The window's attenuation (policy summary of its instances), dB, one decimal. */
  attenuation: number;
  /** Bucket of the attenuation (after the calibration-confidence margin). */
  bucket: DistanceBucket;
  /** Whether the window counts as close (bucket no farther than the policy's close bucket). */
  close: boolean;
  /**
   * Seconds the window's kept instances stand for, each second once (see `scoreWindow`). Always set
   * by `scoreWindow`; optional so results made elsewhere still type-check.
   */
  coveredSeconds?: number;
  /** Seconds of close contact (the window's covered seconds when close, else 0). */
  closeSeconds: number;
  /** Covered seconds times the bucket's weight. */
  weightedSeconds: number;
  /**
   * Share (0…1) of the window's covered seconds that lie before its `start`: a scan instance stands for
   * the seconds before its scan time, so the first one in a window can stand for time in the previous
   * window. `decideDays` counts that share on the previous day when the window begins a day, so a
   * contact across midnight is split where it happened. Absent: 0.
   */
  shareBefore?: number;
  /** P(≤ 2 m) from the policy's probability model (absent when the policy has none). */
  probability?: number;
  /**
   * Covered seconds × `probability` (the close seconds when the policy has no probability model). Always
   * set by `scoreWindow`; optional so results made elsewhere still type-check (then `closeSeconds`).
   */
  expectedCloseSeconds?: number;
}

/**
 * Options of {@link evaluateWindows}.
 * @public
 */
export interface WindowOptions {
  /** Window length in seconds (default 300). */
  windowSeconds?: number;
  /**
   * Calibration confidence (0…3) of each instance, by index, in place of the instances' own
   * `calibrationConfidence` (an `undefined` entry: the instance's own): for a caller whose instances
   * carry their pair's confidence elsewhere, as exposure windows do, without a copy of every instance.
   */
  confidences?: ArrayLike<number | undefined>;
}

/**
 * Default window length, seconds.
 * @public
 */
export const DEFAULT_WINDOW_SECONDS = 300;

/**
 * An instance's attenuation under a policy: typical blended towards the minimum by `minWeight`.
 * @public
 */
export function instanceAttenuation(s: ScanInstanceLike, policy: ContactPolicy): number {
  return s.typicalAttenuation + policy.minWeight * (s.minAttenuation - s.typicalAttenuation);
}

/**
 * Linear-interpolated quantile of a non-empty array (sorted in place).
 * @public
 */
export function quantile(values: number[], q: number): number {
  values.sort((a, b) => a - b);
  const pos = q * (values.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, values.length - 1);
  return values[lo]! + (pos - lo) * (values[hi]! - values[lo]!);
}

/**
 * The policy's summary attenuation of some instances (undefined when there are none).
 * @public
 */
export function windowAttenuation(instances: readonly ScanInstanceLike[], policy: ContactPolicy) {
  if (instances.length === 0) return undefined;
  const a = instances.map((s) => instanceAttenuation(s, policy));
  return policy.window.aggregate === "mean"
    ? a.reduce((x, y) => x + y, 0) / a.length
    : quantile(a, policy.window.quantile);
}

/**
 * Decides one window from its instances (assumed validated policy; all instances belong to the window).
 * Its covered seconds are those its instances stand for, each second counted once (an instance stands
 * for the `secondsSinceLastScan` before its scan time, cut where an earlier one already stands); they
 * are not capped at the window's length, since the first instance can stand for time before `start`
 * (`shareBefore`). {@link evaluateWindows} also cuts a window's first instance where the previous
 * window's last one stands.
 * @param start - the window's start, unix ms
 * @public
 */
export function scoreWindow(
  start: number,
  instances: readonly ScanInstanceLike[],
  policy: ContactPolicy,
): WindowResult {
  return scoreRun(start, instances, undefined, ownSeconds(instances), 0, instances.length, policy);
}

/**
 * The seconds each instance stands for, each second counted once: an instance stands for the
 * `secondsSinceLastScan` before its scan time, less what earlier instances (in time order; at one time,
 * in the order given) already claim — their union is counted, whatever the order of uneven claims. With
 * one phone's scans these are the instances' own seconds; they are cut when claims overlap (two logs
 * merged, the first scan's assumed 300 s).
 */
function ownSeconds(instances: readonly ScanInstanceLike[]): Float64Array {
  const out = new Float64Array(instances.length);
  let order: number[] | undefined;
  for (let i = 0; i < instances.length; i++)
    if (!Number.isFinite(instances[i]!.time) || (i > 0 && instances[i]!.time < instances[i - 1]!.time)) {
      // Out of time order, or a time that is not a number (which stands for its own seconds).
      order = [];
      for (const [k, x] of instances.entries())
        if (Number.isFinite(x.time)) order.push(k);
        else out[k] = x.secondsSinceLastScan;
      order.sort((a, b) => instances[a]!.time - instances[b]!.time);
      break;
    }
  // The union of the intervals claimed so far, as disjoint runs [starts[r], ends[r]] by time. Taken in
  // time order, each claim (t − s, t] ends at or after every earlier one, so it can only overlap the
  // last runs: with one phone's scans (claims that tile) nothing overlaps and each step is O(1).
  const starts: number[] = [];
  const ends: number[] = [];
  const n = order ? order.length : instances.length;
  for (let k = 0; k < n; k++) {
    const i = order ? order[k]! : k;
    const x = instances[i]!;
    const t = x.time;
    const a = t - x.secondsSinceLastScan * 1000;
    if (!(a < t)) continue; // claims nothing (0 s, or not a number)
    let overlap = 0;
    let start = a;
    while (ends.length > 0 && ends[ends.length - 1]! >= a) {
      const r = ends.length - 1;
      overlap += ends[r]! - Math.max(starts[r]!, a);
      start = Math.min(start, starts[r]!);
      starts.pop();
      ends.pop();
    }
    starts.push(start);
    ends.push(t);
    out[i] = (t - a - overlap) / 1000;
  }
  return out;
}

/** Attenuations of the instances a window keeps (reused: a window's are read before the next one's). */
const keptScratch: number[] = [];

/**
 * {@link scoreWindow} of the instances `instances[from, to)` (one window's), instance i's confidence
 * `confidences[i]` when given and defined, standing for `own[i]` seconds (see `ownSeconds`).
 */
function scoreRun(
  start: number,
  instances: readonly ScanInstanceLike[],
  confidences: ArrayLike<number | undefined> | undefined,
  own: ArrayLike<number>,
  from: number,
  to: number,
  policy: ContactPolicy,
): WindowResult {
  // One pass: the instances kept (attenuation at most `ignoreAboveDb`), their attenuations (summed in
  // order for a mean; kept for a quantile), lowest calibration confidence and covered seconds.
  const ignore = policy.ignoreAboveDb;
  const mean = policy.window.aggregate === "mean";
  const kept = keptScratch;
  kept.length = 0;
  let keptCount = 0;
  let sum = 0;
  let confidence = 3;
  let seconds = 0;
  let before = 0;
  let beacons = 0;
  for (let i = from; i < to; i++) {
    const s = instances[i]!;
    beacons += s.packets ?? 1;
    const a = instanceAttenuation(s, policy);
    if (ignore !== undefined && a > ignore) continue;
    keptCount++;
    if (mean) sum += a;
    else kept.push(a);
    confidence = Math.min(confidence, confidences?.[i] ?? s.calibrationConfidence ?? 3);
    const standsFor = own[i]!;
    seconds += standsFor;
    const since = s.time - standsFor * 1000;
    if (since < start) before += Math.min(standsFor, (start - since) / 1000);
  }
  let attenuation: number;
  if (keptCount > 0) attenuation = mean ? sum / keptCount : quantile(kept, policy.window.quantile);
  else {
    // Nothing kept: the window's attenuation from all its instances (it is not close).
    for (let i = from; i < to; i++) {
      const a = instanceAttenuation(instances[i]!, policy);
      if (mean) sum += a;
      else kept.push(a);
    }
    attenuation =
      to === from ? Number.NaN : mean ? sum / (to - from) : quantile(kept, policy.window.quantile);
  }
  const margin = policy.confidenceMarginDb[Math.max(0, Math.min(3, Math.round(confidence)))] ?? 0;
  const bucket = distanceBucket(attenuation - margin, policy.buckets);
  const close =
    keptCount > 0 && DISTANCE_BUCKETS.indexOf(bucket) <= DISTANCE_BUCKETS.indexOf(policy.closeBucket);
  // Not capped at the window's length: a window's instances can stand for seconds before its start (two
  // 260-s scans in one 5-minute window stand for 520 s), none of them counted in another window.
  const covered = seconds;
  const weightedSeconds = keptCount > 0 ? covered * policy.weights[bucket] : 0;
  const model = policy.probability;
  const probability = !model
    ? undefined
    : keptCount > 0
      ? 1 / (1 + Math.exp(-(model.intercept + model.slope * (attenuation - margin))))
      : 0;
  const result: WindowResult = {
    start,
    instances: to - from,
    beacons,
    attenuation: Math.round(attenuation * 10) / 10,
    bucket,
    close,
    coveredSeconds: covered,
    closeSeconds: close ? covered : 0,
    weightedSeconds,
    expectedCloseSeconds: probability === undefined ? (close ? covered : 0) : covered * probability,
    shareBefore: covered > 0 ? Math.min(before, covered) / covered : 0,
  };
  // Only a policy with a probability model gives one (set after: no spread of a conditional object).
  if (probability !== undefined) result.probability = probability;
  return result;
}

function checkWindow(windowSeconds: number): void {
  if (!Number.isFinite(windowSeconds) || windowSeconds <= 0)
    throw new InvalidArgumentError(
      `window length must be a positive number of seconds, got ${windowSeconds}`,
    );
}

/**
 * Groups the scan instances of one pair into aligned windows and decides each.
 * @returns one result per window that has instances, ordered by start
 * @throws PolicyError for an invalid policy; InvalidArgumentError for a bad window length
 * @public
 */
export function evaluateWindows(
  instances: readonly ScanInstanceLike[],
  policy: ContactPolicy,
  options: WindowOptions = {},
): WindowResult[] {
  validatePolicy(policy);
  const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  checkWindow(windowSeconds);
  const windowMs = windowSeconds * 1000;
  const startOf = (s: ScanInstanceLike) => Math.floor(s.time / windowMs) * windowMs;
  const confidences = options.confidences;
  if (confidences !== undefined && confidences.length !== instances.length)
    throw new InvalidArgumentError(
      `confidences has ${confidences.length} entries for ${instances.length} instances`,
    );
  const own = ownSeconds(instances);
  // Instances in window order (as exposure windows give them): each window is a run, scored in place.
  const out: WindowResult[] = [];
  // The run [from, i) of instances in the window starting at `start`.
  let from = 0;
  let start = instances.length > 0 ? startOf(instances[0]!) : 0;
  for (let i = 1; i <= instances.length; i++) {
    let here = start;
    if (i < instances.length) {
      here = startOf(instances[i]!);
      if (here === start) continue;
      if (!(here > start)) {
        // Out of window order (or a time that is not a number): grouped by window first, each window's
        // instances in the order given.
        const groups = groupBy(instances.keys(), (k) => startOf(instances[k]!));
        return [...groups.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([start, g]) =>
            scoreRun(
              start,
              g.map((k) => instances[k]!),
              confidences && g.map((k) => confidences[k]),
              g.map((k) => own[k]!),
              0,
              g.length,
              policy,
            ),
          );
      }
    }
    out.push(scoreRun(start, instances, confidences, own, from, i, policy));
    from = i;
    start = here;
  }
  return out;
}

/**
 * The decision for one day of the policy's day rule.
 * @public
 */
export interface DayResult {
  /** Date, `YYYY-MM-DD`: the UTC date, or the local date at the policy's `day.boundary`. */
  day: string;
  /** Seconds of close windows that day. */
  closeSeconds: number;
  /** Bucket-weighted seconds that day. */
  weightedSeconds: number;
  /** Expected seconds within 2 m that day: the sum of the windows' covered seconds × P(≤ 2 m). */
  expectedCloseSeconds: number;
  /** Whether the day rule is met (an F1 contact under the Vietnamese rule). */
  f1: boolean;
}

/**
 * The per-day total the policy's day rule compares, seconds.
 * @public
 */
export function dayMeasure(
  d: Pick<DayResult, "closeSeconds" | "weightedSeconds" | "expectedCloseSeconds">,
  policy: ContactPolicy,
): number {
  if (policy.day.measure === "close") return d.closeSeconds;
  return policy.day.measure === "weighted" ? d.weightedSeconds : d.expectedCloseSeconds;
}

/**
 * Adds up windows per day (by window start; UTC days, or local days at the policy's `day.boundary`)
 * and applies the policy's day rule. A window that begins a day and stands partly for time before its
 * start (`shareBefore`) counts that share of its seconds on the previous day.
 * @returns one result per day that has windows, ordered by day
 * @public
 */
export function decideDays(windows: readonly WindowResult[], policy: ContactPolicy): DayResult[] {
  validatePolicy(policy);
  const days = new Map<string, DayResult>();
  const add = (day: string, close: number, weighted: number, expected: number) => {
    const d = days.get(day) ?? {
      day,
      closeSeconds: 0,
      weightedSeconds: 0,
      expectedCloseSeconds: 0,
      f1: false,
    };
    d.closeSeconds += close;
    d.weightedSeconds += weighted;
    d.expectedCloseSeconds += expected;
    days.set(day, d);
  };
  /** `x × share`, to the millisecond (a split of whole seconds stays whole where it can). */
  const part = (x: number, share: number) => Math.round(x * share * 1000) / 1000;
  const boundary = policy.day.boundary;
  for (const w of windows) {
    const day = localDate(w.start, boundary);
    // The window's seconds before its start lie just before it: [w.start − that, w.start). The part of
    // them before this day's start goes to the previous day (a window that starts the day: all of them;
    // a shorter window's can reach back over midnight too).
    // (A result made elsewhere, without `coveredSeconds`: its seconds before start taken as just before it.)
    const share = w.shareBefore ?? 0;
    const beforeMs = share > 0 ? (w.coveredSeconds !== undefined ? share * w.coveredSeconds * 1000 : 1) : 0;
    const from = w.start - beforeMs;
    const previous = beforeMs > 0 ? localDate(from, boundary) : day;
    const expected = w.expectedCloseSeconds ?? w.closeSeconds;
    if (previous === day) add(day, w.closeSeconds, w.weightedSeconds, expected);
    else {
      // The day's start: the first millisecond in (from, w.start] of this day (found by halving).
      let lo = from;
      let hi = w.start;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (localDate(mid, boundary) === day) hi = mid;
        else lo = mid;
      }
      const before = Math.min(share, share * ((hi - from) / beforeMs));
      // The share before the day's start on the previous day, the rest (to the same total) on this one.
      const close = part(w.closeSeconds, before);
      const weighted = part(w.weightedSeconds, before);
      const exp = part(expected, before);
      add(previous, close, weighted, exp);
      add(day, w.closeSeconds - close, w.weightedSeconds - weighted, expected - exp);
    }
  }
  return [...days.values()]
    .sort((a, b) => (a.day < b.day ? -1 : 1))
    .map((d) => ({
      ...d,
      f1: dayMeasure(d, policy) >= policy.day.minSeconds,
    }));
}

/**
 * One received packet: time (unix ms) and RSSI (dBm).
 * @public
 */
export interface Packet {
  /** Unix ms, may be fractional. */
  time: number;
  /** Received signal strength, dBm. */
  rssi: number;
}

/**
 * Default length of the pseudo-scans raw packets are grouped into, seconds.
 * @public
 */
export const DEFAULT_SCAN_SECONDS = 10;

/**
 * The per-packet path: groups one pair's raw packets into pseudo scan instances of `scanSeconds`
 * (aligned), each standing for `scanSeconds`: typical attenuation from the mean RSSI, minimum from
 * the strongest packet.
 * @public
 */
export function packetsToInstances(
  packets: readonly Packet[],
  calibration: Pick<PairCalibration, "txPower" | "rssiCorrection" | "calibrationConfidence">,
  scanSeconds = DEFAULT_SCAN_SECONDS,
): ScanInstanceLike[] {
  checkWindow(scanSeconds);
  const bins = new Map<number, { n: number; sum: number; max: number }>();
  for (const p of packets) {
    const t = Math.floor(p.time / 1000 / scanSeconds) * scanSeconds;
    const b = bins.get(t);
    if (b) {
      b.n++;
      b.sum += p.rssi;
      b.max = Math.max(b.max, p.rssi);
    } else bins.set(t, { n: 1, sum: p.rssi, max: p.rssi });
  }
  return [...bins.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([seconds, b]) => ({
      time: seconds * 1000,
      typicalAttenuation: attenuationOf(b.sum / b.n, calibration),
      minAttenuation: attenuationOf(b.max, calibration),
      packets: b.n,
      secondsSinceLastScan: scanSeconds,
      calibrationConfidence: calibration.calibrationConfidence,
    }));
}

/**
 * A stored {@link Sighting} as a scan instance, given its pair's calibration (time: unix ms, as stored).
 * @public
 */
export function sightingToInstance(
  s: Sighting,
  calibration: Pick<PairCalibration, "txPower" | "rssiCorrection" | "calibrationConfidence">,
): ScanInstanceLike {
  return {
    time: s.time,
    typicalAttenuation: attenuationOf(s.meanRssi, calibration),
    minAttenuation: attenuationOf(s.maxRssi, calibration),
    packets: s.packets,
    secondsSinceLastScan: s.secondsSinceLastScan,
    calibrationConfidence: calibration.calibrationConfidence,
  };
}
