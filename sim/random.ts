/**
 * Seeded randomness for the simulator: a small fast generator (sfc32), the distributions the models
 * draw from, independent named streams derived from one master seed, and counter-based hashes for
 * values that must not depend on the order in which they are asked for (positions, radio shadowing).
 *
 * This is the simulator's only generator. Why its own and not `pure-rand` (installed through fast-check):
 * - the radio, positions and partitions need counter-based draws (`hash32` of a seed and indices), which
 *   pure-rand does not offer, and one family of mixing functions should serve both kinds of draw;
 * - pure-rand's 32-bit output of xoroshiro128+ is the low word of the sum, whose lowest bits have low
 *   linear complexity (Blackman & Vigna 2018, "Scrambled linear pseudorandom number generators"); sfc32 (Doty-Humphrey's small fast chaotic generator, from
 *   PractRand; numpy ships its 64-bit variant SFC64) has no such known weakness;
 * - speed is not the reason: measured on this machine (2·10⁷ uniforms, loaded), sfc32 through
 *   {@link Rng.uniform} 43–98 ns a draw, pure-rand 8.4's `xoroshiro128plus().next()` 33–42 ns, its
 *   `uniformFloat64` 46–160 ns;
 * - every seeded figure and the science tests' bounds were derived with these streams: a switch would
 *   change them all, and pure-rand would become a runtime dependency of `bluezone/sim`.
 */

/**
 * A seeded pseudo-random stream. Every method advances the stream.
 * @public
 */
export interface Rng {
  /** Uniform on [0, 1) with 32 bits of resolution. */
  uniform(): number;
  /** Uniform on [min, max). */
  range(min: number, max: number): number;
  /** Uniform integer on [0, n). */
  int(n: number): number;
  /** True with probability `p`. */
  bernoulli(p: number): boolean;
  /** Normal with the given mean and standard deviation (Box–Muller, the spare value is cached). */
  normal(mean?: number, sd?: number): number;
  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number;
  /** Gamma with the given shape and scale (Marsaglia–Tsang). */
  gamma(shape: number, scale?: number): number;
  /** Log-normal whose logarithm has mean `mu` and standard deviation `sigma`. */
  lognormal(mu: number, sigma: number): number;
  /** Weibull with the given shape and scale. */
  weibull(shape: number, scale: number): number;
  /** Poisson with mean `lambda` (Knuth below 30, Hörmann's PTRS above). */
  poisson(lambda: number): number;
  /** A uniformly chosen element; throws on an empty array. */
  choice<T>(items: readonly T[]): T;
  /** Index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weighted(weights: readonly number[]): number;
  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** Raw 32-bit unsigned output. */
  next32(): number;
  /**
   * Starts the stream again from `seed`, as `createRng(seed)` would: for draws keyed by who and when
   * (one person's day, one person's infection) rather than by how many draws came before, so that two
   * arms of a comparison draw the same values for the same person even where their histories differ
   * (common random numbers).
   */
  reseed(seed: number): void;
}

/**
 * The named sources of randomness; each gets its own stream so one source never perturbs another.
 * @public
 */
export type StreamName = "population" | "mobility" | "disease" | "radio" | "app" | "testing" | (string & {});

/** Mixes a 32-bit value (the finaliser of MurmurHash3). */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes up to four integers into a well-mixed 32-bit value (order-sensitive). */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = mix32((a ^ 0x9e3779b9) >>> 0);
  h = mix32((h ^ Math.imul(b >>> 0, 0x85ebca6b)) + 0x7f4a7c15);
  h = mix32((h ^ Math.imul(c >>> 0, 0xc2b2ae35)) + 0x165667b1);
  h = mix32((h ^ Math.imul(d >>> 0, 0x27d4eb2f)) + 0x61c88647);
  return h;
}

/** Hashes a string (FNV-1a, then mixed) into 32 bits; used to name streams and stations. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** Counter-based uniform on [0, 1): the same arguments always give the same value. */
export function hashUniform(a: number, b = 0, c = 0, d = 0): number {
  return hash32(a, b, c, d) / 4294967296;
}

/**
 * Counter-based standard normal: the same arguments always give the same value. The inverse normal
 * CDF of one hashed uniform, (h + ½)/2³² for the 32-bit hash h (so |x| ≤ 6.23), by P. J. Acklam's
 * rational approximation ("An algorithm for computing the inverse normal cumulative distribution
 * function", 2003; relative error below 1.15·10⁻⁹): no logarithm, root or cosine for 95% of draws,
 * and one hash instead of Box–Muller's two.
 */
export function hashNormal(a: number, b = 0, c = 0, d = 0): number {
  return inverseNormalCdf((hash32(a, b, c, d) + 0.5) / 4294967296);
}

/**
 * Acklam's approximation of the standard normal quantile Φ⁻¹(p) for 0 < p < 1 (see {@link hashNormal}):
 * a rational function of p − ½ in the central region, of √(−2 ln p) in the tails (p < 0.02425).
 */
export function inverseNormalCdf(p: number): number {
  if (p < ACKLAM_LOW || p > 1 - ACKLAM_LOW) {
    const q = Math.sqrt(-2 * Math.log(p < 0.5 ? p : 1 - p));
    const x =
      (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q -
        2.549732539343734) *
        q +
        4.374664141464968) *
        q +
        2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) *
        q +
        1);
    return p < 0.5 ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r +
      1.38357751867269e2) *
      r -
      3.066479806614716e1) *
      r +
      2.506628277459239) *
      q) /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r +
      6.680131188771972e1) *
      r -
      1.328068155288572e1) *
      r +
      1)
  );
}

/** Acklam's boundary between the central and tail regions. */
const ACKLAM_LOW = 0.02425;

/** Natural log of the gamma function (Lanczos, g = 7), for x > 0. */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * An sfc32 stream: its state in four fields and its draws as methods of the class, so that a stream
 * costs one small object (the simulator keeps two per phone) rather than a closure per method.
 */
class Sfc32 implements Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 1;
  /** The second value of the last Box–Muller pair, not yet drawn. */
  private spare: number | undefined = undefined;

  constructor(seed: number) {
    this.reseed(seed);
  }

  reseed(seed: number): void {
    this.a = mix32(seed ^ 0xa5a5a5a5);
    this.b = mix32(seed + 0x9e3779b9);
    this.c = mix32(seed ^ 0x3c6ef372);
    this.d = 1;
    this.spare = undefined;
    for (let i = 0; i < 15; i++) this.next32();
  }

  next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  uniform(): number {
    return this.next32() / 4294967296;
  }

  private stdNormal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u1 = (this.next32() + 1) / 4294967297;
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  range(min: number, max: number): number {
    return min + (max - min) * this.uniform();
  }

  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  normal(mean = 0, sd = 1): number {
    return mean + sd * this.stdNormal();
  }

  exponential(rate: number): number {
    return -Math.log(1 - this.uniform()) / rate;
  }

  gamma(shape: number, scale = 1): number {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
    if (shape < 1) return this.gamma(shape + 1, scale) * this.uniform() ** (1 / shape);
    const d3 = shape - 1 / 3;
    const c3 = 1 / Math.sqrt(9 * d3);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.stdNormal();
        v = 1 + c3 * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d3 * v * scale;
      if (Math.log(u) < 0.5 * x * x + d3 * (1 - v + Math.log(v))) return d3 * v * scale;
    }
  }

  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.stdNormal());
  }

  weibull(shape: number, scale: number): number {
    return scale * (-Math.log(1 - this.uniform())) ** (1 / shape);
  }

  poisson(lambda: number): number {
    if (!(lambda >= 0)) throw new RangeError(`poisson mean must be >= 0, got ${lambda}`);
    if (lambda < 30) {
      const l = Math.exp(-lambda);
      let k = 0;
      let p = this.uniform();
      while (p > l) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
        -lambda + k * loglam - logGamma(k + 1)
      )
        return k;
    }
  }

  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("choice from an empty array");
    return items[Math.floor(this.uniform() * items.length)]!;
  }

  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    if (!(total > 0)) throw new RangeError("weighted choice needs a positive total weight");
    let x = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}

/**
 * Creates an sfc32 stream from a 32-bit seed (the seed is expanded and the state warmed up).
 * @public
 */
export function createRng(seed: number): Rng {
  return new Sfc32(seed);
}

/**
 * Independent streams derived from one master seed.
 * @public
 */
export interface RngStreams {
  /** The master seed. */
  readonly seed: number;
  /** The stream for `name` (created on first use; the same object afterwards). */
  stream(name: StreamName): Rng;
  /** A 32-bit sub-seed for `name`, for counter-based hashing (does not advance any stream). */
  subSeed(name: StreamName): number;
}

/**
 * Creates named streams from a master seed. Each stream's seed depends only on the master seed and the
 * name, so drawing more from one source never shifts another source's draws.
 * @public
 */
export function createStreams(seed: number): RngStreams {
  const streams = new Map<string, Rng>();
  const subSeed = (name: string) => hash32(seed >>> 0, hashString(name));
  return {
    seed,
    subSeed,
    stream(name) {
      let s = streams.get(name);
      if (!s) {
        s = createRng(subSeed(name));
        streams.set(name, s);
      }
      return s;
    },
  };
}
