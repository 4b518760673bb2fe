/**
 * The R0 arm measured at the model level: the epidemic alone (no phones, no app, no interventions, no
 * symptomatic testing) on a scenario's world, and the figures of the summary's `epidemic` block from its
 * line list. Faster than a whole {@link runSimulation} for calibration and the science tests; the
 * figures are the same functions of the line list.
 */
import { createEpidemic } from "./epidemic";
import type { EpidemicParams } from "./epidemic-params";
import {
  earlyR,
  generationInterval,
  householdSecondaryAttackRate,
  lineList,
  type OffspringDispersion,
  offspringDispersion,
  type TransmissionShares,
  transmissionShares,
} from "./epidemic-metrics";
import { type Scenario, withoutInterventions } from "../scenario";

/** Options of {@link measureR0Arm}. */
export interface R0ArmOptions {
  /** Master seed (default the scenario's). */
  seed?: number;
  /** Population (default the scenario's). */
  population?: number;
  /** Days simulated (default 50). */
  days?: number;
  /** Mobility step, minutes (default 5, as `bluezone sim`). */
  stepMinutes?: number;
  /**
   * Only generations below this transmit (default: all). R0 (generations 0–1) needs at least 2; the
   * household SAR then counts only households whose index case is of a generation below this − 2 (so
   * that secondary and tertiary cases of the household still transmit): 4 keeps index generations 0–1.
   */
  transmittingGenerations?: number;
  /** Parameter overrides (e.g. `initialInfected`, `beta`). */
  params?: Partial<EpidemicParams>;
}

/** Figures of the R0 arm (see `EpidemicSummary` for their definitions). */
export interface R0ArmFigures {
  /** Mean secondary infections of generations 0–1 that finished being infectious. */
  R0: number;
  /** Cases behind R0 (pool seeds by Σ R0·cases / Σ cases). */
  R0Cases: number;
  /** Generation interval over complete infectors (days). */
  generationInterval: { mean: number; sd: number; pairs: number };
  /** Shares of transmission by the infector's state. */
  transmissionShares: TransmissionShares;
  /** Household SAR (tertiary cases within 21 days included) and from the index alone. */
  householdSAR: number;
  householdSARFromIndex: number;
  householdContacts: number;
  /** Offspring distribution of generations 0–1. */
  offspring: OffspringDispersion;
  /** Transmissions at home / all transmissions. */
  homeShare: number;
  /** Infections (initial cases included). */
  infections: number;
}

/** Runs the R0 arm of `scenario` and measures it (deterministic for a seed). */
export function measureR0Arm(scenario: Scenario, options: R0ArmOptions = {}): R0ArmFigures {
  const base = withoutInterventions({ ...scenario, population: options.population ?? scenario.population });
  const epi = createEpidemic(base, {
    seed: options.seed ?? scenario.seed,
    params: options.params ?? {},
    stepMinutes: options.stepMinutes ?? 5,
    trackContacts: false,
    ...(options.transmittingGenerations === undefined
      ? {}
      : { transmittingGenerations: options.transmittingGenerations }),
  });
  const days = options.days ?? 50;
  for (let d = 0; d < days; d++) epi.runDay();
  const list = lineList(epi);
  const r0 = earlyR(list, days);
  // With capped generations, only households whose index case's infectees (and theirs) still transmit.
  const sar = householdSecondaryAttackRate(
    list,
    epi.world.household,
    days,
    21,
    (options.transmittingGenerations ?? Number.POSITIVE_INFINITY) - 3,
  );
  const transmissions = list.filter((i) => i.infector >= 0);
  return {
    R0: r0.R,
    R0Cases: r0.cases,
    generationInterval: generationInterval(list, days),
    transmissionShares: transmissionShares(list),
    householdSAR: sar.SAR,
    householdSARFromIndex: sar.contacts > 0 ? sar.fromIndex / sar.contacts : Number.NaN,
    householdContacts: sar.contacts,
    offspring: offspringDispersion(list, days),
    homeShare: transmissions.filter((i) => i.setting === "home").length / Math.max(1, transmissions.length),
    infections: list.length,
  };
}
