/** A small seeded pseudo-random generator (mulberry32) with Gaussian samples, for reproducible radio runs. */

/**
 * A seeded source of uniform and normal random numbers.
 * @public
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal sample (Box–Muller). */
  gaussian(): number;
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
}

/**
 * Creates a mulberry32 generator from a 32-bit seed.
 * @public
 */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    gaussian() {
      const u = 1 - next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
      return out;
    },
  };
}
