/**
 * Interventions in force on a given day, resolved per ward, and the movement rules they imply
 * (lockdown checkpoints, green zones, venue closures). Mobility consults these when building schedules.
 */
import { hashUniform } from "../random";
import type { Intervention, Scenario, VenueKind } from "../scenario";

/** Movement restrictions of one day. */
export interface DayRestrictions {
  /** Per ward: 1 under lockdown. */
  lockdown: Uint8Array;
  /** Per ward: fraction of cross-ward trips still made under lockdown. */
  crossWardLeakage: Float32Array;
  /** Per ward: fraction of workplaces still open under lockdown. */
  workplaceOpen: Float32Array;
  /** Per ward: 1 if a green zone. */
  green: Uint8Array;
  /** Per ward: fraction of residents' trips out of a green zone still made. */
  exitShare: Float32Array;
  /** Venue kinds closed everywhere. */
  closed: ReadonlySet<VenueKind>;
}

const DAY_MS = 86_400_000;

/** Whether `iv` is in force on day `day` (0 = scenario start). */
export function inForce(scenario: Scenario, iv: Intervention, day: number): boolean {
  const t = Date.parse(`${scenario.startDate}T00:00:00Z`) + day * DAY_MS;
  const from = Date.parse(`${iv.from}T00:00:00Z`);
  const to = iv.to === undefined ? Number.POSITIVE_INFINITY : Date.parse(`${iv.to}T00:00:00Z`);
  return t >= from && t <= to;
}

/** Indices of the wards a selector names. */
export function selectWards(scenario: Scenario, wards: string[] | "all"): number[] {
  if (wards === "all") return scenario.wards.map((_, i) => i);
  return wards.map((w) => scenario.wards.findIndex((x) => x.name === w));
}

/** Resolves the restrictions of day `day`. */
export function restrictionsOn(scenario: Scenario, day: number): DayRestrictions {
  const nw = scenario.wards.length;
  const r: DayRestrictions = {
    lockdown: new Uint8Array(nw),
    crossWardLeakage: new Float32Array(nw).fill(1),
    workplaceOpen: new Float32Array(nw).fill(1),
    green: new Uint8Array(nw),
    exitShare: new Float32Array(nw).fill(1),
    closed: new Set(),
  };
  const closed = new Set<VenueKind>();
  for (const iv of scenario.interventions) {
    if (!inForce(scenario, iv, day)) continue;
    if (iv.kind === "wardLockdown")
      for (const w of selectWards(scenario, iv.wards)) {
        r.lockdown[w] = 1;
        r.crossWardLeakage[w] = Math.min(r.crossWardLeakage[w]!, iv.crossWardLeakage);
        r.workplaceOpen[w] = Math.min(r.workplaceOpen[w]!, iv.workplaceOpenShare);
      }
    else if (iv.kind === "greenZone")
      for (const w of selectWards(scenario, iv.wards)) {
        r.green[w] = 1;
        r.exitShare[w] = Math.min(r.exitShare[w]!, iv.exitShare);
      }
    else if (iv.kind === "venueClosure") for (const k of iv.venues) closed.add(k);
  }
  return { ...r, closed };
}

/**
 * Probability that a trip from home ward `from` to a venue in ward `to` is made: 1 within a ward,
 * the checkpoint leakage across a locked-down boundary, the exit share out of a green zone, and 0 into
 * a green zone from outside.
 */
export function tripAllowed(r: DayRestrictions, from: number, to: number): number {
  if (from === to) return 1;
  if (r.green[to]) return 0;
  let p = 1;
  if (r.lockdown[from] || r.lockdown[to])
    p *= Math.min(
      r.lockdown[from] ? r.crossWardLeakage[from]! : 1,
      r.lockdown[to] ? r.crossWardLeakage[to]! : 1,
    );
  if (r.green[from]) p *= r.exitShare[from]!;
  return p;
}

/** Whether a workplace in ward `ward` with seed-hash identity `place` is open (stable per place). */
export function workplaceOpen(r: DayRestrictions, seed: number, ward: number, place: number): boolean {
  return !r.lockdown[ward] || hashUniform(seed, place, 0x0bee) < r.workplaceOpen[ward]!;
}
