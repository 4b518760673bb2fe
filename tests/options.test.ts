/**
 * A misspelt option name is refused with the nearest known one, where plain JavaScript would otherwise
 * keep the option's default without a word (a trial user's `retry: { baseMs: 10 }` left the 1-s back-off).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkExposure,
  closestName,
  createKeyFeed,
  createMemoryLog,
  createSimulatedMedium,
  createTracer,
  openLevelLog,
  parsePublicKey,
  virtualClock,
} from "../src/index";

const dir = mkdtempSync(join(tmpdir(), "bluezone-options-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const unknown = (what: string, name: string, near: string) =>
  expect.objectContaining({
    code: "ERR_INVALID_ARGUMENT",
    message: expect.stringMatching(
      new RegExp(`^${what}: unknown option "${name}" \\(did you mean "${near}"\\?\\); known: `),
    ),
  });

describe("misspelt option names", () => {
  it("names the nearest known name (Levenshtein distance ≤ max(2, ⌊length/4⌋), case-insensitive)", () => {
    // "baseMs" → "baseDelayMs" is 5 insertions, more than max(2, ⌊6/4⌋) = 2: no suggestion.
    expect(closestName("baseMs", ["retries", "baseDelayMs", "maxDelayMs", "sleep"])).toBeUndefined();
    expect(closestName("baseDelayMS", ["retries", "baseDelayMs", "maxDelayMs", "sleep"])).toBe("baseDelayMs");
    expect(closestName("polcy", ["policy", "maxLevel"])).toBe("policy");
    expect(closestName("RECEIVERMODEL", ["receiverModel"])).toBe("receiverModel");
    // A shortened or lengthened name: the one known name holding it (or held in it), else none.
    expect(closestName("recall", ["kind", "from", "tracingRecall", "compliance"])).toBe("tracingRecall");
    expect(closestName("startHourOfDay", ["startHour", "durationHours"])).toBe("startHour");
    expect(closestName("hour", ["startHour", "durationHours"])).toBeUndefined(); // two hold it
    expect(closestName("day", ["days"])).toBe("days"); // a distance of 1 still wins first
    expect(closestName("zzz", ["policy"])).toBeUndefined();
  });

  it("createKeyFeed refuses them, also inside retry, timeouts and checkOptions", () => {
    const trusted = parsePublicKey(new Uint8Array(32).fill(1));
    const base = { baseUrl: "https://keys.example/", trustedKeys: [trusted], log: createMemoryLog() };
    // Too far from any name for a suggestion: the message lists the known ones.
    expect(() => createKeyFeed({ ...base, retry: { baseMs: 10 } } as never)).toThrow(
      expect.objectContaining({
        code: "ERR_INVALID_ARGUMENT",
        message:
          'createKeyFeed retry: unknown option "baseMs"; known: retries, baseDelayMs, maxDelayMs, sleep',
      }),
    );
    expect(() => createKeyFeed({ ...base, timeouts: { connectMS: 10 } } as never)).toThrow(
      unknown("createKeyFeed timeouts", "connectMS", "connectMs"),
    );
    expect(() => createKeyFeed({ ...base, checkOptions: { recieverModel: "Pixel 4" } } as never)).toThrow(
      unknown("createKeyFeed checkOptions", "recieverModel", "receiverModel"),
    );
    expect(() => createKeyFeed({ ...base, maxFilesPerSinc: 5 } as never)).toThrow(
      unknown("createKeyFeed", "maxFilesPerSinc", "maxFilesPerSync"),
    );
    expect(() => createKeyFeed({ ...base, retry: { baseDelayMs: 10 } })).not.toThrow();
  });

  it("createTracer, checkExposure and openLevelLog refuse them", async () => {
    const clock = virtualClock(Date.UTC(2021, 6, 24));
    const transport = createSimulatedMedium({
      clock,
      random: () => new Uint8Array(16),
      link: () => [],
    }).createTransport("a");
    const log = createMemoryLog();
    expect(() => createTracer({ transport, log, clock, retentionDay: 14 } as never)).toThrow(
      unknown("createTracer", "retentionDay", "retentionDays"),
    );
    expect(() => createTracer({ transport, log, clock, backoff: { maxMS: 1 } } as never)).toThrow(
      unknown("createTracer backoff", "maxMS", "maxMs"),
    );
    await expect(checkExposure(log, [], { polcy: "default" } as never)).rejects.toThrow(
      unknown("checkExposure", "polcy", "policy"),
    );
    await expect(openLevelLog(join(dir, "db"), { createIfMisisng: false } as never)).rejects.toThrow(
      unknown("openLevelLog", "createIfMisisng", "createIfMissing"),
    );
  });
});
