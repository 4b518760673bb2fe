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
    const f = x - k;
    const w = (1 - Math.cos(Math.PI * f)) / 2;
    return ((1 - w) * a + w * b) / Math.sqrt((1 - w) * (1 - w) + w * w);
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
