/**
 * A partition in a worker thread following the coordinator's world: what it is fed wrongly, or a
 * worker that goes away, fails the day's request with a reason instead of leaving it waiting.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type AppPartitionHandle, startPartitionWorker } from "../../sim/app/parallel";
import { prepareScenario } from "../../sim/run";
import { loadScenario } from "../../sim/scenario";
import { buildMobility, buildRunWorld } from "../../sim/world/build";
import { shareDay, shareWorld } from "../../sim/world/shared";

const scenario = prepareScenario({
  scenario: loadScenario("hanoi-ward"),
  phones: 300,
  days: 2,
  adoption: 0.5,
});
const NONE = { quarantines: [], releases: [] };

describe("a partition worker following the coordinator", () => {
  let handle: AppPartitionHandle | undefined;
  afterEach(async () => {
    await handle?.close?.();
    handle = undefined;
  });

  const start = async () => {
    const world = shareWorld(buildRunWorld(scenario, { seed: scenario.seed }));
    const leader = buildMobility(scenario, { seed: scenario.seed, world });
    handle = startPartitionWorker({ scenario, world, partition: { index: 0, count: 2 }, radio: "scan" });
    await handle.start();
    leader.startDay(0);
    return { world, leader, day: shareDay(leader.currentDay()) };
  };

  it("fails the day when fed neighbour lists of the wrong shape (no wait for steps that cannot come)", async () => {
    const { day } = await start();
    const running = handle!.runDay(0, NONE, day);
    // One step of offsets for two people: the partition has ≈ 75 phones.
    handle!.feed!({ day: 0, first: 0, count: 1, starts: Int32Array.of(0, 0, 0), list: new Int32Array(0) });
    await expect(running).rejects.toThrow(/offsets for 1 steps/);
  }, 60_000);

  it("fails a day still waiting for its steps when the worker is closed", async () => {
    const { day } = await start();
    const running = handle!.runDay(0, NONE, day);
    await new Promise((resume) => setTimeout(resume, 200));
    await handle!.close!();
    await expect(running).rejects.toThrow(/simulation worker/);
  }, 60_000);

  it("refuses a day without the coordinator's day", async () => {
    await start();
    await expect(handle!.runDay(0, NONE)).rejects.toThrow(/without the coordinator's day/);
  }, 60_000);
});
