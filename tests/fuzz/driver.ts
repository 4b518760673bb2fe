/** Runs the fuzz targets with a case budget split by weight; reports per-target counts and throughput. */
import fc from "fast-check";
import { FUZZ_TARGETS, type FuzzTarget, type Outcome } from "./targets";

/** Figures of one target. */
export interface TargetReport {
  name: string;
  cases: number;
  accepted: number;
  rejected: number;
  failures: number;
  /** Shrunk failing input and error, when the property broke. */
  counterexample?: string;
  seconds: number;
  casesPerSecond: number;
}

/** Figures of a fuzz campaign. */
export interface FuzzReport {
  seed: number;
  cases: number;
  failures: number;
  seconds: number;
  casesPerSecond: number;
  /** Largest resident set size sampled during the run, MiB. */
  peakRssMiB: number;
  targets: TargetReport[];
}

/** Runs `cases` cases over the targets (split by weight) with a fixed seed. */
export function runFuzz(options: {
  cases: number;
  seed?: number;
  targets?: readonly FuzzTarget[];
}): FuzzReport {
  const seed = options.seed ?? 1;
  const targets = options.targets ?? FUZZ_TARGETS;
  const total = targets.reduce((s, t) => s + t.weight, 0);
  let peak = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  const reports = targets.map((t): TargetReport => {
    const numRuns = Math.max(1, Math.round((options.cases * t.weight) / total));
    const counts: Record<Outcome, number> = { accepted: 0, rejected: 0 };
    let n = 0;
    const start = process.hrtime.bigint();
    const details = fc.check(
      fc.property(t.arbitrary, (input) => {
        counts[t.check(input)]++;
        if ((++n & 4095) === 0) peak = Math.max(peak, process.memoryUsage().rss);
      }),
      { seed, numRuns },
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return {
      name: t.name,
      cases: details.numRuns,
      accepted: counts.accepted,
      rejected: counts.rejected,
      failures: details.failed ? 1 : 0,
      ...(details.failed
        ? {
            counterexample: `${fc.stringify(details.counterexample).slice(0, 2000)}\n${String(details.errorInstance).slice(0, 2000)}`,
          }
        : {}),
      seconds: Number(seconds.toFixed(3)),
      casesPerSecond: Math.round(details.numRuns / seconds),
    };
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cases = reports.reduce((s, r) => s + r.cases, 0);
  return {
    seed,
    cases,
    failures: reports.reduce((s, r) => s + r.failures, 0),
    seconds: Number(seconds.toFixed(3)),
    casesPerSecond: Math.round(cases / seconds),
    peakRssMiB: Math.round(peak / 2 ** 20),
    targets: reports,
  };
}
