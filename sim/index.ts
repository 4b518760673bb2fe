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
export * from "./contact-trace";
export * from "./detection";
export * from "./epidemic";
export * from "./epidemic-metrics";
export * from "./epidemic-params";
export * from "./evaluation";
// Types the epidemic and the detection tally expose (the modules behind them are internal).
export type { DayContacts } from "./ground-truth";
export * from "./infection";
export type { Mobility } from "./mobility";
export * from "./radio";
export { createRng, createStreams, type Rng, type RngStreams, type StreamName } from "./random";
export * from "./report";
export * from "./run";
export * from "./scenario";
export type { SimEngine } from "./partition";
export type { World } from "./world";
export type { DaySchedule } from "./schedule";
export type { Positions } from "./positions";
export type { SpatialIndex } from "./spatial";
