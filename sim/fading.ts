/**
 * Building blocks of the radio model's random processes: smooth time-correlated noise (shadowing) and
 * Rician fading in dB (per packet). Counter-based, so values depend only on their arguments.
 */
import { hashNormal } from "./random";

/** Zero-mean unit-variance noise, smooth in `x` (knots at integers, cosine-interpolated, variance-normalised). */
export function smoothNoise(seed: number, x: number): number {
  const i = Math.floor(x);
  const f = x - i;
  const w = (1 - Math.cos(Math.PI * f)) / 2;
  const a = hashNormal(seed, i);
  const b = hashNormal(seed, i + 1);
  return ((1 - w) * a + w * b) / Math.sqrt((1 - w) * (1 - w) + w * w);
}

/** Knot spacing of {@link smoothNoise} per second of correlation time (autocorrelation 1/e at ≈ 0.65 knots). */
export const KNOTS_PER_CORRELATION = 1 / 0.65;

/** Rician fading power in dB for standard normals `n1`, `n2` and K factor `k` (mean power 1). */
export function ricianDb(k: number, n1: number, n2: number): number {
  const los = Math.sqrt(k / (k + 1));
  const s = Math.sqrt(1 / (2 * (k + 1)));
  const re = los + s * n1;
  const im = s * n2;
  return 10 * Math.log10(re * re + im * im + 1e-12);
}
