/**
 * `bluezone/sim`: the population simulator. Run one with {@link runSimulation} on a scenario from
 * {@link loadScenario} (or a contact trace from {@link loadContactTrace}); the result's summary, daily
 * rows, detection and epidemic figures, and the HTML/CSV report writers; the epidemic model and its
 * parameters; the fitted radio model; seeded randomness. The engine's parts (mobility, world, spatial
 * index, phone fleet, authority, ground-truth bookkeeping, radio fitting) are internal: import paths
 * under `sim/` other than this module are not part of the package's API.
 *
 * @packageDocumentation
 */
export * from "./world/contact-trace";
export * from "./app/detection";
export * from "./epidemic/epidemic";
export * from "./epidemic/epidemic-metrics";
export * from "./epidemic/epidemic-params";
export * from "./epidemic/clinical";
export * from "./evaluation/evaluation";
// Types the epidemic and the detection tally expose (the modules behind them are internal).
export type { DayContacts } from "./world/ground-truth";
export * from "./epidemic/infection";
export { type BuildMobilityOptions, buildMobility, buildRunWorld } from "./world/build";
export type { Mobility, MobilityDay } from "./world/mobility";
export * from "./radio/radio";
export { createRng, createStreams, type Rng, type RngStreams, type StreamName } from "./random";
export * from "./report/report";
export {
  type ReplicateFigure,
  type ReplicateSummary,
  replicateSeeds,
  summariseReplicates,
} from "./report/replicates";
export type { ReplicateStat } from "./report/stats";
export * from "./run";
export * from "./scenario";
export type { SimEngine } from "./app/partition";
export type { World } from "./world/world";
export type { DaySchedule } from "./world/schedule";
export type { Positions } from "./world/positions";
export type { SpatialIndex } from "./world/spatial";
// The main entry's error base class, which this entry's errors extend (re-exported so it stands alone).
export type { BluezoneError } from "../src/index";
