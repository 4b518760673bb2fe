/**
 * Every epidemic parameter in ONE table, with its source. `docs/epidemic-params.md` repeats the table
 * with the reasoning; keep the two in step. Scenarios override any subset (`epidemic` field).
 */

/** Parameters of the within-host and transmission model. Times in days unless named otherwise. */
export interface EpidemicParams {
  /**
   * Transmission rate per minute of contact at ≤ 1 m, indoors, from a source at peak infectiousness
   * (hazard; infection probability of a contact is 1 − exp(−Σ rate·minutes)). Calibrated so R ≈ 2 in
   * the default scenario without app or interventions (`scripts/calibrate-epidemic.ts`).
   */
  beta: number;
  /** Number of people infected at the start (seeded uniformly at random). */
  initialInfected: number;
  /** Mean of log incubation period (days). */
  incubationLogMean: number;
  /** Standard deviation of log incubation period. */
  incubationLogSd: number;
  /** Infectiousness begins this many days before symptom onset (latent = incubation − this, ≥ 0.5 d). */
  presymptomaticDays: number;
  /** Weibull shape of the infectiousness profile over days since infection. */
  infectiousnessShape: number;
  /** Weibull scale (days) of the infectiousness profile over days since infection. */
  infectiousnessScale: number;
  /** Days after infection when a case is recovered (no longer infectious). */
  recoveryDays: number;
  /** Fraction of infections that never develop symptoms. */
  asymptomaticShare: number;
  /** Infectiousness of an asymptomatic case relative to a symptomatic one. */
  asymptomaticRelInfectiousness: number;
  /** Relative risk decrease per additional metre beyond 1 m (risk ∝ factor^−(d−1)). */
  distanceRiskPerMetre: number;
  /** No transmission beyond this distance (m): the kernel is negligible there. */
  maxDistanceM: number;
  /** Transmission multiplier outdoors relative to indoors. */
  outdoorFactor: number;
  /** Fraction of symptomatic cases who seek a test. */
  symptomaticTestingShare: number;
  /** Mean delay (days) from symptom onset to a positive result, gamma with shape 2. */
  testDelayMeanDays: number;
  /** PCR sensitivity in an infected person while infectious (mass testing). */
  testSensitivity: number;
  /** Protection against infection after vaccination (relative reduction in susceptibility). */
  vaccineEfficacyInfection: number;
  /** Where confirmed cases and compliant F1 quarantine stay: at home (infecting the household) or in a facility. */
  isolationSetting: "home" | "facility";
}

/** Default (ancestral-strain, 2020) parameters; the table documented in docs/epidemic-params.md. */
export const DEFAULT_EPIDEMIC_PARAMS: Readonly<EpidemicParams> = {
  // Calibrated: scripts/calibrate-epidemic.ts on sim/scenarios/hanoi-ward.json, no interventions, R ≈ 2.
  beta: 0.000703,
  initialInfected: 10,
  // Lauer et al. 2020, Ann Intern Med: lognormal incubation, median 5.1 d (log mean 1.621, log sd 0.418).
  incubationLogMean: 1.621,
  incubationLogSd: 0.418,
  // He et al. 2020, Nat Med: infectiousness starts ~2.3 d (0.8–3.0) before symptom onset.
  presymptomaticDays: 2.3,
  // Ferretti et al. 2020, Science: generation time Weibull, mean 5.0 d, sd 1.9 (shape 2.83, scale 5.67).
  infectiousnessShape: 2.83,
  infectiousnessScale: 5.67,
  // Infectious virus is rarely cultured after ~10 d from onset (Cevik et al. 2021, Lancet Microbe).
  recoveryDays: 14,
  // Oran & Topol 2020, Ann Intern Med: ~40–45% of infections asymptomatic.
  asymptomaticShare: 0.4,
  // Buitrago-Garcia et al. 2020, PLoS Med: RR 0.35 (0.10–1.27); 0.5 is the common modelling choice.
  asymptomaticRelInfectiousness: 0.5,
  // Chu et al. 2020, Lancet: relative risk falls 2.02-fold per additional metre.
  distanceRiskPerMetre: 2.02,
  maxDistanceM: 4,
  // Nishiura et al. 2020, medRxiv: odds of transmission 18.7× higher in closed than open-air settings.
  outdoorFactor: 1 / 18.7,
  // Assumption (Vietnam 2021 tested symptomatic people widely and fast).
  symptomaticTestingShare: 0.8,
  testDelayMeanDays: 2,
  // Kucirka et al. 2020, Ann Intern Med: RT-PCR false negatives ~20% around symptom onset.
  testSensitivity: 0.8,
  // Lopez Bernal et al. 2021, NEJM: Delta, 2 doses, 67–88% vs symptomatic disease; ~0.6 vs infection.
  vaccineEfficacyInfection: 0.6,
  // Vietnam 2021: confirmed cases to hospitals and F1 to centralised quarantine facilities.
  isolationSetting: "facility",
};

/**
 * Delta-era overrides for Hanoi 2021: incubation 4.4 d (Zhang et al. 2021, EClinicalMedicine,
 * Guangdong Delta outbreak), and higher transmissibility (Liu & Rocklöv 2021, J Travel Med: R0 ≈ 5.1,
 * about twice ancestral), applied as a β multiplier by the scenario.
 */
export const DELTA_OVERRIDES: Readonly<Partial<EpidemicParams>> = {
  incubationLogMean: Math.log(4.4),
  incubationLogSd: 0.42,
  presymptomaticDays: 2.5,
};
