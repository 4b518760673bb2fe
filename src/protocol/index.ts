/** The protocol core: keys, identifiers, metadata, payloads and key schedules of both schemes. */
export * from "./bluezone-compat";
export * from "./gaen";
export * from "./intervals";
export * from "./metadata";
export * from "./payload";
export * from "./schedule";
