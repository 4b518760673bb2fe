/**
 * The integrated simulation: the library's tracer, log and matcher on every phone, against the truth.
 * Small worlds so the suite stays quick; the full-size figures come from `npm run bench:sim` and
 * `npm run science`.
 */
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../sim/scenario";
import { runSimulation, type SimulationResult } from "../../sim/run";

/** The office scenario, shrunk: 60 people who all run the app, 8 initial cases, 8 days. */
function small(seed = 7) {
  const s = loadScenario("office");
  return {
    scenario: { ...s, epidemic: { ...s.epidemic, initialInfected: 8 } },
    phones: 60,
    days: 8,
    adoption: 1,
    seed,
  };
}

let first: SimulationResult | undefined;

// Each run simulates 480 phone-days; the guard is generous so a loaded CI machine cannot trip it.
const RUN_TIMEOUT_MS = 240_000;

describe("simulation", () => {
  it(
    "runs the library on every phone and compares its verdicts with the truth",
    async () => {
      first = await runSimulation({ ...small(), workers: 1 });
      const s = first.summary;
      expect(s.appUsers).toBe(60);
      expect(s.sightingsLogged).toBeGreaterThan(1000);
      expect(s.keysPublished).toBeGreaterThan(0);
      expect(s.groundTruthCloseContacts).toBeGreaterThan(0);
      expect(s.f1Notified).toBeGreaterThan(0);
      for (const x of [s.f1Precision, s.f1Recall, s.traceableFraction, s.policyRocAuc]) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
      }
      expect(s.f1TruePositives).toBeLessThanOrEqual(Math.min(s.f1Notified, s.groundTruthCloseContacts));
      expect(first.daily).toHaveLength(8);
      expect(first.daily.reduce((n, d) => n + d.notifiedF1, 0)).toBe(s.f1Notified);
      expect(first.daily.reduce((n, d) => n + d.infections, 0)).toBe(s.infections);
      // Paired runs (common random numbers): on this seed the app arm has fewer infections.
      expect(s.infections).toBeLessThanOrEqual(s.infectionsWithoutApp);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "is deterministic: the same seed gives the same output, with one worker thread or two",
    async () => {
      const again = await runSimulation({ ...small(), workers: 2 });
      expect(again).toEqual(first);
    },
    RUN_TIMEOUT_MS,
  );
});
