import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ContactPolicy,
  computeAttenuation,
  decideDays,
  distanceBucket,
  evaluateWindows,
  getPolicy,
  POLICIES,
  PolicyError,
  rocAuc,
  scoreWindow,
  type ScanInstanceLike,
  classify,
  validatePolicy,
} from "../../src/index";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 100 });

/** A scan instance at `unixSeconds` (instances carry unix ms). */
const inst = (unixSeconds: number, att: number, seconds = 60): ScanInstanceLike => ({
  time: unixSeconds * 1000,
  typicalAttenuation: att,
  minAttenuation: att - 3,
  packets: 4,
  secondsSinceLastScan: seconds,
});

describe("attenuation", () => {
  it("is tx power minus corrected RSSI, metadata tx power winning", () => {
    expect(computeAttenuation(-60, { txPower: -20, receiverModel: "Pixel 4" })).toBe(-20 - (-60 + 8));
    expect(computeAttenuation(-60, { transmitterModel: "SM-G973F", receiverModel: "Pixel 4" })).toBe(
      -29 + 60 - 8,
    );
  });
  it("buckets by inclusive thresholds", () => {
    const t = { immediate: 50, near: 55, medium: 60 };
    expect([50, 51, 55, 60, 61].map((a) => distanceBucket(a, t))).toEqual([
      "immediate",
      "near",
      "near",
      "medium",
      "other",
    ]);
  });
});

describe("policies", () => {
  it("validates every preset and rejects nonsense", () => {
    for (const p of Object.values(POLICIES)) expect(validatePolicy(p)).toBe(p);
    const bad: Partial<ContactPolicy>[] = [
      { buckets: { immediate: 60, near: 50, medium: 70 } },
      { weights: { immediate: -1, near: 1, medium: 0, other: 0 } },
      { minWeight: 2 },
      { window: { aggregate: "quantile", quantile: 1.5 } },
      { day: { measure: "close", minSeconds: -1 } },
    ];
    for (const b of bad) expect(() => validatePolicy({ ...POLICIES.default!, ...b })).toThrow(PolicyError);
    expect(() => getPolicy("nope")).toThrow(PolicyError);
  });

  it("applies the SwissCovid and CWA thresholds", () => {
    const sw = getPolicy("swisscovid");
    const [w1, w2, w3] = [49, 54, 56].map((a) => evaluateWindows([inst(0, a)], sw)[0]!);
    expect([w1!.weightedSeconds, w2!.weightedSeconds, w3!.weightedSeconds]).toEqual([60, 30, 0]);
    expect([w1!.close, w2!.close, w3!.close]).toEqual([true, true, false]);
    const cwa = getPolicy("cwa");
    expect(evaluateWindows([inst(0, 60)], cwa)[0]).toMatchObject({ close: true, weightedSeconds: 30 });
    expect(evaluateWindows([inst(0, 80)], cwa)[0]).toMatchObject({ close: false, weightedSeconds: 0 });
    expect(evaluateWindows([inst(0, 120)], getPolicy("bluezone"))[0]!.close).toBe(true);
  });

  it("aligns windows and adds days up with the 15-minute rule", () => {
    // From 00:10 (each instance stands for the minute before it: all of them within 1 May).
    const day0 = Date.UTC(2024, 4, 1, 0, 10) / 1000;
    const close = Array.from({ length: 15 }, (_, i) => inst(day0 + i * 60, 40));
    const windows = evaluateWindows(close, POLICIES.default!, { windowSeconds: 300 });
    expect(windows.map((w) => w.start / 1000 - day0)).toEqual([0, 300, 600]);
    expect(windows.every((w) => w.closeSeconds === 300)).toBe(true);
    expect(decideDays(windows, POLICIES.default!)).toMatchObject([
      { day: "2024-05-01", closeSeconds: 900, weightedSeconds: 900, f1: true },
    ]);
    expect(decideDays(windows.slice(1), POLICIES.default!)[0]!.f1).toBe(false);
  });

  it("gives P(≤ 2 m) per window and sums expected close seconds per day", () => {
    const day0 = Date.UTC(2024, 4, 1, 0, 10) / 1000;
    // log-odds ln 3 at every attenuation → P = 0.75; 15 one-minute instances in three windows.
    const flat: ContactPolicy = {
      ...POLICIES.default!,
      probability: { intercept: Math.log(3), slope: 0 },
      day: { measure: "expected", minSeconds: 600 },
    };
    const close = Array.from({ length: 15 }, (_, i) => inst(day0 + i * 60, 40));
    const windows = evaluateWindows(close, flat);
    for (const w of windows) {
      expect(w.probability).toBeCloseTo(0.75, 12);
      expect(w.expectedCloseSeconds).toBeCloseTo(225, 9);
    }
    const [day] = decideDays(windows, flat);
    expect(day!.expectedCloseSeconds).toBeCloseTo(675, 9);
    expect(day!.f1).toBe(true); // 675 ≥ 600 expected seconds
    expect(decideDays(windows, { ...flat, day: { measure: "expected", minSeconds: 700 } })[0]!.f1).toBe(
      false,
    );
    // log-odds 10 − 0.2 a: P = 1/2 at 50 dB; the window attenuation is the policy's summary.
    const sloped: ContactPolicy = { ...flat, minWeight: 0, probability: { intercept: 10, slope: -0.2 } };
    expect(evaluateWindows([{ ...inst(day0, 50), minAttenuation: 50 }], sloped)[0]!.probability).toBe(0.5);
    const far = evaluateWindows([inst(day0, 60)], sloped)[0]!;
    expect(far.probability).toBeCloseTo(1 / (1 + Math.exp(2)), 12);
    // Without a model: no probability, expected close seconds = close seconds.
    const sw = evaluateWindows([inst(day0, 49)], getPolicy("swisscovid"))[0]!;
    expect(sw.probability).toBeUndefined();
    expect(sw.expectedCloseSeconds).toBe(sw.closeSeconds);
    // A window result made elsewhere, without expected seconds, counts its close seconds.
    const { expectedCloseSeconds: _e, ...bare } = sw;
    expect(decideDays([bare], getPolicy("swisscovid"))[0]!.expectedCloseSeconds).toBe(sw.closeSeconds);
    expect(() =>
      validatePolicy({ ...POLICIES.swisscovid!, day: { measure: "expected", minSeconds: 900 } }),
    ).toThrow(PolicyError);
  });

  it("window results are bounded and close windows are the low-attenuation ones (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 3000 }), a: fc.integer({ min: 20, max: 100 }) }), {
          maxLength: 40,
        }),
        (xs) => {
          const ws = evaluateWindows(
            xs.map((x) => inst(x.t, x.a)),
            POLICIES.default!,
            { windowSeconds: 300 },
          );
          expect(ws.reduce((s, w) => s + w.instances, 0)).toBe(xs.length);
          for (const w of ws) {
            expect(w.start % 300_000).toBe(0);
            expect(w.closeSeconds).toBeLessThanOrEqual(300);
            expect(w.close).toBe(w.attenuation <= POLICIES.default!.buckets.near);
          }
        },
      ),
    );
  });
});

describe("metrics", () => {
  it("computes ROC-AUC with ties and the confusion rates", () => {
    expect(rocAuc([1, 2, 3, 4], [false, false, true, true])).toBe(1);
    expect(rocAuc([1, 1, 1, 1], [false, true, false, true])).toBe(0.5);
    expect(classify([true, true, false, false], [true, false, true, false])).toMatchObject({
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
      balancedAccuracy: 0.5,
    });
  });
});

describe("evaluateWindows groups instances by window whatever their order", () => {
  // Reference written apart: each instance's seconds first cut to the time since the latest earlier
  // scan time (each second counted once; a time that is not a number keeps its own), then each window's
  // instances (in the order given) collected by a linear search over the windows seen, the windows then
  // sorted by start; each scored by scoreWindow.
  const reference = (instances: ScanInstanceLike[], policy: ContactPolicy, windowSeconds: number) => {
    const cut = instances.map((s, i) => {
      if (!Number.isFinite(s.time)) return s;
      // Earlier: a smaller time, or the same time listed before.
      const earlier = instances
        .filter((o, k) => Number.isFinite(o.time) && (o.time < s.time || (o.time === s.time && k < i)))
        .map((o) => o.time);
      const latest = earlier.length > 0 ? Math.max(...earlier) : Number.NEGATIVE_INFINITY;
      return {
        ...s,
        secondsSinceLastScan: Math.max(0, Math.min(s.secondsSinceLastScan, (s.time - latest) / 1000)),
      };
    });
    const groups: { start: number; list: ScanInstanceLike[] }[] = [];
    for (const s of cut) {
      const start = Math.floor(s.time / (windowSeconds * 1000)) * windowSeconds * 1000;
      const g = groups.find((x) => x.start === start);
      if (g) g.list.push(s);
      else groups.push({ start, list: [s] });
    }
    return groups.sort((a, b) => a.start - b.start).map((g) => scoreWindow(g.start, g.list, policy));
  };
  it("matches the reference for sorted, shuffled and NaN-timed instances under every policy", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            t: fc.integer({ min: 0, max: 7200 }),
            att: fc.integer({ min: 20, max: 110 }),
            conf: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
            packets: fc.integer({ min: 1, max: 20 }),
          }),
          { maxLength: 40 },
        ),
        fc.constantFrom(...Object.keys(POLICIES)),
        fc.constantFrom(60, 300, 900),
        fc.boolean(),
        fc.boolean(),
        (raw, name, windowSeconds, sorted, withNaN) => {
          const instances: ScanInstanceLike[] = raw.map((r) => ({
            time: 1_700_000_000_000 + r.t * 1000,
            typicalAttenuation: r.att,
            minAttenuation: r.att - 4,
            packets: r.packets,
            secondsSinceLastScan: 120,
            ...(r.conf === undefined ? {} : { calibrationConfidence: r.conf }),
          }));
          if (sorted) instances.sort((a, b) => a.time - b.time);
          if (withNaN && instances.length > 0) instances[instances.length >> 1]!.time = Number.NaN;
          const policy = POLICIES[name]!;
          const got = evaluateWindows(instances, policy, { windowSeconds });
          expect(got).toEqual(reference(instances, policy, windowSeconds));
          // Confidences given beside the instances: as if each instance carried its entry (an
          // undefined entry leaves the instance's own).
          const confidences = raw.map((r) => (r.att % 3 === 0 ? undefined : r.att % 4));
          const carried = instances.map((x, i) =>
            confidences[i] === undefined ? x : { ...x, calibrationConfidence: confidences[i] },
          );
          expect(evaluateWindows(instances, policy, { windowSeconds, confidences })).toEqual(
            reference(carried, policy, windowSeconds),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
  it("rejects confidences that do not match the instances one for one", () => {
    expect(() => evaluateWindows([inst(0, 50)], POLICIES.default!, { confidences: [1, 2] })).toThrow(
      /2 entries for 1 instances/,
    );
  });
});
