/**
 * Simulation core: mobility (schedules, positions, spatial grid) plus ground-truth close contacts, in
 * people-days per second at 1k and 10k people (hanoi-ward scenario without interventions), and the
 * memory it holds.
 */
import { groundTruthDay } from "../sim/world/ground-truth";
import { createMobility } from "../sim/world/mobility";
import { createPairMinutes } from "../sim/world/pair-minutes";
import { createStreams } from "../sim/random";
import { loadScenario } from "../sim/scenario";
import { buildWorld } from "../sim/world/world";
import { type Bench, sig3 } from "./harness";

const DAYS = 4;

function run(population: number) {
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage().rss;
  const scenario = { ...loadScenario("hanoi-ward"), population, interventions: [] };
  const t0 = process.hrtime.bigint();
  const streams = createStreams(1);
  const world = buildWorld(scenario, streams);
  const mobility = createMobility(world, streams);
  const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const acc = createPairMinutes(population * 4);
  // Warm-up day (JIT), then timed days.
  mobility.startDay(0);
  groundTruthDay(mobility, undefined, undefined, acc);
  let contacts = 0;
  const t1 = process.hrtime.bigint();
  for (let d = 1; d <= DAYS; d++) {
    mobility.startDay(d);
    contacts += groundTruthDay(mobility, undefined, undefined, acc).a.length;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const seconds = Number(process.hrtime.bigint() - t1) / 1e9;
  return {
    population,
    places: world.placeCount,
    buildMs: sig3(buildMs),
    peopleDaysPerSecond: sig3((population * DAYS) / seconds),
    msPerDay: sig3((seconds * 1000) / DAYS),
    closeContactsPerPersonDay: sig3((2 * contacts) / (population * DAYS)),
    heapMB: sig3((process.memoryUsage().heapUsed - heap0) / 2 ** 20),
    peakRssMB: sig3(peakRss / 2 ** 20),
  };
}

const bench: Bench = {
  name: "sim-core",
  async run() {
    return { stepMinutes: 5, days: DAYS, k1: run(1000), k10: run(10_000) };
  },
};
export default bench;
