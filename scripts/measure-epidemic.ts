/**
 * `npx tsx scripts/measure-epidemic.ts [seeds] [phones] [days]`: the epidemic figures of the R0 arm
 * (`--no-interventions`, no app) of sim/scenarios/hanoi-ward.json, one run per seed (default seeds
 * 1,2,3, 10,000 people, the scenario's 70 days). Prints one JSON line per seed as it finishes, then the
 * figures pooled over seeds (R0 = Σ secondary / Σ cases; the others as mean ± SD over seeds) — the
 * starting point of the calibration in issue #17. With LINE_LIST_DIR set, also writes each seed's
 * line list there as `infections-seed<seed>.csv`. VARIANT=delta runs the Delta preset; INITIAL sets the
 * initial cases (default the scenario's 10).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { infectionsCsv } from "../sim/report/report-csv";
import { runSimulation } from "../sim/run";
import { loadScenario } from "../sim/scenario";

const seeds = (process.argv[2] ?? "1,2,3").split(",").map(Number);
const phones = Number(process.argv[3] ?? 10_000);
const loaded = loadScenario("hanoi-ward");
const scenario = {
  ...loaded,
  epidemic: {
    ...loaded.epidemic,
    // hanoi-ward's own block is Delta (its Hanoi 2021 fit): the default strain unless VARIANT=delta.
    variant: process.env.VARIANT === "delta" ? ("delta" as const) : ("ancestral" as const),
    ...(process.env.INITIAL ? { initialInfected: Number(process.env.INITIAL) } : {}),
  },
};
const days = Number(process.argv[4] ?? scenario.days);

interface Row {
  seed: number;
  R0: number;
  R0Cases: number;
  infections: number;
  giMean: number;
  giSd: number;
  giPairs: number;
  presymptomatic: number;
  symptomatic: number;
  asymptomatic: number;
  environmental: number;
  householdSAR: number;
  householdSARFromIndex: number;
  householdContacts: number;
  homeShare: number;
  seconds: number;
}

const rows: Row[] = [];
for (const seed of seeds) {
  const started = Date.now();
  const r = await runSimulation({
    scenario,
    phones,
    days,
    adoption: 0,
    seed,
    counterfactual: false,
    noInterventions: true,
    onProgress: (p) => {
      if (p.day % 10 === 9) process.stderr.write(`seed ${seed}: day ${p.day + 1}/${p.days}\n`);
    },
  });
  const e = r.summary.epidemic;
  const lineLists = process.env.LINE_LIST_DIR;
  if (lineLists) writeFileSync(join(lineLists, `infections-seed${seed}.csv`), infectionsCsv(r.infections));
  const settings = e.transmissionsBySetting;
  const row: Row = {
    seed,
    R0: e.R0 ?? Number.NaN,
    R0Cases: e.R0Cases,
    infections: r.infections.length,
    giMean: e.generationInterval.mean,
    giSd: e.generationInterval.sd,
    giPairs: e.generationInterval.pairs,
    ...e.transmissionShares,
    householdSAR: e.householdSAR,
    householdSARFromIndex: e.householdSARFromIndex,
    householdContacts: e.householdContacts,
    homeShare: (settings.home ?? 0) / Math.max(1, e.transmissions),
    seconds: Math.round((Date.now() - started) / 1000),
  };
  rows.push(row);
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

const meanSd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd =
    xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) : Number.NaN;
  return { mean: Number(m.toFixed(4)), sd: Number(sd.toFixed(4)) };
};
const pick = (k: keyof Row) => meanSd(rows.map((r) => r[k]));
const pooledR0 =
  rows.reduce((a, r) => a + r.R0 * r.R0Cases, 0) /
  Math.max(
    1,
    rows.reduce((a, r) => a + r.R0Cases, 0),
  );
process.stdout.write(
  `${JSON.stringify({
    scenario: scenario.name,
    phones,
    days,
    seeds,
    R0pooled: Number(pooledR0.toFixed(4)),
    R0: pick("R0"),
    generationIntervalMean: pick("giMean"),
    generationIntervalSd: pick("giSd"),
    presymptomatic: pick("presymptomatic"),
    symptomatic: pick("symptomatic"),
    asymptomatic: pick("asymptomatic"),
    environmental: pick("environmental"),
    householdSAR: pick("householdSAR"),
    householdSARFromIndex: pick("householdSARFromIndex"),
    homeShare: pick("homeShare"),
    attackRate: meanSd(rows.map((r) => r.infections / phones)),
  })}\n`,
);
