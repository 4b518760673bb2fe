/**
 * Provenance of the default policy: re-running its fit (scripts/fit-default-policy.ts) on the repository's
 * field data gives the shipped parameters (src/proximity/default-policy.json), and the default policy is
 * built from them. The fitting pieces are checked against hand-worked values.
 */
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { fitDefaultPolicy } from "../../scripts/fit-default-policy";
import { type Row, scenarioWindows } from "../../scripts/lib/field-data";
import { prepare, reliability, weightedScore } from "../../scripts/lib/fit-field";
import { fitLogistic, fitLogistic1 } from "../../scripts/lib/logistic";
import SHIPPED from "../../src/proximity/default-policy.json";
import { POLICIES } from "../../src/index";
import { ROOT, repoData } from "../helpers/data";

const logit = (p: number) => Math.log(p / (1 - p));

describe("default policy provenance", () => {
  it("re-running the fit on data/ gives the shipped parameters", async () => {
    repoData("field/dp3t-exp05/scenario01-lunch.sqlite");
    const dataDir = dirname(repoData("README.md"));
    const { params, folds } = await fitDefaultPolicy(dataDir);
    expect(params).toEqual(SHIPPED);
    expect(folds.map((f) => f.heldOut)).toEqual(["lunch", "train", "office", "queue", "party", "pc-ng"]);
    const d = POLICIES.default!;
    expect(d.buckets).toEqual(SHIPPED.buckets);
    expect(d.minWeight).toBe(SHIPPED.minWeight);
    expect(d.window).toEqual(SHIPPED.window);
    expect(d.probability).toEqual(SHIPPED.probability);
    expect(d.day).toEqual({ measure: "close", minSeconds: 900 });
  }, 180_000);
});

describe("fitting pieces", () => {
  it("one-feature logistic fit: closed form on a binary feature, same as the general solver", () => {
    // x = 0: 3 of 4 close; x = 1: 1 of 4 close → b0 = logit(3/4), b1 = logit(1/4) − logit(3/4).
    const x = [0, 0, 0, 0, 1, 1, 1, 1];
    const y = [true, true, true, false, true, false, false, false];
    const w = x.map(() => 1);
    const [b0, b1] = fitLogistic1(x, y, w);
    expect(b0).toBeCloseTo(logit(0.75), 9);
    expect(b1).toBeCloseTo(logit(0.25) - logit(0.75), 9);
    const general = fitLogistic(
      x.map((v) => [v]),
      y,
      w,
      0,
    );
    expect(general[0]).toBeCloseTo(b0, 9);
    expect(general[1]).toBeCloseTo(b1, 9);
    // Weights act as repeated rows: doubling the x = 1 rows' weight changes nothing in their proportion.
    const [c0, c1] = fitLogistic1(
      x,
      y,
      x.map((v) => (v === 1 ? 2 : 1)),
    );
    expect(c0).toBeCloseTo(b0, 9);
    expect(c1).toBeCloseTo(b1, 9);
  });

  it("scores verdicts with every set weighted equally", () => {
    // Set a: 1 positive caught, 1 negative rejected; set b (3 rows): positive missed, 2 negatives, 1 rejected.
    const windows = [
      { set: "a", close: true, instances: [] },
      { set: "a", close: false, instances: [] },
      { set: "b", close: true, instances: [] },
      { set: "b", close: false, instances: [] },
      { set: "b", close: false, instances: [] },
    ];
    const said = [true, false, false, true, false];
    const rows = prepare(windows);
    // Weights: a rows 1/2, b rows 1/3. Recall = (1/2)/(1/2 + 1/3) = 0.6; specificity = (1/2 + 1/3)/(1/2 + 2/3) = 5/7.
    const ba = (0.6 + 5 / 7) / 2;
    expect(weightedScore((i) => said[i]!, rows, "balancedAccuracy")).toBeCloseTo(ba, 12);
    // Per-set F1: a = 1, b = 0 (no true positive) → mean 0.5.
    expect(weightedScore((i) => said[i]!, rows, "balancedAccuracyF1")).toBeCloseTo((ba + 0.5) / 2, 12);
  });

  it("bins a reliability curve", () => {
    const bins = reliability([0.05, 0.15, 0.12, 0.95], [false, true, false, true]);
    expect(bins).toEqual([
      { from: 0, to: 0.1, n: 1, meanPredicted: 0.05, observed: 0 },
      { from: 0.1, to: 0.2, n: 2, meanPredicted: (0.15 + 0.12) / 2, observed: 0.5 },
      { from: 0.9, to: 1, n: 1, meanPredicted: 0.95, observed: 1 },
    ]);
  });

  it("forms field windows: one instance per minute, calibrated attenuation, median-distance label", () => {
    const t0 = 1_587_102_000_000; // a multiple of 300 s
    // SM-G973F hears SM-G973F: tx power −29 dBm, RSSI correction +2 dB (calibration table) → a = −31 − RSSI.
    const rows: Row[] = [
      [1, "SM-G973F", 2, "SM-G973F", t0 + 1_000, -70, 1.0],
      [1, "SM-G973F", 2, "SM-G973F", t0 + 2_000, -80, 3.0],
      [1, "SM-G973F", 2, "SM-G973F", t0 + 3_000, -90, 1.5],
      [1, "SM-G973F", 2, "SM-G973F", t0 + 61_000, -75, null],
      [1, "SM-G973F", 2, "SM-G973F", t0 + 62_000, 127, null], // RSSI not available: dropped
      [1, "SM-G973F", 2, "SM-G973F", t0 + 301_000, -60, null], // next window, unannotated
    ];
    const [w0, w1] = scenarioWindows("test", rows);
    expect(w0).toMatchObject({ pair: "1>2", start: t0 / 1000, labelled: true, close: true, distance: 1.5 });
    expect(w0!.instances).toEqual([
      {
        time: t0,
        typicalAttenuation: -31 + 80,
        minAttenuation: -31 + 70,
        packets: 3,
        secondsSinceLastScan: 60,
        calibrationConfidence: 3,
      },
      {
        time: t0 + 60_000,
        typicalAttenuation: -31 + 75,
        minAttenuation: -31 + 75,
        packets: 1,
        secondsSinceLastScan: 60,
        calibrationConfidence: 3,
      },
    ]);
    expect(w0!.trueCloseSeconds).toBe(60); // first minute's median 1.5 m; second unannotated
    expect(w1).toMatchObject({ labelled: false, close: false, trueCloseSeconds: 0 });
  });
});

describe("npm run eval:proximity", () => {
  it("reports missing data as `bluezone: …` with exit code 2, not a stack trace", () => {
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/eval-proximity.ts", "--data", "/nonexistent-bluezone-data"],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^bluezone: DP-3T exp05 field data \(scenarioNN-\*\.sqlite\) not found: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
  }, 60_000);
});
