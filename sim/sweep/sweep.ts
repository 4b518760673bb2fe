/**
 * Parameter sweeps (`bluezone sweep`): a grid of scenario overrides × seeds, one simulation per grid
 * point and seed. The plan is validated before anything runs (every grid point goes through the
 * scenario schema); each finished run is stored as its own file (`runs/<key>.json`, written whole by
 * rename) so a rerun skips it; the tables (`runs.csv`, `runs.parquet`, `daily.parquet`), the manifest
 * (`sweep.json`) and the report are built from those files only, whoever ran them (this process or
 * BullMQ workers on other machines).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { parquetWriteBuffer } from "hyparquet-writer";
import { InvalidArgumentError } from "../../src/index";
import { flattenSummary } from "../report/figures";
import { renderSweepReport } from "./sweep-report";
import type { PoolRun } from "./run-pool";
import { type DayRow, prepareScenario, type SimulationResult, type SimulationSummary } from "../run";
import {
  applyScenarioOverrides,
  checkOverriddenFields,
  parseScenario,
  readScenarioJson,
  type Scenario,
} from "../scenario";
import { ScenarioError } from "../validate";

/** Grid paths that are not scenario fields but options of a run (as on `bluezone sim`). */
export const GRID_ALIASES = {
  /** `--adoption`: the share of people running the app (replaces the scenario's, per-age values too). */
  adoption: "adoption",
} as const;

/** One axis of the grid: a scenario field path (or an alias) and its values as given. */
export interface GridAxis {
  path: string;
  /** The values as written on the command line. */
  values: string[];
}

/**
 * Parses `--grid path=v1,v2,…` (values split at commas, each read as JSON when it parses, else as
 * text, like `--set`).
 * @throws InvalidArgumentError when the form is wrong, a value is repeated (as a value: `7` and `7.0`
 *   are one), or the axis is a field the sweep sets itself (`seed`, `days`, `population`)
 */
export function parseGridAxis(text: string): GridAxis {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError(`--grid "${text}" must have the form path=value1,value2,…`);
  const path = text.slice(0, eq).trim();
  const values = splitValues(text.slice(eq + 1)).map((v) => v.trim());
  if (values.some((v) => v === ""))
    throw new InvalidArgumentError(`--grid ${path}: empty value in "${text.slice(eq + 1)}"`);
  // The adoption alias takes numbers only: ".2" (not JSON) would be the text ".2", a second run of 0.2.
  if (path === GRID_ALIASES.adoption)
    for (const v of values)
      if (typeof gridValue(v) !== "number")
        throw new InvalidArgumentError(`--grid adoption: "${v}" is not a number (write fractions as 0.2)`);
  // Repeated as values, not only as text: 7 and 7.0, 0.5 and 5e-1 are one run twice.
  const canonical = values.map((v) => JSON.stringify(gridValue(v)));
  if (new Set(canonical).size !== values.length)
    throw new InvalidArgumentError(`--grid ${path}: a value is repeated in "${text.slice(eq + 1)}"`);
  const own = SWEEP_OWN_FIELDS[path];
  if (own !== undefined)
    throw new InvalidArgumentError(
      `--grid ${path}: the sweep sets ${path} itself (${own}); it cannot be a grid axis`,
    );
  return { path, values };
}

/**
 * Splits a grid axis's values at the commas outside JSON brackets and strings, so that an object or
 * array value keeps its commas: `{"hand":0.5,"pocket":0.5},{"hand":1}` is two values.
 */
function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if ((c === "}" || c === "]") && depth > 0) depth--;
    else if (c === "," && depth === 0) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  out.push(text.slice(from));
  return out;
}

/**
 * Scenario fields the sweep sets from its own options for every run (a grid over them would be
 * overridden, or give runs of different lengths in one table), with the option to use instead.
 */
const SWEEP_OWN_FIELDS: Readonly<Record<string, string>> = {
  seed: "--seed and --seeds",
  days: "--days",
  population: "--phones",
};

/** What every run of a sweep shares. */
export interface SweepBase {
  /** Scenario name or JSON file. */
  scenario: string;
  /** `--set` overrides applied before the grid's. */
  set: string[];
  phones?: number;
  days?: number;
  radio: "scan" | "packets";
  noInterventions: boolean;
  /**
   * The version of the simulator that computes the runs (the package's): part of every run's key, so a
   * rerun by another version does not take the earlier version's runs as its own, and a queue worker
   * of another version refuses the runs (see `startQueueWorker`).
   */
  version: string;
}

/** One run of the plan. */
export interface SweepRun {
  /**
   * Stable identity: a hash of everything that determines the run's result — the run and the
   * simulator's version (its file name, and its job id on a queue).
   */
  key: string;
  /** The grid values of this run, by axis path (as given). */
  grid: Record<string, string>;
  seed: number;
  /** The run as the pool or a queue worker executes it. */
  run: PoolRun;
}

/** A validated sweep: the grid × seeds, in order (the last axis varies fastest, seeds fastest of all). */
export interface SweepPlan {
  base: SweepBase;
  axes: GridAxis[];
  seeds: number[];
  /** SHA-256 of the scenario JSON after `--set` (before the grid), hex. */
  scenarioHash: string;
  scenarioName: string;
  runs: SweepRun[];
}

/** Canonical JSON: object keys sorted, so equal values hash equally. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Every combination of the axes' values (one empty combination without axes). */
function combinations(axes: readonly GridAxis[]): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const axis of axes) out = out.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.path]: v })));
  return out;
}

/**
 * The plan of a sweep: every grid point validated through the scenario schema with the same override
 * machinery as `--set` (a typo in a path is a {@link ScenarioError} naming it), × the seeds.
 * @throws ScenarioError for an invalid grid point; InvalidArgumentError for an axis repeated or a bad alias value
 */
export function planSweep(base: SweepBase, axes: readonly GridAxis[], seeds: readonly number[]): SweepPlan {
  const paths = axes.map((a) => a.path);
  if (new Set(paths).size !== paths.length)
    throw new InvalidArgumentError(`--grid: an axis is given twice (${paths.join(", ")})`);
  // The adoption alias replaces the scenario's adoption fields (as `bluezone sim --adoption`): an axis
  // over those fields beside it would give runs that differ in name only.
  const shadowed = paths.filter((p) => /^app\.(adoption|byAgeGroup)(\.|\[|$)/.test(p));
  if (paths.includes(GRID_ALIASES.adoption) && shadowed.length > 0)
    throw new InvalidArgumentError(
      `--grid: adoption replaces ${shadowed.join(", ")} at every grid point, so that axis would change nothing: give one of them`,
    );
  // Axes that change nothing would read as "no effect": what --no-interventions drops, and app.adoption
  // where per-age shares replace it.
  if (base.noInterventions)
    for (const path of paths)
      if (/^(interventions|app\.response)(\.|\[|$)/.test(path))
        throw new InvalidArgumentError(
          `--grid ${path}: --no-interventions drops the interventions and the app's response, so this axis would change nothing`,
        );
  // A --set of a field the sweep's own option also sets would be overridden without a word.
  checkOverriddenFields(base.set, { phones: base.phones, days: base.days });
  const json = applyScenarioOverrides(readScenarioJson(base.scenario), base.set);
  const parsedBase = parseScenario(json);
  const scenarioName = parsedBase.name;
  const perAge = parsedBase.app.byAgeGroup;
  if (paths.includes("app.adoption") && parsedBase.ageGroups.every((g) => perAge?.[g.name] !== undefined))
    throw new InvalidArgumentError(
      "--grid app.adoption: the scenario's app.byAgeGroup gives every age group its share, which replaces app.adoption, so this axis would change nothing (use the adoption axis, which replaces both)",
    );
  const runs: SweepRun[] = [];
  const pointOfKey = new Map<string, string>();
  for (const grid of combinations(axes)) {
    let adoption: number | undefined;
    const assignments: string[] = [];
    for (const [path, value] of Object.entries(grid)) {
      if (path === GRID_ALIASES.adoption) {
        adoption = Number(value);
        if (!(adoption >= 0 && adoption <= 1))
          throw new InvalidArgumentError(`--grid adoption: "${value}" is not a fraction in 0…1`);
      } else assignments.push(`${path}=${value}`);
    }
    let scenario: Scenario;
    try {
      scenario = parseScenario(applyScenarioOverrides(json, assignments));
    } catch (err) {
      if (err instanceof ScenarioError) {
        const problem = err.path ? err.message.slice(`${err.path}: `.length) : err.message;
        const point = Object.entries(grid)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ");
        throw new ScenarioError(err.path, `${problem} (grid point ${point})`);
      }
      throw err;
    }
    const point = Object.entries(grid)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    // Every point is checked as a run is before it starts (index cases within the people, …), so a
    // bad point stops the sweep before anything runs, not hours in.
    try {
      prepareScenario({
        scenario,
        ...(base.phones !== undefined ? { phones: base.phones } : {}),
        ...(base.days !== undefined ? { days: base.days } : {}),
        ...(adoption !== undefined ? { adoption } : {}),
        seed: seeds[0] ?? scenario.seed,
      });
    } catch (err) {
      if (err instanceof InvalidArgumentError)
        throw new InvalidArgumentError(`${err.message} (grid point ${point})`);
      throw err;
    }
    for (const seed of seeds) {
      const run: PoolRun = {
        scenario,
        ...(base.phones !== undefined ? { phones: base.phones } : {}),
        ...(base.days !== undefined ? { days: base.days } : {}),
        ...(adoption !== undefined ? { adoption } : {}),
        seed,
        radio: base.radio,
        noInterventions: base.noInterventions,
      };
      // The key hashes what determines the result: not the scenario's free-text description.
      const { description: _text, ...determining } = run.scenario;
      const keyed = { version: base.version, run: { ...run, scenario: determining } };
      const key = sha256(canonical(keyed)).slice(0, 20);
      const same = pointOfKey.get(key);
      if (same !== undefined && same !== point)
        throw new InvalidArgumentError(
          `--grid: the points ${same} and ${point} give the same run (the values are one value written twice)`,
        );
      pointOfKey.set(key, point);
      runs.push({ key, grid, seed, run });
    }
  }
  return {
    base,
    axes: [...axes],
    seeds: [...seeds],
    scenarioHash: sha256(canonical(json)),
    scenarioName,
    runs,
  };
}

/** What is stored of a finished run (`runs/<key>.json`). */
export interface RunRecord {
  key: string;
  grid: Record<string, string>;
  seed: number;
  summary: SimulationSummary;
  daily: DayRow[];
  /** Wall time of the simulation, ms (not part of the tables: it differs between machines). */
  elapsedMs: number;
  /**
   * SHA-256 (hex) of the record's JSON without this field, as stored: a rerun checks it, so a record
   * edited or damaged since (a changed figure, a cut daily list) is run again instead of read.
   */
  sha256: string;
}

/** The digest a record carries: of its JSON without `sha256`, fields in the stored order. */
function recordDigest(record: Omit<RunRecord, "sha256">): string {
  return sha256(JSON.stringify(record));
}

/** The record of a finished run. */
export function runRecord(
  run: SweepRun,
  result: Pick<SimulationResult, "summary" | "daily">,
  elapsedMs: number,
): RunRecord {
  const record = {
    key: run.key,
    grid: run.grid,
    seed: run.seed,
    summary: result.summary,
    daily: result.daily,
    elapsedMs,
  };
  return { ...record, sha256: recordDigest(record) };
}

/** The directory of a sweep's run files. */
export const runsDir = (out: string) => join(out, "runs");

/** Stores a finished run: written to a temporary name, then renamed, so a file present is complete. */
export function storeRun(out: string, record: RunRecord): void {
  const dir = runsDir(out);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${record.key}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(record));
  renameSync(tmp, join(dir, `${record.key}.json`));
}

/**
 * Keys of the runs already stored in `out` (a rerun skips them). A stored file that is not a run's
 * record as stored (empty, cut short, edited: not JSON, without its key, or not matching its SHA-256,
 * which covers every field) is moved aside
 * to `<key>.json.damaged` and its run counts as not done, so the rerun runs it again; `onDamaged` hears
 * of each (its path and why).
 */
export function finishedKeys(out: string, onDamaged?: (path: string, reason: string) => void): Set<string> {
  const dir = runsDir(out);
  if (!existsSync(dir)) return new Set();
  const done = new Set<string>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(".json") || f.startsWith(".")) continue;
    const key = f.slice(0, -5);
    const path = join(dir, f);
    let reason: string | undefined;
    try {
      const r = JSON.parse(readFileSync(path, "utf8")) as Partial<RunRecord> | null;
      if (r?.key !== key || typeof r.summary !== "object" || r.summary === null || !Array.isArray(r.daily))
        reason = "not a run's record (its key, summary or daily rows are missing)";
      else {
        const { sha256: stored, ...rest } = r;
        if (stored !== recordDigest(rest as Omit<RunRecord, "sha256">))
          reason = "changed since it was stored (its SHA-256 does not match)";
      }
    } catch (err) {
      reason = `not JSON (${(err as Error).message})`;
    }
    if (reason === undefined) done.add(key);
    else {
      renameSync(path, `${path}.damaged`);
      onDamaged?.(path, reason);
    }
  }
  return done;
}

/** The stored records of the plan's runs, in plan order. */
export function loadRecords(out: string, plan: SweepPlan): RunRecord[] {
  return plan.runs.map(
    (r) => JSON.parse(readFileSync(join(runsDir(out), `${r.key}.json`), "utf8")) as RunRecord,
  );
}

/** `sweep.json`: what was swept, with what, by which version. */
export interface SweepManifest {
  tool: "bluezone sweep";
  version: string;
  scenario: string;
  /** SHA-256 of the scenario JSON after `--set`, before the grid. */
  scenarioHash: string;
  set: string[];
  grid: GridAxis[];
  seeds: number[];
  phones: number | null;
  days: number | null;
  radio: string;
  interventions: boolean;
  runs: { key: string; grid: Record<string, string>; seed: number }[];
  files: string[];
}

/** Files a sweep writes next to `runs/`. */
export const SWEEP_FILES = [
  "sweep.json",
  "runs.csv",
  "runs.parquet",
  "daily.parquet",
  "report.html",
] as const;

/** The manifest of a plan. */
export function sweepManifest(plan: SweepPlan, version: string): SweepManifest {
  return {
    tool: "bluezone sweep",
    version,
    scenario: plan.scenarioName,
    scenarioHash: plan.scenarioHash,
    set: plan.base.set,
    grid: plan.axes,
    seeds: plan.seeds,
    phones: plan.base.phones ?? null,
    days: plan.base.days ?? null,
    radio: plan.base.radio,
    interventions: !plan.base.noInterventions,
    runs: plan.runs.map((r) => ({ key: r.key, grid: r.grid, seed: r.seed })),
    files: [...SWEEP_FILES],
  };
}

/** A grid value as the run used it: the JSON it parses as (a number, a boolean, …), else the text. */
function gridValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The manifest as `sweep.json` has it: grid values typed as the runs used them (0.2, not "0.2"). */
function typedManifest(m: SweepManifest) {
  const typed = (grid: Record<string, string>) =>
    Object.fromEntries(Object.entries(grid).map(([k, v]) => [k, gridValue(v)]));
  return {
    ...m,
    grid: m.grid.map((a) => ({ path: a.path, values: a.values.map(gridValue) })),
    runs: m.runs.map((r) => ({ ...r, grid: typed(r.grid) })),
  };
}

/** A table: column names and, per column, one value per row (numbers, NaN for missing, or text). */
export interface Table {
  columns: string[];
  data: Record<string, (number | string)[]>;
  /** Columns holding text. */
  text: Set<string>;
}

/** Grid axes whose every value is a finite number are numeric columns; others text. */
function gridColumns(plan: SweepPlan): { path: string; numeric: boolean }[] {
  return plan.axes.map((a) => ({ path: a.path, numeric: a.values.every((v) => Number.isFinite(Number(v))) }));
}

/**
 * `runs.csv` / `runs.parquet`: one row per run — `run` (key), the grid values, `seed`, `scenario`, then
 * every number of the summary as a dotted column (`detection.sensitivity`, …; the union over runs,
 * missing and undefined figures empty/null).
 */
export function runsTable(plan: SweepPlan, records: readonly RunRecord[]): Table {
  const grid = gridColumns(plan);
  const flat = records.map((r) => flattenSummary(r.summary));
  const figureColumns: string[] = [];
  const seen = new Set<string>(["seed"]);
  for (const f of flat)
    for (const k of Object.keys(f))
      if (!seen.has(k)) {
        seen.add(k);
        figureColumns.push(k);
      }
  const columns = ["run", ...grid.map((g) => g.path), "seed", "scenario", ...figureColumns];
  const data: Table["data"] = Object.fromEntries(columns.map((c) => [c, []]));
  records.forEach((r, i) => {
    data.run!.push(r.key);
    for (const g of grid) data[g.path]!.push(g.numeric ? Number(r.grid[g.path]) : r.grid[g.path]!);
    data.seed!.push(r.seed);
    data.scenario!.push(r.summary.scenario);
    for (const c of figureColumns) data[c]!.push(flat[i]![c] ?? Number.NaN);
  });
  return {
    columns,
    data,
    text: new Set(["run", "scenario", ...grid.filter((g) => !g.numeric).map((g) => g.path)]),
  };
}

/** `daily.parquet`: one row per run and day — `run`, the grid values, `seed`, then every {@link DayRow} field. */
export function dailyTable(plan: SweepPlan, records: readonly RunRecord[]): Table {
  const grid = gridColumns(plan);
  const dayColumns = Object.keys(records[0]?.daily[0] ?? { day: 0, date: "" }) as (keyof DayRow)[];
  const columns = ["run", ...grid.map((g) => g.path), "seed", ...dayColumns];
  const data: Table["data"] = Object.fromEntries(columns.map((c) => [c, []]));
  for (const r of records)
    for (const d of r.daily) {
      data.run!.push(r.key);
      for (const g of grid) data[g.path]!.push(g.numeric ? Number(r.grid[g.path]) : r.grid[g.path]!);
      data.seed!.push(r.seed);
      for (const c of dayColumns) data[c]!.push(d[c] === null ? Number.NaN : (d[c] as number | string));
    }
  return {
    columns,
    data,
    text: new Set(["run", "date", ...grid.filter((g) => !g.numeric).map((g) => g.path)]),
  };
}

/** A table as CSV (csv-stringify): header row, `\n` line ends, missing numbers as empty cells. */
export function tableCsv(t: Table): string {
  const rows = (t.data[t.columns[0]!] ?? []).map((_, i) =>
    t.columns.map((c) => {
      const v = t.data[c]![i]!;
      return typeof v === "number" && !Number.isFinite(v) ? "" : v;
    }),
  );
  return stringify([t.columns, ...rows], { record_delimiter: "unix" });
}

/**
 * A table as Parquet (hyparquet-writer): text columns UTF-8 strings, numbers nullable DOUBLE
 * (`seed` and `day` INT64 would be exact too, but one numeric type keeps readers simple; doubles hold
 * every count exactly below 2⁵³), missing numbers null.
 */
export function tableParquet(t: Table): Uint8Array {
  const columnData = t.columns.map((name) =>
    t.text.has(name)
      ? { name, data: t.data[name]!.map(String), type: "STRING" as const }
      : {
          name,
          data: t.data[name]!.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : null)),
          type: "DOUBLE" as const,
        },
  );
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}

/**
 * Writes `sweep.json`, `runs.csv`, `runs.parquet`, `daily.parquet` and `report.html` into `out` from
 * the stored runs of the plan (all must be finished). Returns the paths written.
 */
export function writeSweepOutputs(out: string, plan: SweepPlan, version: string): string[] {
  const records = loadRecords(out, plan);
  const manifest = sweepManifest(plan, version);
  const runs = runsTable(plan, records);
  const contents: Record<(typeof SWEEP_FILES)[number], string | Uint8Array> = {
    "sweep.json": `${JSON.stringify(typedManifest(manifest), null, 2)}\n`,
    "runs.csv": tableCsv(runs),
    "runs.parquet": tableParquet(runs),
    "daily.parquet": tableParquet(dailyTable(plan, records)),
    "report.html": renderSweepReport(manifest, records),
  };
  return SWEEP_FILES.map((name) => {
    const path = join(out, name);
    writeFileSync(path, contents[name]);
    return path;
  });
}

/** The URL with its password (if any) replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === "") return url;
    u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}
