/**
 * Comparing what the app concluded with the ground truth: which notified people really were close
 * contacts of the case whose key notified them, which true contacts the app missed, the share of true
 * contact-days of cases that the app caught (the traceable fraction), how long notification took, and
 * how the policy's scores rank true contacts (ROC).
 *
 * Days are the scenario's local days (day 0 = its start date), for the truth and — through the
 * policy's day boundary — for the app's day rule alike.
 */
import { rocAuc } from "../../src/index";
import type { DayContacts } from "../world/ground-truth";

/**
 * A notification a phone raised: its person, the day, the level, and the key owners behind it.
 * @public
 */
export interface Notification {
  /** Notified person. */
  person: number;
  /** Day index of the notification (raised at the end of that day, when the day's batch is out). */
  day: number;
  /** 1 = F1, 2 = F2. */
  level: number;
  /** Owners of the keys of that level whose day rule was met: the sources of the notification. */
  owners: number[];
}

/**
 * One (receiver, key owner, day) verdict of the policy on the receiver's log, for a case's key.
 * @public
 */
export interface DayJudgement {
  /** The scanning person (index). */
  person: number;
  /** The key's owner (person index). */
  owner: number;
  /** Local day index. */
  day: number;
  /** Seconds of close contact the policy counted that day. */
  score: number;
  /** Whether the policy's day rule was met that day. */
  judged: boolean;
}

/**
 * A scored judgement with its truth, for the ROC.
 * @public
 */
export interface ScoredPair extends DayJudgement {
  /** Whether the pair was truly within 2 m for ≥ 15 minutes that day. */
  truth: boolean;
}

/**
 * Who published keys, why, and which local days those keys covered.
 * @public
 */
export interface Publication {
  /** The key owner. */
  owner: number;
  /** `case`: a confirmed case's upload (CONFIRMED_TEST); `f1`: a notified F1's (RECURSIVE). */
  kind: "case" | "f1";
  /** First local day (index) the keys covered. */
  from: number;
  /** Last local day (index) the keys covered, inclusive. */
  to: number;
  /** Day index of publication. */
  day: number;
}

/**
 * Accumulates ground truth and app outcomes over a run.
 * @public
 */
export interface Evaluation {
  /** Records a day's true close contacts. */
  addContacts(contacts: DayContacts): void;
  /** Whether `a` and `b` were true close contacts on local day `day`. */
  isContact(a: number, b: number, day: number): boolean;
  /** Records a publication. */
  addPublication(p: Publication): void;
  /** Records a notification. */
  addNotification(n: Notification): void;
  /** Records the policy's verdict on one day of a case's key on a receiver's log. */
  addJudgement(j: DayJudgement): void;
  /** The figures, restricted to app users for the ground truth. */
  summarise(hasApp: (p: number) => boolean): EvaluationSummary;
}

/** Precision and recall of one notification level. */
interface LevelFigures {
  truth: number;
  notified: number;
  truePositives: number;
  precision: number;
  recall: number;
}

/**
 * Evaluation figures.
 * @public
 */
export interface EvaluationSummary {
  /**
   * Unordered pairs of people (app or not) truly within 2 m for ≥ 15 minutes in a local day, summed
   * over days: the size of the ground truth, whatever the epidemic did.
   */
  closeContactPairDays: number;
  /**
   * True F1s: app users truly close (≤ 2 m, ≥ 15 min in a local day) to a confirmed case (an app user
   * who uploaded keys as CONFIRMED_TEST) on a day the case's published keys covered.
   */
  groundTruthCloseContacts: number;
  /** People notified F1 (at least once). */
  f1Notified: number;
  /** People notified F2 (at least once). */
  f2Notified: number;
  /**
   * Notified F1s for whom at least one F1 notification was right: truly close, on a day covered by the
   * case's keys published by then, to a confirmed case whose key made that notification.
   */
  f1TruePositives: number;
  /** f1TruePositives / f1Notified, a fraction in [0, 1] (NaN when nobody was notified F1). */
  f1Precision: number;
  /** f1TruePositives / groundTruthCloseContacts, a fraction in [0, 1] (NaN when there were none). */
  f1Recall: number;
  /** True F2s: app users truly close to a notified F1 who published keys (RECURSIVE) on a covered day. */
  groundTruthF2Contacts: number;
  /** Notified F2s truly close to an F1 whose recursive key made that notification (as for F1). */
  f2TruePositives: number;
  /** f2TruePositives / f2Notified, a fraction in [0, 1] (NaN when nobody was notified F2). */
  f2Precision: number;
  /** f2TruePositives / groundTruthF2Contacts, a fraction in [0, 1] (NaN when there were none). */
  f2Recall: number;
  /**
   * The effective traceable fraction, as OpenABM-Covid19's `traceable_interaction_fraction` (the share
   * of interactions between two app users that the app captures; OpenABM assumes 0.8): over the
   * ordered (contact, case, local day) triples in which both are app users, they were truly close that
   * day and the case's published keys covered it, the share for which the policy's day rule on the
   * contact's phone was met for that case's keys that day.
   */
  traceableFraction: number;
  /**
   * Days from the last true contact with the notifying case (on or before the notification's day) to
   * the first right F1 notification, counting the notification, raised at the end of its day n, as
   * day n + 1; over the F1 true positives. Median: the middle value, or the mean of the two middle ones.
   */
  notificationDelayDays: { mean: number; median: number };
  /** ROC of the policy's daily close seconds against the truth, with its area. */
  roc: { auc: number; points: [number, number][] };
}

/**
 * The usual median: the middle value of the sorted values, or the mean of the two middle ones.
 * @public
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const key = (a: number, b: number, day: number) => (a < b ? `${a}:${b}:${day}` : `${b}:${a}:${day}`);

/**
 * Creates an empty evaluation.
 * @public
 */
export function createEvaluation(): Evaluation {
  const contacts = new Set<string>();
  const byPerson = new Map<number, { other: number; day: number }[]>();
  const publications: Publication[] = [];
  const notifications: Notification[] = [];
  const judgements: DayJudgement[] = [];
  let pairDays = 0;
  const isContact = (a: number, b: number, day: number) => contacts.has(key(a, b, day));
  return {
    addContacts(c) {
      pairDays += c.a.length;
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
    isContact,
    addPublication: (p) => publications.push(p),
    addNotification: (n) => notifications.push(n),
    addJudgement: (j) => judgements.push(j),
    summarise(hasApp) {
      const judged = new Set<string>();
      for (const j of judgements) if (j.judged) judged.add(`${j.person}:${j.owner}:${j.day}`);

      /** Whether `owner`'s keys of `kind` published by day `by` covered local day `d`. */
      const spans = (kind: Publication["kind"]) => {
        const m = new Map<number, Publication[]>();
        for (const p of publications) {
          if (p.kind !== kind) continue;
          const list = m.get(p.owner) ?? [];
          list.push(p);
          m.set(p.owner, list);
        }
        return m;
      };
      const covered = (list: readonly Publication[] | undefined, d: number, by = Number.POSITIVE_INFINITY) =>
        list?.some((p) => p.day <= by && d >= p.from && d <= p.to) ?? false;

      /** Truth people and the (contact, source, day) triples behind them. */
      const truthOf = (sources: Map<number, Publication[]>) => {
        const people = new Set<number>();
        const triples: { person: number; source: number; day: number }[] = [];
        const seen = new Set<string>();
        for (const [source, list] of sources) {
          if (!hasApp(source)) continue;
          for (const c of byPerson.get(source) ?? []) {
            if (!hasApp(c.other) || !covered(list, c.day)) continue;
            const k = `${c.other}:${source}:${c.day}`;
            if (seen.has(k)) continue;
            seen.add(k);
            people.add(c.other);
            triples.push({ person: c.other, source, day: c.day });
          }
        }
        return { people, triples };
      };

      /** Precision/recall of notifications of `level` against the sources in `sources`. */
      const level = (lv: number, sources: Map<number, Publication[]>) => {
        const truth = truthOf(sources);
        const notified = new Set<number>();
        const right = new Map<number, { notification: Notification; lastContact: number }>();
        for (const n of notifications) {
          if (n.level !== lv) continue;
          notified.add(n.person);
          if (right.has(n.person)) continue;
          let last = -1;
          for (const o of n.owners) {
            const list = sources.get(o);
            for (const c of byPerson.get(n.person) ?? [])
              if (c.other === o && c.day <= n.day && covered(list, c.day, n.day))
                last = Math.max(last, c.day);
          }
          if (last >= 0) right.set(n.person, { notification: n, lastContact: last });
        }
        const tp = right.size;
        const figures: LevelFigures = {
          truth: truth.people.size,
          notified: notified.size,
          truePositives: tp,
          precision: notified.size > 0 ? tp / notified.size : Number.NaN,
          recall: truth.people.size > 0 ? tp / truth.people.size : Number.NaN,
        };
        return { figures, truth, right };
      };

      const f1 = level(1, spans("case"));
      const f2 = level(2, spans("f1"));
      const triples = f1.truth.triples;
      const traced = triples.filter((t) => judged.has(`${t.person}:${t.source}:${t.day}`)).length;
      const delays = [...f1.right.values()].map((r) => r.notification.day + 1 - r.lastContact);
      const scores: ScoredPair[] = judgements.map((j) => ({
        ...j,
        truth: isContact(j.person, j.owner, j.day),
      }));
      return {
        closeContactPairDays: pairDays,
        groundTruthCloseContacts: f1.figures.truth,
        f1Notified: f1.figures.notified,
        f2Notified: f2.figures.notified,
        f1TruePositives: f1.figures.truePositives,
        f1Precision: f1.figures.precision,
        f1Recall: f1.figures.recall,
        groundTruthF2Contacts: f2.figures.truth,
        f2TruePositives: f2.figures.truePositives,
        f2Precision: f2.figures.precision,
        f2Recall: f2.figures.recall,
        traceableFraction: triples.length > 0 ? traced / triples.length : Number.NaN,
        notificationDelayDays: {
          mean: delays.length > 0 ? delays.reduce((s, d) => s + d, 0) / delays.length : Number.NaN,
          median: median(delays),
        },
        roc: rocCurve(scores),
      };
    },
  };
}

/**
 * ROC points (false-positive rate, true-positive rate) by decreasing score, and the area.
 * @public
 */
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
