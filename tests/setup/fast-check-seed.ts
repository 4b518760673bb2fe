/**
 * Vitest setup (every test file): fast-check's global seed from `FC_SEED`, or a fresh random one when
 * it is unset, so property tests explore new inputs on every run instead of replaying one fixed sample.
 * A failing property reports `seed` and `path` (fast-check's own message); rerun it with
 * `FC_SEED=<seed> npx vitest run <file>`. Test files set their `numRuns` on top of this with
 * `fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns })`; a fixed seed in a test needs a comment
 * saying why.
 */
import fc from "fast-check";

export function fastCheckSeed(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return (Math.random() * 2 ** 32) | 0;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got "${value}"`);
  return seed | 0;
}

const seed = fastCheckSeed(process.env.FC_SEED);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
