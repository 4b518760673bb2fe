/**
 * Benchmark plumbing. Each `bench/*.bench.ts` module default-exports a {@link Bench}; `bench/run.ts`
 * runs them in one process so every ratio compares against a baseline measured in the same run.
 */

/** One benchmark module. */
export interface Bench {
  /** Short name used on the command line and in the JSON output. */
  name: string;
  /** Long-running: run only when named (`npm run bench -- sim`), not with the others. */
  heavy?: boolean;
  /** Runs the measurements and returns JSON-serialisable figures. */
  run(): Promise<Record<string, unknown>>;
}

/** Times `fn` (after one warm-up call) over at least `minMs` ms; returns the best ops/s over rounds. */
export function measure(fn: () => void, opsPerCall: number, minMs = 300, rounds = 3): number {
  fn();
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    do {
      fn();
      calls++;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    } while (elapsed < minMs);
    best = Math.max(best, (calls * opsPerCall) / (elapsed / 1000));
  }
  return best;
}

/** Async variant of {@link measure}. */
export async function measureAsync(
  fn: () => Promise<void>,
  opsPerCall: number,
  minMs = 300,
  rounds = 3,
): Promise<number> {
  await fn();
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    do {
      await fn();
      calls++;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    } while (elapsed < minMs);
    best = Math.max(best, (calls * opsPerCall) / (elapsed / 1000));
  }
  return best;
}

/** Rounds to 3 significant digits for readable JSON. */
export function sig3(x: number): number {
  return Number(x.toPrecision(3));
}
