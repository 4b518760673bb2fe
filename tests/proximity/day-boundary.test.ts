/**
 * The day rule's day boundary: UTC, a fixed offset or an IANA zone. Expected dates are worked out by
 * hand from the offsets (Vietnam UTC+7 all year; Berlin UTC+1, UTC+2 from 01:00 UTC on 28 March 2021).
 */
import { describe, expect, it } from "vitest";
import {
  decideDays,
  evaluateWindows,
  getPolicy,
  InvalidArgumentError,
  localDate,
  PolicyError,
  type ScanInstanceLike,
  utcOffsetBoundary,
  validateDayBoundary,
  validatePolicy,
  withDayBoundary,
} from "../../src/index";

const at = (iso: string) => Date.parse(iso);

describe("day boundary", () => {
  it("gives the local date of an instant", () => {
    for (const b of ["+07:00", "Asia/Ho_Chi_Minh"]) {
      expect(localDate(at("2021-07-12T16:59:59Z"), b)).toBe("2021-07-12");
      expect(localDate(at("2021-07-12T17:00:00Z"), b)).toBe("2021-07-13");
    }
    expect(localDate(at("2021-07-12T17:00:00Z"), "UTC")).toBe("2021-07-12");
    expect(localDate(at("2021-07-12T17:00:00Z"))).toBe("2021-07-12");
    expect(localDate(at("2021-07-13T02:59:59Z"), "-03:00")).toBe("2021-07-12");
    expect(localDate(at("2021-07-13T03:00:00Z"), "-03:00")).toBe("2021-07-13");
    // Daylight saving: midnight is 23:00 UTC in winter and 22:00 UTC in summer.
    expect(localDate(at("2021-03-26T22:59:00Z"), "Europe/Berlin")).toBe("2021-03-26");
    expect(localDate(at("2021-03-26T23:00:00Z"), "Europe/Berlin")).toBe("2021-03-27");
    expect(localDate(at("2021-07-12T21:59:00Z"), "Europe/Berlin")).toBe("2021-07-12");
    expect(localDate(at("2021-07-12T22:00:00Z"), "Europe/Berlin")).toBe("2021-07-13");
  });

  it("writes an offset in hours as ±HH:MM", () => {
    expect(utcOffsetBoundary(7)).toBe("+07:00");
    expect(utcOffsetBoundary(0)).toBe("+00:00");
    expect(utcOffsetBoundary(-3.5)).toBe("-03:30");
    expect(utcOffsetBoundary(5.75)).toBe("+05:45");
    expect(() => utcOffsetBoundary(15)).toThrow(InvalidArgumentError);
    expect(() => utcOffsetBoundary(1.001)).toThrow(InvalidArgumentError);
  });

  it("rejects what is not UTC, ±HH:MM or a known zone, and a policy carrying it", () => {
    for (const ok of ["UTC", "+07:00", "-12:00", "+14:00", "+05:45", "Asia/Ho_Chi_Minh"])
      expect(validateDayBoundary(ok)).toBe(ok);
    for (const bad of ["", "+7", "+07", "+25:00", "-13:00", "+07:60", "Mars/Olympus_Mons"])
      expect(() => validateDayBoundary(bad)).toThrow(InvalidArgumentError);
    expect(() => validateDayBoundary("+07:60")).toThrow("day boundary +07:60: minutes must be 00…59");
    expect(() => validateDayBoundary("+15:00")).toThrow("offset must be within −12:00…+14:00");
    expect(() => withDayBoundary(getPolicy("default"), "+7")).toThrow(PolicyError);
    const policy = getPolicy("default");
    expect(() => validatePolicy({ ...policy, day: { ...policy.day, boundary: "Nowhere/Land" } })).toThrow(
      /day\.boundary/,
    );
  });
});

describe("the day rule at a day boundary", () => {
  /**
   * A close contact from `from` for `minutes`: one close scan instance (40 dB) at the end of each of its
   * minutes, standing for that minute (60 s before its scan time).
   */
  const contact = (from: string, minutes: number): ScanInstanceLike[] =>
    Array.from({ length: minutes }, (_, i) => ({
      time: at(from) + 60_000 * (i + 1),
      typicalAttenuation: 40,
      minAttenuation: 38,
      secondsSinceLastScan: 60,
    }));
  const days = (instances: ScanInstanceLike[], boundary?: string) => {
    const policy = boundary ? withDayBoundary(getPolicy("default"), boundary) : getPolicy("default");
    return decideDays(evaluateWindows(instances, policy), policy).map((d) => [d.day, d.closeSeconds, d.f1]);
  };

  it("splits a contact from 23:50 to 00:10 local time into two days of 10 minutes", () => {
    // 16:50–17:10 UTC is 23:50–00:10 in Hanoi: four close 5-minute windows of 300 s.
    const c = contact("2021-07-12T16:50:00Z", 20);
    expect(days(c)).toEqual([["2021-07-12", 1200, true]]); // one UTC day: 20 min ≥ 15
    const local = [
      ["2021-07-12", 600, false],
      ["2021-07-13", 600, false],
    ];
    expect(days(c, "+07:00")).toEqual(local);
    expect(days(c, "Asia/Ho_Chi_Minh")).toEqual(local);
  });

  it("keeps a 16-minute contact before local midnight in one day", () => {
    // 23:40–23:56 local: 16 one-minute scans at 23:41 … 23:56, every second of them in 12 July.
    expect(days(contact("2021-07-12T16:40:00Z", 16), "+07:00")).toEqual([["2021-07-12", 960, true]]);
  });
});
