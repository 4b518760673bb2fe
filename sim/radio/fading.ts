/**
 * Building blocks of the radio model's random processes: smooth time-correlated noise (shadowing) and
 * Rician fading in dB (per packet). Counter-based, so values depend only on their arguments.
 */
import { hashNormal } from "../random";

/** Interpolation steps per knot of {@link smoothNoise}: weights come from a table, not a cosine per call. */
const WEIGHT_STEPS = 1024;
// Cosine weight w(f) = (1 − cos πf)/2 and the variance normaliser 1/√((1 − w)² + w²) at f = i/WEIGHT_STEPS.
const WEIGHT = new Float64Array(WEIGHT_STEPS + 1);
const NORM = new Float64Array(WEIGHT_STEPS + 1);
for (let i = 0; i <= WEIGHT_STEPS; i++) {
  const w = (1 - Math.cos((Math.PI * i) / WEIGHT_STEPS)) / 2;
  WEIGHT[i] = w;
  NORM[i] = 1 / Math.sqrt((1 - w) * (1 - w) + w * w);
}

/** Interpolates knot values `a` (at f = 0) and `b` (at f = 1) at fraction `f` ∈ [0, 1). */
function interpolate(a: number, b: number, f: number): number {
  const i = Math.round(f * WEIGHT_STEPS);
  const w = WEIGHT[i]!;
  return ((1 - w) * a + w * b) * NORM[i]!;
}

/**
 * Zero-mean unit-variance noise, smooth in `x` (knots at integers, cosine-interpolated at 1/1024 of a
 * knot, variance-normalised).
 */
export function smoothNoise(seed: number, x: number): number {
  const i = Math.floor(x);
  return interpolate(hashNormal(seed, i), hashNormal(seed, i + 1), x - i);
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

/**
 * {@link smoothNoise} along increasing `x`, computing each knot's normal draw once instead of twice per
 * call (a scan evaluates the same knots for many consecutive packets). Values are identical.
 */
export function smoothNoiseWalker(seed: number): (x: number) => number {
  let i = Number.NaN;
  let a = 0;
  let b = 0;
  return (x) => {
    const k = Math.floor(x);
    if (k !== i) {
      a = k === i + 1 ? b : hashNormal(seed, k);
      b = hashNormal(seed, k + 1);
      i = k;
    }
    return interpolate(a, b, x - k);
  };
}

/** Size of a {@link ricianTable}. */
export const RICIAN_TABLE_SIZE = 4096;

/**
 * The Rician dB distribution for K factor `k` as a table of quantiles at (i + 0.5)/size: indexing it with
 * a uniform hash draws from the distribution with one hash instead of two normal draws.
 */
export function ricianTable(k: number, size = RICIAN_TABLE_SIZE): Float64Array {
  // Deterministic, so built once per (k, size) per thread and shared by every radio model.
  const key = `${k}/${size}`;
  let table = ricianTables.get(key);
  if (!table) {
    table = buildRicianTable(k, size);
    ricianTables.set(key, table);
  }
  return table;
}

const ricianTables = new Map<string, Float64Array>();

function buildRicianTable(k: number, size: number): Float64Array {
  // Quantiles from a large deterministic sample.
  const n = size * 16;
  const draws = new Float64Array(n);
  for (let j = 0; j < n; j++) draws[j] = ricianDb(k, hashNormal(0x51ce, j, 1), hashNormal(0x51ce, j, 2));
  draws.sort();
  const table = new Float64Array(size);
  for (let i = 0; i < size; i++) table[i] = draws[Math.floor(((i + 0.5) / size) * n)]!;
  return table;
}
