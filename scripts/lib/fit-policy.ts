/**
 * Fits the default policy's free parameters (instance blend, window summary, 2 m threshold) on labelled
 * windows, and cross-validates the fit leaving one data set (carriage) out at a time.
 */
import type { ContactPolicy } from "../../src/proximity/policy";
import { classify, rocAuc } from "../../src/proximity/metrics";
import { windowAttenuation } from "../../src/proximity/windows";
import type { LabelledWindow } from "./rss-data";

/** The free parameters of the default policy. */
export interface FitParams {
  /** Instance blend towards the minimum attenuation. */
  minWeight: number;
  /** Window summary. */
  window: ContactPolicy["window"];
  /** Close (≤ 2 m) attenuation threshold, dB. */
  nearDb: number;
}

/** The default policy with some parameters replaced; other buckets 6 dB (a doubling of distance) apart. */
export function withParams(base: ContactPolicy, p: FitParams): ContactPolicy {
  return {
    ...base,
    minWeight: p.minWeight,
    window: p.window,
    buckets: { immediate: p.nearDb - 6, near: p.nearDb, medium: p.nearDb + 6 },
  };
}

const GRID_BLEND = [0, 0.5, 1];
const GRID_WINDOW: ContactPolicy["window"][] = [
  { aggregate: "mean", quantile: 0.5 },
  { aggregate: "quantile", quantile: 0.1 },
  { aggregate: "quantile", quantile: 0.25 },
  { aggregate: "quantile", quantile: 0.5 },
];

/**
 * Balanced accuracy of "attenuation ≤ threshold" over the pooled windows, each data set weighted
 * equally: the carriage is unknown in the field, so one threshold must serve the mix of them.
 */
function pooledBalancedAccuracy(bySet: { att: number[]; truth: boolean[] }[], threshold: number): number {
  let tp = 0;
  let pos = 0;
  let tn = 0;
  let neg = 0;
  for (const d of bySet) {
    const w = 1 / d.att.length;
    d.att.forEach((a, i) => {
      if (d.truth[i]) {
        pos += w;
        if (a <= threshold) tp += w;
      } else {
        neg += w;
        if (a > threshold) tn += w;
      }
    });
  }
  return (tp / pos + tn / neg) / 2;
}

/**
 * Grid search: the parameters maximising the pooled balanced accuracy of the window decision (each
 * carriage weighted equally).
 */
export function fitParams(
  base: ContactPolicy,
  windows: readonly LabelledWindow[],
): FitParams & { score: number } {
  const sets = [...new Set(windows.map((w) => w.set))];
  let best: (FitParams & { score: number }) | undefined;
  for (const minWeight of GRID_BLEND) {
    for (const window of GRID_WINDOW) {
      const policy = { ...base, minWeight, window };
      const bySet = sets.map((set) => {
        const ws = windows.filter((w) => w.set === set);
        return { att: ws.map((w) => windowAttenuation(w.instances, policy)!), truth: ws.map((w) => w.close) };
      });
      for (let nearDb = 40; nearDb <= 80; nearDb += 0.5) {
        const score = pooledBalancedAccuracy(bySet, nearDb);
        if (!best || score > best.score + 1e-12) best = { minWeight, window, nearDb, score };
      }
    }
  }
  return best!;
}

/** One fold of leave-one-set-out cross-validation. */
export interface Fold {
  /** Held-out data set. */
  heldOut: string;
  /** Parameters fitted on the other sets. */
  params: FitParams;
  /** Held-out metrics of the fitted policy. */
  precision: number;
  recall: number;
  f1: number;
  balancedAccuracy: number;
  rocAuc: number;
}

/** Leave-one-set-out cross-validation of {@link fitParams}. */
export function crossValidate(base: ContactPolicy, windows: readonly LabelledWindow[]): Fold[] {
  const sets = [...new Set(windows.map((w) => w.set))];
  return sets.map((heldOut) => {
    const { score: _score, ...params } = fitParams(
      base,
      windows.filter((w) => w.set !== heldOut),
    );
    const policy = withParams(base, params);
    const test = windows.filter((w) => w.set === heldOut);
    const att = test.map((w) => windowAttenuation(w.instances, policy)!);
    const truth = test.map((w) => w.close);
    const m = classify(
      att.map((a) => a <= params.nearDb),
      truth,
    );
    return {
      heldOut,
      params,
      precision: m.precision,
      recall: m.recall,
      f1: m.f1,
      balancedAccuracy: m.balancedAccuracy,
      rocAuc: rocAuc(
        att.map((a) => -a),
        truth,
      ),
    };
  });
}
