/**
 * Symptom reporting by a green zone's community COVID team (tổ COVID cộng đồng): residents declare
 * their health daily and the team sends a symptomatic resident for a test, so the case is confirmed
 * (and isolated, and its contacts traced) a set number of days after symptom onset — sooner than
 * through the general symptomatic testing, and also for those who would not have come forward.
 * Sources and parameters: docs/hanoi-2021.md.
 */
import type { DayRestrictions } from "../world/restrictions";
import type { World } from "../world/world";

/** What {@link reportSymptoms} reads and writes of the epidemic's per-person state. */
export interface ReportableState {
  /** Infection time (days), NaN if never infected. */
  readonly infectedAt: Float64Array;
  /** Days from infection to (would-be) onset. */
  readonly incubationDays: Float32Array;
  /** Days from infection to recovery. */
  readonly recoveryDays: Float32Array;
  /** 1 if asymptomatic. */
  readonly asymptomatic: Uint8Array;
  /** 1 if already isolated as a confirmed case. */
  readonly isolated: Uint8Array;
  /** Day a positive result isolates the person (NaN: none); lowered to the report's result. */
  readonly positiveAt: Float32Array;
}

/**
 * Runs the community teams' symptom reporting on the morning of `day`: every resident of a ward with
 * `symptomReportShare` > 0 whose symptoms began before the end of the day (and who is not yet confirmed
 * or recovered) is, once in their illness, reported with that probability; a reported resident's
 * positive result comes at max(onset, `day`) + the ward's `symptomReportDelayDays`, or earlier if
 * already scheduled. `considered` (one flag per person) remembers who had their draw; `uniform(p)` is
 * person `p`'s draw (keyed by the person: common random numbers, see `createEpidemic`).
 */
export function reportSymptoms(
  st: ReportableState,
  world: World,
  r: DayRestrictions,
  day: number,
  uniform: (person: number) => number,
  considered: Uint8Array,
): void {
  if (!r.symptomReportShare.some((s) => s > 0)) return;
  for (let p = 0; p < world.size; p++) {
    const share = r.symptomReportShare[world.ward[p]!]!;
    if (share <= 0 || considered[p] || st.asymptomatic[p] || st.isolated[p]) continue;
    const infected = st.infectedAt[p]!;
    if (Number.isNaN(infected)) continue;
    const onset = infected + st.incubationDays[p]!;
    if (onset >= day + 1 || infected + st.recoveryDays[p]! <= day) continue;
    considered[p] = 1;
    if (!(uniform(p) < share)) continue;
    const result = Math.max(onset, day) + r.symptomReportDelayDays[world.ward[p]!]!;
    const scheduled = st.positiveAt[p]!;
    if (Number.isNaN(scheduled) || result < scheduled) st.positiveAt[p] = result;
  }
}
