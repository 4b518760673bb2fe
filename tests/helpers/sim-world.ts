/**
 * Worlds for the phone-fleet tests: a shipped scenario with every person running the app, its epidemic
 * (world and mobility), and a driver that runs a day's mobility steps while the fleets keep up.
 */
import { createEpidemic, type Epidemic } from "../../sim/epidemic/epidemic";
import { loadScenario, withPopulation } from "../../sim/scenario";

/** Shipped scenario `name` with `people` people, adoption 1 (no per-age adoption), master seed `seed`. */
export function allAppWorld(name: string, people: number, seed: number) {
  const base = loadScenario(name);
  const scenario = {
    ...withPopulation(base, people),
    app: { ...base.app, adoption: 1, byAgeGroup: undefined },
    seed,
  };
  return { scenario, epi: createEpidemic(scenario, { seed }) };
}

/**
 * Runs the first `steps` mobility steps of local day `day` (starting the day first) and, after each, awaits
 * `advance(t)` with the step's end `t` (unix ms).
 */
export async function runDaySteps(
  epi: Epidemic,
  day: number,
  steps: number,
  advance: (t: number) => unknown,
): Promise<void> {
  const stepMs = epi.mobility.stepMinutes * 60_000;
  const dayStart = epi.mobility.dayStartMs(day);
  epi.startDay();
  for (let s = 0; s < steps; s++) {
    epi.runStep(s);
    await advance(dayStart + (s + 1) * stepMs);
  }
}
