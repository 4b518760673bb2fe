import { describe, expect, it } from "vitest";
import { contactsByPerson, groundTruthDay } from "../../sim/world/ground-truth";
import { AT_HOME, AWAY, createMobility, DAY_MINUTES, type Mobility } from "../../sim/world/mobility";
import { createStreams } from "../../sim/random";
import { loadScenario, type Scenario } from "../../sim/scenario";
import { createPositions } from "../../sim/world/positions";
import { stayAt } from "../../sim/world/schedule";
import { buildWorld, HOME, placeKind } from "../../sim/world/world";

const hanoi = loadScenario("hanoi-ward");
// 2021-07-12 is a Monday; day 0 is a weekday.
const scenario = (over: Partial<Scenario> = {}): Scenario => ({
  ...hanoi,
  population: 4000,
  interventions: [],
  ...over,
});
const setup = (s: Scenario, seed = 5) => {
  const streams = createStreams(seed);
  const world = buildWorld(s, streams);
  return { world, mobility: createMobility(world, streams) };
};
const at = (m: Mobility, p: number, minute: number) => {
  const i = stayAt(m.schedule, p, minute);
  return i < 0 ? -1 : m.schedule.place[i]!;
};

describe("world", () => {
  it("builds households of the scenario's mean size and assigns activities by age", () => {
    const { world } = setup(scenario({ population: 10_000 }));
    const households = new Set(world.household).size;
    expect(world.size / households).toBeGreaterThan(3.3);
    expect(world.size / households).toBeLessThan(3.7);
    for (let p = 0; p < world.size; p++) {
      const g = hanoi.ageGroups[world.ageGroup[p]!]!;
      const a = world.assigned[p]!;
      if (a < 0) continue;
      expect(placeKind(world, a)).toBe(g.activity === "work" ? "workplace" : "school");
    }
    const adoption = world.hasApp.reduce((a, b) => a + b, 0) / world.size;
    expect(adoption).toBeGreaterThan(0.2);
    expect(adoption).toBeLessThan(0.3);
  });
});

describe("mobility", () => {
  it("finds exactly the people within a radius, at 2 m and across many cells, as a pairwise check does", () => {
    const { world, mobility } = setup(scenario({ population: 1500 }));
    mobility.startDay(0);
    let found = 0;
    for (const step of [30, 110, 150, 200]) {
      const index = mobility.step(step);
      for (const r of [2, 10, 25]) {
        for (let p = 0; p < world.size; p += 3) {
          const expected: number[] = [];
          for (let o = 0; o < world.size; o++) {
            const d = o === p ? undefined : index.distance(p, o);
            if (d !== undefined && d <= r) expected.push(o);
          }
          const got = mobility.neighbours(p, r);
          expect([...got].sort((a, b) => a - b)).toEqual(expected);
          // neighboursInto writes the same people from a given position on.
          const out = [7, 7, 7];
          expect(mobility.neighboursInto(p, r, out, 1)).toBe(1 + got.length);
          expect(out.slice(1, 1 + got.length)).toEqual(got);
          found += got.length;
        }
      }
    }
    expect(found).toBeGreaterThan(1000);
  });

  it("covers each day with contiguous stays, home at night, work on weekdays", () => {
    const { world, mobility } = setup(scenario());
    const s = mobility.startDay(0);
    let working = 0;
    let workers = 0;
    let bad = 0;
    for (let p = 0; p < world.size; p++) {
      let t = 0;
      for (let i = s.offset[p]!; i < s.offset[p + 1]!; i++) {
        if (s.start[i] !== t || s.end[i]! <= t) bad++;
        t = s.end[i]!;
      }
      if (t !== DAY_MINUTES || at(mobility, p, 180) !== world.home[p]) bad++;
      const a = world.assigned[p]!;
      if (a >= 0 && placeKind(world, a) === "workplace") {
        workers++;
        if (at(mobility, p, 11 * 60) === a) working++;
      }
    }
    expect(bad).toBe(0);
    expect(working / workers).toBeGreaterThan(0.85);
    // Sunday (day 6): nobody at work.
    const sunday = mobility.startDay(6);
    for (let p = 0; p < world.size; p++) {
      const q = at(mobility, p, 11 * 60);
      if (q >= 0) expect(placeKind(world, q)).not.toBe("workplace");
    }
    expect(sunday.day).toBe(6);
  });

  it("keeps confined people at home or away", () => {
    const { world, mobility } = setup(scenario());
    const conf = new Uint8Array(world.size);
    conf[0] = AT_HOME;
    conf[1] = AWAY;
    const s = mobility.startDay(0, conf);
    expect(s.offset[1]! - s.offset[0]!).toBe(1);
    expect(at(mobility, 0, 700)).toBe(world.home[0]);
    expect(s.offset[2]! - s.offset[1]!).toBe(0);
  });

  it("cuts cross-ward trips under lockdown and keeps outsiders out of green zones", () => {
    const crossWard = (s: Scenario, day: number) => {
      const { world, mobility } = setup(s);
      mobility.startDay(day);
      let cross = 0;
      let intoGreen = 0;
      for (let p = 0; p < world.size; p++)
        for (const minute of [8 * 60, 11 * 60, 18 * 60]) {
          const q = at(mobility, p, minute);
          if (q < 0 || world.placeType[q] === HOME) continue;
          if (world.placeWard[q] !== world.ward[p]) {
            cross++;
            if (world.placeWard[q] === 0) intoGreen++;
          }
        }
      return { cross, intoGreen };
    };
    const free = crossWard(scenario(), 0);
    const locked = crossWard(
      scenario({
        interventions: [
          {
            kind: "wardLockdown",
            from: "2021-07-12",
            wards: "all",
            crossWardLeakage: 0.1,
            workplaceOpenShare: 1,
          },
        ],
      }),
      0,
    );
    expect(locked.cross / free.cross).toBeLessThan(0.2);
    expect(free.intoGreen).toBeGreaterThan(0);
    const green = crossWard(
      scenario({
        interventions: [
          { kind: "greenZone", from: "2021-07-12", wards: [hanoi.wards[0]!.name], exitShare: 0.1 },
        ],
      }),
      0,
    );
    expect(green.intoGreen).toBe(0);
  });

  it("finds the same neighbours and pairs as brute force, and the same distances and places at any time", () => {
    const { world, mobility } = setup(scenario({ population: 800 }));
    mobility.startDay(0);
    for (const step of [20, 130, 200]) {
      const index = mobility.step(step);
      const pairs = new Set<string>();
      index.forEachPair(2, (a, b) => pairs.add(`${a},${b}`));
      const brute = new Set<string>();
      const t = mobility.dayStartMs(0) + (step + 0.5) * mobility.stepMinutes * 60_000;
      let wrongNeighbour = 0;
      let wrongDistance = 0;
      let wrongPlace = 0;
      for (let a = 0; a < world.size; a++) {
        const near = new Set(mobility.neighbours(a, 3));
        for (let b = 0; b < world.size; b++) {
          if (a === b) continue;
          const d = index.distance(a, b);
          if (near.has(b) !== (d !== undefined && d <= 3)) wrongNeighbour++;
          if (a < b && d !== undefined && d <= 2) brute.add(`${a},${b}`);
          const dt = mobility.distance(a, b, t);
          if (d === undefined ? dt !== undefined : Math.abs((dt ?? -1) - d) > 1e-6) wrongDistance++;
          // The place of a pair (the radio's setting): both people's stay place, when they are together.
          const minute = (t - mobility.dayStartMs(0)) / 60_000;
          const q = mobility.placeOf!(a, b, t);
          if (q !== (dt === undefined ? undefined : at(mobility, a, minute))) wrongPlace++;
          if (q !== undefined && q !== at(mobility, b, minute)) wrongPlace++;
        }
      }
      expect(wrongNeighbour).toBe(0);
      expect(wrongDistance).toBe(0);
      expect(wrongPlace).toBe(0);
      expect(brute.size).toBeGreaterThan(0);
      expect(pairs).toEqual(brute);
    }
  });
});

describe("ground truth", () => {
  it("is deterministic, thresholded, and mostly household plus colleagues", () => {
    const run = () => {
      const { world, mobility } = setup(scenario({ population: 3000 }));
      mobility.startDay(0);
      return { world, contacts: groundTruthDay(mobility) };
    };
    const { world, contacts } = run();
    expect(run().contacts).toEqual(contacts);
    expect(contacts.a.length).toBeGreaterThan(world.size);
    let household = 0;
    for (let i = 0; i < contacts.a.length; i++) {
      expect(contacts.minutes[i]).toBeGreaterThanOrEqual(15);
      expect(contacts.a[i]!).toBeLessThan(contacts.b[i]!);
      if (world.household[contacts.a[i]!] === world.household[contacts.b[i]!]) household++;
    }
    const share = household / contacts.a.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.9);
    const perPerson = contactsByPerson(world.size, contacts).map((l) => l.length);
    const mean = perPerson.reduce((a, b) => a + b, 0) / world.size;
    expect(mean).toBeGreaterThan(2);
    expect(mean).toBeLessThan(15);
  });

  it("grows with a looser definition", () => {
    const count = (maxDistanceM: number, minMinutes: number) => {
      const { mobility } = setup(scenario({ population: 2000 }));
      mobility.startDay(0);
      return groundTruthDay(mobility, { maxDistanceM, minMinutes }).a.length;
    };
    expect(count(1, 15)).toBeLessThan(count(2, 15));
    expect(count(2, 30)).toBeLessThan(count(2, 15));
  });
});

describe("positions", () => {
  it("gives the same position for any order of questions, over several schedules", () => {
    // The position model keeps each person's last position; asked in a shuffled order that switches
    // between schedules — two of the same day, one with every other person confined at home (its stays
    // numbered differently) — it must answer as a fresh model asked each question alone.
    const s = scenario({ population: 2000 });
    const { world, mobility } = setup(s);
    const day1 = mobility.startDay(1);
    const confined = new Uint8Array(world.size).map((_, p) => (p % 2 === 0 ? AT_HOME : 0));
    const day0confined = mobility.startDay(0, confined);
    const day0 = mobility.startDay(0);
    const schedules = [day0, day0confined, day1];
    const seed = 11;
    const cached = createPositions(world, seed);
    const rng = createStreams(3).stream("test");
    const out = new Float64Array(2);
    const fresh = new Float64Array(2);
    let asked = 0;
    for (let k = 0; k < 3000; k++) {
      const schedule = schedules[Math.floor(rng.uniform() * 3)]!;
      const p = Math.floor(rng.uniform() * world.size);
      // A few people asked again and again (the cache's hits), the rest at random.
      const person = k % 3 === 0 ? p % 20 : p;
      const minute = rng.uniform() * DAY_MINUTES;
      const stay = stayAt(schedule, person, minute);
      if (stay < 0) continue;
      cached.at(schedule, person, stay, minute, out);
      createPositions(world, seed).at(schedule, person, stay, minute, fresh);
      expect([...out]).toEqual([...fresh]);
      asked++;
    }
    expect(asked).toBeGreaterThan(1000);
    expect(day0confined.place.length).not.toBe(day0.place.length);
  });
});
