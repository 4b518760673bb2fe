/** The tracer orchestrator and its building blocks. */
export * from "./backoff";
export * from "./core";
export * from "./emitter";
export * from "./scan-cycle";
export * from "./tracer";
