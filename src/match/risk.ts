/**
 * From exposure windows to a verdict: each published key's scan instances go through the contact
 * policy (windows, day rule); report type and days since symptom onset weigh the risk; the user is F1
 * when a confirmed case's key meets the day rule, F2 when a close contact's (recursive) key does.
 *
 * Recursive keys and depth: Exposure Notification has no field for "contact of whom", so keys published
 * with report type RECURSIVE (4) carry the publisher's own level in `transmissionRiskLevel` (1 = an F1
 * published them, so their contacts are F2; 2 = an F2, contacts F3). Missing or 0 counts as 1. Levels
 * beyond `maxLevel` are ignored.
 *
 * A day's exposure sums over keys, as Exposure Notification v2's daily summaries sum every exposure
 * window of a day whatever its key: a key file cannot say which keys are one person's (a same-day
 * release gives one person two keys on that day, 10:05 UTC release: intervals 0…60 and 61…143), so
 * the day rule is applied to the day's total over all keys that count, not to each key alone. Ten
 * close minutes on each of two keys make 20 minutes, an F1 under the 15-minute rule. For contact level
 * L the total takes the keys of level ≤ L (time with a case also counts towards being F2). Simultaneous
 * windows of different keys add up, as in EN v2 (two cases at once for 8 minutes make 16).
 */
import { groupBy } from "../collections";
import { InvalidArgumentError } from "../errors";
import { localDate } from "../proximity/day-boundary";
import { type ContactPolicy, POLICIES, validatePolicy } from "../proximity/policy";
import {
  type DayResult,
  decideDays,
  evaluateWindows,
  type ScanInstanceLike,
  type WindowResult,
} from "../proximity/windows";
import { type ExposureKey, ReportType } from "./export-codec";
import type { ExposureWindow } from "./exposure-windows";

/**
 * How exposures are weighed and judged.
 * @public
 */
export interface RiskConfig {
  /** Contact policy (windows and day rule); default: the `default` preset. */
  policy?: ContactPolicy;
  /**
   * Policy window length, seconds; default 300 (5 minutes, as the policies were fitted). It should
   * divide a day (86,400 s): a window that straddles the day's start is counted on the day it starts,
   * apart from the seconds its scans stand for before its own start.
   */
  windowSeconds?: number;
  /**
   * Weight per report type (finite, ≥ 0); defaults: confirmed/clinical 1, self report 0.8, recursive
   * 0.5, revoked 0. A key of weight 0 is ignored. The weights scale `riskScore`; the day rule compares
   * the policy's day measure (close or bucket-weighted seconds) unweighted.
   */
  reportTypeWeights?: Partial<Record<number, number>>;
  /**
   * Infectiousness weight by days since symptom onset (undefined when unknown); default: 1 from 2 days
   * before to 5 days after onset, 0.6 otherwise within ±14 days (EN v2's "high"/"standard").
   */
  infectiousness?: (daysSinceOnset: number | undefined) => number;
  /** Deepest contact level reported (1 = F1 only, 2 = F1 and F2, …); default 2. */
  maxLevel?: number;
}

/**
 * The judgement for one published key.
 * @public
 */
export interface KeyAssessment {
  /** Index of the key in the caller's list. */
  keyIndex: number;
  /** Report type of the key (0 when absent). */
  reportType: number;
  /** Contact level this key would make the user: 1 = F1, 2 = F2, … */
  level: number;
  /** Weight of the key: report type × infectiousness. */
  weight: number;
  /** Policy windows of this key's scan instances. */
  windows: WindowResult[];
  /** Per-day totals and the day rule for this key alone. */
  days: DayResult[];
  /**
   * Whether this key counts (`weight > 0`, `level ≤ maxLevel`) and contributed seconds (close seconds, or
   * weighted seconds under a `weighted` day measure) to a day whose total over keys met the day rule at
   * this key's level (see {@link ExposureAssessment.days}).
   */
  contact: boolean;
  /** Risk score: bucket-weighted seconds × key weight, summed over days. */
  riskScore: number;
}

/**
 * One day's exposure at one contact level, summed over keys (the policy's day: UTC, or local at its
 * `day.boundary`).
 * @public
 */
export interface DailyExposure {
  /** Date, `YYYY-MM-DD`: the UTC date, or the local date at the policy's `day.boundary` (as `decideDays`). */
  day: string;
  /** Contact level judged: the sums take every counting key of level ≤ this. */
  level: number;
  /** Counting keys with windows that day at level ≤ `level`. */
  keys: number;
  /** Seconds of close windows that day, summed over those keys. */
  closeSeconds: number;
  /** Bucket-weighted seconds that day, summed over those keys. */
  weightedSeconds: number;
  /** Whether the sums meet the policy's day rule: a level-`level` contact that day. */
  met: boolean;
  /**
   * When `met`: unix ms of the start of that day's latest close window of those keys (a multiple of the
   * window length), the day's last contact at this level.
   */
  lastContactAt?: number;
}

/**
 * An exposure status: `F1` (a close contact of a case), `F2` (of an F1), … `F<level>` up to the
 * policy's deepest level, or `none`. A template type, so a misspelt comparison (`=== "f1"`) does not
 * compile.
 * @public
 */
export type ExposureStatus = "none" | `F${number}`;

/**
 * The verdict over all keys.
 * @public
 */
export interface ExposureAssessment {
  /** Per key with any scan instances, by key index. */
  keys: KeyAssessment[];
  /**
   * Per day (the policy's: UTC, or local at its `day.boundary`) and contact level (levels of counting
   * keys, ≤ maxLevel), the day's exposure summed over
   * keys, ordered by day then level. The status comes from these, not from keys alone.
   */
  days: DailyExposure[];
  /** Lowest contact level reached (1 = F1, 2 = F2 …), or undefined when none. */
  level?: number;
  /** `F1`, `F2`, … or `none`. */
  status: ExposureStatus;
  /** Sum of the keys' risk scores. */
  riskScore: number;
  /**
   * Unix ms of the start of the most recent window that made a contact at the status's level, if any
   * (a multiple of the window length, 5 minutes by default: a contact whose last close scan was at
   * 08:27:29 gives 08:25:00). Only keys of that level or a lower one count: an F1 whose F2 contact
   * came later gets the date of the F1 contact (an F1's quarantine runs from the last contact with a
   * case). The last contact of every level is in `days`.
   */
  lastContactAt?: number;
}

const DEFAULT_REPORT_WEIGHTS: Record<number, number> = { 0: 1, 1: 1, 2: 1, 3: 0.8, 4: 0.5, 5: 0 };

/**
 * EN v2-style default infectiousness: "high" (1) from −2 to +5 days, "standard" (0.6) within ±14.
 * @public
 */
export function defaultInfectiousness(daysSinceOnset: number | undefined): number {
  if (daysSinceOnset === undefined) return 1;
  if (daysSinceOnset >= -2 && daysSinceOnset <= 5) return 1;
  return Math.abs(daysSinceOnset) <= 14 ? 0.6 : 0;
}

/**
 * Contact level a key gives its contacts (1 for cases, publisher level + 1 for recursive keys).
 * @public
 */
export function contactLevel(key: ExposureKey): number {
  if (key.reportType !== ReportType.RECURSIVE) return 1;
  const publisher =
    key.transmissionRiskLevel && key.transmissionRiskLevel > 0 ? key.transmissionRiskLevel : 1;
  return publisher + 1;
}

/**
 * Judges exposure windows against the published keys.
 * @public
 */
export function assessExposure(
  windows: readonly ExposureWindow[],
  keys: readonly ExposureKey[],
  config: RiskConfig = {},
): ExposureAssessment {
  const policy = validatePolicy(config.policy ?? POLICIES.default!);
  const maxLevel = config.maxLevel ?? 2;
  if (!Number.isInteger(maxLevel) || maxLevel < 1)
    throw new InvalidArgumentError("maxLevel must be an integer ≥ 1");
  for (const [type, w] of Object.entries(config.reportTypeWeights ?? {}))
    if (w !== undefined && !(typeof w === "number" && Number.isFinite(w) && w >= 0))
      throw new InvalidArgumentError(
        `reportTypeWeights[${type}] must be a finite number ≥ 0 (0 ignores the report type), got ${String(w)}`,
      );
  const reportWeights = { ...DEFAULT_REPORT_WEIGHTS, ...config.reportTypeWeights };
  const infectiousness = config.infectiousness ?? defaultInfectiousness;

  const byKey = groupBy(windows, (w) => w.keyIndex);
  const assessed: KeyAssessment[] = [];
  for (const [keyIndex, ws] of [...byKey.entries()].sort((a, b) => a[0] - b[0])) {
    const key = keys[keyIndex];
    if (!key)
      throw new InvalidArgumentError(`exposure window refers to key ${keyIndex}, which is not in the list`);
    const reportType = key.reportType ?? ReportType.UNKNOWN;
    const level = contactLevel(key);
    const weight = (reportWeights[reportType] ?? 1) * infectiousness(key.daysSinceOnsetOfSymptoms);
    // Each instance with its window's calibration confidence (the fields the policy reads), given
    // beside the instances rather than in a copy of each.
    const instances: ScanInstanceLike[] = [];
    const confidences: (number | undefined)[] = [];
    for (const w of ws) {
      const c = w.calibrationConfidence;
      for (const s of w.scanInstances) {
        instances.push(s);
        confidences.push(c);
      }
    }
    const pw = evaluateWindows(instances, policy, {
      windowSeconds: config.windowSeconds ?? 300,
      confidences,
    });
    const days = decideDays(pw, policy);
    assessed.push({
      keyIndex,
      reportType,
      level,
      weight,
      windows: pw,
      days,
      contact: false,
      riskScore: days.reduce((s, d) => s + d.weightedSeconds, 0) * weight,
    });
  }

  // The day rule on each day's total over the keys that count, level by level.
  const counting = assessed.filter((k) => k.weight > 0 && k.level <= maxLevel);
  const measured = (d: DayResult) => (policy.day.measure === "close" ? d.closeSeconds : d.weightedSeconds);
  const daily: DailyExposure[] = [];
  for (const l of [...new Set(counting.map((k) => k.level))].sort((a, b) => a - b)) {
    const upTo = counting.filter((k) => k.level <= l);
    // The keys' windows in key order (a loop: flatMap was a tenth of this function on the simulator's
    // phones).
    const windowsUpTo: WindowResult[] = [];
    for (const k of upTo) for (const w of k.windows) windowsUpTo.push(w);
    for (const d of decideDays(windowsUpTo, policy)) {
      const keysThatDay = upTo.filter((k) => k.days.some((kd) => kd.day === d.day)).length;
      daily.push({
        day: d.day,
        level: l,
        keys: keysThatDay,
        closeSeconds: d.closeSeconds,
        weightedSeconds: d.weightedSeconds,
        met: d.f1,
      });
    }
  }
  daily.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.level - b.level));
  const metAt = new Set<string>();
  const metByDay = new Map<string, DailyExposure[]>();
  for (const d of daily) {
    if (!d.met) continue;
    metAt.add(`${d.day}/${d.level}`);
    const list = metByDay.get(d.day);
    if (list) list.push(d);
    else metByDay.set(d.day, [d]);
  }
  for (const k of counting) {
    k.contact = k.days.some((d) => measured(d) > 0 && metAt.has(`${d.day}/${k.level}`));
    // A close window of this key is a contact at every level ≥ the key's whose day total met the rule
    // (the totals at level L take the keys of level ≤ L). The policy's day (as decideDays dates the
    // windows), not the UTC date.
    for (const w of k.windows) {
      if (!w.close) continue;
      const met = metByDay.get(localDate(w.start, policy.day.boundary));
      if (met === undefined) continue;
      for (const d of met)
        if (d.level >= k.level && !(w.start <= (d.lastContactAt ?? Number.NEGATIVE_INFINITY)))
          d.lastContactAt = w.start;
    }
  }
  const metLevels = daily.filter((d) => d.met).map((d) => d.level);
  const level = metLevels.length > 0 ? Math.min(...metLevels) : undefined;
  let lastContactAt: number | undefined;
  for (const d of daily)
    if (d.met && d.level === level && d.lastContactAt !== undefined)
      lastContactAt = Math.max(lastContactAt ?? d.lastContactAt, d.lastContactAt);
  return {
    keys: assessed,
    days: daily,
    ...(level !== undefined ? { level } : {}),
    status: level === undefined ? "none" : `F${level}`,
    riskScore: assessed.reduce((s, k) => s + k.riskScore, 0),
    ...(lastContactAt !== undefined ? { lastContactAt } : {}),
  };
}
