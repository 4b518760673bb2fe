/**
 * Replicates of one run (`bluezone sim --seeds N`): the same scenario under seeds s, s + 1, …,
 * s + N − 1, summarised figure by figure as mean, SD and a 95 % t interval of the mean (see
 * `sim/report/stats.ts` for the interval). Infections averted are paired: each replicate runs the same world
 * and seed with and without the app, and the interval is over those per-replicate differences.
 */
import { InvalidArgumentError } from "../../src/index";
import { FIGURE_RANGES, HEADLINE_FIGURES } from "./figures";
import type { SimulationResult, SimulationSummary } from "../run";
import { type ReplicateStat, replicateStat } from "./stats";

/**
 * The seeds of `n` replicates from `seed`: seed, seed + 1, … (wrapping at 2³²).
 * @public
 */
export function replicateSeeds(seed: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (seed + i) >>> 0);
}

/**
 * One figure over the replicates, with its label and meaning.
 * @public
 */
export interface ReplicateFigure extends ReplicateStat {
  /** The figure's name as the report and the CLI print it, e.g. `Infections averted`. */
  label: string;
  /** What the figure means, in one sentence. */
  meaning: string;
}

/**
 * `summary.json` of a run with `--seeds N` (N ≥ 2).
 * @public
 */
export interface ReplicateSummary {
  /** The scenario's name. */
  scenario: string;
  /** People in the run. */
  phones: number;
  /** Simulated days. */
  days: number;
  /** The replicates' seeds, in order. */
  seeds: number[];
  /** How the interval is computed. */
  interval: "95% t interval of the mean over seeds: mean ± t(0.975, n−1)·SD/√n";
  /**
   * Each headline figure (see `HEADLINE_FIGURES`) over the replicates in which it is defined:
   * `infectionsAverted` is the mean of the paired per-seed differences (without − with the app).
   */
  figures: Record<string, ReplicateFigure>;
  /** Every replicate's own summary, in seed order. */
  runs: SimulationSummary[];
}

/**
 * The replicate summary of `results` (one per seed, in seed order): each headline figure's mean, SD
 * and 95% t interval over the runs in which it is defined, clipped to the figure's range.
 * @throws InvalidArgumentError when `results` is empty
 * @public
 */
export function summariseReplicates(results: readonly SimulationResult[]): ReplicateSummary {
  if (results.length === 0) throw new InvalidArgumentError("summariseReplicates: no runs to summarise");
  const first = results[0]!.summary;
  const figures: Record<string, ReplicateFigure> = {};
  for (const f of HEADLINE_FIGURES)
    figures[f.key] = {
      label: f.label,
      meaning: f.meaning,
      ...replicateStat(
        results.map((r) => f.get(r.summary)),
        FIGURE_RANGES[f.kind],
      ),
    };
  return {
    scenario: first.scenario,
    phones: first.phones,
    days: first.days,
    seeds: results.map((r) => r.summary.seed),
    interval: "95% t interval of the mean over seeds: mean ± t(0.975, n−1)·SD/√n",
    figures,
    runs: results.map((r) => r.summary),
  };
}

/** A daily series over replicates: per day the mean and the 95 % t interval (NaN where n < 2). */
export interface DailyBand {
  /** Replicates. */
  n: number;
  mean: number[];
  low: number[];
  high: number[];
}

/** The band of a per-day series `pick` (one value per day of each run) over `runs`. */
export function dailyBand(
  runs: readonly SimulationResult[],
  pick: (run: SimulationResult) => readonly number[],
): DailyBand {
  const series = runs.map(pick);
  const days = Math.max(0, ...series.map((s) => s.length));
  const band: DailyBand = { n: runs.length, mean: [], low: [], high: [] };
  for (let d = 0; d < days; d++) {
    const st = replicateStat(series.map((s) => s[d] ?? Number.NaN));
    band.mean.push(st.mean);
    band.low.push(st.low);
    band.high.push(st.high);
  }
  return band;
}

/** Running totals of a series. */
export function cumulative(values: readonly number[]): number[] {
  let total = 0;
  return values.map((v) => {
    total += v;
    return total;
  });
}
