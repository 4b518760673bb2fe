/**
 * `npx tsx scripts/epidemic-spread.ts <variant> <first seed> <last seed> [population]`: one JSON line per
 * seed of the model-level R0 arm in the configuration of tests/sim/science-epidemic.test.ts (ancestral:
 * 1% initial cases, generations 0–3 transmitting; delta: 0.3% initial, generations 0–1; 45 days, 10-min
 * steps), to measure the spread between seeds that the test's bounds come from.
 */
import { measureR0Arm } from "../sim/epidemic/epidemic-measure";
import { loadScenario } from "../sim/scenario";

const variant = process.argv[2] === "delta" ? "delta" : "ancestral";
const first = Number(process.argv[3] ?? 1);
const last = Number(process.argv[4] ?? 10);
const population = Number(process.argv[5] ?? 3000);
const scenario = { ...loadScenario("hanoi-ward"), epidemic: { variant } as const };
for (let seed = first; seed <= last; seed++) {
  const r = measureR0Arm(scenario, {
    seed,
    population,
    days: 45,
    stepMinutes: 10,
    transmittingGenerations: variant === "delta" ? 2 : 4,
    params: { initialInfected: Math.round(population / (variant === "delta" ? 333 : 100)) },
  });
  process.stdout.write(
    `${JSON.stringify({
      seed,
      R0: r.R0,
      cases: r.R0Cases,
      gi: r.generationInterval.mean,
      giPairs: r.generationInterval.pairs,
      pre: r.transmissionShares.presymptomatic,
      asym: r.transmissionShares.asymptomatic,
      sar: r.householdSAR,
      contacts: r.householdContacts,
      k: r.offspring.k,
    })}\n`,
  );
}
