/**
 * `npx tsx scripts/r0-arm.ts [seeds] [population] [json overrides]`: model-level R0-arm figures of
 * hanoi-ward (sim/epidemic/epidemic-measure.ts), one JSON line per seed then the pool. Env: DAYS (50), GENS
 * (transmitting generations, default all), STEP (minutes, 5), INITIAL (initial cases, scenario's).
 */
import { measureR0Arm, type R0ArmFigures } from "../sim/epidemic/epidemic-measure";
import { loadScenario } from "../sim/scenario";
import { poolFigures } from "./lib/epidemic-pool";

const seeds = (process.argv[2] ?? "1,2,3").split(",").map(Number);
const population = Number(process.argv[3] ?? 10_000);
const overrides = JSON.parse(process.argv[4] ?? "{}");
// hanoi-ward's own block is Delta (its Hanoi 2021 fit); the calibration targets are the default strain's.
const loaded = loadScenario("hanoi-ward");
const variant = process.env.VARIANT === "delta" ? ("delta" as const) : ("ancestral" as const);
const scenario = { ...loaded, epidemic: { ...loaded.epidemic, variant } };
const params = { ...overrides };
if (process.env.INITIAL) params.initialInfected = Number(process.env.INITIAL);
const rows: R0ArmFigures[] = [];
for (const seed of seeds) {
  const t = Date.now();
  const r = measureR0Arm(scenario, {
    seed,
    population,
    days: Number(process.env.DAYS ?? 50),
    stepMinutes: Number(process.env.STEP ?? 5),
    ...(process.env.GENS ? { transmittingGenerations: Number(process.env.GENS) } : {}),
    params,
  });
  rows.push(r);
  process.stderr.write(
    `seed ${seed} (${Math.round((Date.now() - t) / 1000)} s): R0 ${r.R0.toFixed(2)} (${r.R0Cases}) GI ${r.generationInterval.mean.toFixed(2)} pre ${r.transmissionShares.presymptomatic.toFixed(3)} asym ${r.transmissionShares.asymptomatic.toFixed(3)} SAR ${r.householdSAR.toFixed(3)} k ${r.offspring.k.toFixed(2)} home ${r.homeShare.toFixed(2)}\n`,
  );
}
process.stdout.write(`${JSON.stringify({ seeds, population, overrides: params, ...poolFigures(rows) })}\n`);
