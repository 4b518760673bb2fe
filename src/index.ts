/**
 * bluezone: Bluetooth LE proximity contact logging.
 *
 * @packageDocumentation
 */
export * from "./bytes";
export * from "./clock";
export * from "./errors";
export * from "./protocol/index";
export * from "./match/derive-runs";
export * from "./match/exposure-windows";
export * from "./match/identifier-table";
export * from "./match/matcher";
export * from "./tracer/index";
export * from "./transport/index";
export * from "./proximity/index";
export * from "./csv";
export * from "./match/check-exposure";
export * from "./match/risk";
export * from "./log/index";
