/**
 * Replicate statistics: the mean of a figure over independent replicates (seeds), its sample standard
 * deviation and a 95 % t-based confidence interval of the mean.
 *
 * Which interval: mean ± t(0.975, n − 1) · SD / √n, the Student-t interval of the mean across
 * replicates (each replicate one independent draw of the figure). It is an interval for the expected
 * value of the figure under the scenario, not a prediction interval for one run; with few seeds a
 * percentile interval of the replicates would be meaningless (3 seeds have no 2.5th percentile), the
 * t interval is exact for normal replicates and close for sums of many infections.
 */

/** Two-sided 95 % quantiles t(0.975, df) for df = 1 … 30 (any statistics table, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * The 97.5 % quantile of Student's t with `df` degrees of freedom: tabulated to 3 decimals for
 * df ≤ 30; above, the Cornish–Fisher expansion around z = 1.959964 (Abramowitz & Stegun 26.7.5), within
 * 10⁻³ of the exact value. NaN for df < 1.
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) return Number.NaN;
  const k = Math.floor(df);
  if (k <= 30) return T975[k - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * k) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * k * k);
}

/**
 * A figure over replicates: NaN replicates (figure undefined in that run) are left out.
 * @public
 */
export interface ReplicateStat {
  /** Replicates in which the figure was defined (finite). */
  n: number;
  /** Mean over those replicates (NaN when `n = 0`). */
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator; NaN when `n < 2`). */
  sd: number;
  /** 95 % t interval of the mean: mean ∓ t(0.975, n − 1) · sd / √n (NaN when `n < 2`). */
  low: number;
  /** Upper end of that interval. */
  high: number;
}

/**
 * Mean, SD and 95 % t interval of the finite values among `values` (see {@link ReplicateStat}). With
 * `range` (the figure's possible values, e.g. [0, 1] for a share), the interval is clipped to it: the
 * expected value of a share cannot leave [0, 1], though mean ± t·SD/√n can with few seeds.
 */
export function replicateStat(
  values: readonly number[],
  range: readonly [number, number] = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
): ReplicateStat {
  const xs = values.filter(Number.isFinite);
  const n = xs.length;
  const mean = n > 0 ? xs.reduce((a, x) => a + x, 0) / n : Number.NaN;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  const half = n > 1 ? (tQuantile975(n - 1) * sd) / Math.sqrt(n) : Number.NaN;
  return {
    n,
    mean,
    sd,
    low: Number.isNaN(half) ? Number.NaN : Math.max(range[0], mean - half),
    high: Number.isNaN(half) ? Number.NaN : Math.min(range[1], mean + half),
  };
}
