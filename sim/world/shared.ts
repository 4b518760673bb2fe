/**
 * The world and its days in shared memory: typed arrays copied once into `SharedArrayBuffer`s, so that
 * worker threads handed them (`postMessage`, `workerData`) read the same memory instead of each
 * building or receiving its own copy.
 */
import type { MobilityDay } from "./mobility";
import type { DaySchedule } from "./schedule";
import type { World } from "./world";

type SharableArray = Int16Array | Int32Array | Uint8Array | Uint16Array | Float32Array | Float64Array;

/** `a` itself when it is in shared memory already, else a copy of it in a new `SharedArrayBuffer`. */
export function toShared<T extends SharableArray>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
  copy.set(a as never);
  return copy;
}

/**
 * `world` with its per-person and per-place columns in shared memory (the same values; the scenario
 * and the visited-venue lists, read only when schedules are built, stay ordinary objects).
 */
export function shareWorld(world: World): World {
  return {
    ...world,
    household: toShared(world.household),
    home: toShared(world.home),
    ward: toShared(world.ward),
    ageGroup: toShared(world.ageGroup),
    assigned: toShared(world.assigned),
    hasApp: toShared(world.hasApp),
    carriage: toShared(world.carriage),
    placeType: toShared(world.placeType),
    placeWard: toShared(world.placeWard),
    placeWidth: toShared(world.placeWidth),
    placeHeight: toShared(world.placeHeight),
    placeIndoor: toShared(world.placeIndoor),
  };
}

/** `day` with its confinement codes and schedule in shared memory, for replicas to adopt. */
export function shareDay(day: MobilityDay): MobilityDay {
  const s: DaySchedule = day.schedule;
  return {
    day: day.day,
    confinement: toShared(day.confinement),
    schedule: {
      day: s.day,
      offset: toShared(s.offset),
      start: toShared(s.start),
      end: toShared(s.end),
      place: toShared(s.place),
    },
  };
}
