/**
 * Within-host course of one infection: incubation, asymptomatic or not, individual infectiousness, and
 * infectiousness over time as a function of time since symptom onset (a Weibull generation-time
 * profile whose `infectiousnessOnsetDays` point sits on each person's onset; zero before
 * infectiousness starts and after recovery).
 */
import type { EpidemicParams } from "./epidemic-params";
import type { Rng } from "../random";

/**
 * The course drawn at infection (times in days since infection).
 * @public
 */
export interface InfectionCourse {
  /** Infectiousness begins. */
  latentDays: number;
  /** Symptom onset (for asymptomatic cases, the time onset would have been). */
  incubationDays: number;
  /** Never develops symptoms. */
  asymptomatic: boolean;
  /** No longer infectious. */
  recoveryDays: number;
  /** Individual infectiousness multiplier: gamma, mean 1, shape `infectiousnessDispersionK` (1 when 0). */
  relInfectiousness: number;
}

/**
 * Draws the course of a new infection.
 * @public
 */
export function drawCourse(p: EpidemicParams, rng: Rng): InfectionCourse {
  const incubationDays = rng.lognormal(p.incubationLogMean, p.incubationLogSd);
  const latentDays = Math.max(0.5, incubationDays - p.presymptomaticDays);
  return {
    latentDays,
    incubationDays,
    asymptomatic: rng.bernoulli(p.asymptomaticShare),
    recoveryDays: p.recoveryDays + Math.max(0, incubationDays - p.infectiousnessOnsetDays),
    relInfectiousness:
      p.infectiousnessDispersionK > 0
        ? rng.gamma(p.infectiousnessDispersionK, 1 / p.infectiousnessDispersionK)
        : 1,
  };
}

/** Peak of the Weibull density with the given shape and scale (its mode). */
function weibullPeak(k: number, lambda: number): number {
  const mode = k > 1 ? lambda * ((k - 1) / k) ** (1 / k) : 0;
  return weibullPdf(mode, k, lambda);
}

function weibullPdf(x: number, k: number, lambda: number): number {
  if (x <= 0) return 0;
  const z = x / lambda;
  return (k / lambda) * z ** (k - 1) * Math.exp(-(z ** k));
}

/**
 * Relative infectiousness (peak 1 for a symptomatic case, before the individual multiplier) `tau` days
 * after infection: the Weibull profile at `infectiousnessOnsetDays + (tau − incubationDays)`, i.e. a
 * function of time since onset, the same for every incubation period (so the share of transmission
 * before onset does not depend on the strain's incubation; Ferretti et al. 2020, Science; He et al.
 * 2020, Nat Med, anchor infectiousness to onset the same way).
 * @public
 */
export function infectiousness(
  p: EpidemicParams,
  tau: number,
  latentDays: number,
  incubationDays: number,
  asymptomatic: boolean,
  recoveryDays: number,
): number {
  if (tau < latentDays || tau >= recoveryDays) return 0;
  const shifted = p.infectiousnessOnsetDays + tau - incubationDays;
  const v =
    weibullPdf(shifted, p.infectiousnessShape, p.infectiousnessScale) /
    weibullPeak(p.infectiousnessShape, p.infectiousnessScale);
  return asymptomatic ? v * p.asymptomaticRelInfectiousness : v;
}

/**
 * Transmission weight of distance `d` m: 1 within 1 m, falling by `distanceRiskPerMetre` per metre after.
 * @public
 */
export function distanceKernel(p: EpidemicParams, d: number): number {
  if (d > p.maxDistanceM) return 0;
  return d <= 1 ? 1 : p.distanceRiskPerMetre ** -(d - 1);
}
