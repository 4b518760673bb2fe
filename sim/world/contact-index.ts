/**
 * A {@link SpatialIndex} over one day's replayed contacts: at each step, the people in contact are in
 * the contact venue with the trace's pair distances, everyone else is alone at home (or away). A
 * contact graph has no coordinates (three people pairwise 1 m apart fit in a plane, ten do not), so
 * distances come from the pairs and `x`/`y` stay 0.
 */
import type { DaySchedule } from "./schedule";
import type { SpatialIndex } from "./spatial";

/** One day's contacts by mobility step, as a compressed list of pairs (a < b) with their distances. */
export interface ContactDayPlan {
  /** Pairs in contact at step `s` are entries `stepStart[s]` … `stepStart[s + 1] − 1`. */
  stepStart: Int32Array;
  /** First person of each pair. */
  a: Int32Array;
  /** Second person of each pair. */
  b: Int32Array;
  /** Distance (m) of each pair. */
  d: Float64Array;
}

/** A {@link SpatialIndex} fed with {@link ContactDayPlan}s. */
export interface ContactIndex extends SpatialIndex {
  /**
   * Starts a day: `schedule` gives each person's place outside contacts (their only stay, or none),
   * `plan` the contacts by step.
   */
  setDay(schedule: DaySchedule, plan: ContactDayPlan): void;
  /** Indexes the contacts of step `step` of the current day. */
  show(step: number): void;
}

/**
 * Creates a contact index for `size` people: `contactPlace` is the place of people in contact, steps are
 * `stepMinutes` long.
 */
export function createContactIndex(size: number, contactPlace: number, stepMinutes: number): ContactIndex {
  const placeOf = new Int32Array(size).fill(-1);
  const restPlace = new Int32Array(size).fill(-1);
  const deg = new Int32Array(size);
  const adjStart = new Int32Array(size);
  const cursor = new Int32Array(size);
  let involved = new Int32Array(16);
  let involvedCount = 0;
  let adj = new Int32Array(32);
  let adjD = new Float64Array(32);
  let schedule: DaySchedule | undefined;
  let plan: ContactDayPlan | undefined;
  let shown = -1;
  let minute = -1;
  let version = 0;

  const current = () => {
    if (!plan) throw new Error("contact index: call setDay first");
    return plan;
  };
  const touch = (p: number) => {
    if (deg[p]!++ === 0) involved[involvedCount++] = p;
  };
  const link = (p: number, o: number, d: number) => {
    const k = cursor[p]!++;
    adj[k] = o;
    adjD[k] = d;
  };

  const index: ContactIndex = {
    cellM: Number.POSITIVE_INFINITY,
    placeOf,
    x: new Float64Array(size),
    y: new Float64Array(size),
    get minute() {
      return minute;
    },
    get version() {
      return version;
    },
    setDay(s, pl) {
      schedule = s;
      plan = pl;
      for (let p = 0; p < size; p++) {
        restPlace[p] = s.offset[p + 1]! > s.offset[p]! ? s.place[s.offset[p]!]! : -1;
        placeOf[p] = restPlace[p]!;
        deg[p] = 0;
      }
      involvedCount = 0;
      shown = -1;
      minute = -1;
      version++;
      let most = 0;
      for (let t = 0; t + 1 < pl.stepStart.length; t++)
        most = Math.max(most, pl.stepStart[t + 1]! - pl.stepStart[t]!);
      if (2 * most > adj.length) {
        adj = new Int32Array(2 * most);
        adjD = new Float64Array(2 * most);
      }
      if (2 * most > involved.length) involved = new Int32Array(2 * most);
    },
    show(step) {
      const pl = current();
      minute = (step + 0.5) * stepMinutes;
      if (step === shown) return;
      const i0 = pl.stepStart[step]!;
      const i1 = pl.stepStart[step + 1]!;
      if (involvedCount === 0 && i0 === i1) {
        shown = step;
        return;
      }
      shown = step;
      version++;
      for (let k = 0; k < involvedCount; k++) {
        const p = involved[k]!;
        deg[p] = 0;
        placeOf[p] = restPlace[p]!;
      }
      involvedCount = 0;
      for (let i = i0; i < i1; i++) {
        touch(pl.a[i]!);
        touch(pl.b[i]!);
      }
      let pos = 0;
      for (let k = 0; k < involvedCount; k++) {
        const p = involved[k]!;
        adjStart[p] = pos;
        cursor[p] = pos;
        pos += deg[p]!;
        placeOf[p] = contactPlace;
      }
      for (let i = i0; i < i1; i++) {
        link(pl.a[i]!, pl.b[i]!, pl.d[i]!);
        link(pl.b[i]!, pl.a[i]!, pl.d[i]!);
      }
    },
    update(s, m) {
      if (s !== schedule) throw new Error("contact index: update with the schedule of the current day");
      const steps = current().stepStart.length - 1;
      index.show(Math.min(steps - 1, Math.max(0, Math.floor(m / stepMinutes))));
    },
    neighbours(p, radiusM, out = []) {
      index.neighboursInto(p, radiusM, out, out.length);
      return out;
    },
    neighboursInto(p, radiusM, out, at) {
      let n = at;
      for (let k = adjStart[p]!, e = k + deg[p]!; k < e; k++) {
        if (adjD[k]! > radiusM) continue;
        if (n < out.length) out[n] = adj[k]!;
        else out.push(adj[k]!);
        n++;
      }
      return n;
    },
    forEachPair(radiusM, fn) {
      if (shown < 0) return;
      const pl = current();
      for (let i = pl.stepStart[shown]!; i < pl.stepStart[shown + 1]!; i++)
        if (pl.d[i]! <= radiusM) fn(pl.a[i]!, pl.b[i]!, pl.d[i]!);
    },
    distance(a, b) {
      for (let k = adjStart[a]!, e = k + deg[a]!; k < e; k++) if (adj[k] === b) return adjD[k]!;
      return undefined;
    },
    occupants(q) {
      const out: number[] = [];
      for (let p = 0; p < size; p++) if (placeOf[p] === q) out.push(p);
      return Int32Array.from(out);
    },
  };
  return index;
}
