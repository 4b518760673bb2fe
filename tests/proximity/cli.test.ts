import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { proximityFromCsv } from "../../src/cli/commands/proximity";
import { CsvFormatError, POLICIES, parseBeaconCsv } from "../../src/index";
import { ROOT } from "../helpers/data";

const HEADER = "pair,time,rssi,tx_power,receiver_model,transmitter_model";

describe("beacon CSV and proximity command", () => {
  it("parses rows, optional tx power and empty input", () => {
    expect(parseBeaconCsv("")).toEqual([]);
    expect(parseBeaconCsv(`${HEADER}\n`)).toEqual([]);
    expect(parseBeaconCsv(`${HEADER}\np,1.5,-60,,Pixel 4,\n`)).toEqual([
      // The file's unix seconds become unix ms, the library's time unit.
      { pair: "p", time: 1500, rssi: -60, receiverModel: "Pixel 4", transmitterModel: "" },
    ]);
  });

  it("names the line of a malformed row", () => {
    const bad = `${HEADER}\np,1,-60,,,\np,2,loud,,,\n`;
    expect(() => parseBeaconCsv(bad)).toThrow(CsvFormatError);
    expect(() => parseBeaconCsv(bad)).toThrow(/line 3/);
    expect(() => parseBeaconCsv(`${HEADER}\np,1,-60\n`)).toThrow(/line 2/);
    expect(() => parseBeaconCsv("pair,time\n")).toThrow(/missing column/);
  });

  it("groups per pair and aligned window, ordered by pair then start", () => {
    const csv = [HEADER, "b,1000,-60,-20,,", "a,1199,-50,-20,,", "a,1200,-95,-20,,", "a,1201,-97,-20,,"].join(
      "\n",
    );
    const out = proximityFromCsv(csv, "default", 300);
    expect(out.policy).toBe("default");
    expect(out.windows.map((w) => [w.pair, w.start, w.beacons])).toEqual([
      ["a", 900, 1],
      ["a", 1200, 2],
      ["b", 900, 1],
    ]);
    expect(out.windows[0]).toMatchObject({ close: true, closeSeconds: 10 });
    expect(out.windows[1]).toMatchObject({ close: false, closeSeconds: 0 });
    // The default policy's P(≤ 2 m): its logistic model of the window attenuation (printed to 0.1 dB).
    const { intercept, slope } = POLICIES.default!.probability!;
    for (const w of out.windows)
      expect(w.probability).toBeCloseTo(1 / (1 + Math.exp(-(intercept + slope * w.attenuation))), 2);
    expect(proximityFromCsv(csv, "cwa", 300).windows[0]!.probability).toBeUndefined();
  });

  it("runs as a process: JSON on stdout, typed error and non-zero exit on a bad row", () => {
    const dir = tmpdir();
    const good = join(dir, `bz-prox-${process.pid}.csv`);
    const bad = join(dir, `bz-prox-bad-${process.pid}.csv`);
    writeFileSync(good, `${HEADER}\nx,600,-55,,Pixel 4,Pixel 4\n`);
    writeFileSync(bad, `${HEADER}\nx,600,-55,,,\nx,601,,,,\n`);
    const run = (file: string) =>
      spawnSync(
        "npx",
        ["tsx", "src/cli/main.ts", "proximity", "--beacons", file, "--policy", "cwa", "--json"],
        { cwd: ROOT, encoding: "utf8" },
      );
    const ok = run(good);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({
      policy: "cwa",
      windows: [{ pair: "x", start: 600, beacons: 1, attenuation: 17, close: true, closeSeconds: 10 }],
    });
    const ko = run(bad);
    expect(ko.status).not.toBe(0);
    expect(ko.stderr).toMatch(/line 3/);
  });
});
