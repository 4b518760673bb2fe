/**
 * The evaluation's attribution rules on worked examples whose answers are computed by hand, and a
 * property test against a brute-force model written from the definitions in the README.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createEvaluation,
  type DayJudgement,
  median,
  type Notification,
  type Publication,
} from "../../sim/evaluation/evaluation";
import type { DayContacts } from "../../sim/world/ground-truth";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 200 });

/** Day contacts from unordered pairs. */
function dayContacts(day: number, pairs: [number, number][]): DayContacts {
  const sorted = pairs.map(([a, b]) => (a < b ? [a, b] : [b, a]));
  return {
    day,
    a: Int32Array.from(sorted.map((p) => p[0]!)),
    b: Int32Array.from(sorted.map((p) => p[1]!)),
    minutes: new Float32Array(sorted.length).fill(20),
  };
}

describe("median", () => {
  it("is the middle value, or the mean of the two middle ones", () => {
    expect(median([1, 4])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 2, 3, 4])).toBe(3.5);
    expect(median([])).toBeNaN();
  });
});

describe("attribution (worked example)", () => {
  // People: C and H confirmed cases (published together on day 3, keys covering days 0–2); A, N true
  // F1s of C; G a true F1 of C the app missed; L a true F1 of H notified by C's key only (wrong
  // source); D notified without any contact; K truly close to C only on day 4, after the notification;
  // E close to C but without the app. A, notified F1, publishes recursive keys (days 0–3) on day 4; B,
  // truly close to A, and M, never close to A, are notified F2 by them.
  const [C, A, B, D, E, G, H, K, L, M, N] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
  const hasApp = (p: number) => p !== E;
  const build = () => {
    const ev = createEvaluation();
    ev.addContacts(dayContacts(0, [[C, H]]));
    ev.addContacts(
      dayContacts(1, [
        [C, A],
        [C, E],
        [H, L],
      ]),
    );
    ev.addContacts(
      dayContacts(2, [
        [A, B],
        [C, G],
        [C, N],
      ]),
    );
    ev.addContacts(dayContacts(3, []));
    ev.addContacts(dayContacts(4, [[C, K]]));
    const pubs: Publication[] = [
      { owner: C, kind: "case", from: 0, to: 2, day: 3 },
      { owner: H, kind: "case", from: 0, to: 2, day: 3 },
      { owner: A, kind: "f1", from: 0, to: 3, day: 4 },
    ];
    for (const p of pubs) ev.addPublication(p);
    const notes: Notification[] = [
      ...[A, D, H, K, L, N].map((person) => ({ person, day: 3, level: 1, owners: [C] })),
      { person: C, day: 3, level: 1, owners: [H] }, // batch-mates notify each other
      { person: B, day: 4, level: 2, owners: [A] },
      { person: M, day: 4, level: 2, owners: [A] },
    ];
    for (const n of notes) ev.addNotification(n);
    const judgements: DayJudgement[] = [
      { person: A, owner: C, day: 1, score: 900, judged: true },
      { person: G, owner: C, day: 2, score: 300, judged: false },
      { person: H, owner: C, day: 0, score: 1200, judged: true },
      { person: C, owner: H, day: 0, score: 1000, judged: true },
      { person: N, owner: C, day: 2, score: 950, judged: true },
      { person: D, owner: C, day: 1, score: 960, judged: true },
    ];
    for (const j of judgements) ev.addJudgement(j);
    return ev;
  };

  it("counts a notification right only when its own source case was truly close before it", () => {
    const s = build().summarise(hasApp);
    expect(s.closeContactPairDays).toBe(8); // 1 on day 0, 3 on day 1, 3 on day 2, 1 on day 4
    // True F1s: C's app-user contacts on days 0–2 (A, G, H, N) and H's (C, L); not E (no app), not K (day 4).
    expect(s.groundTruthCloseContacts).toBe(6);
    expect(s.f1Notified).toBe(7); // A, D, H, K, L, N, C
    expect(s.f1TruePositives).toBe(4); // A, H, N, C — not D (no contact), K (after), L (wrong source)
    expect(s.f1Precision).toBeCloseTo(4 / 7, 12);
    expect(s.f1Recall).toBeCloseTo(4 / 6, 12);
  });

  it("takes F2 sources from recursive uploads, not cases", () => {
    const s = build().summarise(hasApp);
    // True F2s: A's contacts on days 0–3: C (day 1) and B (day 2).
    expect(s.groundTruthF2Contacts).toBe(2);
    expect(s.f2Notified).toBe(2);
    expect(s.f2TruePositives).toBe(1);
    expect(s.f2Precision).toBe(0.5);
    expect(s.f2Recall).toBe(0.5);
  });

  it("measures the traceable fraction over the cases' contact-days and the delay with the usual median", () => {
    const s = build().summarise(hasApp);
    // Triples (contact, case, day): (A,C,1) (G,C,2) (H,C,0) (N,C,2) (C,H,0) (L,H,1); judged: A, H, N, C.
    expect(s.traceableFraction).toBeCloseTo(4 / 6, 12);
    // Notified at the end of day 3 (= day 4): A 4 − 1 = 3, H 4 − 0, C 4 − 0, N 4 − 2 → {2, 3, 4, 4}.
    expect(s.notificationDelayDays.mean).toBe(13 / 4);
    expect(s.notificationDelayDays.median).toBe(3.5);
    // ROC: positives 900, 300, 1200, 1000, 950; one negative (D) at 960, below two of them.
    expect(s.roc.auc).toBeCloseTo(2 / 5, 12);
  });
});

/** A brute-force model of the rules, written from the README's definitions. */
function model(
  people: number,
  days: number,
  contacts: Set<string>,
  hasApp: boolean[],
  pubs: Publication[],
  notes: Notification[],
) {
  const close = (a: number, b: number, d: number) => contacts.has(`${Math.min(a, b)}:${Math.max(a, b)}:${d}`);
  const coveredBy = (o: number, kind: string, d: number, by: number) =>
    pubs.some((p) => p.owner === o && p.kind === kind && p.day <= by && p.from <= d && d <= p.to);
  const level = (lv: number, kind: string) => {
    const truth = new Set<number>();
    for (let p = 0; p < people; p++)
      for (let o = 0; o < people; o++)
        for (let d = 0; d < days; d++)
          if (hasApp[p] && hasApp[o] && close(p, o, d) && coveredBy(o, kind, d, Number.POSITIVE_INFINITY))
            truth.add(p);
    const notified = new Set(notes.filter((n) => n.level === lv).map((n) => n.person));
    const right = new Set<number>();
    for (const n of notes)
      if (n.level === lv)
        for (const o of n.owners)
          for (let d = 0; d <= n.day; d++)
            if (close(n.person, o, d) && coveredBy(o, kind, d, n.day)) right.add(n.person);
    return { truth: truth.size, notified: notified.size, tp: right.size };
  };
  return { f1: level(1, "case"), f2: level(2, "f1") };
}

describe("attribution (property)", () => {
  it("agrees with a brute-force model on random worlds", () => {
    const people = 7;
    const days = 5;
    const person = fc.integer({ min: 0, max: people - 1 });
    const day = fc.integer({ min: 0, max: days - 1 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(person, person, day), { maxLength: 25 }),
        fc.array(fc.boolean(), { minLength: people, maxLength: people }),
        fc.array(
          fc.record({
            owner: person,
            kind: fc.constantFrom<"case" | "f1">("case", "f1"),
            from: day,
            len: fc.integer({ min: 0, max: 3 }),
            day,
          }),
          { maxLength: 5 },
        ),
        fc.array(
          fc.record({
            person,
            day,
            level: fc.constantFrom(1, 2),
            owners: fc.uniqueArray(person, { maxLength: 3 }),
          }),
          { maxLength: 8 },
        ),
        (pairs, app, rawPubs, notes) => {
          const ev = createEvaluation();
          const contacts = new Set<string>();
          for (let d = 0; d < days; d++) {
            const today = new Map<string, [number, number]>();
            for (const [a, b, cd] of pairs)
              if (cd === d && a !== b) today.set(`${Math.min(a, b)}:${Math.max(a, b)}`, [a, b]);
            ev.addContacts(dayContacts(d, [...today.values()]));
            for (const k of today.keys()) contacts.add(`${k}:${d}`);
          }
          const pubs = rawPubs.map((p) => ({
            owner: p.owner,
            kind: p.kind,
            from: p.from,
            to: p.from + p.len,
            day: p.day,
          }));
          for (const p of pubs) ev.addPublication(p);
          for (const n of notes) ev.addNotification(n);
          const s = ev.summarise((p) => app[p]!);
          const m = model(people, days, contacts, app, pubs, notes);
          expect([s.groundTruthCloseContacts, s.f1Notified, s.f1TruePositives]).toEqual([
            m.f1.truth,
            m.f1.notified,
            m.f1.tp,
          ]);
          expect([s.groundTruthF2Contacts, s.f2Notified, s.f2TruePositives]).toEqual([
            m.f2.truth,
            m.f2.notified,
            m.f2.tp,
          ]);
          expect(s.closeContactPairDays).toBe(contacts.size);
        },
      ),
    );
  });
});
