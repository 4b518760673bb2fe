/**
 * Contact policies as data: bucket thresholds, weights, how scan instances and windows are summarised,
 * and the day rule. Presets: `default` (fitted to real RSSI data, see docs/proximity-eval.md),
 * `swisscovid`, `cwa` and `bluezone` (any sighting counts). Every policy is validated before use.
 */
import { BluezoneError } from "../errors";
import { InvalidArgumentError } from "../errors";
import { type BucketThresholds, DISTANCE_BUCKETS, type DistanceBucket } from "./attenuation";
import DEFAULT_FIT from "./default-policy.json";
import { type DayBoundary, validateDayBoundary } from "./day-boundary";

/**
 * A contact policy is inconsistent (e.g. thresholds out of order, a negative weight).
 * @public
 */
export class PolicyError extends BluezoneError {
  /** @param message - which field was wrong and what is accepted */
  constructor(message: string) {
    super("ERR_INVALID_POLICY", message);
  }
}

/**
 * How a window's scan instances are summarised into one attenuation.
 * @public
 */
export interface WindowRule {
  /**
   * `mean` of the instances' attenuations, or their `quantile` (a low quantile of attenuation is a
   * high percentile of RSSI: robust to the deep fades bodies and bags cause).
   */
  aggregate: "mean" | "quantile";
  /** Quantile in 0…1 used by `quantile` (0 = smallest attenuation, 0.5 = median). */
  quantile: number;
}

/**
 * A calibrated probability that a window was within 2 m: P(≤ 2 m) = 1 / (1 + exp(−(intercept + slope ×
 * a))), `a` the window attenuation in dB (after the calibration-confidence margin). A logistic model of the
 * same number the buckets threshold, so the verdict and the probability never disagree in order.
 * @public
 */
export interface ProbabilityModel {
  /** Intercept (log-odds at 0 dB). */
  intercept: number;
  /** Change of the log-odds per dB of attenuation (negative: more attenuation, less likely close). */
  slope: number;
}

/**
 * The per-day decision.
 * @public
 */
export interface DayRule {
  /**
   * Which per-day total is compared: seconds of close windows, bucket-weighted seconds, or expected close
   * seconds (each window's covered seconds × its P(≤ 2 m); needs the policy's `probability` model).
   */
  measure: "close" | "weighted" | "expected";
  /** A day is an F1 contact day when the measure reaches this many seconds (e.g. 900 = 15 min). */
  minSeconds: number;
  /**
   * Where days begin (see `DayBoundary`): `"UTC"` (when omitted), a fixed offset `"+07:00"`, or an IANA
   * zone such as `"Asia/Ho_Chi_Minh"` for Vietnam's rule, which counts Vietnamese calendar days. A
   * window belongs to the day of its start.
   */
  boundary?: DayBoundary;
}

/**
 * A contact policy. Plain data: it can be stored, compared and sent as JSON.
 * @public
 */
export interface ContactPolicy {
  /** Short name, e.g. `"default"`. */
  name: string;
  /** One line on where the numbers come from. */
  description: string;
  /** Attenuation bucket bounds, dB. */
  buckets: BucketThresholds;
  /** Weight of a second spent in each bucket (for weighted time). */
  weights: Record<DistanceBucket, number>;
  /** The farthest bucket still counted as "close" (within 2 m for the Vietnamese rule: `near`). */
  closeBucket: DistanceBucket;
  /** Scan instances with attenuation above this are ignored (CWA: 73 dB); omit to keep all. */
  ignoreAboveDb?: number;
  /**
   * Instance attenuation = typical + minWeight × (minimum − typical): 0 uses the typical attenuation
   * (from the mean RSSI), 1 the minimum (from the strongest packet).
   */
  minWeight: number;
  /** Window summary. */
  window: WindowRule;
  /** Added to the close threshold by calibration confidence 0…3 (dB); a margin for uncalibrated pairs. */
  confidenceMarginDb: readonly [number, number, number, number];
  /** Day rule. */
  day: DayRule;
  /** Optional P(≤ 2 m) per window; without it a window's probability is not reported. */
  probability?: ProbabilityModel;
}

const FIFTEEN_MINUTES = 900;

/**
 * The preset policies. `default` is fitted on field data by scripts/fit-default-policy.ts (parameters in
 * ./default-policy.json, pinned by tests/proximity/default-fit.test.ts; method and figures in
 * docs/proximity-eval.md): DP-3T experiment 05 (20 people on Samsung phones in five filmed crowd
 * scenarios, camera ground truth) and pc-ng/rss_smartphone, the window summary chosen by
 * leave-one-scenario-out cross-validation. Each scan instance's attenuation is midway between its
 * typical and minimum (minWeight 0.5), the window's is the 10th percentile of its instances, close
 * (≤ 2 m) at ≤ 54.5 dB, the other buckets 6 dB (a doubling of distance) either side; P(≤ 2 m) is a
 * logistic model of the window attenuation. Day rule: Vietnam's F1, ≥ 15 min of close windows a day.
 * @public
 */
export const POLICIES: Readonly<Record<string, ContactPolicy>> = {
  default: {
    name: "default",
    description: `Fitted on field data (DP-3T exp05 + pc-ng; window attenuation, quantile ${DEFAULT_FIT.window.quantile} of instances blended ${DEFAULT_FIT.minWeight} towards the minimum, ≤ ${DEFAULT_FIT.buckets.near} dB; P(≤ 2 m) logistic); ≤ 2 m for 15 min/day`,
    buckets: { ...DEFAULT_FIT.buckets },
    weights: { immediate: 1, near: 1, medium: 0.5, other: 0 },
    closeBucket: "near",
    minWeight: DEFAULT_FIT.minWeight,
    window: {
      aggregate: DEFAULT_FIT.window.aggregate as WindowRule["aggregate"],
      quantile: DEFAULT_FIT.window.quantile,
    },
    confidenceMarginDb: [0, 0, 0, 0],
    day: { measure: "close", minSeconds: FIFTEEN_MINUTES },
    probability: { ...DEFAULT_FIT.probability },
  },
  swisscovid: {
    name: "swisscovid",
    description: "SwissCovid: ≤ 50 dB weight 1, ≤ 55 dB weight 0.5, 15 weighted minutes per day",
    buckets: { immediate: 50, near: 55, medium: 55 },
    weights: { immediate: 1, near: 0.5, medium: 0, other: 0 },
    closeBucket: "near",
    minWeight: 0,
    window: { aggregate: "mean", quantile: 0.5 },
    confidenceMarginDb: [0, 0, 0, 0],
    day: { measure: "weighted", minSeconds: FIFTEEN_MINUTES },
  },
  cwa: {
    name: "cwa",
    description:
      "Corona-Warn-App: ≤ 55 dB weight 1, 55–63 dB weight 0.5, > 73 dB ignored, 15 weighted min/day",
    buckets: { immediate: 55, near: 63, medium: 73 },
    weights: { immediate: 1, near: 0.5, medium: 0, other: 0 },
    closeBucket: "near",
    ignoreAboveDb: 73,
    minWeight: 0,
    window: { aggregate: "mean", quantile: 0.5 },
    confidenceMarginDb: [0, 0, 0, 0],
    day: { measure: "weighted", minSeconds: FIFTEEN_MINUTES },
  },
  bluezone: {
    name: "bluezone",
    description: "Bluezone v1: any sighting counts as a contact; 15 min/day",
    buckets: { immediate: 55, near: 63, medium: 73 },
    weights: { immediate: 1, near: 1, medium: 1, other: 1 },
    closeBucket: "other",
    minWeight: 0,
    window: { aggregate: "mean", quantile: 0.5 },
    confidenceMarginDb: [0, 0, 0, 0],
    day: { measure: "close", minSeconds: FIFTEEN_MINUTES },
  },
};

/**
 * Names of the preset policies.
 * @public
 */
export const POLICY_NAMES: readonly string[] = Object.keys(POLICIES);

const isNum = (v: unknown): v is number => typeof v === "number" && !Number.isNaN(v);

/**
 * Checks a policy and returns it unchanged.
 * @throws PolicyError naming the first inconsistent field
 * @public
 */
export function validatePolicy(p: ContactPolicy): ContactPolicy {
  const fail = (msg: string): never => {
    throw new PolicyError(`policy "${p?.name ?? "?"}": ${msg}`);
  };
  if (typeof p !== "object" || p === null) fail("must be an object");
  if (typeof p.name !== "string" || p.name === "") fail("name must be a non-empty string");
  const t = p.buckets ?? fail("buckets missing");
  if (![t.immediate, t.near, t.medium].every(isNum)) fail("bucket thresholds must be numbers (dB)");
  if (!(t.immediate <= t.near && t.near <= t.medium))
    fail("bucket thresholds must satisfy immediate ≤ near ≤ medium");
  for (const b of DISTANCE_BUCKETS) {
    const w = p.weights?.[b];
    if (!isNum(w) || !Number.isFinite(w) || w < 0) fail(`weight of "${b}" must be a finite number ≥ 0`);
  }
  if (!DISTANCE_BUCKETS.includes(p.closeBucket))
    fail(`closeBucket must be one of ${DISTANCE_BUCKETS.join(", ")}`);
  if (p.ignoreAboveDb !== undefined && !isNum(p.ignoreAboveDb)) fail("ignoreAboveDb must be a number");
  if (!isNum(p.minWeight) || p.minWeight < 0 || p.minWeight > 1) fail("minWeight must be in 0…1");
  if (p.window?.aggregate !== "mean" && p.window?.aggregate !== "quantile")
    fail('window.aggregate must be "mean" or "quantile"');
  if (!isNum(p.window.quantile) || p.window.quantile < 0 || p.window.quantile > 1)
    fail("window.quantile must be in 0…1");
  const m = p.confidenceMarginDb;
  if (!Array.isArray(m) || m.length !== 4 || !m.every((x) => isNum(x) && Number.isFinite(x)))
    fail("confidenceMarginDb must be 4 finite numbers (for confidence 0…3)");
  if (p.day?.measure !== "close" && p.day?.measure !== "weighted" && p.day?.measure !== "expected")
    fail('day.measure must be "close", "weighted" or "expected"');
  if (!isNum(p.day.minSeconds) || !Number.isFinite(p.day.minSeconds) || p.day.minSeconds < 0)
    fail("day.minSeconds must be a finite number ≥ 0");
  if (p.probability !== undefined) {
    const { intercept, slope } = p.probability;
    if (![intercept, slope].every((x) => isNum(x) && Number.isFinite(x)))
      fail("probability.intercept and probability.slope must be finite numbers");
  }
  if (p.day.measure === "expected" && p.probability === undefined)
    fail('day.measure "expected" needs a probability model');
  if (p.day.boundary !== undefined) {
    try {
      validateDayBoundary(p.day.boundary);
    } catch (e) {
      fail(`day.boundary: ${e instanceof InvalidArgumentError ? e.message : String(e)}`);
    }
  }
  return p;
}

/**
 * `policy` with its day rule counting days from `boundary` (`"UTC"`, `"±HH:MM"` or an IANA zone).
 * @throws PolicyError when the boundary is not valid
 * @public
 */
export function withDayBoundary(policy: ContactPolicy, boundary: DayBoundary): ContactPolicy {
  return validatePolicy({ ...policy, day: { ...policy.day, boundary } });
}

/**
 * A preset policy by name.
 * @throws PolicyError for an unknown name
 * @public
 */
export function getPolicy(name: string): ContactPolicy {
  const p = Object.hasOwn(POLICIES, name) ? POLICIES[name] : undefined;
  if (!p) throw new PolicyError(`unknown policy "${name}" (known: ${POLICY_NAMES.join(", ")})`);
  return p;
}
