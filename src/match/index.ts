/** Diagnosis-key export files (read, verify, validate, write) and Bluezone F0 day-key lists. */
export * from "./day-key-records";
export * from "./errors";
export * from "./export-codec";
export * from "./key-file";
export * from "./key-validation";
export * from "./limits";
export * from "./signing";
export { EXPORT_BIN, EXPORT_SIG } from "./zip-entries";
export { type CheckExposureOptions, checkExposure, type ExposureCheck } from "./check-exposure";
export * from "./derive-runs";
export * from "./exposure-windows";
export * from "./matcher";
export * from "./risk";
export * from "./sightings-csv";
export * from "./history-upload";
export { closeMatchWorkers, warmMatchWorkers } from "./match-workers";
