/**
 * Positions inside places: seated people keep a spot for the stay and shift a little every interval;
 * roaming people take a new spot every interval. Positions are a pure function of (seed, person, stay,
 * time), so the distance between two people can be asked for at any time of the current day.
 */
import { hash32, hashUniform } from "../random";
import { DAY_MINUTES, type DaySchedule } from "./schedule";
import { HOME, type World } from "./world";

/**
 * How people move within places.
 * @public
 */
export interface Positions {
  /**
   * Writes the position of person `p` during stay `stay` at fractional `minute` of the day into
   * `out[0..1]` (metres within the place's floor).
   */
  at(schedule: DaySchedule, p: number, stay: number, minute: number, out: Float64Array): void;
  /** First minute of day `day` after `minute` at which positions in place `q` change. */
  nextChange(q: number, day: number, minute: number): number;
}

/** Seated people keep a spot for the stay and shift within ± this many metres per interval. */
export const SEATED_SHIFT_M = 0.5;

/** Creates the position model of a world (pure: positions depend only on the arguments and `seed`). */
export function createPositions(world: World, seed: number): Positions {
  const venues = world.scenario.venues;
  const interval = new Float32Array(world.placeCount);
  const roaming = new Uint8Array(world.placeCount);
  for (let q = 0; q < world.placeCount; q++) {
    const t = world.placeType[q]!;
    interval[q] = t === HOME ? world.scenario.households.repositionMinutes : venues[t]!.repositionMinutes;
    roaming[q] = t === HOME || venues[t]!.movement === "roaming" ? 1 : 0;
  }
  // Each person's last computed position, valid for one schedule (`generation`), stay and epoch.
  const n = world.size;
  const cacheGeneration = new Int32Array(n);
  const cacheStay = new Int32Array(n);
  const cacheEpoch = new Float64Array(n);
  const cacheX = new Float64Array(n);
  const cacheY = new Float64Array(n);
  let cachedFor: DaySchedule | undefined;
  let generation = 0;
  return {
    nextChange(q, day, minute) {
      const iv = interval[q]!;
      return (Math.floor((day * DAY_MINUTES + minute) / iv) + 1) * iv - day * DAY_MINUTES;
    },
    at(s, p, stay, minute, out) {
      const q = s.place[stay]!;
      const epoch = Math.floor((s.day * DAY_MINUTES + minute) / interval[q]!);
      // The person's last position, if it is for this schedule, stay and epoch (the radio asks for a
      // person's position once per neighbour and scan, the spatial index once per step).
      if (s !== cachedFor) {
        cachedFor = s;
        generation++;
      }
      if (cacheGeneration[p] === generation && cacheStay[p] === stay && cacheEpoch[p] === epoch) {
        out[0] = cacheX[p]!;
        out[1] = cacheY[p]!;
        return;
      }
      const w = world.placeWidth[q]!;
      const h = world.placeHeight[q]!;
      if (roaming[q]) {
        const k = hash32(seed, p, epoch);
        out[0] = hashUniform(k, 1) * w;
        out[1] = hashUniform(k, 2) * h;
      } else {
        const k = hash32(seed, p, s.day * DAY_MINUTES + s.start[stay]!, q);
        const e = hash32(k, epoch);
        out[0] = Math.min(
          w,
          Math.max(0, hashUniform(k, 1) * w + (hashUniform(e, 1) * 2 - 1) * SEATED_SHIFT_M),
        );
        out[1] = Math.min(
          h,
          Math.max(0, hashUniform(k, 2) * h + (hashUniform(e, 2) * 2 - 1) * SEATED_SHIFT_M),
        );
      }
      cacheGeneration[p] = generation;
      cacheStay[p] = stay;
      cacheEpoch[p] = epoch;
      cacheX[p] = out[0]!;
      cacheY[p] = out[1]!;
    },
  };
}
