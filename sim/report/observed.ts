/**
 * Hanoi's reported cases of the 2021 Delta wave (`data/hanoi-2021/reported-cases.json`, compiled from the
 * press with sources named there) and what a run is compared with: the windows of the public record in
 * a scenario's days, the cohort R_t pooled over each window, the reported daily cases scaled to a
 * population, and the reproduction number the reported growth implies. See docs/hanoi-2021.md.
 */
import reported from "../../data/hanoi-2021/reported-cases.json";
import type { Infection } from "../epidemic/epidemic-metrics";
import type { Scenario } from "../scenario";

/** The reported figures as shipped (`data/hanoi-2021/reported-cases.json`). */
export const HANOI_2021 = reported;

/** Public series a scenario can be compared with (`observed` in a scenario). */
export const OBSERVED_SERIES = { "hanoi-2021": HANOI_2021 } as const;

const DAY_MS = 86_400_000;

/** Day index of ISO date `date` in `scenario` (day 0 = its start date). */
export function scenarioDay(scenario: Pick<Scenario, "startDate">, date: string): number {
  return Math.round(
    (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${scenario.startDate}T00:00:00Z`)) / DAY_MS,
  );
}

/** A window of the public record, in a scenario's days. */
export interface RecordWindow {
  /** Short name: `before`, `d16-1`, `d16-2`, `d16-3`, `after`. */
  name: string;
  /** What it is. */
  label: string;
  /** First and last day (inclusive), clipped to the run. */
  from: number;
  to: number;
  /** Hanoi's reported cases per day over the window, when the record gives one. */
  observedPerDay?: number;
}

/**
 * The windows the fit is judged on (docs/hanoi-2021.md): before Directive 16 (start … 23 July), its
 * first two weeks (24 July – 6 August), the rest of August in two halves (7–20 August, 21 August –
 * 5 September), and from 6 September (until 12 days before the run's end, so the cohorts have
 * finished transmitting).
 */
export function hanoiWindows(scenario: Pick<Scenario, "startDate" | "days">): RecordWindow[] {
  const d = (date: string) => scenarioDay(scenario, date);
  const perDay = (date: string) =>
    HANOI_2021.periods.find((p) => p.from <= date && date <= p.to)?.casesPerDay;
  const rows: RecordWindow[] = [
    {
      name: "before",
      label: "before Directive 16",
      from: 0,
      to: d("2021-07-23"),
      observedPerDay: perDay("2021-07-10"),
    },
    {
      name: "d16-1",
      label: "Directive 16, 24 Jul – 6 Aug",
      from: d("2021-07-24"),
      to: d("2021-08-06"),
      observedPerDay: perDay("2021-07-30"),
    },
    {
      name: "d16-2",
      label: "7–20 Aug",
      from: d("2021-08-07"),
      to: d("2021-08-20"),
      observedPerDay: perDay("2021-08-15"),
    },
    {
      name: "d16-3",
      label: "21 Aug – 5 Sep",
      from: d("2021-08-21"),
      to: d("2021-09-05"),
      observedPerDay: perDay("2021-08-30"),
    },
    {
      name: "after",
      label: "from 6 Sep",
      from: d("2021-09-06"),
      to: scenario.days - 13,
      observedPerDay: perDay("2021-09-10"),
    },
  ];
  return rows
    .map((w) => ({ ...w, from: Math.max(0, w.from), to: Math.min(scenario.days - 1, w.to) }))
    .filter((w) => w.to >= w.from);
}

/** Cohort R over one window: the people infected in it and the people they infected. */
export interface WindowR extends RecordWindow {
  /** People infected on the window's days whose cohorts are complete (initial cases included). */
  cases: number;
  /** People they infected by the end of the run. */
  secondary: number;
  /** secondary / cases; NaN without cases. */
  R: number;
  /** Mean of `confirmed[d]` over the window's days. */
  confirmedPerDay(confirmed: readonly number[]): number;
}

/**
 * The cohort reproduction number pooled over each window: Σ secondary / Σ cases of the people infected
 * on its days (the case reproduction number of Fraser 2007, PLoS ONE, pooled over days) — from the
 * line list alone, over the cohorts complete at `end` (days) only: a day's cohort with someone still
 * infectious at the run's end is left out, as the summary's R_t leaves it out (`cohortRt` gives it
 * null), since its transmissions are undercounted. A window without a complete cohort has no cases and
 * an R of NaN.
 */
export function windowRt(
  list: readonly Infection[],
  windows: readonly RecordWindow[],
  end: number,
): WindowR[] {
  const secondary = new Map<number, number>();
  for (const i of list) if (i.infector >= 0) secondary.set(i.infector, (secondary.get(i.infector) ?? 0) + 1);
  const censored = new Set<number>();
  for (const i of list) if (i.infectiousUntil > end) censored.add(Math.floor(i.time));
  return windows.map((w) => {
    let cases = 0;
    let sec = 0;
    for (const i of list) {
      const d = Math.floor(i.time);
      if (d < w.from || d > w.to || censored.has(d)) continue;
      cases++;
      sec += secondary.get(i.infectee) ?? 0;
    }
    return {
      ...w,
      cases,
      secondary: sec,
      R: cases > 0 ? sec / cases : Number.NaN,
      confirmedPerDay: (confirmed: readonly number[]) => {
        let s = 0;
        for (let d = w.from; d <= w.to; d++) s += confirmed[d] ?? 0;
        return s / (w.to - w.from + 1);
      },
    };
  });
}

/**
 * Reported cases per day on each day of a scenario from the public record's periods (undefined between
 * them), × `scale` (e.g. population / Hanoi's population).
 */
export function observedDaily(
  scenario: Pick<Scenario, "startDate" | "days">,
  scale: number,
): (number | undefined)[] {
  const out: (number | undefined)[] = new Array(scenario.days).fill(undefined);
  for (const p of HANOI_2021.periods)
    for (
      let d = Math.max(0, scenarioDay(scenario, p.from));
      d <= Math.min(scenario.days - 1, scenarioDay(scenario, p.to));
      d++
    )
      out[d] = p.casesPerDay * scale;
  return out;
}

/**
 * Reproduction number implied by exponential growth at rate `r` per day with a gamma-distributed
 * generation interval of mean `mean` and SD `sd` days: R = (1 + r·sd²/mean)^(mean²/sd²) (Wallinga &
 * Lipsitch 2007, Proc. R. Soc. B 274:599). Defaults: 5.0 ± 1.9 d (Ferretti et al. 2020, Science; the
 * model's target, docs/epidemic-params.md).
 */
export function impliedR(r: number, mean = 5.0, sd = 1.9): number {
  const k = (mean / sd) ** 2;
  return (1 + (r * sd * sd) / mean) ** k;
}

/** R implied by the reported growth between consecutive periods of the record (centre to centre). */
export interface ImpliedR {
  /** Days (scenario days) between the two periods' centres, where this R applies. */
  from: number;
  to: number;
  /** Growth rate per day, ln(later / earlier) / days between centres. */
  growth: number;
  R: number;
}

/** {@link impliedR} between each pair of consecutive reported periods, placed in `scenario`'s days. */
export function observedImpliedR(scenario: Pick<Scenario, "startDate">): ImpliedR[] {
  const centre = (p: { from: string; to: string }) =>
    (scenarioDay(scenario, p.from) + scenarioDay(scenario, p.to)) / 2;
  const out: ImpliedR[] = [];
  const ps = HANOI_2021.periods;
  for (let i = 1; i < ps.length; i++) {
    const a = ps[i - 1]!;
    const b = ps[i]!;
    const growth = Math.log(b.casesPerDay / a.casesPerDay) / (centre(b) - centre(a));
    out.push({ from: centre(a), to: centre(b), growth, R: impliedR(growth) });
  }
  return out;
}
