/**
 * `npx tsx scripts/calibrate-epidemic.ts [target] [variant]`: finds the transmission multiplier that
 * gives the target R0 (default 2 for the ancestral strain, 5 for `delta`) in the R0 arm of
 * sim/scenarios/hanoi-ward.json (no app, no interventions, no symptomatic testing), pooled over seeds
 * 1–10 at 10,000 people (`measureR0Arm`, 45 days). Ancestral: 1% initial cases (≈ 3,000 cases of
 * generations 0–1 behind each estimate), generations 0–3 transmitting; searches β, starting from the
 * default, and prints the value for DEFAULT_EPIDEMIC_PARAMS. Delta: 0.3% initial cases and only
 * generations 0–1 transmitting, so that the fast-growing later generations do not deplete the
 * susceptibles generation 1 meets; searches the preset's `transmissibility` (β multiplier), starting
 * from the preset, with β at its default. Stops when the pooled R0 is within 3% of the target. Each step also prints the other figures (generation interval, shares, household SAR)
 * so the calibration of household intensity and of the profile can be checked on the same runs.
 * Env: SEEDS (comma list), POPULATION.
 */
import { measureR0Arm } from "../sim/epidemic/epidemic-measure";
import { DEFAULT_EPIDEMIC_PARAMS, DELTA_OVERRIDES } from "../sim/epidemic/epidemic-params";
import { loadScenario } from "../sim/scenario";
import { poolFigures } from "./lib/epidemic-pool";

const variant = process.argv[3] === "delta" ? "delta" : "ancestral";
const target = Number(process.argv[2] ?? (variant === "delta" ? 5 : 2));
const SEEDS = (process.env.SEEDS ?? "1,2,3,4,5,6,7,8,9,10").split(",").map(Number);
const POPULATION = Number(process.env.POPULATION ?? 10_000);
const scenario = { ...loadScenario("hanoi-ward"), epidemic: { variant } as const };
const knob = variant === "delta" ? "transmissibility" : "beta";

const measure = (x: number) => {
  const rows = SEEDS.map((seed) =>
    measureR0Arm(scenario, {
      seed,
      population: POPULATION,
      days: 45,
      transmittingGenerations: variant === "delta" ? 2 : 4,
      params: { initialInfected: Math.round(POPULATION / (variant === "delta" ? 333 : 100)), [knob]: x },
    }),
  );
  const pooled = poolFigures(rows);
  process.stderr.write(`${knob} ${x.toPrecision(3)}: ${JSON.stringify(pooled)}\n`);
  return pooled.R0pooled;
};

// Secant on log x against log R0 (R0 grows sub-linearly as households saturate).
let x1 = variant === "delta" ? DELTA_OVERRIDES.transmissibility! : DEFAULT_EPIDEMIC_PARAMS.beta;
let r1 = measure(x1);
let x0 = x1;
let r0 = r1;
if (Math.abs(r1 - target) > 0.03 * target) {
  x1 = x0 * (r1 < target ? 1.15 : 1 / 1.15);
  r1 = measure(x1);
}
for (let i = 0; i < 3 && Math.abs(r1 - target) > 0.03 * target; i++) {
  const slope = (Math.log(r1) - Math.log(r0)) / (Math.log(x1) - Math.log(x0));
  const x2 = Math.exp(Math.log(x1) + (Math.log(target) - Math.log(r1)) / Math.max(0.2, slope));
  [x0, r0] = [x1, r1];
  x1 = x2;
  r1 = measure(x1);
}
process.stdout.write(
  `${JSON.stringify({ variant, target, [knob]: Number(x1.toPrecision(3)), R0: Number(r1.toFixed(3)), seeds: SEEDS, population: POPULATION })}\n`,
);
