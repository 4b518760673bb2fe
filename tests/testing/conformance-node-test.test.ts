/**
 * The exported conformance suites need no particular test framework: the contact-log suite registered
 * with `node:test`'s describe/it (examples/conformance/memory-log.node-test.ts) runs, and passes, under
 * Node's own test runner.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("conformance suites under node:test", () => {
  it("runs every contact-log conformance test with node --test, all passing", () => {
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "--test", "--test-reporter=tap", "examples/conformance/memory-log.node-test.ts"],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    // 24 tests for a non-persistent store: the model run, 7 explicit tests and 16 ways of breaking a sighting.
    expect(child.stdout).toMatch(/^# tests 24$/m);
    expect(child.stdout).toMatch(/^# pass 24$/m);
    expect(child.stdout).toMatch(/^# fail 0$/m);
    expect(child.stdout).toContain("ok 1 - ContactLog conformance: memory log under node:test");
  });
});
