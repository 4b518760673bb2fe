/** CI-sized crash campaign (5 kills); `npm run test:crash -- --runs 100` runs the full one. */
import { expect, it } from "vitest";
import { runCrashTrials } from "./harness";

it("a LevelDB log with sync: true loses no acknowledged batch and holds no partial batch across 5 SIGKILLs", async () => {
  const r = await runCrashTrials({ runs: 5, seed: 5 });
  expect(r.openFailures).toBe(0);
  expect(r.lost).toBe(0);
  expect(r.partialBatches).toBe(0);
  expect(r.acknowledgedBatches).toBeGreaterThan(0);
  expect(r.finalRecords).toBeGreaterThanOrEqual(r.acknowledgedRecords);
});
