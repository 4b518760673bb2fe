/**
 * bluezone: Bluetooth LE proximity contact logging.
 *
 * @packageDocumentation
 */
export * from "./bytes";
export * from "./clock";
export * from "./errors";
export * from "./protocol/index";
export * from "./match/index";
