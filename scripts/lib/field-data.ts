/**
 * Loads DP-3T experiment 05 (data/field/dp3t-exp05/scenarioNN-*.sqlite; EPFL/ETH Zurich, CC BY-ND 4.0:
 * read unmodified, never written) and forms labelled 5-minute windows per ordered pair.
 *
 * Reading: sql.js (SQLite compiled to WebAssembly), so no native module or compiler is needed.
 *
 * Per ordered pair (receiver hears transmitter) the packets are grouped into one pseudo scan instance per
 * `scanSeconds` (default 60: the app scanned 20 s of every 60 s, so a minute is one scan; an instance stands
 * for its `scanSeconds`): its
 * typical attenuation from the mean RSSI, minimum from the strongest packet. Attenuation =
 * tx_power(transmitter model) − (RSSI + rssi_correction(receiver model)) from the calibration table
 * (`resolvePairCalibration`), not the app's own tx_power column (the pre-GAEN app's nominal setting, not
 * a GAEN calibration). Windows are aligned to multiples of 300 s as in `evaluateWindows`.
 *
 * Ground truth (camera): a window is close when the median annotated distance of its packets is ≤ 2 m;
 * windows with no annotated packet are kept unlabelled (they count towards a pair's predicted minutes). A pair's true close time over the scenario is the time of
 * the scans whose median annotated distance is ≤ 2 m. Scenario 06 (walls) carries no annotation (every
 * distance is −1), so it has no labelled windows.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import type { SqlJsStatic } from "sql.js";
import { resolvePairCalibration } from "../../src/proximity/attenuation";
import type { ScanInstanceLike } from "../../src/proximity/windows";

/** The six scenarios, in file order. */
export const FIELD_SCENARIOS = ["lunch", "train", "office", "queue", "party", "walls"] as const;

/** A labelled 5-minute window of one ordered pair. */
export interface FieldWindow {
  /** Scenario (or data set) name. */
  set: string;
  /** `receiver>transmitter` ids. */
  pair: string;
  /** Window start, unix seconds. */
  start: number;
  /** Whether any packet of the window has a camera annotation (unlabelled windows still count for pairs). */
  labelled: boolean;
  /** Ground truth: median annotated distance ≤ 2 m (false when unlabelled). */
  close: boolean;
  /** Median annotated distance, m (NaN when unlabelled). */
  distance: number;
  /** One instance per minute with packets. */
  instances: ScanInstanceLike[];
  /** Seconds of the window in scans whose median annotated distance is ≤ 2 m. */
  trueCloseSeconds: number;
}

/** A missing or unreadable data file or folder (the CLI prints `bluezone: <message>`). */
export class FieldDataError extends Error {}

let sqlPromise: Promise<SqlJsStatic> | undefined;
async function sql(): Promise<SqlJsStatic> {
  if (!sqlPromise) {
    const require = createRequire(import.meta.url);
    const initSqlJs = (await import("sql.js")).default;
    const wasm = readFileSync(require.resolve("sql.js/dist/sql-wasm.wasm"));
    sqlPromise = initSqlJs({ wasmBinary: wasm as unknown as ArrayBuffer });
  }
  return sqlPromise;
}

/** Raw packets of one scenario file: [receiverId, receiverModel, transmitterId, transmitterModel, ms, rssi, gt]. */
export type Row = [number, string, number, string, number, number, number | null];

/** Reads one scenario's rows (read-only; the file is loaded into memory and never written back). */
export async function readScenarioRows(file: string): Promise<Row[]> {
  const SQL = await sql();
  const db = new SQL.Database(readFileSync(file));
  try {
    const res = db.exec(
      "SELECT receiver_id, receiver_model, transmitter_id, transmitter_model, timestamp, rssi, ground_truth_distance FROM results ORDER BY timestamp, db_id",
    );
    return (res[0]?.values ?? []) as Row[];
  } finally {
    db.close();
  }
}

/** The scenario files of a folder, by scenario name. */
export function scenarioFiles(dir: string): Map<string, string> {
  if (!existsSync(dir))
    throw new FieldDataError(
      `field data folder not found: ${dir} (DP-3T exp05 ships in data/field/dp3t-exp05/)`,
    );
  const out = new Map<string, string>();
  for (const f of readdirSync(dir).sort()) {
    const m = /^scenario\d+-([a-z]+)\.sqlite$/.exec(f);
    if (m) out.set(m[1]!, resolve(dir, f));
  }
  if (out.size === 0) throw new FieldDataError(`no scenarioNN-*.sqlite files in ${dir}`);
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Forms the windows of one scenario. `keepEvery` k > 1 keeps only every k-th packet of each pair (in time
 * order): a phone that hears fewer packets (GAEN scans less often than the app that recorded exp05).
 */
export function scenarioWindows(
  set: string,
  rows: readonly Row[],
  windowSeconds = 300,
  scanSeconds = 60,
  keepEvery = 1,
): FieldWindow[] {
  const pairs = new Map<string, Row[]>();
  const seen = new Map<string, number>();
  for (const r of rows) {
    if (r[5] === 127 || r[5] >= 0) continue; // 127 = not available
    const key = `${r[0]}>${r[2]}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    if (n % keepEvery !== 0) continue;
    const list = pairs.get(key);
    if (list) list.push(r);
    else pairs.set(key, [r]);
  }
  const out: FieldWindow[] = [];
  for (const [pair, packets] of [...pairs.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const cal = resolvePairCalibration({ receiverModel: packets[0]![1], transmitterModel: packets[0]![3] });
    const minutes = new Map<number, { rssi: number[]; gt: number[] }>();
    for (const p of packets) {
      const t = Math.floor(p[4] / 1000 / scanSeconds) * scanSeconds;
      const m = minutes.get(t) ?? { rssi: [], gt: [] };
      m.rssi.push(p[5]);
      if (p[6] !== null && p[6] >= 0) m.gt.push(p[6]);
      minutes.set(t, m);
    }
    const windows = new Map<number, { inst: ScanInstanceLike[]; gt: number[]; closeSeconds: number }>();
    for (const [t, m] of [...minutes.entries()].sort((a, b) => a[0] - b[0])) {
      const w0 = Math.floor(t / windowSeconds) * windowSeconds;
      const w = windows.get(w0) ?? { inst: [], gt: [], closeSeconds: 0 };
      const mean = m.rssi.reduce((a, b) => a + b, 0) / m.rssi.length;
      w.inst.push({
        time: t * 1000,
        typicalAttenuation: cal.txPower - (mean + cal.rssiCorrection),
        minAttenuation: cal.txPower - (Math.max(...m.rssi) + cal.rssiCorrection),
        packets: m.rssi.length,
        secondsSinceLastScan: scanSeconds,
        calibrationConfidence: cal.calibrationConfidence,
      });
      w.gt.push(...m.gt);
      if (m.gt.length > 0 && median(m.gt) <= 2) w.closeSeconds += scanSeconds;
      windows.set(w0, w);
    }
    for (const [start, w] of windows) {
      const distance = w.gt.length === 0 ? Number.NaN : median(w.gt);
      out.push({
        set,
        pair,
        start,
        labelled: w.gt.length > 0,
        close: distance <= 2,
        distance,
        instances: w.inst,
        trueCloseSeconds: w.closeSeconds,
      });
    }
  }
  return out;
}

/** Every scenario's rows, by scenario name, read from `dir` (e.g. data/field/dp3t-exp05). */
export async function loadFieldRows(dir: string): Promise<Map<string, Row[]>> {
  const out = new Map<string, Row[]>();
  for (const [name, file] of scenarioFiles(dir)) out.set(name, await readScenarioRows(file));
  return out;
}

/** The windows (labelled and not) of every scenario, from rows read by {@link loadFieldRows}. */
export function fieldWindows(
  rows: ReadonlyMap<string, readonly Row[]>,
  windowSeconds = 300,
  scanSeconds = 60,
  keepEvery = 1,
): FieldWindow[] {
  return [...rows].flatMap(([name, r]) => scenarioWindows(name, r, windowSeconds, scanSeconds, keepEvery));
}

/** All windows of the scenarios in `dir` (labelled and not). */
export async function loadFieldWindows(
  dir: string,
  windowSeconds = 300,
  scanSeconds = 60,
): Promise<FieldWindow[]> {
  return fieldWindows(await loadFieldRows(dir), windowSeconds, scanSeconds);
}
