/**
 * A property harness for contact policies: an app team states what its policy must decide for a
 * family of contact scenarios ("any pair within 1 m for 20 minutes is F1", "nothing beyond 4 m is
 * F1") and checks it over many seeded scenarios, through the whole pipeline (simulated scans → scan
 * aggregator → contact log → published keys → matcher → exposure windows → policy → verdict). Failures
 * come with the smallest counterexample fast-check finds, printed readably.
 */
import fc from "fast-check";
import { BluezoneError, InvalidArgumentError } from "../errors";
import { createMemoryLog } from "../log/memory-log";
import type { Sighting } from "../log/types";
import { type ExposureCheck, checkExposure } from "../match/check-exposure";
import { type ExposureKey, ReportType } from "../match/export-codec";
import type { ExposureStatus, RiskConfig } from "../match/risk";
import { type ContactPolicy, getPolicy } from "../proximity/policy";
import { type ContactScenario, simulateContact } from "./scenario";

/**
 * The verdict a scenario must get: a status (`"F1"`, `"none"`…), any status but one, or a predicate.
 * @public
 */
export type PolicyExpectation =
  | ExposureStatus
  | { not: ExposureStatus }
  | ((outcome: PolicyOutcome) => boolean);

/**
 * What a property is checked with.
 * @public
 */
export interface PolicyPropertySpec {
  /** The policy under test, or a preset name (`"default"`, `"cwa"`, …). */
  policy: ContactPolicy | string;
  /** Scenarios to check, usually from `contactScenario(…)`. */
  scenario: fc.Arbitrary<ContactScenario>;
  /** What every scenario's verdict must be. */
  expect: PolicyExpectation;
  /**
   * Largest fraction of scenarios allowed to fail (0…1). 0 (the default) is a strict property, checked
   * with shrinking; above 0 the harness samples `numRuns` scenarios and checks the failure rate (a
   * realistic tolerance for radio noise), reporting the first failing scenario.
   */
  tolerance?: number;
  /** Scenarios tried; default 100. */
  numRuns?: number;
  /** fast-check seed; default 42 (fixed, so a run is reproducible). */
  seed?: number;
  /** Report type of the senders' published keys; default confirmed test (F1 contacts). */
  reportType?: ReportType;
  /** Other risk settings (report type weights, infectiousness, maxLevel). */
  risk?: Omit<RiskConfig, "policy">;
}

/**
 * One scenario's run through the pipeline.
 * @public
 */
export interface PolicyOutcome {
  /** The scenario. */
  scenario: ContactScenario;
  /** The receiver's sightings. */
  sightings: Sighting[];
  /** The senders' published keys. */
  keys: ExposureKey[];
  /** Matches, windows and assessment. */
  check: ExposureCheck;
  /** The verdict: `"F1"`, `"F2"` … or `"none"`. */
  status: ExposureStatus;
}

/**
 * The result of checking a property.
 * @public
 */
export interface PolicyPropertyResult {
  /** True when the property held (within the tolerance). */
  ok: boolean;
  /** Scenarios evaluated. */
  runs: number;
  /** Scenarios whose verdict broke the expectation (strict mode stops at the first). */
  failures: number;
  /** failures / runs. */
  failureRate: number;
  /** The seed used. */
  seed: number;
  /** The (shrunk, in strict mode) failing scenario and its outcome, when there was one. */
  counterexample?: PolicyOutcome;
  /** A human-readable report: expectation, rate, counterexample. */
  report: string;
}

/**
 * A policy property did not hold; carries the result with its counterexample.
 * @public
 */
export class PolicyPropertyError extends BluezoneError {
  /** The full result (not enumerable, so test runners print the report rather than every sighting). */
  declare readonly result: PolicyPropertyResult;

  /** @param result - the failed result */
  constructor(result: PolicyPropertyResult) {
    super("ERR_POLICY_PROPERTY", result.report);
    Object.defineProperty(this, "result", { value: result, enumerable: false });
  }
}

/**
 * Runs one scenario through the pipeline under a policy.
 * @public
 */
export async function evaluateScenario(
  scenario: ContactScenario,
  policy: ContactPolicy | string,
  options: Pick<PolicyPropertySpec, "reportType" | "risk"> = {},
): Promise<PolicyOutcome> {
  const resolved = typeof policy === "string" ? getPolicy(policy) : policy;
  const { sightings, keysBySender } = simulateContact(scenario);
  const reportType = options.reportType ?? ReportType.CONFIRMED_TEST;
  const keys: ExposureKey[] = keysBySender.flat().map((k) => ({ ...k, reportType }));
  const log = createMemoryLog();
  await log.record(sightings);
  const check = await checkExposure(log, keys, {
    ...options.risk,
    policy: resolved,
    ...(scenario.receiverModel === undefined ? {} : { receiverModel: scenario.receiverModel }),
  });
  return { scenario, sightings, keys, check, status: check.assessment.status };
}

function describeExpectation(e: PolicyExpectation): string {
  if (typeof e === "string") return `is ${e}`;
  if (typeof e === "function") return `satisfies ${e.name || "the predicate"}`;
  return `is not ${e.not}`;
}

/** An expectation function that threw: the harness stops with its error instead of counting a failure. */
class ExpectationThrew {
  constructor(readonly error: unknown) {}
}

function holds(e: PolicyExpectation, o: PolicyOutcome): boolean {
  if (typeof e === "string") return o.status === e;
  if (typeof e === "function") {
    try {
      return e(o);
    } catch (err) {
      throw new ExpectationThrew(err);
    }
  }
  return o.status !== e.not;
}

/** A status as the pipeline gives them: "none" or F followed by a level. */
const STATUS = /^(none|F[1-9][0-9]*)$/;

/**
 * Checks a spec's options before any scenario runs.
 * @throws InvalidArgumentError naming the option
 */
function checkSpec(spec: PolicyPropertySpec): void {
  const scenario = spec.scenario as unknown as { generate?: unknown } | undefined;
  if (typeof scenario?.generate !== "function")
    throw new InvalidArgumentError("scenario must be a fast-check arbitrary, e.g. contactScenario({ … })");
  const e = spec.expect as unknown;
  const status =
    typeof e === "string" ? e : e && typeof e === "object" ? (e as { not?: unknown }).not : undefined;
  if (typeof e !== "function" && (typeof status !== "string" || !STATUS.test(status)))
    throw new InvalidArgumentError(
      `expect must be a status ("none", "F1", "F2", …), { not: status } or a function, got ${JSON.stringify(e)}`,
    );
  const tolerance = spec.tolerance ?? 0;
  if (!(typeof tolerance === "number" && tolerance >= 0 && tolerance <= 1))
    throw new InvalidArgumentError(
      `tolerance must be a fraction of failing scenarios in 0…1 (1: measure the failure rate only), got ${String(spec.tolerance)}`,
    );
  const numRuns = spec.numRuns ?? 100;
  if (!(Number.isInteger(numRuns) && numRuns >= 1))
    throw new InvalidArgumentError(`numRuns must be an integer ≥ 1, got ${String(spec.numRuns)}`);
}

/**
 * A short account of why an outcome got its verdict: per day close/weighted seconds.
 * @public
 */
export function explainOutcome(o: PolicyOutcome): string {
  const days = o.check.assessment.keys.flatMap((k) =>
    k.days.map((d) => `${d.day}: close ${d.closeSeconds} s, weighted ${d.weightedSeconds} s`),
  );
  const att = o.check.assessment.keys.flatMap((k) => k.windows.map((w) => w.attenuation));
  return (
    `verdict ${o.status}; ${o.sightings.length} sightings; window attenuations [${att.join(", ")}] dB; ` +
    (days.length > 0 ? days.join("; ") : "no matched days")
  );
}

function report(spec: PolicyPropertySpec, name: string, r: Omit<PolicyPropertyResult, "report">): string {
  const tolerance = spec.tolerance ?? 0;
  const counts =
    tolerance > 0
      ? `${r.failures}/${r.runs} failing, tolerance ${tolerance}`
      : r.ok
        ? `${r.runs} scenarios`
        : `failed at scenario ${r.runs}, shrunk`;
  const head =
    `policy "${name}": every scenario ${describeExpectation(spec.expect)} — ` +
    `${r.ok ? "held" : "FAILED"} (${counts}, seed ${r.seed})`;
  if (!r.counterexample) return head;
  const c = r.counterexample;
  return `${head}\ncounterexample: ${fc.stringify(c.scenario)}\n${explainOutcome(c)}`;
}

/**
 * Checks a policy property and returns the result (never throws for a failing property).
 * @throws InvalidArgumentError (`ERR_INVALID_ARGUMENT`) for a spec whose `scenario` is not an arbitrary,
 *   whose `expect` is not a status, `{ not: status }` or a function, whose `tolerance` is outside
 *   0…1 or whose `numRuns` is not an integer ≥ 1; an `expect` function's own error, as it threw it
 * @example
 * ```ts
 * await checkPolicyProperty({
 *   policy: "default",
 *   scenario: contactScenario({ distance: [0.3, 1], minutes: [20, 60], sameUtcDay: true }),
 *   expect: "F1",
 * });
 * ```
 * @public
 */
export async function checkPolicyProperty(spec: PolicyPropertySpec): Promise<PolicyPropertyResult> {
  checkSpec(spec);
  try {
    return await runProperty(spec);
  } catch (err) {
    // An expectation function's own error, given back as it threw it.
    if (err instanceof ExpectationThrew) throw err.error;
    throw err;
  }
}

/** {@link checkPolicyProperty} of a checked spec. */
async function runProperty(spec: PolicyPropertySpec): Promise<PolicyPropertyResult> {
  const policy = typeof spec.policy === "string" ? getPolicy(spec.policy) : spec.policy;
  const seed = spec.seed ?? 42;
  const numRuns = spec.numRuns ?? 100;
  const tolerance = spec.tolerance ?? 0;
  const evaluate = (s: ContactScenario) => evaluateScenario(s, policy, spec);
  let partial: Omit<PolicyPropertyResult, "report">;
  if (tolerance <= 0) {
    const details = await fc.check(
      fc.asyncProperty(spec.scenario, async (s) => holds(spec.expect, await evaluate(s))),
      { seed, numRuns },
    );
    if (details.failed && details.errorInstance instanceof ExpectationThrew) throw details.errorInstance;
    const failed = details.failed && details.counterexample !== null;
    const counterexample = failed ? await evaluate(details.counterexample![0]) : undefined;
    if (details.failed && !failed) throw details.errorInstance ?? new Error("property errored");
    partial = {
      ok: !details.failed,
      runs: details.numRuns,
      failures: failed ? 1 : 0,
      failureRate: failed ? 1 / details.numRuns : 0,
      seed,
      ...(counterexample ? { counterexample } : {}),
    };
  } else {
    let failures = 0;
    let first: PolicyOutcome | undefined;
    const scenarios = fc.sample(spec.scenario, { seed, numRuns });
    for (const s of scenarios) {
      const o = await evaluate(s);
      if (!holds(spec.expect, o)) {
        failures++;
        first ??= o;
      }
    }
    const failureRate = failures / scenarios.length;
    partial = {
      ok: failureRate <= tolerance,
      runs: scenarios.length,
      failures,
      failureRate,
      seed,
      ...(first ? { counterexample: first } : {}),
    };
  }
  return { ...partial, report: report(spec, policy.name, partial) };
}

/**
 * Checks a policy property and throws {@link PolicyPropertyError} (whose message is the report with the
 * counterexample) when it does not hold.
 * @public
 */
export async function assertPolicyProperty(spec: PolicyPropertySpec): Promise<PolicyPropertyResult> {
  const result = await checkPolicyProperty(spec);
  if (!result.ok) throw new PolicyPropertyError(result);
  return result;
}
