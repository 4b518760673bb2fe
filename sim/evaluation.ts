/**
 * Comparing what the app concluded with the ground truth: which notified people really were close
 * contacts of a published case, which true contacts the app missed, how long notification took, and
 * how the policy's scores rank true contacts (ROC).
 */
import { rocAuc } from "../src/index";
import type { DayContacts } from "./ground-truth";

/** A notification a phone raised: its person, the day, the level, and the key owners behind it. */
export interface Notification {
  /** Notified person. */
  person: number;
  /** Day index of the notification. */
  day: number;
  /** 1 = F1, 2 = F2. */
  level: number;
  /** Owners of the keys that made the contact. */
  owners: number[];
}

/** A scored (person, key owner, key day) judgement, for the ROC. */
export interface ScoredPair {
  /** The scanning person and the key's owner. */
  person: number;
  owner: number;
  /** The key's UTC day, as a day index of the run (UTC day − the start date's UTC day). */
  keyDay: number;
  /** Seconds of close contact the policy counted that day. */
  score: number;
  /** Whether the pair was truly within 2 m for ≥ 15 minutes on a local day overlapping the key's day. */
  truth: boolean;
  /** Whether the policy's day rule said F1 that day. */
  judged: boolean;
}

/** Accumulates ground truth and app outcomes over a run. */
export interface Evaluation {
  /** Records a day's true close contacts. */
  addContacts(contacts: DayContacts): void;
  /** Whether `a` and `b` were true close contacts on local day `day`. */
  isContact(a: number, b: number, day: number): boolean;
  /**
   * Whether `a` and `b` were true close contacts on a local day overlapping UTC day index `u`: local
   * days run from local midnight, so with a positive UTC offset UTC day `u` overlaps local days `u` and
   * `u + 1` (and `u − 1`, `u` with a negative one).
   */
  isContactOnKeyDay(a: number, b: number, u: number): boolean;
  /** Records that `owner` published keys covering local days `from`…`to` (inclusive). */
  addPublication(owner: number, from: number, to: number): void;
  /** Records a notification. */
  addNotification(n: Notification): void;
  /** Records a scored judgement. */
  addScore(p: ScoredPair): void;
  /** The figures, restricted to app users for the F1 ground truth. */
  summarise(hasApp: (p: number) => boolean): EvaluationSummary;
}

/** Evaluation figures. */
export interface EvaluationSummary {
  /** True F1s: app users truly close (≤ 2 m, ≥ 15 min in a day) to a published case on a published day. */
  groundTruthCloseContacts: number;
  /** People notified F1. */
  f1Notified: number;
  /** People notified F2. */
  f2Notified: number;
  /** Notified F1s who were true F1s. */
  f1TruePositives: number;
  /** Precision and recall of F1 notifications (NaN when undefined). */
  f1Precision: number;
  f1Recall: number;
  /**
   * Share of true close-contact days between two app users (the case published) that the app judged
   * close: the effective traceable fraction (OpenABM-Covid19 assumes 0.8).
   */
  traceableFraction: number;
  /** Days from the last true contact to the notification, over true positives. */
  notificationDelayDays: { mean: number; median: number };
  /** ROC of the policy's daily close seconds against the truth, with its area. */
  roc: { auc: number; points: [number, number][] };
}

const key = (a: number, b: number, day: number) => (a < b ? `${a}:${b}:${day}` : `${b}:${a}:${day}`);

/**
 * Creates an empty evaluation.
 * @param utcOffsetHours - the scenario's offset of local time from UTC (days are local days)
 */
export function createEvaluation(utcOffsetHours = 0): Evaluation {
  const overlap = utcOffsetHours > 0 ? [0, 1] : utcOffsetHours < 0 ? [-1, 0] : [0];
  const contacts = new Set<string>();
  const byPerson = new Map<number, { other: number; day: number }[]>();
  const published = new Map<number, { from: number; to: number }[]>();
  const notifications: Notification[] = [];
  const scores: ScoredPair[] = [];
  return {
    addContacts(c) {
      for (let i = 0; i < c.a.length; i++) {
        const a = c.a[i]!;
        const b = c.b[i]!;
        contacts.add(key(a, b, c.day));
        for (const [x, y] of [
          [a, b],
          [b, a],
        ] as const) {
          let list = byPerson.get(x);
          if (!list) {
            list = [];
            byPerson.set(x, list);
          }
          list.push({ other: y, day: c.day });
        }
      }
    },
    isContact: (a, b, day) => contacts.has(key(a, b, day)),
    isContactOnKeyDay: (a, b, u) => overlap.some((o) => contacts.has(key(a, b, u + o))),
    addPublication(owner, from, to) {
      const list = published.get(owner) ?? [];
      list.push({ from, to });
      published.set(owner, list);
    },
    addNotification: (n) => notifications.push(n),
    addScore: (p) => scores.push(p),
    summarise(hasApp) {
      // True F1s and the contact-days behind them.
      const truth = new Map<number, number[]>(); // person → days of true contact with a published case
      const judged = new Set<string>();
      for (const s of scores)
        if (s.judged) for (const o of overlap) judged.add(`${s.person}:${s.owner}:${s.keyDay + o}`);
      let traceableDays = 0;
      let tracedDays = 0;
      for (const [owner, spans] of published) {
        for (const c of byPerson.get(owner) ?? []) {
          if (!hasApp(c.other) || !hasApp(owner)) continue;
          if (!spans.some((s) => c.day >= s.from && c.day <= s.to)) continue;
          const days = truth.get(c.other) ?? [];
          days.push(c.day);
          truth.set(c.other, days);
          traceableDays++;
          if (judged.has(`${c.other}:${owner}:${c.day}`)) tracedDays++;
        }
      }
      const f1 = notifications.filter((n) => n.level === 1);
      const f1People = new Map<number, Notification>();
      for (const n of f1) if (!f1People.has(n.person)) f1People.set(n.person, n);
      const f2People = new Set(notifications.filter((n) => n.level === 2).map((n) => n.person));
      const delays: number[] = [];
      let tp = 0;
      for (const [p, n] of f1People) {
        const days = truth.get(p);
        if (!days) continue;
        tp++;
        const before = days.filter((d) => d <= n.day);
        if (before.length > 0) delays.push(n.day + 1 - Math.max(...before));
      }
      delays.sort((a, b) => a - b);
      return {
        groundTruthCloseContacts: truth.size,
        f1Notified: f1People.size,
        f2Notified: f2People.size,
        f1TruePositives: tp,
        f1Precision: f1People.size > 0 ? tp / f1People.size : Number.NaN,
        f1Recall: truth.size > 0 ? tp / truth.size : Number.NaN,
        traceableFraction: traceableDays > 0 ? tracedDays / traceableDays : Number.NaN,
        notificationDelayDays: {
          mean: delays.length > 0 ? delays.reduce((s, d) => s + d, 0) / delays.length : Number.NaN,
          median: delays.length > 0 ? delays[Math.floor(delays.length / 2)]! : Number.NaN,
        },
        roc: rocCurve(scores),
      };
    },
  };
}

/** ROC points (false-positive rate, true-positive rate) by decreasing score, and the area. */
export function rocCurve(scores: readonly ScoredPair[]): { auc: number; points: [number, number][] } {
  const pos = scores.filter((s) => s.truth).length;
  const neg = scores.length - pos;
  if (pos === 0 || neg === 0) return { auc: Number.NaN, points: [] };
  const sorted = [...scores].sort((a, b) => b.score - a.score);
  const points: [number, number][] = [[0, 0]];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i]!.truth) tp++;
    else fp++;
    if (i === sorted.length - 1 || sorted[i + 1]!.score !== sorted[i]!.score)
      points.push([fp / neg, tp / pos]);
  }
  return {
    auc: rocAuc(
      scores.map((s) => s.score),
      scores.map((s) => s.truth),
    ),
    points,
  };
}
