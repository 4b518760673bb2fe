import { describe, expect, it } from "vitest";
import {
  createBluezoneSchedule,
  DAY_MS,
  InvalidDayKeyRecordError,
  parseDayKeyRecords,
  parseDayKeyRecordsJson,
} from "../../src/index";

const day = 18_500;
const record = (d: number, key = "ab".repeat(32)) => ({
  daily_key: key,
  time_start: d * DAY_MS,
  max: 96,
  time_end: (d + 1) * DAY_MS,
});

describe("Bluezone F0 day-key records", () => {
  it("accepts what a Bluezone schedule releases, sorted by day", () => {
    const s = createBluezoneSchedule({ clock: { now: () => (day + 3) * DAY_MS + 5 }, baseDay: day });
    const released = s.releaseKeys();
    expect(parseDayKeyRecords([...released].reverse())).toEqual(released);
    expect(parseDayKeyRecordsJson(JSON.stringify(released))).toEqual(released);
  });

  const bad: [string, unknown, RegExp][] = [
    ["short key", record(day, "ab"), /daily_key/],
    ["non-hex key", record(day, "zz".repeat(32)), /daily_key/],
    ["not midnight", { ...record(day), time_start: day * DAY_MS + 1 }, /midnight/],
    ["wrong end", { ...record(day), time_end: day * DAY_MS }, /time_end/],
    ["wrong max", { ...record(day), max: 144 }, /max/],
    ["string time", { ...record(day), time_start: "1" }, /time_start/],
    ["null", null, /object/],
  ];
  for (const [name, r, message] of bad) {
    it(`rejects ${name} naming the record`, () => {
      let error: unknown;
      try {
        parseDayKeyRecords([record(day - 1), r]);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(InvalidDayKeyRecordError);
      expect((error as InvalidDayKeyRecordError).index).toBe(1);
      expect((error as Error).message).toMatch(message);
    });
  }

  it("rejects duplicates, non-arrays, bad JSON and too many records", () => {
    expect(() => parseDayKeyRecords([record(day), record(day)])).toThrow(/twice/);
    expect(() => parseDayKeyRecords({})).toThrow(InvalidDayKeyRecordError);
    expect(() => parseDayKeyRecordsJson("[")).toThrow(InvalidDayKeyRecordError);
    expect(() => parseDayKeyRecords([record(1), record(2)], { maxRecords: 1 })).toThrow(/limit 1/);
  });
});
