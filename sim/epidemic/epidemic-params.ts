/**
 * Every epidemic parameter in ONE table, with its source. `docs/epidemic-params.md` repeats the table
 * with the reasoning; keep the two in step. Scenarios override any subset (`epidemic` field).
 */

/**
 * Parameters of the within-host and transmission model. Times in days unless named otherwise.
 * @public
 */
export interface EpidemicParams {
  /**
   * Transmission rate per minute of contact at ≤ 1 m, indoors, from a source at peak infectiousness
   * (hazard; infection probability of a contact is 1 − exp(−Σ rate·minutes)). Calibrated so R0 ≈ 2 in
   * the R0 arm of hanoi-ward (`scripts/calibrate-epidemic.ts`, docs/epidemic-params.md).
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
  /**
   * Weibull shape of the infectiousness profile. The profile is a function of time since symptom onset
   * (the "TOST"): infectiousness at time s after onset is the Weibull density at
   * `infectiousnessOnsetDays + s`, normalised to peak 1, so every case's profile is anchored to its own
   * onset (asymptomatic cases: to the onset they would have had).
   */
  infectiousnessShape: number;
  /** Weibull scale (days) of the infectiousness profile. */
  infectiousnessScale: number;
  /**
   * Where symptom onset falls on the profile's time axis (days): the mean incubation period, so that for
   * a case of mean incubation the profile is the generation-time distribution over days since infection
   * and the mean generation time is the Weibull's mean.
   */
  infectiousnessOnsetDays: number;
  /**
   * Individual variation in infectiousness: each case's infectiousness is multiplied by a gamma variate
   * of mean 1 and shape k (the dispersion of a negative-binomial offspring distribution); 0 turns the
   * variation off (every case multiplies by 1).
   */
  infectiousnessDispersionK: number;
  /** Multiplier of the transmission rate inside a household's home (household intensity). */
  householdTransmissionFactor: number;
  /**
   * Relative susceptibility by age-group name (scenario `ageGroups[].name`); groups not listed have 1.
   */
  susceptibilityByAgeGroup: Readonly<Record<string, number>>;
  /** Multiplier of β for the variant (1 for the ancestral strain; the Delta preset sets its own). */
  transmissibility: number;
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
  /**
   * PCR sensitivity of one sample from an infected person, from one day before infectiousness until
   * recovery (mass testing and F1 tests, unless the intervention sets its own).
   */
  testSensitivity: number;
  /**
   * PCR specificity per reaction: an uninfected sample (or pool) reacts positive with probability
   * 1 − this (mass testing and F1 tests, unless the intervention sets its own); 1 = no false positives.
   */
  testSpecificity: number;
  /**
   * Pooled PCR: a pool of k samples detects a positive sample with probability
   * max(0, 1 − this × log2 k) (dilution by k raises the cycle threshold by log2 k).
   */
  poolSensitivityLossPerDoubling: number;
  /**
   * Days a confirmed case stays isolated when its positive result was false (the person was not
   * infected): released afterwards. True cases stay isolated until recovery.
   */
  isolationDays: number;
  /**
   * Quarantine leakage: on this share of its days in F1 quarantine (facility or home, manual tracing or
   * app), a quarantined person keeps their normal day (schedule, contacts) instead; 0 = sealed.
   */
  quarantineLeakage: number;
  /** Protection against infection after vaccination (relative reduction in susceptibility). */
  vaccineEfficacyInfection: number;
  /**
   * Protection against hospitalisation and death after vaccination (relative reduction per person,
   * infection included; ≥ `vaccineEfficacyInfection`): an infected vaccinee's risk of severe disease is
   * × (1 − this·r)/(1 − `vaccineEfficacyInfection`·r), r the protection ramp at infection.
   */
  vaccineEfficacySevere: number;
  /**
   * Probability per infection (asymptomatic ones included) of hospitalisation, by age-group name;
   * groups not listed take the `adult` entry (0 if none). Only symptomatic cases are hospitalised
   * (the probability is divided by 1 − `asymptomaticShare` for them).
   */
  hospitalisationByAgeGroup: Readonly<Record<string, number>>;
  /** Probability per infection of death (the infection fatality ratio), by age-group name, as above. */
  fatalityByAgeGroup: Readonly<Record<string, number>>;
  /** Multiplier of the hospitalisation probability for the variant (1 ancestral). */
  hospitalisationMultiplier: number;
  /** Multiplier of the fatality probability for the variant (1 ancestral). */
  fatalityMultiplier: number;
  /** Days from symptom onset to hospital admission. */
  onsetToHospitalDays: number;
  /** Days in hospital for a survivor. */
  hospitalStayDays: number;
  /** Days from symptom onset to death. */
  onsetToDeathDays: number;
  /** Where confirmed cases and compliant F1 quarantine stay: at home (infecting the household) or in a facility. */
  isolationSetting: "home" | "facility";
  /**
   * Symptom self-isolation: share of symptomatic cases who stay home (as a notified F2 does: household
   * contacts continue) from `selfIsolationDelayDays` after onset until recovery; 0 turns it off.
   */
  selfIsolationShare: number;
  /** Days from symptom onset to self-isolation (counted from the next morning). */
  selfIsolationDelayDays: number;
}

/**
 * Default (ancestral-strain, 2020) parameters; the table documented in docs/epidemic-params.md.
 * @public
 */
export const DEFAULT_EPIDEMIC_PARAMS: Readonly<EpidemicParams> = {
  // Calibrated: scripts/calibrate-epidemic.ts on sim/scenarios/hanoi-ward.json, R0 arm, R0 ≈ 2.
  beta: 0.00138,
  initialInfected: 10,
  // Lauer et al. 2020, Ann Intern Med: lognormal incubation, median 5.1 d (log mean 1.621, log sd 0.418).
  incubationLogMean: 1.621,
  incubationLogSd: 0.418,
  // He et al. 2020, Nat Med, reported 2.3 d (0.8–3.0) before onset; the correction of their fit
  // (Ashcroft et al. 2020, Swiss Med Wkly) starts it earlier (44% of transmission before onset). 4 d
  // cuts only the profile's first 1% (the profile is what matters, not this cut).
  presymptomaticDays: 4,
  // Ferretti et al. 2020, Science: generation time Weibull, mean 5.0 d, sd 1.9 (shape 2.83, scale 5.67).
  infectiousnessShape: 2.83,
  infectiousnessScale: 5.67,
  // Onset anchored at Lauer's median incubation (5.1 d): a case of median incubation has Ferretti's
  // generation-time profile.
  infectiousnessOnsetDays: 5.1,
  // Adam et al. 2020, Nat Med (Hong Kong): k = 0.43 (0.29–0.67); Endo et al. 2020 (k ≈ 0.1) is the
  // offspring distribution as a whole, which households and venues already make overdispersed.
  infectiousnessDispersionK: 0.45,
  // Calibrated: household SAR in Madewell et al. 2020/2021 (JAMA Netw Open) range, 0.17–0.19.
  householdTransmissionFactor: 0.24,
  // Davies et al. 2020, Nat Med: susceptibility 0.40 (0–9), 0.38 (10–19), 0.79–0.86 (20–59), 0.88
  // (60–69), 0.74 (70+), here relative to the 20–59 mean 0.82.
  susceptibilityByAgeGroup: { preschool: 0.49, school: 0.47, adult: 1, senior: 0.99 },
  transmissibility: 1,
  // Infectious virus is rarely cultured after ~10 d from onset (Cevik et al. 2021, Lancet Microbe).
  recoveryDays: 14,
  // Buitrago-Garcia et al. 2020, PLoS Med: 20% (17–25%) of infections stay asymptomatic throughout.
  asymptomaticShare: 0.2,
  // Buitrago-Garcia et al. 2020, PLoS Med: secondary attack rate from asymptomatic vs symptomatic
  // index cases, RR 0.35 (0.10–1.27).
  asymptomaticRelInfectiousness: 0.35,
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
  // UK ONS COVID-19 Infection Survey (2020): at the lowest prevalence at most ≈ 0.08% of its PCR tests
  // were positive, so specificity ≥ 99.92%; 99.9% per reaction.
  testSpecificity: 0.999,
  // Yelin et al. 2020, Clin Infect Dis: one positive sample detected in pools of up to 32 with a ≈ 10%
  // false-negative rate, i.e. ≈ 2% per doubling of the pool (dilution by k adds log2 k cycles).
  poolSensitivityLossPerDoubling: 0.02,
  // Vietnam 2021: confirmed cases isolated (hospital, then home) for at least 14 days.
  isolationDays: 14,
  // Sealed by default (Vietnam's centralised facilities); see docs/epidemic-params.md for home quarantine.
  quarantineLeakage: 0,
  // Lopez Bernal et al. 2021, NEJM: Delta, 2 doses, 67–88% vs symptomatic disease; ~0.6 vs infection.
  vaccineEfficacyInfection: 0.6,
  // Stowe et al. 2021 (Public Health England, preprint): 2 doses against hospitalisation with Delta,
  // 96% (BNT162b2) and 92% (ChAdOx1); 0.92.
  vaccineEfficacySevere: 0.92,
  // Verity et al. 2020, Lancet Infect Dis: share of infections hospitalised and infection fatality ratio
  // by 10-year age band (China), averaged over each group's ages (preschool 0–5, school 6–17, adult
  // 18–59, senior 60+) with Vietnam's age structure (2019 census, approximate 5-year shares).
  hospitalisationByAgeGroup: { preschool: 0, school: 0.000256, adult: 0.0375, senior: 0.14 },
  fatalityByAgeGroup: { preschool: 0.0000161, school: 0.0000496, adult: 0.00182, senior: 0.0338 },
  hospitalisationMultiplier: 1,
  fatalityMultiplier: 1,
  // Wang et al. 2020, JAMA (138 patients, Wuhan): median 7 d from first symptom to admission.
  onsetToHospitalDays: 7,
  // Rees et al. 2020, BMC Med (systematic review): median stay in hospital 14 d in China (10–19).
  hospitalStayDays: 14,
  // Verity et al. 2020: mean 17.8 d from onset to death.
  onsetToDeathDays: 17.8,
  // Vietnam 2021: confirmed cases to hospitals and F1 to centralised quarantine facilities.
  isolationSetting: "facility",
  // Off by default (the seeds' scenarios rely on testing and facility isolation). When on: compliance
  // is a scenario choice; Smith et al. 2021, BMJ (UK, CORSAIR survey): 42.5% of people with symptoms
  // fully self-isolated; ≈ 1 d from onset to staying home is an assumption.
  selfIsolationShare: 0,
  selfIsolationDelayDays: 1,
};

/**
 * Delta-era overrides for Hanoi 2021: incubation median 4.4 d (Zhang et al. 2021, EClinicalMedicine,
 * Guangdong Delta outbreak) with the same profile around onset, and higher transmissibility calibrated so
 * that R0 ≈ 5 (Liu & Rocklöv 2021, J Travel Med: mean R0 5.08) in the R0 arm of hanoi-ward; severity
 * × 2.08 (hospitalisation) and × 2.33 (death) against the ancestral strain (Fisman & Tuite 2021, CMAJ).
 * @public
 */
export const DELTA_OVERRIDES: Readonly<Partial<EpidemicParams>> = {
  incubationLogMean: Math.log(4.4),
  incubationLogSd: 0.42,
  transmissibility: 5.8,
  // Fisman & Tuite 2021, CMAJ (Ontario): Delta against non-VOC, adjusted OR 2.08 for hospitalisation and
  // 2.33 for death (used as risk ratios).
  hospitalisationMultiplier: 2.08,
  fatalityMultiplier: 2.33,
};
