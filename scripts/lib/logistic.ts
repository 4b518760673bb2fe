/**
 * Weighted logistic regression by Newton–Raphson (iteratively reweighted least squares) with a small
 * ridge penalty on the slopes, for a handful of features. Deterministic: same data → same coefficients.
 */
import { solveLinear as solve } from "../../sim/radio/radio-fit";

/** The logistic function. */
export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Fits P(y) = σ(b0 + Σ bᵢ xᵢ).
 * @param x - rows of features
 * @param y - labels
 * @param w - row weights (e.g. 1 / rows of the row's data set, so every set counts equally)
 * @param ridge - L2 penalty on the slopes (not the intercept)
 * @returns [b0, b1, …]
 */
export function fitLogistic(
  x: readonly number[][],
  y: readonly boolean[],
  w: readonly number[],
  ridge = 1e-6,
): number[] {
  const d = (x[0]?.length ?? 0) + 1;
  let beta = new Array<number>(d).fill(0);
  for (let iter = 0; iter < 100; iter++) {
    const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    const g = new Array<number>(d).fill(0);
    x.forEach((row, i) => {
      const z = [1, ...row];
      const p = sigmoid(z.reduce((s, v, k) => s + v * beta[k]!, 0));
      const wi = w[i]!;
      const r = (y[i] ? 1 : 0) - p;
      const v = wi * p * (1 - p);
      for (let a = 0; a < d; a++) {
        g[a]! += wi * r * z[a]!;
        for (let b = 0; b < d; b++) h[a]![b]! += v * z[a]! * z[b]!;
      }
    });
    for (let a = 1; a < d; a++) {
      g[a]! -= ridge * beta[a]!;
      h[a]![a]! += ridge;
    }
    const step = solve(h, g);
    beta = beta.map((b, k) => b + step[k]!);
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  return beta;
}

/**
 * One-feature weighted logistic regression P(y) = σ(b0 + b1 x) by Newton–Raphson (the same model as
 * {@link fitLogistic} with one feature and no penalty, without per-row allocations).
 * @returns [b0, b1]
 */
export function fitLogistic1(
  x: readonly number[],
  y: readonly boolean[],
  w: readonly number[],
): [number, number] {
  let b0 = 0;
  let b1 = 0;
  for (let iter = 0; iter < 100; iter++) {
    let g0 = 0;
    let g1 = 0;
    let h00 = 0;
    let h01 = 0;
    let h11 = 0;
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      const p = sigmoid(b0 + b1 * xi);
      const r = w[i]! * ((y[i] ? 1 : 0) - p);
      const v = w[i]! * p * (1 - p);
      g0 += r;
      g1 += r * xi;
      h00 += v;
      h01 += v * xi;
      h11 += v * xi * xi;
    }
    const det = h00 * h11 - h01 * h01;
    const s0 = (h11 * g0 - h01 * g1) / det;
    const s1 = (h00 * g1 - h01 * g0) / det;
    b0 += s0;
    b1 += s1;
    if (Math.abs(s0) < 1e-10 && Math.abs(s1) < 1e-10) break;
  }
  return [b0, b1];
}
