/**
 * `npm run science`: the simulator's science checks at a size too slow for CI.
 * - R without app or interventions (measureR on the default scenario at 10,000 people, pooled over the
 *   seeds; the no-interventions arm, 1% initial cases, 10-minute steps): should be near 2.
 * - Attack rate against app adoption (0, 20, 40, 60, 80%) on the office scenario, several seeds:
 *   should fall as adoption rises.
 * Options: --people N (default 150), --days D (21), --seeds K (3), --workers W (1; results do not
 * depend on it). Prints JSON.
 *
 * CI runs both checks with fixed seeds and statistical bounds: R0 and the other calibration targets in
 * tests/sim/science-epidemic.test.ts (hanoi-ward R0 arm, 3,000 people; docs/epidemic-params.md), the adoption sweep in tests/sim/science.test.ts (office, 20 people,
 * 14 days, seeds 1–20; bounds on rank correlation, the drop from 0% to 80% and the fitted slope). The office
 * costs ≈ 4 CPU-minutes per seed at 120 people, hence the small world there.
 */
import { parseArgs } from "node:util";
import { measureR, poolR } from "../sim/epidemic/epidemic";
import { runSimulation } from "../sim/run";
import { loadScenario } from "../sim/scenario";

const { values } = parseArgs({
  options: {
    people: { type: "string", default: "150" },
    days: { type: "string", default: "21" },
    seeds: { type: "string", default: "3" },
    workers: { type: "string", default: "1" },
  },
});
const people = Number(values.people);
const days = Number(values.days);
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => 11 + i);

// R pooled over the sweep's seeds (Σ secondary / Σ cases) at 10,000 people, past the small-population
// shortfall of the 3,000-people CI test.
// The default (ancestral) strain: hanoi-ward's own block is Delta (its Hanoi 2021 fit).
const hanoi = loadScenario("hanoi-ward");
const ancestral = { ...hanoi, epidemic: { ...hanoi.epidemic, variant: "ancestral" as const } };
const r = poolR(seeds.map((seed) => measureR(ancestral, { seed, population: 10_000 })));
const office = loadScenario("office");
const rows = [];
for (const adoption of [0, 0.2, 0.4, 0.6, 0.8]) {
  let infections = 0;
  let without = 0;
  for (const seed of seeds) {
    const res = await runSimulation({
      scenario: office,
      phones: people,
      days,
      adoption,
      seed,
      workers: Number(values.workers),
    });
    infections += res.summary.infections;
    without += res.summary.infectionsWithoutApp;
    process.stderr.write(
      `adoption ${adoption} seed ${seed}: ${res.summary.infections} (${res.summary.infectionsWithoutApp} without app)\n`,
    );
  }
  rows.push({
    adoption,
    attackRate: Number((infections / (people * seeds.length)).toFixed(4)),
    attackRateWithoutApp: Number((without / (people * seeds.length)).toFixed(4)),
  });
}
console.log(
  JSON.stringify({ R: Number(r.R.toFixed(2)), Rcases: r.cases, people, days, seeds, rows }, null, 2),
);
