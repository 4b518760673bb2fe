/** The contact log: its interface, the memory and LevelDB stores, and the scan aggregator. */
export * from "./errors";
export * from "./level-log";
export * from "./memory-log";
export * from "./retention";
export * from "./scan-aggregator";
export * from "./types";
export * from "./validate";
