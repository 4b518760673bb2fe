/**
 * bluezone/sim: the simulation core — seeded randomness, scenarios, population and mobility, spatial
 * index, ground-truth contacts, the fitted radio model, the epidemic, contact detection, and the run
 * report.
 *
 * @packageDocumentation
 */
export * from "./contact-index";
export * from "./contact-mobility";
export * from "./contact-trace";
export * from "./detection";
export * from "./epidemic";
export * from "./epidemic-metrics";
export * from "./epidemic-params";
export * from "./fading";
export * from "./ground-truth";
export * from "./infection";
export * from "./mobility";
export * from "./pair-minutes";
export * from "./positions";
export * from "./radio";
export * from "./radio-fit";
export * from "./random";
export * from "./report";
export * from "./restrictions";
export type { DayRow, SimulationResult, SimulationSummary } from "./run";
export * from "./scenario";
export * from "./schedule";
export * from "./spatial";
export * from "./world";
export * from "./authority";
export * from "./evaluation";
export * from "./phones";
export * from "./run";
