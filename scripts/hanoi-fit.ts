/**
 * `npx tsx scripts/hanoi-fit.ts [scenario] [first seed] [last seed] [population] [stepMinutes] [--set path=value]…`:
 * the Hanoi 2021 fit's measure (docs/hanoi-2021.md). Runs the epidemic alone (no phones: the app's
 * response then plays no part, so this is the scenario's epidemic with adoption 0) for each seed and
 * prints, per seed and pooled, the cohort R_t over the windows of the public record (`hanoiWindows`)
 * and the mean daily confirmed cases per window, with Hanoi's reported figures scaled to the run's
 * population.
 */
import { createEpidemic } from "../sim/epidemic/epidemic";
import { lineList } from "../sim/epidemic/epidemic-metrics";
import { hanoiWindows, windowRt } from "../sim/report/observed";
import { loadScenario } from "../sim/scenario";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--set"));
const sets = process.argv
  .slice(2)
  .filter((a) => a.startsWith("--set"))
  .map((a) => a.replace(/^--set=?/, ""));
const name = args[0] ?? "hanoi-ward";
const first = Number(args[1] ?? 1);
const last = Number(args[2] ?? 3);
const base = loadScenario(name, sets);
const population = Number(args[3] ?? base.population);
const stepMinutes = Number(args[4] ?? 10);
const scenario = { ...base, population, app: { ...base.app, adoption: 0, byAgeGroup: {} } };
const windows = hanoiWindows(scenario);
const pooled = windows.map(() => ({ cases: 0, secondary: 0, confirmed: 0 }));
for (let seed = first; seed <= last; seed++) {
  const t0 = performance.now();
  const epi = createEpidemic(scenario, { seed, stepMinutes });
  const confirmed: number[] = [];
  const infections: number[] = [];
  for (let d = 0; d < scenario.days; d++) {
    const r = epi.runDay();
    confirmed.push(r.confirmed);
    infections.push(r.infections);
  }
  const list = lineList(epi);
  const rows = windowRt(list, windows, scenario.days);
  rows.forEach((w, i) => {
    pooled[i]!.cases += w.cases;
    pooled[i]!.secondary += w.secondary;
    pooled[i]!.confirmed += w.confirmedPerDay(confirmed);
  });
  console.log(
    `seed ${seed} (${((performance.now() - t0) / 1000).toFixed(0)} s, ${list.length} infections): ${rows
      .map(
        (w) => `${w.name} R ${w.R.toFixed(2)} (${w.cases}) conf/d ${w.confirmedPerDay(confirmed).toFixed(1)}`,
      )
      .join(" | ")}`,
  );
  console.log(`  infections/day ${infections.join(" ")}`);
  console.log(`  confirmed/day ${confirmed.join(" ")}`);
}
const n = last - first + 1;
console.log(
  `pooled ${n} seeds: ${windows
    .map(
      (w, i) =>
        `${w.name} R ${(pooled[i]!.secondary / Math.max(1, pooled[i]!.cases)).toFixed(2)} (${pooled[i]!.cases}) conf/d ${(pooled[i]!.confirmed / n).toFixed(1)} vs Hanoi×pop ${w.observedPerDay === undefined ? "-" : ((w.observedPerDay * population) / 8053663).toFixed(2)}`,
    )
    .join(" | ")}`,
);
