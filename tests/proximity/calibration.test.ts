import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { csvNumber, parseCsv } from "../../src/csv";
import { lookupCalibration } from "../../src/index";
import { repoData } from "../helpers/data";

// Source: data/calibration/en-calibration-2020-12-14.csv (Google, CC-BY-4.0, via microG).
const { rows } = parseCsv(readFileSync(repoData("calibration/en-calibration-2020-12-14.csv"), "utf8"));

describe("lookupCalibration", () => {
  it("finds every table row by its model and by its device name", () => {
    expect(rows).toHaveLength(551);
    for (const r of rows) {
      for (const name of [r.fields.model!, r.fields.device!]) {
        const c = lookupCalibration(name);
        expect(c.confidence, name).toBe("model");
        // duplicates of a name are averaged, so allow the spread of the duplicates
        expect(Math.abs(c.rssiCorrection - csvNumber(r, "rssi_correction")), name).toBeLessThanOrEqual(10);
      }
    }
  });

  it("returns exact values for unique models, case- and punctuation-insensitively", () => {
    expect(lookupCalibration("Pixel 4")).toEqual({
      rssiCorrection: 8,
      txPower: -30,
      confidence: "model",
      calibrationConfidence: 3,
    });
    expect(lookupCalibration("sm_g973f")).toMatchObject({
      rssiCorrection: 2,
      txPower: -29,
      confidence: "model",
    });
    expect(lookupCalibration("samsung SM-G973F")).toEqual(lookupCalibration("SM-G973F"));
    expect(lookupCalibration("Google Pixel 4")).toEqual(lookupCalibration("pixel4"));
  });

  it("falls back to the manufacturer (given or inferred), then the fleet", () => {
    const htc = lookupCalibration("HTC One M9");
    expect(htc).toMatchObject({ confidence: "manufacturer", calibrationConfidence: 1 });
    expect(lookupCalibration("no such phone", "HTC")).toEqual(htc);
    expect(lookupCalibration("", "alcatel").confidence).toBe("manufacturer");
    const fleet = lookupCalibration("gryphonelab");
    expect(fleet).toMatchObject({ confidence: "fleet", calibrationConfidence: 0 });
    expect(lookupCalibration()).toEqual(fleet);
    expect(lookupCalibration("x", "unknown maker")).toEqual(fleet);
    const mean = rows.reduce((s, r) => s + csvNumber(r, "tx_power"), 0) / rows.length;
    expect(fleet.txPower).toBe(Math.round(mean));
  });
});
