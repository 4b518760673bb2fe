/**
 * Example: a third party runs bluezone's contact-log conformance suite on a store from Node's built-in
 * test runner, no vitest involved:
 *
 *   node --import tsx --test examples/conformance/memory-log.node-test.ts
 *
 * Replace `createMemoryLog` with your own store (see docs/testing.md for `persistent`, `locks` and the
 * transport suite). In an app, import from "bluezone" and "bluezone/testing"; this example imports the
 * source so it runs inside the repository (tests/testing/conformance-node-test.test.ts runs it).
 */
import { describe, it } from "node:test";
import { createMemoryLog } from "../../src/index";
import { contactLogConformance } from "../../src/testing";

contactLogConformance({
  describe,
  it,
  name: "memory log under node:test",
  factory: async () => ({
    open: async () => createMemoryLog(),
    dispose: async () => undefined,
  }),
});
