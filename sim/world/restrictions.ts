/**
 * Interventions in force on a given day, resolved per ward, and the movement rules they imply
 * (lockdown checkpoints, the rings of a three-layer lockdown, green zones run by community teams,
 * venue closures). Mobility consults these when building schedules; the epidemic reads the green zones'
 * symptom reporting.
 */
import { hashUniform } from "../random";
import type { Intervention, Scenario, VenueKind } from "../scenario";

/** Movement restrictions of one day. */
export interface DayRestrictions {
  /** Per ward: 1 under lockdown (a `wardLockdown`, or the middle or outer ring of a `ringLockdown`). */
  lockdown: Uint8Array;
  /** Per ward: fraction of cross-ward trips still made under lockdown. */
  crossWardLeakage: Float32Array;
  /** Per ward: fraction of workplaces still open under lockdown. */
  workplaceOpen: Float32Array;
  /**
   * Per ward: 1 if sealed (the core of a `ringLockdown`): residents stay home all day, nobody enters,
   * its workplaces are closed.
   */
  sealed: Uint8Array;
  /** Per ward: 1 if only essential trips are made (the middle ring): non-essential venues closed there. */
  essentialOnly: Uint8Array;
  /** Per ward: 1 if a green zone. */
  green: Uint8Array;
  /** Per ward: fraction of residents' trips out of a green zone still made. */
  exitShare: Float32Array;
  /** Per green ward: fraction of non-residents' trips into it let through at its checkpoints. */
  entryShare: Float32Array;
  /** Per ward: fraction of residents' market trips replaced by food deliveries. */
  foodDelivery: Float32Array;
  /** Per ward: fraction of symptomatic residents reported by the community team (0: none). */
  symptomReportShare: Float32Array;
  /** Per ward: days from symptom onset to a reported resident's positive result. */
  symptomReportDelayDays: Float32Array;
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

/** Defaults of a ring lockdown's rings (as in the scenario schema), for scenarios built in code. */
const MIDDLE_RING = { crossWardLeakage: 0.05, workplaceOpenShare: 0.1 };
const OUTER_RING = { crossWardLeakage: 0.2, workplaceOpenShare: 0.3 };

/**
 * The wards of each ring of a `ringLockdown`: core, middle, outer (outer `"all"` is every ward in
 * neither of the others).
 */
export function ringWards(
  scenario: Scenario,
  iv: Extract<Intervention, { kind: "ringLockdown" }>,
): [number[], number[], number[]] {
  const core = selectWards(scenario, iv.core);
  const middle = iv.middle ? selectWards(scenario, iv.middle.wards) : [];
  let outer = iv.outer ? selectWards(scenario, iv.outer.wards) : [];
  if (iv.outer?.wards === "all") outer = outer.filter((w) => !core.includes(w) && !middle.includes(w));
  return [core, middle, outer];
}

/** Resolves the restrictions of day `day`. Several measures on one ward combine to the strictest. */
export function restrictionsOn(scenario: Scenario, day: number): DayRestrictions {
  const nw = scenario.wards.length;
  const r: DayRestrictions = {
    lockdown: new Uint8Array(nw),
    crossWardLeakage: new Float32Array(nw).fill(1),
    workplaceOpen: new Float32Array(nw).fill(1),
    sealed: new Uint8Array(nw),
    essentialOnly: new Uint8Array(nw),
    green: new Uint8Array(nw),
    exitShare: new Float32Array(nw).fill(1),
    entryShare: new Float32Array(nw).fill(1),
    foodDelivery: new Float32Array(nw),
    symptomReportShare: new Float32Array(nw),
    symptomReportDelayDays: new Float32Array(nw),
    closed: new Set(),
  };
  const lock = (w: number, leakage: number, open: number) => {
    r.lockdown[w] = 1;
    r.crossWardLeakage[w] = Math.min(r.crossWardLeakage[w]!, leakage);
    r.workplaceOpen[w] = Math.min(r.workplaceOpen[w]!, open);
  };
  const closed = new Set<VenueKind>();
  for (const iv of scenario.interventions) {
    if (!inForce(scenario, iv, day)) continue;
    if (iv.kind === "wardLockdown")
      for (const w of selectWards(scenario, iv.wards)) lock(w, iv.crossWardLeakage, iv.workplaceOpenShare);
    else if (iv.kind === "ringLockdown") {
      const [core, middle, outer] = ringWards(scenario, iv);
      for (const w of core) {
        lock(w, 0, 0);
        r.sealed[w] = 1;
      }
      const m = { ...MIDDLE_RING, ...iv.middle };
      for (const w of middle) {
        lock(w, m.crossWardLeakage, m.workplaceOpenShare);
        r.essentialOnly[w] = 1;
      }
      const o = { ...OUTER_RING, ...iv.outer };
      for (const w of outer) lock(w, o.crossWardLeakage, o.workplaceOpenShare);
    } else if (iv.kind === "greenZone")
      for (const w of selectWards(scenario, iv.wards)) {
        r.green[w] = 1;
        r.exitShare[w] = Math.min(r.exitShare[w]!, iv.exitShare);
        r.entryShare[w] = Math.min(r.entryShare[w]!, iv.entryShare ?? 0);
        r.foodDelivery[w] = Math.max(r.foodDelivery[w]!, iv.foodDeliveryShare ?? 0);
        const share = iv.symptomReportShare ?? 0;
        if (share > r.symptomReportShare[w]!) {
          r.symptomReportShare[w] = share;
          r.symptomReportDelayDays[w] = iv.symptomReportDelayDays ?? 1;
        }
      }
    else if (iv.kind === "venueClosure") for (const k of iv.venues) closed.add(k);
  }
  return { ...r, closed };
}

/**
 * Probability that a trip from home ward `from` to a venue in ward `to` is made: 1 within a ward; 0
 * out of or into a sealed ward; otherwise the product of the checkpoint leakage across a locked-down
 * boundary (the stricter of the two wards'), the exit share out of a green zone, and the entry share
 * into a green zone from outside (0 under entry control).
 */
export function tripAllowed(r: DayRestrictions, from: number, to: number): number {
  if (from === to) return r.sealed[from] ? 0 : 1;
  if (r.sealed[from] || r.sealed[to]) return 0;
  let p = 1;
  if (r.green[to]) {
    p *= r.entryShare[to]!;
    if (p === 0) return 0;
  }
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
  if (r.sealed[ward]) return false;
  return !r.lockdown[ward] || hashUniform(seed, place, 0x0bee) < r.workplaceOpen[ward]!;
}
