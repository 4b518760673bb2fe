/**
 * bluezone: Bluetooth LE proximity contact logging.
 *
 * Data flows one way: clock → key schedule → payload → transport (advertise); transport (scan) → scan
 * aggregation → log; key feed (index → new files) → verify → matcher (reads the log) → exposure windows →
 * policy → F1/F2.
 *
 * @packageDocumentation
 */
export { fromHex, type RandomBytes, toHex } from "./bytes";
export * from "./clock";
export { CsvFormatError } from "./csv";
export * from "./errors";
export { closestName } from "./options";
export * from "./feed/index";
export * from "./log/index";
export * from "./match/index";
export * from "./protocol/index";
export * from "./proximity/index";
export * from "./radio/index";
export * from "./tracer/index";
export * from "./transport/index";
