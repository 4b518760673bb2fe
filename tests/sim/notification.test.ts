/**
 * When the simulated app tells its user: once per level while a notification is in force, but an F2
 * who becomes a case's close contact is told F1 (hand-worked cases; an F2 notification held back the F1
 * one for f2Days, which cut F1 recall: 0.61 against 0.81 without F2s in a trial run).
 */
import { describe, expect, it } from "vitest";
import { isNews } from "../../sim/app/notification";

describe("isNews", () => {
  it("anything is news when no notification is in force, or it has ended", () => {
    expect(isNews(1, 5, { until: 0, level: 0 })).toBe(true);
    expect(isNews(2, 5, { until: 0, level: 0 })).toBe(true);
    expect(isNews(2, 12, { until: 12, level: 1 })).toBe(true); // in force until day 12, exclusive
  });

  it("an F1 in force holds back another F1 and an F2", () => {
    expect(isNews(1, 5, { until: 12, level: 1 })).toBe(false);
    expect(isNews(2, 5, { until: 12, level: 1 })).toBe(false);
  });

  it("an F2 in force holds back another F2, not an F1", () => {
    expect(isNews(2, 5, { until: 8, level: 2 })).toBe(false);
    expect(isNews(1, 5, { until: 8, level: 2 })).toBe(true);
  });
});
