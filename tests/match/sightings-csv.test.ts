/**
 * A sightings CSV holds packets, not scans: each pseudo-scan stands for the time since the previous
 * one (≤ 300 s), and the first — which has none — for the file's median gap. Hand-worked: 11 packets
 * one minute apart (10:00…10:10) are 11 pseudo-scans 60 s apart, so 11 × 60 = 660 s (the first used
 * to count 300 s: 900 s, an F1 from 10 minutes of contact).
 */
import { describe, expect, it } from "vitest";
import { parseSightingsCsv } from "../../src/match/sightings-csv";

const T = Date.UTC(2026, 10, 25, 10, 0, 0) / 1000;
const rpi = "00112233445566778899aabbccddeeff";

const csv = (times: number[]) =>
  ["time,rpi,aem,rssi,receiver_model", ...times.map((t) => `${t},${rpi},01020304,-45,`)].join("\n");

describe("sightings CSV: the seconds each pseudo-scan stands for", () => {
  it("a packet a minute for 10 minutes: 60 s each, the first too (660 s in all)", () => {
    const { sightings } = parseSightingsCsv(csv(Array.from({ length: 11 }, (_, m) => T + 60 * m)));
    expect(sightings.map((s) => s.secondsSinceLastScan)).toEqual(new Array(11).fill(60));
  });

  it("the first stands for the median gap; later gaps as they are, capped at 300 s", () => {
    // Gaps 20, 40, 40, 600 → sorted 20, 40, 40, 600 → lower median 40.
    const { sightings } = parseSightingsCsv(csv([T, T + 20, T + 60, T + 100, T + 700]));
    expect(sightings.map((s) => s.secondsSinceLastScan)).toEqual([40, 20, 40, 40, 300]);
  });

  it("one pseudo-scan alone stands for 300 s (nothing to measure a cadence from)", () => {
    expect(parseSightingsCsv(csv([T])).sightings.map((s) => s.secondsSinceLastScan)).toEqual([300]);
  });

  it("a time past year 9999 is refused naming its line, in seconds (it said 'unix ms' without a line)", () => {
    expect(() => parseSightingsCsv(csv([T, 1e20]))).toThrow(
      "line 3: time must be unix seconds in 0…253402300799 (year 9999), got 100000000000000000000",
    );
  });
});
