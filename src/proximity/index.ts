/** Proximity: calibration, attenuation, contact policies, window and day decisions, beacon CSV input. */
export * from "./attenuation";
export * from "./beacon-csv";
export * from "./calibration";
export * from "./day-boundary";
export * from "./metrics";
export * from "./policy";
export * from "./windows";
