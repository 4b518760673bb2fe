/**
 * Fits the default policy on field data and cross-validates the fit leaving one scenario out.
 *
 * Model (GAEN-shaped, plain data): instance attenuation = typical + minWeight × (minimum − typical);
 * window attenuation = a quantile (or the mean) of its instances; close (≤ 2 m) when the window
 * attenuation ≤ a threshold; P(≤ 2 m) = σ(intercept + slope × window attenuation), a logistic model of
 * the same one number. Chosen by grid search: (minWeight, window summary, threshold) maximising balanced
 * accuracy with every data set weighted equally (a scenario's size should not decide the fit); then the
 * logistic model by weighted maximum likelihood (every set equal). Multi-feature logistic models and
 * packet counts were tried and did not beat this one-number model out of scenario (docs/proximity-eval.md).
 */
import { classify, rocAuc } from "../../src/proximity/metrics";
import type { ContactPolicy } from "../../src/proximity/policy";
import { type ScanInstanceLike, windowAttenuation } from "../../src/proximity/windows";
import { fitLogistic1, sigmoid } from "./logistic";

/** What the fit needs of a labelled window. */
export interface FitWindow {
  /** Data set (scenario or `pc-ng`): the unit left out in cross-validation. */
  set: string;
  /** Variant of the same data (e.g. the scan length instances were formed with); default one variant. */
  variant?: string;
  /** Ground truth ≤ 2 m. */
  close: boolean;
  /** Scan instances. */
  instances: readonly ScanInstanceLike[];
}

/** The fitted parameters (what the default policy ships). */
export interface FieldFit {
  /** Instance blend towards the minimum attenuation. */
  minWeight: number;
  /** Window summary. */
  window: ContactPolicy["window"];
  /** Close (≤ 2 m) attenuation threshold, dB. */
  nearDb: number;
  /** P(≤ 2 m) = σ(intercept + slope × window attenuation). */
  probability: { intercept: number; slope: number };
  /** Set-weighted balanced accuracy of the threshold on the fitting data. */
  score: number;
}

/** Grid of the search. */
export const GRID = {
  minWeight: [0, 0.5, 1],
  window: [
    { aggregate: "mean", quantile: 0.5 },
    { aggregate: "quantile", quantile: 0 },
    { aggregate: "quantile", quantile: 0.1 },
    { aggregate: "quantile", quantile: 0.25 },
    { aggregate: "quantile", quantile: 0.5 },
  ] as ContactPolicy["window"][],
  thresholdDb: { from: 40, to: 80, step: 0.5 },
};

/** Window attenuation of every window under a (minWeight, window) summary. */
export function summarise(
  windows: readonly FitWindow[],
  minWeight: number,
  window: ContactPolicy["window"],
): number[] {
  const policy = { minWeight, window } as ContactPolicy;
  return windows.map((w) => windowAttenuation(w.instances, policy)!);
}

/**
 * Per-row weights so that each set weighs the same, and within a set each variant the same:
 * 1 / (variants of the set × rows of the set's variant).
 */
export function setWeights(windows: readonly FitWindow[]): number[] {
  const rows = new Map<string, number>();
  const variants = new Map<string, Set<string>>();
  const key = (w: FitWindow) => `${w.set}\u0000${w.variant ?? ""}`;
  for (const w of windows) {
    rows.set(key(w), (rows.get(key(w)) ?? 0) + 1);
    const v = variants.get(w.set) ?? new Set();
    v.add(w.variant ?? "");
    variants.set(w.set, v);
  }
  return windows.map((w) => 1 / (variants.get(w.set)!.size * rows.get(key(w))!));
}

/** What the threshold search and the model choice maximise. */
export type Objective = "balancedAccuracy" | "balancedAccuracyF1";

/** Rows prepared for scoring: truth, weight and a set index per row. */
export interface Scored {
  truth: readonly boolean[];
  weight: readonly number[];
  set: Int32Array;
  sets: number;
}

/** Prepares rows for {@link weightedScore}. */
export function prepare(windows: readonly FitWindow[]): Scored {
  const names = [...new Set(windows.map((w) => w.set))];
  return {
    truth: windows.map((w) => w.close),
    weight: setWeights(windows),
    set: Int32Array.from(windows, (w) => names.indexOf(w.set)),
    sets: names.length,
  };
}

/**
 * Score of some verdicts: balanced accuracy with rows weighted (each set equal), or the mean of that and
 * the mean per-set F1 (`balancedAccuracyF1`: the two figures the target names).
 */
export function weightedScore(said: (i: number) => boolean, rows: Scored, objective: Objective): number {
  let tp = 0;
  let pos = 0;
  let tn = 0;
  let neg = 0;
  const tpS = new Float64Array(rows.sets);
  const errS = new Float64Array(rows.sets);
  for (let i = 0; i < rows.truth.length; i++) {
    const w = rows.weight[i]!;
    const s = rows.set[i]!;
    const yes = said(i);
    if (rows.truth[i]) {
      pos += w;
      if (yes) {
        tp += w;
        tpS[s]! += w;
      } else errS[s]! += w;
    } else {
      neg += w;
      if (!yes) tn += w;
      else errS[s]! += w;
    }
  }
  const ba = (tp / pos + tn / neg) / 2;
  if (objective === "balancedAccuracy") return ba;
  let f1 = 0;
  for (let s = 0; s < rows.sets; s++) f1 += tpS[s]! === 0 ? 0 : (2 * tpS[s]!) / (2 * tpS[s]! + errS[s]!);
  return (ba + f1 / rows.sets) / 2;
}

/** Rounds to `d` decimals (shipped parameters are rounded so the JSON is stable and readable). */
const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** A window summary: instance blend and window aggregate. */
export interface Summary {
  minWeight: number;
  window: ContactPolicy["window"];
}

/** The candidate summaries of {@link GRID}. */
export function candidates(grid = GRID): Summary[] {
  return grid.minWeight.flatMap((minWeight) => grid.window.map((window) => ({ minWeight, window })));
}

/** Options of {@link fitSummary} and {@link selectAndFit}. */
export interface FitOptions {
  /** Search grid (default {@link GRID}). */
  grid?: typeof GRID;
  /** Threshold and model-choice objective (default `balancedAccuracyF1`). */
  objective?: Objective;
}

/**
 * Fits the threshold (grid search of `objective`) and the logistic model (weighted maximum likelihood)
 * of one summary. `att` are the windows' attenuations under the summary.
 */
export function fitSummary(
  windows: readonly FitWindow[],
  att: readonly number[],
  summary: Summary,
  options: FitOptions = {},
): FieldFit {
  const { from, to, step } = (options.grid ?? GRID).thresholdDb;
  const objective = options.objective ?? "balancedAccuracyF1";
  const rows = prepare(windows);
  let best = { nearDb: from, score: -1 };
  for (let k = 0; from + k * step <= to + 1e-9; k++) {
    const nearDb = from + k * step;
    const score = weightedScore((i) => att[i]! <= nearDb, rows, objective);
    if (score > best.score + 1e-12) best = { nearDb, score };
  }
  const [intercept, slope] = fitLogistic1(att, rows.truth, rows.weight);
  return {
    ...summary,
    nearDb: best.nearDb,
    probability: { intercept: round(intercept!, 4), slope: round(slope!, 5) },
    score: round(best.score, 6),
  };
}

/** P(≤ 2 m) of window attenuations under a fit. */
export function probabilities(att: readonly number[], fit: Pick<FieldFit, "probability">): number[] {
  return att.map((a) => sigmoid(fit.probability.intercept + fit.probability.slope * a));
}

/** Held-out predictions of one leave-one-set-out fold. */
export interface FieldFold {
  /** Held-out set. */
  heldOut: string;
  /** Fit on the other sets. */
  fit: FieldFit;
  /** Indices (into the input) of the held-out windows, and their attenuation, probability, verdict, truth. */
  index: number[];
  attenuation: number[];
  probability: number[];
  predicted: boolean[];
  truth: boolean[];
  /** Held-out metrics of the verdict, ROC-AUC of −attenuation and the Brier score of the probability. */
  precision: number;
  recall: number;
  f1: number;
  balancedAccuracy: number;
  rocAuc: number;
  brier: number;
}

/** Leave-one-set-out cross-validation of one summary (threshold and logistic model fitted per fold). */
export function crossValidateSummary(
  windows: readonly FitWindow[],
  att: readonly number[],
  summary: Summary,
  options: FitOptions = {},
): FieldFold[] {
  const sets = [...new Set(windows.map((w) => w.set))];
  return sets.map((heldOut) => {
    const train = windows.flatMap((w, i) => (w.set === heldOut ? [] : [i]));
    const index = windows.flatMap((w, i) => (w.set === heldOut ? [i] : []));
    const fit = fitSummary(
      train.map((i) => windows[i]!),
      train.map((i) => att[i]!),
      summary,
      options,
    );
    const attenuation = index.map((i) => att[i]!);
    const probability = probabilities(attenuation, fit);
    const predicted = attenuation.map((a) => a <= fit.nearDb);
    const truth = index.map((i) => windows[i]!.close);
    const m = classify(predicted, truth);
    return {
      heldOut,
      fit,
      index,
      attenuation,
      probability,
      predicted,
      truth,
      precision: m.precision,
      recall: m.recall,
      f1: m.f1,
      balancedAccuracy: m.balancedAccuracy,
      rocAuc: rocAuc(
        attenuation.map((a) => -a),
        truth,
      ),
      brier: brier(probability, truth),
    };
  });
}

/** One candidate summary's cross-validated score in one variant (sets weighted equally). */
export interface VariantScore {
  variant: string;
  /** Held-out score of the objective, balanced accuracy and mean per-set F1. */
  score: number;
  balancedAccuracy: number;
  meanF1: number;
}

/** One candidate summary's cross-validated scores: its worst variant's, and every variant's. */
export interface CandidateScore extends VariantScore {
  summary: Summary;
  perVariant: VariantScore[];
}

/**
 * Model choice by leave-one-set-out cross-validation: every candidate summary is cross-validated (its
 * threshold and logistic model fitted on the other sets) and scored per variant (the windows of one variant
 * plus the sets that have a single variant, every set weighing the same); the candidate whose worst
 * variant scores best is kept and refitted on all windows. Worst rather than mean: the policy must hold
 * for scan lengths and packet rates we do not control.
 */
export function selectAndFit(windows: readonly FitWindow[], options: FitOptions = {}) {
  const objective = options.objective ?? "balancedAccuracyF1";
  const variantsOf = new Map<string, Set<string>>();
  for (const w of windows) {
    const v = variantsOf.get(w.set) ?? new Set();
    v.add(w.variant ?? "");
    variantsOf.set(w.set, v);
  }
  const variants = [
    ...new Set(windows.flatMap((w) => (variantsOf.get(w.set)!.size > 1 ? [w.variant!] : []))),
  ];
  const groups = (variants.length > 0 ? variants : [undefined]).map((variant) => {
    const index = windows.flatMap((w, i) =>
      variant === undefined || variantsOf.get(w.set)!.size === 1 || w.variant === variant ? [i] : [],
    );
    return { variant: variant ?? "", index, rows: prepare(index.map((i) => windows[i]!)) };
  });
  const scored: (CandidateScore & { folds: FieldFold[]; att: number[] })[] = [];
  for (const summary of candidates(options.grid)) {
    const att = summarise(windows, summary.minWeight, summary.window);
    const folds = crossValidateSummary(windows, att, summary, options);
    const said = new Array<boolean>(windows.length);
    for (const f of folds)
      f.index.forEach((i, k) => {
        said[i] = f.predicted[k]!;
      });
    const perVariant = groups.map((g) => {
      const say = (k: number) => said[g.index[k]!]!;
      const ba = weightedScore(say, g.rows, "balancedAccuracy");
      const both = weightedScore(say, g.rows, "balancedAccuracyF1");
      return {
        variant: g.variant,
        score: objective === "balancedAccuracy" ? ba : both,
        balancedAccuracy: ba,
        meanF1: 2 * both - ba,
      };
    });
    const worst = perVariant.reduce((a, b) => (b.score < a.score ? b : a));
    scored.push({ summary, ...worst, perVariant, folds, att });
  }
  const best = scored.reduce((a, b) => (b.score > a.score + 1e-12 ? b : a));
  return {
    fit: fitSummary(windows, best.att, best.summary, options),
    folds: best.folds,
    candidates: scored.map(({ folds: _f, att: _a, ...c }) => c),
  };
}

/** Brier score: mean squared difference of probability and outcome. */
export function brier(p: readonly number[], y: readonly boolean[]): number {
  return p.reduce((s, q, i) => s + (q - (y[i] ? 1 : 0)) ** 2, 0) / p.length;
}

/** One bin of a reliability curve. */
export interface ReliabilityBin {
  /** Bin bounds of the predicted probability. */
  from: number;
  to: number;
  /** Windows in the bin. */
  n: number;
  /** Mean predicted probability and observed fraction ≤ 2 m. */
  meanPredicted: number;
  observed: number;
}

/** Reliability curve: predicted vs observed frequency in `bins` equal-width bins (empty bins omitted). */
export function reliability(p: readonly number[], y: readonly boolean[], bins = 10): ReliabilityBin[] {
  const acc = Array.from({ length: bins }, () => ({ n: 0, sp: 0, sy: 0 }));
  p.forEach((q, i) => {
    const b = acc[Math.min(bins - 1, Math.floor(q * bins))]!;
    b.n++;
    b.sp += q;
    b.sy += y[i] ? 1 : 0;
  });
  return acc.flatMap((b, k) =>
    b.n === 0
      ? []
      : [{ from: k / bins, to: (k + 1) / bins, n: b.n, meanPredicted: b.sp / b.n, observed: b.sy / b.n }],
  );
}
