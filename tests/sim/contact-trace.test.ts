/**
 * Replaying a real contact trace: the KONECT/SocioPatterns parser, the trace-driven mobility against an
 * oracle computed from the records, ground truth from a trace, and a small end-to-end run.
 */
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildContactWorld,
  CONTACT_DISTANCE_M,
  CONTACT_JITTER_M,
  createContactMobility,
  splitTraceDays,
} from "../../sim/world/contact-mobility";
import {
  type ContactTrace,
  ContactTraceError,
  formatContactTrace,
  loadContactTrace,
  parseContactTrace,
} from "../../sim/world/contact-trace";
import { createEpidemic } from "../../sim/epidemic/epidemic";
import { groundTruthDay } from "../../sim/world/ground-truth";
import { AT_HOME, AWAY, FREE } from "../../sim/world/mobility";
import { createStreams } from "../../sim/random";
import { prepareScenario, runSimulation, type SimulationResult } from "../../sim/run";
import { loadScenario } from "../../sim/scenario";
import { placeKind } from "../../sim/world/world";
import { ROOT } from "../helpers/data";

const office = loadScenario("office");
const FIXTURE = join(ROOT, "tests/fixtures/contacts-30.txt");
/** Local midnight (UTC+7, the office scenario's offset) of 2013-12-02, unix seconds. */
const MIDNIGHT = Date.parse("2013-12-02T00:00:00Z") / 1000 - 7 * 3600;
const STEPS = 4320;

const mobilityOf = (trace: ContactTrace, seed = 1) => {
  const streams = createStreams(seed);
  return createContactMobility(buildContactWorld(office, trace.size, streams), trace, streams);
};
const near = (d: number | undefined) =>
  d !== undefined && Math.abs(d - CONTACT_DISTANCE_M) <= CONTACT_JITTER_M + 1e-9;

describe("contact trace parser", () => {
  it("reads 4- and 3-column records, skips comments and blank lines, maps ids in ascending order", () => {
    const text = "% sym positive\n% 3 3 3\n\n   \n42 -7 2 1000\n-7 1000000 1010\r\n  42\t1000000 3 1020.5";
    const t = parseContactTrace(text);
    expect(t.size).toBe(3);
    expect(t.ids).toEqual([-7, 42, 1_000_000]);
    expect([...t.from]).toEqual([1, 0, 1]);
    expect([...t.to]).toEqual([0, 2, 2]);
    expect([...t.weight]).toEqual([2, 1, 3]);
    expect([...t.time]).toEqual([1000, 1010, 1020.5]);
  });

  it.each([
    ["1 2 3 4 5", 1, /got 5 field/],
    ["% header\n1 2 3\n1 2\n", 3, /got 2 field/],
    ["1.5 2 10", 1, /from node id "1.5" is not an integer/],
    ["1 x 10", 1, /to node id "x"/],
    ["1 2 0 10", 1, /weight "0"/],
    ["1 2 -3 10", 1, /weight "-3"/],
    ["1 2 1.5 10", 1, /weight "1.5"/],
    ["1 2 1 noon", 1, /time "noon" is not a number/],
    ["\n\n3 3 1 10", 3, /in contact with itself/],
  ])("rejects %j at line %i", (text, line, message) => {
    const err = (() => {
      try {
        parseContactTrace(text, { source: "trace.txt" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ContactTraceError);
    expect((err as ContactTraceError).code).toBe("ERR_CONTACT_TRACE");
    expect((err as ContactTraceError).line).toBe(line);
    expect((err as Error).message).toMatch(new RegExp(`^trace\\.txt: line ${line}: `));
    expect((err as Error).message).toMatch(message);
  });

  it("rejects a trace without records, and names an unreadable file", () => {
    expect(() => parseContactTrace("% only a header\n\n")).toThrow(/no contact records/);
    expect(() => loadContactTrace("/nonexistent/trace.txt")).toThrow(
      /^\/nonexistent\/trace\.txt: cannot read contact trace/,
    );
  });

  it("reads the fixture: 30 nodes, 3 days", () => {
    const t = loadContactTrace(FIXTURE);
    expect(t.size).toBe(30);
    expect(splitTraceDays(t, 7)).toHaveLength(3);
  });

  it("formats traces that parse back to the same trace", () => {
    const record = fc.record({
      pair: fc
        .tuple(fc.integer({ min: -60, max: 60 }), fc.integer({ min: -60, max: 60 }))
        .filter(([a, b]) => a !== b),
      weight: fc.integer({ min: 1, max: 500 }),
      time: fc.oneof(
        fc.integer({ min: 0, max: 2e9 }),
        fc.double({ min: 0, max: 2e9, noNaN: true }).map((x) => x + 0),
      ),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 40 }), fc.boolean(), (records, three) => {
        const text = records
          .map((r) =>
            three && r.weight === 1
              ? `${r.pair[0]} ${r.pair[1]} ${r.time}`
              : `${r.pair[0]}\t${r.pair[1]}  ${r.weight} ${r.time}`,
          )
          .join("\n");
        const t = parseContactTrace(text);
        records.forEach((r, i) => {
          expect([t.ids[t.from[i]!], t.ids[t.to[i]!], t.weight[i], t.time[i]]).toEqual([
            ...r.pair,
            r.weight,
            r.time,
          ]);
        });
        expect(parseContactTrace(formatContactTrace(t))).toEqual(t);
      }),
      { numRuns: 200 },
    );
  });
});

describe("trace-driven mobility", () => {
  it("splits records at local midnight and merges touching intervals of a pair", () => {
    const t = parseContactTrace(
      [
        `1 2 30 ${MIDNIGHT + 9 * 3600}`,
        `2 1 30 ${MIDNIGHT + 9 * 3600 + 600}`,
        `3 4 60 ${MIDNIGHT + 86_400 - 600}`,
      ].join("\n"),
    );
    const days = splitTraceDays(t, 7);
    expect(days).toHaveLength(2);
    expect([...days[0]!.a, ...days[0]!.b]).toEqual([0, 2, 1, 3]);
    expect([...days[0]!.start]).toEqual([9 * 3_600_000, 86_400_000 - 600_000]);
    expect([...days[0]!.end]).toEqual([9 * 3_600_000 + 1_200_000, 86_400_000]);
    expect([...days[1]!.start, ...days[1]!.end]).toEqual([0, 600_000]);
  });

  it("puts exactly the pairs the records list about 1 m apart, at the trace's resolution, looping its days", () => {
    const PEOPLE = 6;
    const record = (maxSlot: number) =>
      fc.record({
        pair: fc
          .tuple(fc.integer({ min: 0, max: PEOPLE - 1 }), fc.integer({ min: 0, max: PEOPLE - 1 }))
          .filter(([a, b]) => a !== b),
        weight: fc.integer({ min: 1, max: 8 }),
        slot: fc.integer({ min: 0, max: maxSlot }),
      });
    fc.assert(
      fc.property(record(STEPS - 1), fc.array(record(2 * STEPS - 1), { maxLength: 25 }), (head, tail) => {
        const records = [head, ...tail].map((r) => ({
          a: Math.min(...r.pair),
          b: Math.max(...r.pair),
          from: MIDNIGHT + 20 * r.slot,
          to: MIDNIGHT + 20 * (r.slot + r.weight),
        }));
        // Node ids 10·p + 3, so persons follow the pair numbers when every node appears.
        const text = [head, ...tail]
          .map((r) => `${10 * r.pair[0] + 3} ${10 * r.pair[1] + 3} ${r.weight} ${MIDNIGHT + 20 * r.slot}`)
          .join("\n");
        const trace = parseContactTrace(text);
        const person = (p: number) => trace.ids.indexOf(10 * p + 3);
        const m = mobilityOf(trace);
        const traceDays = Math.ceil((Math.max(...records.map((r) => r.to)) - MIDNIGHT) / 86_400);
        const expected = (traceSec: number) => {
          const out = new Set<string>();
          for (const r of records)
            if (r.from <= traceSec && traceSec < r.to) out.add(`${person(r.a)}-${person(r.b)}`);
          return out;
        };
        const key = (a: number, b: number) => `${Math.min(a, b)}-${Math.max(a, b)}`;
        // Mismatches with the oracle, collected (one assertion per run keeps 13,000 steps fast).
        const wrong: string[] = [];
        for (let day = 0; day <= traceDays; day++) {
          m.startDay(day);
          const base = MIDNIGHT + (day % traceDays) * 86_400;
          for (let s = 0; s < STEPS; s++) {
            m.step(s);
            const want = expected(base + (s + 0.5) * 20);
            const got = new Set<string>();
            m.index.forEachPair(2, (a, b, d) => {
              got.add(key(a, b));
              if (!near(d)) wrong.push(`pair ${a}-${b} at ${d} m`);
            });
            if ([...want].sort().join() !== [...got].sort().join())
              wrong.push(`day ${day} step ${s}: pairs ${[...got]} instead of ${[...want]}`);
            const t = m.dayStartMs(day) + (s + 0.5) * 20_000;
            for (let p = 0; p < trace.size; p++) {
              const others = m.neighbours(p, 10);
              const mine = [...want].filter((k) => k.split("-").map(Number).includes(p));
              if (others.length !== mine.length || others.some((o) => !want.has(key(p, o))))
                wrong.push(`day ${day} step ${s}: neighbours of ${p} ${others}`);
              for (const o of others)
                if (!near(m.distance(p, o, t)) || m.distance(p, o, t) !== m.index.distance(p, o))
                  wrong.push(`day ${day} step ${s}: distance ${p}-${o}`);
              const kind = placeKind(m.world, m.index.placeOf[p]!);
              if (kind !== (others.length > 0 ? "other" : "home")) wrong.push(`${p} in a ${kind}`);
            }
          }
          // At record boundaries, `distance` follows [time, time + 20·weight s) exactly.
          for (const r of records) {
            const dayOf = Math.floor((r.from - MIDNIGHT) / 86_400);
            if (dayOf !== day % traceDays) continue;
            const at = (sec: number) => m.dayStartMs(day) + (sec - base) * 1000;
            for (const sec of [r.from, r.from - 0.001, r.to - 0.001, r.to]) {
              if (sec < base || sec >= base + 86_400) continue;
              const inContact = expected(sec).has(`${person(r.a)}-${person(r.b)}`);
              if (near(m.distance(person(r.a), person(r.b), at(sec))) !== inContact)
                wrong.push(`day ${day}: distance at ${sec}`);
            }
          }
        }
        expect(wrong.slice(0, 5)).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });

  it("takes confined people out of their contacts", () => {
    const t = parseContactTrace([`1 2 90 ${MIDNIGHT + 36_000}`, `2 3 90 ${MIDNIGHT + 36_000}`].join("\n"));
    const m = mobilityOf(t);
    const at = m.dayStartMs(0) + 36_600_000;
    m.startDay(0);
    m.step(1830);
    expect(m.neighbours(1, 10).sort()).toEqual([0, 2]);
    m.startDay(0, Uint8Array.from([AT_HOME, FREE, AWAY]));
    m.step(1830);
    expect(m.neighbours(1, 10)).toEqual([]);
    expect(m.distance(0, 1, at)).toBeUndefined();
    expect(m.index.placeOf[0]).toBe(m.world.home[0]);
    expect(m.index.placeOf[2]).toBe(-1);
  });
});

describe("ground truth from a trace", () => {
  // Pairs (ids): 1–2 in contact 20 min, 3–4 10 min, 5–6 8 + 8 min apart, 7–8 10 min across midnight,
  // 9–10 exactly 15 min (45 steps of ⅓ min, which sum to 14.99999 in single precision).
  const trace = parseContactTrace(
    [
      `1 2 60 ${MIDNIGHT + 10 * 3600}`,
      `3 4 30 ${MIDNIGHT + 10 * 3600}`,
      `5 6 24 ${MIDNIGHT + 10 * 3600}`,
      `6 5 24 ${MIDNIGHT + 15 * 3600}`,
      `7 8 30 ${MIDNIGHT + 86_400 - 300}`,
      `9 10 45 ${MIDNIGHT + 12 * 3600}`,
    ].join("\n"),
  );

  it("counts ≥ 15 cumulated minutes within 2 m in a local day as a close contact", () => {
    const m = mobilityOf(trace);
    m.startDay(0);
    const day0 = groundTruthDay(m);
    const minutes = new Map(
      [...day0.a].map((a, i) => [`${trace.ids[a]}-${trace.ids[day0.b[i]!]}`, day0.minutes[i]!]),
    );
    expect([...minutes.keys()].sort()).toEqual(["1-2", "5-6", "9-10"]);
    expect(minutes.get("1-2")).toBeCloseTo(20, 3);
    expect(minutes.get("5-6")).toBeCloseTo(16, 3);
    expect(minutes.get("9-10")).toBeCloseTo(15, 3);
    m.startDay(1);
    expect(groundTruthDay(m).a).toHaveLength(0);
  });

  it("gives the epidemic the same contacts, in an indoor setting", () => {
    const epi = createEpidemic(office, { contacts: trace, trackContacts: true, seed: 2 });
    expect(epi.world.size).toBe(10);
    expect(epi.steps).toBe(STEPS);
    epi.runDay();
    expect(epi.lastContacts()?.a).toHaveLength(3);
    const venue = epi.world.placeCount - 1;
    expect(placeKind(epi.world, venue)).toBe("other");
    expect(epi.world.placeIndoor[venue]).toBe(1);
  });
});

describe("simulation replaying a trace", () => {
  const options = {
    scenario: {
      ...office,
      epidemic: {
        ...office.epidemic,
        initialInfected: 6,
        incubationLogMean: Math.log(2),
        testDelayMeanDays: 0.5,
        symptomaticTestingShare: 1,
      },
    },
    contacts: loadContactTrace(FIXTURE),
    days: 4,
    adoption: 1,
    seed: 3,
  };
  // The one-thread run, made by whichever test needs it first (the tests do not depend on their order).
  let firstRun: Promise<SimulationResult> | undefined;
  const oneThread = () => {
    firstRun ??= runSimulation({ ...options, workers: 1 });
    return firstRun;
  };

  it("runs the app on the trace's people and finds true close contacts", async () => {
    const first = await oneThread();
    const s = first.summary;
    expect(s.phones).toBe(30);
    expect(s.appUsers).toBe(30);
    expect(s.days).toBe(4);
    expect(s.groundTruthCloseContacts).toBeGreaterThan(0);
    expect(s.f1Precision).toBeGreaterThan(0);
    expect(s.f1Recall).toBeGreaterThan(0);
    expect(first.daily).toHaveLength(4);
  });

  it("is deterministic, with the no-app arm in a worker thread", async () => {
    expect(await runSimulation({ ...options, workers: 2 })).toEqual(await oneThread());
  });

  it("takes the population from the trace and refuses phones with it", () => {
    expect(prepareScenario(options).population).toBe(30);
    expect(() => prepareScenario({ ...options, phones: 40 })).toThrow(/phones cannot be combined/);
  });
});
