/**
 * A per-place uniform grid over everyone's positions at one instant, rebuilt each step by counting sort
 * (no per-step allocation): neighbour queries within a radius and enumeration of close pairs.
 */
import type { Positions } from "./positions";
import type { DaySchedule } from "./schedule";
import type { World } from "./world";

/**
 * Positions of everyone at one instant, indexed for neighbour queries.
 * @public
 */
export interface SpatialIndex {
  /** Cell side (m). */
  readonly cellM: number;
  /** Place of each person at the indexed instant, −1 if in none. */
  readonly placeOf: Int32Array;
  /** x (m) of each person present. */
  readonly x: Float64Array;
  /** y (m) of each person present. */
  readonly y: Float64Array;
  /** Minute of the day last indexed. */
  readonly minute: number;
  /** Increments whenever positions change; equal versions mean identical positions and pairs. */
  readonly version: number;
  /** Recomputes positions at `minute` of `schedule`'s day and rebuilds the grid. */
  update(schedule: DaySchedule, minute: number): void;
  /** Appends to `out` the people within `radiusM` of `p` (same place, excluding `p`); returns `out`. */
  neighbours(p: number, radiusM: number, out?: number[]): number[];
  /**
   * {@link SpatialIndex.neighbours} written into `out` from index `at` on (over what is there, growing it when
   * needed); returns the index after the last one written. A caller reusing one array so never empties
   * it (`length = 0` frees an array's storage, and the next writes allocate it again).
   */
  neighboursInto(p: number, radiusM: number, out: number[], at: number): number;
  /** Calls `fn(a, b, distance)` once per pair (a \< b) in the same place within `radiusM` ≤ {@link SpatialIndex.cellM}. */
  forEachPair(radiusM: number, fn: (a: number, b: number, d: number) => void): void;
  /** Distance (m) between two people at the indexed instant, `undefined` if not in the same place. */
  distance(a: number, b: number): number | undefined;
  /** People present in place `q` (valid until the next update). */
  occupants(q: number): Int32Array;
}

/** Places up to this floor area (m²) are indexed as a single cell. */
export const SINGLE_CELL_AREA_M2 = 150;

/** Creates a spatial index for `world` with cells of `cellM` metres. */
export function createSpatialIndex(world: World, positions: Positions, cellM = 2): SpatialIndex {
  const n = world.size;
  const cols = new Int32Array(world.placeCount);
  const rows = new Int32Array(world.placeCount);
  const base = new Int32Array(world.placeCount + 1);
  for (let q = 0; q < world.placeCount; q++) {
    // Small places (homes) are one cell: cells may be larger than cellM without losing pairs, and
    // comparing the few occupants directly is cheaper than maintaining many empty cells.
    const small = world.placeWidth[q]! * world.placeHeight[q]! <= SINGLE_CELL_AREA_M2;
    cols[q] = small ? 1 : Math.max(1, Math.ceil(world.placeWidth[q]! / cellM));
    rows[q] = small ? 1 : Math.max(1, Math.ceil(world.placeHeight[q]! / cellM));
    base[q + 1] = base[q]! + cols[q]! * rows[q]!;
  }
  const cells = base[world.placeCount]!;
  const cellStart = new Int32Array(cells + 1);
  const cellOf = new Int32Array(n);
  const sorted = new Int32Array(n);
  const placeOf = new Int32Array(n).fill(-1);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const pos = new Float64Array(2);
  const cursor = new Int32Array(cells);
  const stayCursor = new Int32Array(n);
  const validUntil = new Float64Array(n).fill(-1);
  const cellPlace = new Int32Array(cells);
  for (let q = 0; q < world.placeCount; q++) cellPlace.fill(q, base[q]!, base[q + 1]!);
  let lastSchedule: DaySchedule | undefined;
  let minute = -1;
  let version = 0;
  let nextChange = -1;
  const cellIndex = (q: number, px: number, py: number) => {
    const cx = Math.min(cols[q]! - 1, Math.floor(px / cellM));
    const cy = Math.min(rows[q]! - 1, Math.floor(py / cellM));
    return base[q]! + cy * cols[q]! + cx;
  };
  const index: SpatialIndex = {
    cellM,
    placeOf,
    x,
    y,
    get minute() {
      return minute;
    },
    get version() {
      return version;
    },
    update(schedule, m) {
      if (schedule !== lastSchedule || m < minute) {
        lastSchedule = schedule;
        validUntil.fill(-1);
        stayCursor.set(schedule.offset.subarray(0, n));
      } else if (m < nextChange) {
        // Nobody changed place or position since the last rebuild.
        minute = m;
        return;
      }
      minute = m;
      version++;
      nextChange = Number.POSITIVE_INFINITY;
      cellStart.fill(0);
      for (let p = 0; p < n; p++) {
        // Stays only move forward within a day: advance this person's cursor.
        let stay = stayCursor[p]!;
        const last = schedule.offset[p + 1]!;
        while (stay < last && schedule.end[stay]! <= m) stay++;
        stayCursor[p] = stay;
        if (stay >= last || schedule.start[stay]! > m) {
          placeOf[p] = -1;
          cellOf[p] = -1;
          if (stay < last) nextChange = Math.min(nextChange, schedule.start[stay]!);
          continue;
        }
        if (m >= validUntil[p]!) {
          // A new position (a new stay, or a move within one): its cell too. Otherwise both are as
          // at the last rebuild.
          const q = schedule.place[stay]!;
          positions.at(schedule, p, stay, m, pos);
          x[p] = pos[0]!;
          y[p] = pos[1]!;
          validUntil[p] = Math.min(schedule.end[stay]!, positions.nextChange(q, schedule.day, m));
          placeOf[p] = q;
          cellOf[p] = cellIndex(q, pos[0]!, pos[1]!);
        }
        nextChange = Math.min(nextChange, validUntil[p]!);
        cellStart[cellOf[p]! + 1]!++;
      }
      for (let c = 0; c < cells; c++) cellStart[c + 1]! += cellStart[c]!;
      cursor.set(cellStart.subarray(0, cells));
      for (let p = 0; p < n; p++) {
        const c = cellOf[p]!;
        if (c >= 0) sorted[cursor[c]!++] = p;
      }
    },
    neighbours(p, radiusM, out = []) {
      index.neighboursInto(p, radiusM, out, out.length);
      return out;
    },
    neighboursInto(p, radiusM, out, at) {
      const q = placeOf[p]!;
      if (q < 0) return at;
      const r2 = radiusM * radiusM;
      const px = x[p]!;
      const py = y[p]!;
      const span = Math.ceil(radiusM / cellM);
      const cx0 = Math.min(cols[q]! - 1, Math.floor(px / cellM));
      const cy0 = Math.min(rows[q]! - 1, Math.floor(py / cellM));
      let k = at;
      // A row's cells are consecutive, and so are their occupants in `sorted`: one run per row of the
      // square (a 10 m radio range over 2 m cells spans up to 11 × 11 cells, mostly empty), in the
      // same order as cell by cell.
      const cxFrom = Math.max(0, cx0 - span);
      const cxTo = Math.min(cols[q]! - 1, cx0 + span);
      for (let cy = Math.max(0, cy0 - span); cy <= Math.min(rows[q]! - 1, cy0 + span); cy++) {
        const row = base[q]! + cy * cols[q]!;
        const end = cellStart[row + cxTo + 1]!;
        for (let i = cellStart[row + cxFrom]!; i < end; i++) {
          const o = sorted[i]!;
          if (o === p) continue;
          const dx = x[o]! - px;
          const dy = y[o]! - py;
          if (dx * dx + dy * dy <= r2) {
            if (k < out.length) out[k] = o;
            else out.push(o);
            k++;
          }
        }
      }
      return k;
    },
    forEachPair(radiusM, fn) {
      if (radiusM > cellM) throw new RangeError(`pair radius ${radiusM} m exceeds the cell size ${cellM} m`);
      const r2 = radiusM * radiusM;
      // Walk the occupied cells only (runs of `sorted`), comparing with the same cell and the four
      // forward neighbours, so each pair of cells is visited once.
      let i0 = 0;
      const total = cellStart[cells]!;
      while (i0 < total) {
        const c = cellOf[sorted[i0]!]!;
        const s1 = cellStart[c + 1]!;
        const q = cellPlace[c]!;
        const nc = cols[q]!;
        const local = c - base[q]!;
        const cx = local % nc;
        const cy = (local - cx) / nc;
        const nr = rows[q]!;
        for (let k = 0; k < 5; k++) {
          const nx = cx + (k === 0 ? 0 : k === 1 ? 1 : k - 3);
          const ny = cy + (k <= 1 ? 0 : 1);
          if (nx < 0 || nx >= nc || ny >= nr) continue;
          const d = base[q]! + ny * nc + nx;
          const d0 = cellStart[d]!;
          const d1 = cellStart[d + 1]!;
          if (d0 === d1) continue;
          for (let i = i0; i < s1; i++) {
            const a = sorted[i]!;
            const ax = x[a]!;
            const ay = y[a]!;
            for (let j = k === 0 ? i + 1 : d0; j < d1; j++) {
              const b = sorted[j]!;
              const dx = x[b]! - ax;
              const dy = y[b]! - ay;
              const dd = dx * dx + dy * dy;
              if (dd <= r2) fn(Math.min(a, b), Math.max(a, b), Math.sqrt(dd));
            }
          }
        }
        i0 = s1;
      }
    },
    distance(a, b) {
      const q = placeOf[a]!;
      if (q < 0 || q !== placeOf[b]) return undefined;
      const dx = x[a]! - x[b]!;
      const dy = y[a]! - y[b]!;
      return Math.sqrt(dx * dx + dy * dy); // metres: no overflow to guard against (see mobility.ts)
    },
    occupants(q) {
      return sorted.subarray(cellStart[base[q]!]!, cellStart[base[q + 1]!]!);
    },
  };
  return index;
}
