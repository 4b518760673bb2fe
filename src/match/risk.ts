/**
 * From exposure windows to a verdict: each published key's scan instances go through the contact
 * policy (windows, day rule); report type and days since symptom onset weigh the risk; the user is F1
 * when a confirmed case's key meets the day rule, F2 when a close contact's (recursive) key does.
 *
 * Recursive keys and depth: Exposure Notification has no field for "contact of whom", so keys published
 * with report type RECURSIVE (4) carry the publisher's own level in `transmissionRiskLevel` (1 = an F1
 * published them, so their contacts are F2; 2 = an F2, contacts F3). Missing or 0 counts as 1. Levels
 * beyond `maxLevel` are ignored.
 */
import { groupBy } from "../collections";
import { InvalidArgumentError } from "../errors";
import { type ContactPolicy, POLICIES, validatePolicy } from "../proximity/policy";
import { type DayResult, decideDays, evaluateWindows, type WindowResult } from "../proximity/windows";
import { type ExposureKey, ReportType } from "./export-codec";
import type { ExposureWindow } from "./exposure-windows";

/** How exposures are weighed and judged. */
export interface RiskConfig {
  /** Contact policy (windows and day rule); default: the `default` preset. */
  policy?: ContactPolicy;
  /** Policy window length, seconds; default 300. */
  windowSeconds?: number;
  /** Weight per report type; defaults: confirmed/clinical 1, self report 0.8, recursive 0.5, revoked 0. */
  reportTypeWeights?: Partial<Record<number, number>>;
  /**
   * Infectiousness weight by days since symptom onset (undefined when unknown); default: 1 from 2 days
   * before to 5 days after onset, 0.6 otherwise within ±14 days (EN v2's "high"/"standard").
   */
  infectiousness?: (daysSinceOnset: number | undefined) => number;
  /** Deepest contact level reported (1 = F1 only, 2 = F1 and F2, …); default 2. */
  maxLevel?: number;
}

/** The judgement for one published key. */
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
  /** Per-day totals and the day rule for this key. */
  days: DayResult[];
  /** Whether the day rule was met on some day (a close contact of this key's owner). */
  contact: boolean;
  /** Risk score: bucket-weighted seconds × key weight, summed over days. */
  riskScore: number;
}

/** The verdict over all keys. */
export interface ExposureAssessment {
  /** Per key with any scan instances, by key index. */
  keys: KeyAssessment[];
  /** Lowest contact level reached (1 = F1, 2 = F2 …), or undefined when none. */
  level?: number;
  /** `F1`, `F2`, … or `none`. */
  status: string;
  /** Sum of the keys' risk scores. */
  riskScore: number;
  /** Unix ms of the most recent window that made a contact, if any. */
  lastContactAt?: number;
}

const DEFAULT_REPORT_WEIGHTS: Record<number, number> = { 0: 1, 1: 1, 2: 1, 3: 0.8, 4: 0.5, 5: 0 };

/** EN v2-style default infectiousness: "high" (1) from −2 to +5 days, "standard" (0.6) within ±14. */
export function defaultInfectiousness(daysSinceOnset: number | undefined): number {
  if (daysSinceOnset === undefined) return 1;
  if (daysSinceOnset >= -2 && daysSinceOnset <= 5) return 1;
  return Math.abs(daysSinceOnset) <= 14 ? 0.6 : 0;
}

/** Contact level a key gives its contacts (1 for cases, publisher level + 1 for recursive keys). */
export function contactLevel(key: ExposureKey): number {
  if (key.reportType !== ReportType.RECURSIVE) return 1;
  const publisher =
    key.transmissionRiskLevel && key.transmissionRiskLevel > 0 ? key.transmissionRiskLevel : 1;
  return publisher + 1;
}

/** Judges exposure windows against the published keys. */
export function assessExposure(
  windows: readonly ExposureWindow[],
  keys: readonly ExposureKey[],
  config: RiskConfig = {},
): ExposureAssessment {
  const policy = validatePolicy(config.policy ?? POLICIES.default!);
  const maxLevel = config.maxLevel ?? 2;
  if (!Number.isInteger(maxLevel) || maxLevel < 1)
    throw new InvalidArgumentError("maxLevel must be an integer ≥ 1");
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
    const instances = ws.flatMap((w) =>
      w.scanInstances.map((s) => ({
        ...s,
        time: s.time / 1000,
        ...(w.calibrationConfidence !== undefined ? { calibrationConfidence: w.calibrationConfidence } : {}),
      })),
    );
    const pw = evaluateWindows(instances, policy, { windowSeconds: config.windowSeconds ?? 300 });
    const days = decideDays(pw, policy);
    const counts = weight > 0 && level <= maxLevel;
    assessed.push({
      keyIndex,
      reportType,
      level,
      weight,
      windows: pw,
      days,
      contact: counts && days.some((d) => d.f1),
      riskScore: days.reduce((s, d) => s + d.weightedSeconds, 0) * weight,
    });
  }
  const contacts = assessed.filter((k) => k.contact);
  const level = contacts.length > 0 ? Math.min(...contacts.map((k) => k.level)) : undefined;
  const lastClose = contacts.flatMap((k) => k.windows.filter((w) => w.close).map((w) => w.start * 1000));
  return {
    keys: assessed,
    ...(level !== undefined ? { level } : {}),
    status: level === undefined ? "none" : `F${level}`,
    riskScore: assessed.reduce((s, k) => s + k.riskScore, 0),
    ...(lastClose.length > 0 ? { lastContactAt: Math.max(...lastClose) } : {}),
  };
}
