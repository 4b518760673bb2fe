/**
 * Worker thread of tests/sim/science.test.ts (started through tests/support/ts-worker.mjs): runs the
 * simulations it is sent, one at a time, and answers with the figures the test needs.
 */
import { parentPort } from "node:worker_threads";
import { runSimulation } from "../../sim/run";
import { loadScenario } from "../../sim/scenario";

/** One run: a shipped scenario by name and the runSimulation options. */
export interface ScienceTask {
  id: number;
  scenario: string;
  phones: number;
  days: number;
  adoption: number;
  seed: number;
  counterfactual: boolean;
}

/** Its figures (or the error). */
export interface ScienceResult {
  id: number;
  infections: number;
  infectionsWithoutApp: number;
  appUsers: number;
  error?: string;
}

/** Serves tasks from the parent thread until terminated. */
export function serve(): void {
  const port = parentPort;
  if (!port) throw new Error("science-worker: not in a worker thread");
  port.on("message", async (t: ScienceTask) => {
    try {
      const { summary } = await runSimulation({
        scenario: loadScenario(t.scenario),
        phones: t.phones,
        days: t.days,
        adoption: t.adoption,
        seed: t.seed,
        counterfactual: t.counterfactual,
      });
      const result: ScienceResult = {
        id: t.id,
        infections: summary.infections,
        infectionsWithoutApp: summary.infectionsWithoutApp,
        appUsers: summary.appUsers,
      };
      port.postMessage(result);
    } catch (e) {
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      port.postMessage({ id: t.id, infections: 0, infectionsWithoutApp: 0, appUsers: 0, error });
    }
  });
}
