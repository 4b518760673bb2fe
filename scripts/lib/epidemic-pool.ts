/** Pooling of per-seed R0-arm figures (scripts/r0-arm.ts, scripts/calibrate-epidemic.ts). */
import type { R0ArmFigures } from "../../sim/epidemic/epidemic-measure";

/** Mean and sample SD over seeds. */
export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd =
    xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) : Number.NaN;
  return { mean: Number(m.toFixed(4)), sd: Number(sd.toFixed(4)) };
}

/**
 * R0 pooled as Σ secondary / Σ cases (with the per-seed mean ± SD), the other figures as mean ± SD over
 * seeds, and the offspring k from the pooled moments.
 */
export function poolFigures(rows: readonly R0ArmFigures[]) {
  const cases = rows.reduce((a, r) => a + r.R0Cases, 0);
  const R0 = rows.reduce((a, r) => a + r.R0 * r.R0Cases, 0) / Math.max(1, cases);
  const n = rows.reduce((a, r) => a + r.offspring.cases, 0);
  const m = rows.reduce((a, r) => a + r.offspring.mean * r.offspring.cases, 0) / n;
  const ex2 =
    rows.reduce(
      (a, r) =>
        a + (r.offspring.variance * (r.offspring.cases - 1) + r.offspring.mean ** 2 * r.offspring.cases),
      0,
    ) / n;
  const v = ((ex2 - m * m) * n) / (n - 1);
  return {
    R0pooled: Number(R0.toFixed(4)),
    R0Cases: cases,
    R0: meanSd(rows.map((r) => r.R0)),
    generationIntervalMean: meanSd(rows.map((r) => r.generationInterval.mean)),
    generationIntervalSd: meanSd(rows.map((r) => r.generationInterval.sd)),
    presymptomatic: meanSd(rows.map((r) => r.transmissionShares.presymptomatic)),
    symptomatic: meanSd(rows.map((r) => r.transmissionShares.symptomatic)),
    asymptomatic: meanSd(rows.map((r) => r.transmissionShares.asymptomatic)),
    householdSAR: meanSd(rows.map((r) => r.householdSAR)),
    householdSARFromIndex: meanSd(rows.map((r) => r.householdSARFromIndex)),
    homeShare: meanSd(rows.map((r) => r.homeShare)),
    offspringK: Number((v > m ? (m * m) / (v - m) : Number.POSITIVE_INFINITY).toFixed(3)),
    infections: meanSd(rows.map((r) => r.infections)),
  };
}
