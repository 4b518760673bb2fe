import { measureR0Arm } from "../sim/epidemic-measure";
import { loadScenario } from "../sim/scenario";
import { poolFigures } from "./lib/epidemic-pool";
const s = { ...loadScenario("hanoi-ward"), epidemic: { variant: "delta" as const } };
const rows = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map((seed) => {
  const r = measureR0Arm(s, {
    seed,
    population: 10000,
    days: 45,
    transmittingGenerations: 2,
    params: { initialInfected: 30 },
  });
  process.stderr.write(
    `seed ${seed} R0 ${r.R0.toFixed(2)} (${r.R0Cases}) GI ${r.generationInterval.mean.toFixed(2)} pre ${r.transmissionShares.presymptomatic.toFixed(3)}\n`,
  );
  return r;
});
console.log(JSON.stringify(poolFigures(rows)));
