/**
 * The world shared between threads: a world in shared memory, days adopted from a leader's mobility,
 * and a follower answering neighbour queries from the lists the leader noted. Checked against the
 * leader's own answers (its spatial index and schedule) on the same thread.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRng } from "../../sim/random";
import { loadScenario, type Scenario } from "../../sim/scenario";
import { buildMobility, buildRunWorld } from "../../sim/world/build";
import { parseContactTrace } from "../../sim/world/contact-trace";
import { createFollowerMobility, noteNeighbours } from "../../sim/world/follower";
import { AT_HOME, AWAY, FREE, type Mobility } from "../../sim/world/mobility";
import { shareDay, shareWorld } from "../../sim/world/shared";
import { ROOT } from "../helpers/data";

const hanoi = loadScenario("hanoi-ward");
const scenario: Scenario = { ...hanoi, population: 1500 };
const RADIUS = 10;

/** Leader and follower over `days` days, the follower fed in stretches of `stretch` steps. */
function follow(
  s: Scenario,
  options: { contacts?: ReturnType<typeof parseContactTrace>; days: number; stretch: number },
) {
  const contacts = options.contacts ? { contacts: options.contacts } : {};
  const world = shareWorld(buildRunWorld(s, { seed: 3, ...contacts }));
  const leader = buildMobility(s, { seed: 3, world, ...contacts });
  // The people followed: every third person with the app; neighbours kept: app users.
  const people = Int32Array.from(
    Array.from({ length: world.size }, (_, p) => p).filter((p) => world.hasApp[p] && p % 3 === 0),
  );
  const follower = createFollowerMobility(buildMobility(s, { seed: 3, world, ...contacts }), people, RADIUS);
  const rng = createRng(17);
  const steps = 1440 / leader.stepMinutes;
  const checks = { neighbours: 0, distances: 0 };
  for (let day = 0; day < options.days; day++) {
    const confinement = Uint8Array.from({ length: world.size }, () =>
      rng.bernoulli(0.1) ? (rng.bernoulli(0.5) ? AT_HOME : AWAY) : FREE,
    );
    leader.startDay(day, confinement);
    follower.adoptDay(shareDay(leader.currentDay()));
    const expected: number[][][] = [];
    let starts = new Int32Array(0);
    let list: Int32Array = new Int32Array(16);
    let used = 0;
    let first = 0;
    for (let step = 0; step < steps; step++) {
      leader.step(step);
      if (step === first) starts = new Int32Array(options.stretch * (people.length + 1));
      ({ list, used } = noteNeighbours(
        leader,
        people,
        RADIUS,
        world.hasApp,
        starts,
        (step - first) * (people.length + 1),
        list,
        used,
        [],
      ));
      // What the follower must answer: the leader's neighbours of each person, app users only.
      expected.push(
        Array.from(people, (p) => leader.neighbours(p, RADIUS).filter((o) => o !== p && world.hasApp[o])),
      );
      if ((step + 1) % options.stretch === 0 || step === steps - 1) {
        follower.feed({
          day,
          first,
          count: step - first + 1,
          starts: starts.subarray(0, (step - first + 1) * (people.length + 1)),
          list: list.subarray(0, used),
        });
        list = new Int32Array(16);
        used = 0;
        first = step + 1;
      }
    }
    // Distances and places at random times of the day, asked of both with the leader's day current.
    const dayStart = leader.dayStartMs(day);
    for (let k = 0; k < 400; k++) {
      const a = rng.int(world.size);
      const b = rng.int(world.size);
      const t = dayStart + rng.uniform() * 86_400_000;
      expect(follower.distance(a, b, t)).toBe(leader.distance(a, b, t));
      expect(follower.placeOf?.(a, b, t)).toBe(leader.placeOf?.(a, b, t));
      checks.distances++;
    }
    for (let step = 0; step < steps; step++) {
      expect(follower.has(day, step)).toBe(true);
      follower.step(step);
      // The same lists as views (what a fleet noting these very people takes over without a copy).
      const views = follower.currentLists();
      people.forEach((p, i) => {
        expect(follower.neighbours(p, RADIUS)).toEqual(expected[step]![i]);
        expect([...views.list.subarray(views.starts[i]!, views.starts[i + 1]!)]).toEqual(expected[step]![i]);
        checks.neighbours += expected[step]![i]!.length;
      });
    }
  }
  return { world, leader, follower, people, checks };
}

describe("a world shared between threads", () => {
  it("keeps the world's columns in shared memory, with the same values", () => {
    const built = buildRunWorld(scenario, { seed: 3 });
    const shared = shareWorld(built);
    for (const key of ["household", "home", "hasApp", "carriage", "placeType", "placeWidth"] as const) {
      expect(shared[key].buffer).toBeInstanceOf(SharedArrayBuffer);
      expect([...shared[key]]).toEqual([...built[key]]);
    }
    // Sharing what is shared already copies nothing.
    expect(shareWorld(shared).hasApp).toBe(shared.hasApp);
  });

  it("a follower gives the leader's neighbours, distances and places, day after day", () => {
    const { checks } = follow(scenario, { days: 2, stretch: 72 });
    // The comparison is not vacuous: people met, and were at measurable distances.
    expect(checks.neighbours).toBeGreaterThan(1000);
    expect(checks.distances).toBe(800);
  });

  it("follows a replayed contact trace too, fed one step at a time", () => {
    const trace = parseContactTrace(readFileSync(join(ROOT, "tests/fixtures/contacts-30.txt"), "utf8"));
    const office = loadScenario("office");
    const { checks } = follow(
      { ...office, app: { ...office.app, adoption: 1 } },
      { contacts: trace, days: 1, stretch: 1 },
    );
    expect(checks.neighbours).toBeGreaterThan(0);
  });

  it("refuses what it cannot answer: steps not fed, people not followed, other radii, built days", () => {
    const world = buildRunWorld(scenario, { seed: 3 });
    const leader: Mobility = buildMobility(scenario, { seed: 3, world });
    const follower = createFollowerMobility(
      buildMobility(scenario, { seed: 3, world }),
      Int32Array.of(1, 2),
      RADIUS,
    );
    leader.startDay(0);
    follower.adoptDay(leader.currentDay());
    expect(() => follower.step(0)).toThrow(RangeError);
    follower.feed({ day: 0, first: 0, count: 1, starts: Int32Array.of(0, 0, 0), list: new Int32Array(0) });
    follower.step(0);
    expect(follower.neighbours(1, RADIUS)).toEqual([]);
    expect(() => follower.neighbours(3, RADIUS)).toThrow(RangeError);
    expect(() => follower.neighbours(1, 2)).toThrow(RangeError);
    expect(() => follower.step(1)).toThrow(/step 1 of day 0 was not fed/);
    // Stepping into a later stretch lets go of the earlier ones.
    follower.feed({ day: 0, first: 1, count: 1, starts: Int32Array.of(0, 0, 0), list: new Int32Array(0) });
    follower.step(1);
    expect(follower.has(0, 0)).toBe(false);
    expect(() => follower.step(0)).toThrow(/step 0 of day 0 was not fed/);
    expect(() => follower.startDay(1)).toThrow(RangeError);
    expect(() => follower.index).toThrow(RangeError);
    expect(() =>
      follower.feed({ day: 0, first: 1, count: 1, starts: Int32Array.of(0, 0), list: new Int32Array(0) }),
    ).toThrow(RangeError);
    const other = buildMobility({ ...scenario, population: 1000 }, { seed: 3 });
    other.startDay(0);
    expect(() => follower.adoptDay(other.currentDay())).toThrow(RangeError);
  });

  it("resolves a wait for a step when that step is fed", async () => {
    const world = buildRunWorld(scenario, { seed: 3 });
    const leader = buildMobility(scenario, { seed: 3, world });
    const follower = createFollowerMobility(
      buildMobility(scenario, { seed: 3, world }),
      Int32Array.of(5),
      RADIUS,
    );
    leader.startDay(0);
    follower.adoptDay(leader.currentDay());
    let fed = false;
    const waiting = follower.whenFed(0, 3).then(() => fed);
    follower.feed({ day: 0, first: 0, count: 2, starts: Int32Array.of(0, 0, 0, 0), list: new Int32Array(0) });
    follower.feed({ day: 0, first: 2, count: 2, starts: Int32Array.of(0, 0, 0, 0), list: new Int32Array(0) });
    fed = true;
    expect(await waiting).toBe(true);
  });
});
