/**
 * The simulator's science checks (the issue: "tests with fixed seeds and statistical bounds"):
 * - R0 and the other epidemic calibration targets (generation interval, transmission shares, household SAR,
 *   Delta's R0): tests/sim/science-epidemic.test.ts.
 * - The attack rate falls as app adoption rises (0, 20, 40, 60, 80%): this file, through runSimulation — the
 *   library's tracer, log and matcher on every adopter's phone, keys published, notified contacts quarantining.
 *
 * Size. The office scenario (unchanged but for the population: 3 initial cases, no interventions) costs the most
 * per phone-day: everyone in an open-plan office is in radio range of everyone else, so the radio work grows
 * with the square of the phones there (≈ 10–20 phone-days/s against ≈ 80 on hanoi-ward). A 120-person sweep
 * (`npm run science`) costs ≈ 4 CPU-minutes per seed; CI runs a 20-person office for 14 days (two weeks,
 * Monday to Sunday): ≈ 8.4 CPU-s per seed for the five levels (0.1 / 0.5 / 1.4 / 2.5 / 3.9 s), 20 seeds,
 * ≈ 160 CPU-s in all, run on two worker threads: ≈ 90 s wall on this 2-core machine (185 s on one thread).
 * 14 days rather than 21: the third week cost twice the first two (31 against 10 CPU-s per seed on seeds
 * 81–120), more than it added to the signal, so more seeds of two weeks detect the trend more surely.
 *
 * Design. Every seed runs all five levels (paired, common random numbers): the world, who has the app (nested:
 * a phone with the app at 40% has it at 60%) and the epidemic's draws are the same, so a seed's runs coincide
 * until the app's first quarantine and the between-seed spread (early extinction, a big or small first
 * cluster) cancels out of within-seed comparisons. After that the trajectories diverge chaotically; that is
 * the noise the bounds must absorb. A change to the radio's randomness reshuffles it like a fresh seed set,
 * so the bounds come from the spread over many seeds rather than from these seeds' results.
 *
 * Spread, measured outside CI on seeds 1–200 (20 people, 14 days; attack rate = infections / people):
 * - attack rate by level (mean over seeds): 0.47, 0.45, 0.43, 0.40, 0.36; between-seed SD ≈ 0.17 at each.
 * - per seed: Kendall's τ(adoption, infections) −0.36 ± 0.37 (SD); slope of attack rate on adoption
 *   −0.142 ± 0.167; attack rate at 0% minus at 80% 0.115 ± 0.131.
 * - so over 20 seeds the standard errors are τ 0.083, slope 0.037, drop 0.029, and the bounds below sit about
 *   3 SE short of the expected values: τ ≤ −0.10 (expected −0.36), drop ≥ 0.03 (0.115), slope ≤ −0.03
 *   (−0.142); Spearman's ρ of the five pooled attack rates ≤ −0.5 (expected −1: at most two adjacent swaps).
 * - 40,000 random 20-seed sets drawn from the 200 fail τ 0.02%, ρ 0.06%, drop 0.02%, slope 0.02% of the
 *   time, any of them 0.10%. The ten disjoint sets 1–20, 21–40, …, 181–200 all pass; the weakest, 141–160:
 *   τ −0.22, ρ −1.0, drop 0.060, slope −0.074.
 * - these seeds (1–20): attack rate 0.507, 0.482, 0.427, 0.407, 0.378; τ −0.395, ρ −1.0, drop 0.130,
 *   slope −0.167.
 * - after the radio was refitted to DP-3T exp05 (#19: per-setting radio, the office on the office
 *   setting's parameters; docs/radio-fit.md), seeds 1–20: attack rate 0.5075, 0.485, 0.45, 0.4025, 0.38;
 *   τ −0.415, ρ −1.0, drop 0.1275, slope −0.169 (with the pooled field radio everywhere: 0.5075, 0.485,
 *   0.435, 0.405, 0.38, τ −0.405). These sit within 0.7 SE of the values the bounds were derived from
 *   (τ −0.36 ± 0.083, drop 0.115 ± 0.029, slope −0.142 ± 0.037), so the bounds were kept, not re-derived
 *   over 200 seeds (≈ 30 CPU-minutes, not affordable on the shared machine that day). The weakest
 *   disjoint set before, 141–160 (τ −0.22, drop 0.060, slope −0.074), re-run with the refitted radio:
 *   attack rate 0.4775, 0.47, 0.4625, 0.435, 0.41; τ −0.265, ρ −1.0, drop 0.0675, slope −0.085 (passes).
 * - after the epidemic calibration of #17 (onset-anchored infectiousness, 20% asymptomatic, β × 1.96,
 *   household factor 0.24, age susceptibility, gamma overdispersion k 0.45): seeds 1–20 attack rate 0.41,
 *   0.398, 0.38, 0.33, 0.3425 (τ −0.28, ρ −0.9, drop 0.0675, slope −0.101); seeds 21–40 0.358, 0.323,
 *   0.265, 0.223, 0.215 (τ −0.355, ρ −1.0, drop 0.1425, slope −0.192). Over the 40 seeds τ −0.32, drop
 *   0.105, slope −0.15, close to the expected values above, so the bounds were kept; they were not
 *   re-derived from 200 seeds after the calibration (≈ 28 CPU-minutes, not available on the shared
 *   machine that session). Seeds 1–20 are the weaker set: the drop is 1.3 old SEs above its bound.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScienceResult, ScienceTask } from "./science-worker";

const PEOPLE = 20;
const DAYS = 14;
const LEVELS = [0, 0.2, 0.4, 0.6, 0.8] as const;
/** Fixed seeds; `SCIENCE_SEEDS=21,22,…` runs the same checks on other seeds (how the margins were checked). */
const SEEDS = process.env.SCIENCE_SEEDS
  ? process.env.SCIENCE_SEEDS.split(",").map(Number)
  : Array.from({ length: 20 }, (_, i) => i + 1);

/** Bounds (from the spread above). */
const BOUNDS = {
  /** Mean over seeds of Kendall's τ between adoption and infections within the seed: at most. */
  withinSeedTau: -0.1,
  /** Spearman's ρ between adoption and the pooled attack rates (5 points): at most. */
  pooledRho: -0.5,
  /** Pooled attack rate at 0% minus that at 80%: at least. */
  drop0to80: 0.03,
  /** Least-squares slope of attack rate on adoption over all runs (per unit adoption): at most. */
  slope: -0.03,
};

/**
 * Timeout of a level's runs: 30 s plus, per seed, about four times its mean cost measured (0.1 / 0.5 / 1.4 /
 * 2.5 / 3.9 CPU-s) — enough on one thread and a loaded machine.
 */
const PER_SEED_MS: Record<(typeof LEVELS)[number], number> = {
  0: 1_000,
  0.2: 2_000,
  0.4: 6_000,
  0.6: 10_000,
  0.8: 16_000,
};
const timeoutMs = (adoption: (typeof LEVELS)[number]) => 30_000 + SEEDS.length * PER_SEED_MS[adoption];

/** A summary test alone runs every level: the sum of the levels' timeouts. */
const SWEEP_TIMEOUT_MS = LEVELS.reduce<number>((t, a) => t + timeoutMs(a), 0);

function mean(x: readonly number[]): number {
  return x.reduce((a, b) => a + b, 0) / x.length;
}

/** Kendall's τ-a: (concordant − discordant pairs) / all pairs; ties count as neither. */
function kendallTau(x: readonly number[], y: readonly number[]): number {
  let s = 0;
  let pairs = 0;
  for (let i = 0; i < x.length; i++)
    for (let j = i + 1; j < x.length; j++) {
      pairs++;
      s += Math.sign((x[j]! - x[i]!) * (y[j]! - y[i]!));
    }
  return s / pairs;
}

/** Average ranks (ties share their mean rank). */
function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman's ρ: Pearson's correlation of the ranks (0 when either side is constant). */
function spearmanRho(x: readonly number[], y: readonly number[]): number {
  const rx = ranks(x);
  const ry = ranks(y);
  const mx = mean(rx);
  const my = mean(ry);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** Least-squares slope of y on x. */
function slope(x: readonly number[], y: readonly number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  return sxy / sxx;
}

/**
 * Each level's runs (one per seed, in SEEDS order), started by whichever test needs them first and
 * shared after that, so every test stands alone: run in any order, or one by one, each gets the same
 * figures.
 */
const runsByLevel = new Map<number, Promise<ScienceResult[]>>();
function levelRuns(adoption: (typeof LEVELS)[number]): Promise<ScienceResult[]> {
  let runs = runsByLevel.get(adoption);
  if (!runs) {
    runs = runAll(
      SEEDS.map((seed) => ({
        scenario: "office",
        phones: PEOPLE,
        days: DAYS,
        adoption,
        seed,
        // At 0% the counterfactual arm is cheap (no phones): run it to check the two agree.
        counterfactual: adoption === 0,
      })),
    );
    runsByLevel.set(adoption, runs);
  }
  return runs;
}

/** The sweep's figures over every level (levels run one after another: the pool serves one at a time). */
async function sweep() {
  const infections = new Map<number, number[]>();
  for (const a of LEVELS)
    infections.set(
      a,
      (await levelRuns(a)).map((r) => r.infections),
    );
  const bySeed = SEEDS.map((_, i) => LEVELS.map((a) => infections.get(a)![i]!));
  const attackRate = LEVELS.map((a) => mean(infections.get(a)!) / PEOPLE);
  const xs = bySeed.flatMap(() => [...LEVELS]);
  const ys = bySeed.flatMap((row) => row.map((n) => n / PEOPLE));
  return {
    attackRate,
    withinSeedTau: mean(bySeed.map((row) => kendallTau(LEVELS, row))),
    pooledRho: spearmanRho(LEVELS, attackRate),
    drop0to80: attackRate[0]! - attackRate[LEVELS.length - 1]!,
    slope: slope(xs, ys),
  };
}

/**
 * Worker threads for the runs. vitest runs one test file at a time on a 2-core machine (maxWorkers =
 * cores − 1), so two threads here use the core it leaves idle and halve this file's wall time.
 */
const THREADS = Math.max(1, Math.min(2, availableParallelism()));
let pool: Worker[] = [];

/** Sends one task to a worker and waits for its answer. */
function call(worker: Worker, task: ScienceTask): Promise<ScienceResult> {
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    const onMessage = (r: ScienceResult) => {
      if (r.id !== task.id) return;
      done();
      if (r.error) reject(new Error(r.error));
      else resolve(r);
    };
    const onError = (e: Error) => {
      done();
      reject(e);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`science worker exited with code ${code}`));
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    worker.postMessage(task);
  });
}

/** Runs the tasks on the pool, one per thread at a time; results in task order. */
async function runAll(tasks: Omit<ScienceTask, "id">[]): Promise<ScienceResult[]> {
  const results = new Array<ScienceResult>(tasks.length);
  let next = 0;
  await Promise.all(
    pool.map(async (worker) => {
      while (next < tasks.length) {
        const id = next++;
        results[id] = await call(worker, { id, ...tasks[id]! });
      }
    }),
  );
  return results;
}

const seedLabel = SEEDS.every((s, i) => s === SEEDS[0]! + i)
  ? `${SEEDS[0]}–${SEEDS.at(-1)}`
  : SEEDS.join(",");

describe(`science: attack rate against app adoption (office, ${PEOPLE} people, ${DAYS} days, seeds ${seedLabel})`, () => {
  beforeAll(() => {
    pool = Array.from(
      { length: THREADS },
      () =>
        new Worker(new URL("../support/ts-worker.mjs", import.meta.url), {
          workerData: {
            entry: { module: new URL("./science-worker.ts", import.meta.url).href, fn: "serve" },
          },
        }),
    );
  });

  afterAll(async () => {
    await Promise.all(pool.map((w) => w.terminate()));
  });

  for (const adoption of LEVELS) {
    it(
      adoption === 0
        ? "adoption 0% (no phone runs the app: the app arm is the world without the app)"
        : `adoption ${adoption * 100}%`,
      async () => {
        const results = await levelRuns(adoption);
        const appUsers = results.reduce((n, r) => n + r.appUsers, 0);
        if (adoption === 0) {
          expect(appUsers).toBe(0);
          expect(results.map((r) => r.infections)).toEqual(results.map((r) => r.infectionsWithoutApp));
        }
        // Each person runs the app with probability `adoption` (a 20-person world can draw none at 20%):
        // over all seeds the share is near the level (±0.1 is ≥ 4 binomial SDs at 20 seeds).
        expect(Math.abs(appUsers / (PEOPLE * SEEDS.length) - adoption)).toBeLessThanOrEqual(0.1);
      },
      timeoutMs(adoption),
    );
  }

  // Each assertion names the sweep's figures, so a failure shows what moved.
  it(
    `the attack rate falls as adoption rises: within-seed Kendall τ ≤ ${BOUNDS.withinSeedTau}, pooled Spearman ρ ≤ ${BOUNDS.pooledRho}`,
    async () => {
      const r = await sweep();
      console.info(`science: ${JSON.stringify(r)}`);
      expect(r.withinSeedTau, JSON.stringify(r)).toBeLessThanOrEqual(BOUNDS.withinSeedTau);
      expect(r.pooledRho, JSON.stringify(r)).toBeLessThanOrEqual(BOUNDS.pooledRho);
    },
    SWEEP_TIMEOUT_MS,
  );

  it(
    `the attack rate at 80% adoption is at least ${BOUNDS.drop0to80} below that at 0%`,
    async () => {
      const r = await sweep();
      expect(r.drop0to80, JSON.stringify(r)).toBeGreaterThanOrEqual(BOUNDS.drop0to80);
    },
    SWEEP_TIMEOUT_MS,
  );

  it(
    `the fitted slope of attack rate on adoption is at most ${BOUNDS.slope}`,
    async () => {
      const r = await sweep();
      expect(r.slope, JSON.stringify(r)).toBeLessThanOrEqual(BOUNDS.slope);
    },
    SWEEP_TIMEOUT_MS,
  );
});
