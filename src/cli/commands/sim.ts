/** `bluezone sim`: run a population simulation and write its report. */
import { getHeapStatistics } from "node:v8";
import { resolve } from "node:path";
import { Presets, SingleBar } from "cli-progress";
import type { Command } from "commander";
import { loadContactTrace } from "../../../sim/world/contact-trace";
import { type RunSize, runSimulation, type SimulationResult } from "../../../sim/run";
import { formatFigure, HEADLINE_FIGURES } from "../../../sim/report/figures";
import { replicateSeeds, type ReplicateSummary, summariseReplicates } from "../../../sim/report/replicates";
import { REPORT_FILES } from "../../../sim/report/report";
import { runPool } from "../../../sim/sweep/run-pool";
import { checkOverriddenFields, loadScenario } from "../../../sim/scenario";
import { InvalidArgumentError } from "../../errors";
import { onInterrupt, parseIntOption, parseUtcOffset, plural, prepareOutDir, printJson } from "../run";

interface SimOptions {
  scenario?: string;
  contacts?: string;
  phones?: number;
  days?: number;
  adoption?: number;
  seed?: number;
  utcOffset?: number;
  workers: number;
  radio: "scan" | "packets";
  engine: "batched" | "device";
  detectionReceivers: number;
  out: string;
  json?: boolean;
  interventions: boolean;
  set: string[];
  seeds: number;
}

function parseFraction(value: string): number {
  const x = Number(value);
  if (value.trim() === "" || !Number.isFinite(x) || x < 0 || x > 1) {
    throw new InvalidArgumentError(`--adoption must be a fraction in 0…1, got "${value}"`);
  }
  return x;
}

/**
 * Cost of a run on the reference machine (2 cores, Node 20), for the estimate printed before it starts
 * (the progress bar's ETA is measured as the run goes). Per app-phone-day, in µs on one thread:
 * {@link US_PER_APP_PHONE_DAY} plus the adoption (app users / people, which sets how many app-using
 * neighbours a scan hears) times {@link US_PER_APP_PHONE_DAY_PER_ADOPTION} of the radio sampling; W
 * workers divide it by W^0.75 (2 workers: 1.68×: a 60-day run on 2 workers used 1.82 cores, the
 * coordinator's world included); plus a fixed part (the radio's tables, start-up) and the world's per
 * person. Fitted to hanoi-ward runs of 1 December 2026: 10,000 people × 3 days at adoption 1, 1 worker,
 * per-scan (`npm run bench:sim`): 69 s; `bluezone sim` (with the counterfactual) at 20,000 people (23%
 * adoption) × 60 days, 2 workers, per-scan: 178 s; × 3 days, 1 worker: 24.7 s per-scan and 30.1 s
 * per-packet (the estimate says 21.3 and 26.7 s: short runs pay start-up costs it does not model).
 */
const US_PER_APP_PHONE_DAY = 720;
/** See {@link US_PER_APP_PHONE_DAY}: µs per app-phone-day and unit of adoption, by radio sampling. */
const US_PER_APP_PHONE_DAY_PER_ADOPTION = { scan: 1_430, packets: 3_130 } as const;
/** Fixed seconds of a run, and seconds per person of the world (see {@link US_PER_APP_PHONE_DAY}). */
const FIXED_SECONDS = 2;
const SECONDS_PER_PERSON = 0.000_25;

/** Rough wall time of a run in seconds, from its size and radio sampling (see {@link US_PER_APP_PHONE_DAY}). */
export function estimateRunSeconds(size: RunSize, radio: "scan" | "packets" = "scan"): number {
  const adoption = size.people > 0 ? size.appUsers / size.people : 0;
  const us = US_PER_APP_PHONE_DAY + adoption * US_PER_APP_PHONE_DAY_PER_ADOPTION[radio];
  return (
    FIXED_SECONDS +
    SECONDS_PER_PERSON * size.people +
    (size.appUsers * size.days * us) / 1e6 / Math.max(1, size.workers) ** 0.75
  );
}

/** "1 h 05 min", "12 min", "40 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/**
 * JavaScript heap a run needs per thread, bytes: ≈ 30 KB per app user's phone simulated in the thread
 * (its tracer core, schedule, aggregator and log objects; measured on hanoi-ward at adoption 1, 2,000 and
 * 6,000 people: 29.7 and 28.9 KB per app user including the world) plus ≈ 1 KB per person (the world).
 */
export function estimateHeapBytes(size: RunSize): number {
  return 30_000 * Math.ceil(size.appUsers / Math.max(1, size.workers)) + 1_000 * size.people;
}

/**
 * A hint printed before a run that would not fit Node's heap limit (`limitBytes`, e.g. 4 GB by default
 * here): the `--max-old-space-size` to start Node with (worker threads inherit it). Undefined when the
 * estimate ({@link estimateHeapBytes}) is under three quarters of the limit.
 */
export function heapHint(size: RunSize, limitBytes: number): string | undefined {
  const need = estimateHeapBytes(size);
  if (need <= 0.75 * limitBytes) return undefined;
  const mb = Math.ceil((1.5 * need) / 1e9) * 1000;
  return (
    `this run needs ≈ ${(need / 1e9).toFixed(1)} GB of JavaScript heap per thread, more than Node's limit of ` +
    `${(limitBytes / 2 ** 30).toFixed(1)} GiB allows: start it with NODE_OPTIONS=--max-old-space-size=${mb} ` +
    "(or more workers), or it may stop with 'JavaScript heap out of memory'"
  );
}

/** The line printed before a run starts: its size and a rough ETA. */
export function describeRunSize(
  scenario: string,
  seed: number,
  size: RunSize,
  radio: "scan" | "packets" = "scan",
): string {
  const share = size.people > 0 ? ` (${((100 * size.appUsers) / size.people).toFixed(0)}%)` : "";
  return (
    `${scenario}: ${size.people.toLocaleString("en")} people, ${size.appUsers.toLocaleString("en")} with the app${share}, ` +
    `${plural(size.days, "day")}, ${plural(size.workers, "worker")}, seed ${seed} — ` +
    `${(size.appUsers * size.days).toLocaleString("en")} app-phone-days, estimated ≈ ${formatDuration(estimateRunSeconds(size, radio))}`
  );
}

/**
 * Why a detection figure is n/a, or undefined when it has a value. Precision needs someone notified;
 * recall and the traceable fraction need an app user who was truly close to an uploader.
 */
function whyNotAvailable(s: SimulationResult["summary"], figure: "precision" | "recall"): string | undefined {
  if (figure === "precision" ? Number.isFinite(s.f1Precision) : Number.isFinite(s.f1Recall)) return undefined;
  if (s.keysPublished === 0) return "no confirmed case uploaded keys, so no one could be notified";
  if (figure === "precision") return "no app user was notified F1";
  return "no app user was truly close (≥ 15 min within 2 m) to a case whose keys were published";
}

/** One line of the measured epidemic figures (see `summary.epidemic`). */
export function describeEpidemic(e: SimulationResult["summary"]["epidemic"]): string {
  const num = (x: number | null, digits: number) =>
    x !== null && Number.isFinite(x) ? x.toFixed(digits) : "n/a";
  const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : "n/a");
  const gi = e.generationInterval;
  const sh = e.transmissionShares;
  return (
    `epidemic: R0 ${e.R0 === null ? "n/a (only with --no-interventions)" : `${num(e.R0, 2)} (${e.R0Cases} cases)`}, ` +
    `generation interval ${gi.pairs > 0 ? `${num(gi.mean, 2)} d (SD ${num(gi.sd, 2)})` : "n/a (no infector has finished being infectious)"}, ` +
    `transmission pre-symptomatic ${pct(sh.presymptomatic)} ` +
    `/ symptomatic ${pct(sh.symptomatic)} / asymptomatic ${pct(sh.asymptomatic)} / environmental ${pct(sh.environmental)}, ` +
    `household SAR ${
      Number.isFinite(e.householdSAR)
        ? num(e.householdSAR, 3)
        : "n/a (no household's index case was followed up for 21 days by the run's end)"
    }`
  );
}

/** The closing line: where the report is and what sits next to it. */
function reportLine(outDir: string): string {
  return (
    `report: ${resolve(outDir, "report.html")} — charts and the run's settings; ` +
    "summary.json, daily.csv, roc.csv, detection.csv and infections.csv next to it"
  );
}

/**
 * A human-readable digest of the summary (printed without `--json`): one line per headline figure with
 * what it means, why any is n/a, the detection and epidemic details, and where the report is.
 */
export function describeSummary(r: SimulationResult, outDir: string): string {
  const s = r.summary;
  const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");
  const reasons = [...new Set([whyNotAvailable(s, "precision"), whyNotAvailable(s, "recall")])].filter(
    (x): x is string => x !== undefined,
  );
  return [
    `${s.scenario}: ${s.phones} people (${s.appUsers} with the app), ${plural(s.days, "day")}, seed ${s.seed}`,
    ...HEADLINE_FIGURES.map((f) => `  ${f.label}: ${formatFigure(f.kind, f.get(s))} — ${f.meaning}`),
    ...reasons.map((why) => `  n/a: ${why}`),
    `true close pair-days (everyone): ${s.closeContactPairDays}`,
    `keys published: ${s.keysPublished} in ${plural(s.batches, "batch", "batches")}; sightings logged: ${s.sightingsLogged} ` +
      `(logs hold ${(s.logBytes / 1e6).toFixed(1)} MB); ` +
      `true F1 (app users): ${s.groundTruthCloseContacts}; notified F1: ${s.f1Notified}, F2: ${s.f2Notified}`,
    `detection (ordered app-user pair-days): ${s.detection.trueCloseContacts} true close, ${s.detection.detected} detected, ` +
      `${s.detection.falseAlarms} false alarms; sensitivity ${pct(s.detection.sensitivity)}, precision ${pct(s.detection.precision)}` +
      (s.detection.receiverDays < s.detection.appUserDays
        ? ` (a sample: ${s.detection.receiverDays} of ${s.detection.appUserDays} receiver-days)`
        : ""),
    describeEpidemic(s.epidemic),
    reportLine(outDir),
  ].join("\n");
}

/**
 * The digest of replicates (`--seeds N`): per headline figure its mean, 95 % t interval and SD over the
 * seeds and what it means, then where the report is.
 */
export function describeReplicates(summary: ReplicateSummary, outDir: string): string {
  const n = summary.seeds.length;
  return [
    `${summary.scenario}: ${n} seeds (${summary.seeds[0]}–${summary.seeds[n - 1]}), ${summary.phones} people, ${plural(summary.days, "day")}; ` +
      "mean over seeds (95% t interval of the mean, SD)",
    ...HEADLINE_FIGURES.map((f) => {
      const st = summary.figures[f.key]!;
      const spread = Number.isFinite(st.low)
        ? ` (95% CI ${formatFigure(f.kind, st.low)} to ${formatFigure(f.kind, st.high)}, SD ${formatFigure(f.kind, st.sd)}${st.n < n ? `, ${st.n} of ${n} seeds` : ""})`
        : st.n < n
          ? ` (defined in ${st.n} of ${n} seeds)`
          : "";
      return `  ${f.label}: ${formatFigure(f.kind, st.mean)}${spread} — ${f.meaning}`;
    }),
    reportLine(outDir),
  ].join("\n");
}

/** Registers `sim` on the program. */
export function registerSim(program: Command): void {
  program
    .command("sim")
    .description(
      "Simulate a city of phones running the library; compare the app's F1 verdicts with the truth",
    )
    .option(
      "--scenario <name|file>",
      "hanoi-ward | hanoi-district | office | market | school, or a scenario JSON file (default: hanoi-ward; office with --contacts)",
    )
    .option(
      "--contacts <file>",
      "replay a contact trace (KONECT/SocioPatterns lines `from to weight unix_time`) instead of generated mobility",
    )
    .option(
      "--phones <n>",
      "people, each with a phone (default: the scenario's population)",
      parseIntOption("--phones", 2, 1_000_000),
    )
    .option("--days <d>", "days to simulate (default: the scenario's)", parseIntOption("--days", 1, 365))
    .option("--adoption <f>", "fraction of people running the app (replaces the scenario's)", parseFraction)
    .option("--seed <s>", "master seed (default: the scenario's)", parseIntOption("--seed", 0, 0xffffffff))
    .option(
      "--utc-offset <h>",
      "local time's offset from UTC in hours: where days begin for the truth and the day rule (replaces the scenario's)",
      parseUtcOffset,
    )
    .option(
      "--seeds <n>",
      "replicates: run seeds s, s+1, …, s+n−1 (s from --seed or the scenario) and report each figure's mean, SD and 95% t interval",
      parseIntOption("--seeds", 1, 10_000),
      1,
    )
    .option(
      "--workers <w>",
      "worker threads: one run's app users' phones are split over them; with --seeds, that many runs at once, one per thread (results do not change)",
      parseIntOption("--workers", 1, 64),
      1,
    )
    .option(
      "--radio <mode>",
      "radio sampling: scan (one summary per scan and link, drawn from the distribution the per-packet model implies, default) | packets (every packet: the reference, slower)",
      parseRadioMode,
      "scan",
    )
    .option(
      "--engine <engine>",
      "who runs the phones: batched (tracer cores stepped without timers, default) | device (the device tracer on timers and a simulated transport: the previous engine, same results, slower: see the throughput table in README)",
      parseEngine,
      "batched",
    )
    .option(
      "--detection-receivers <n>",
      "app users whose phones the detection measure judges per day (a deterministic sample; `all` for every phone)",
      parseReceivers,
      1000,
    )
    .option(
      "--out <dir>",
      "output directory for summary.json, daily.csv, roc.csv, detection.csv, infections.csv and report.html (with --seeds: the replicate summary, CSVs with a seed column)",
      "out/sim",
    )
    .option("--json", "print the summary as JSON on stdout (no progress bar)")
    .option(
      "--no-interventions",
      "turn off every intervention, symptomatic testing and isolation, and the app's response (the R0 arm)",
    )
    .option(
      "--set <path=value>",
      "override a scenario field before validation, e.g. app.response.quarantineDays=7 or interventions[7].coverage=0.5 (repeatable; value read as JSON, else as text)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(async (o: SimOptions) => {
      if (o.contacts !== undefined && o.phones !== undefined)
        throw new InvalidArgumentError(
          "--phones cannot be combined with --contacts: the trace's nodes are the people",
        );
      // The output directory is checked (and made) before minutes of simulation, not after.
      prepareOutDir("--out", o.out, REPORT_FILES);
      const contacts = o.contacts === undefined ? undefined : loadContactTrace(o.contacts);
      checkOverriddenFields(o.set, {
        phones: o.phones,
        days: o.days,
        seed: o.seed,
        adoption: o.adoption,
        utcOffset: o.utcOffset,
      });
      const loaded = loadScenario(o.scenario ?? (contacts ? "office" : "hanoi-ward"), o.set);
      const scenario = o.utcOffset === undefined ? loaded : { ...loaded, utcOffsetHours: o.utcOffset };
      const days = o.days ?? scenario.days;
      const tty = !o.json && process.stderr.isTTY === true;
      if (o.seeds > 1) {
        await runReplicates(o, scenario, contacts, days, tty);
        return;
      }
      const bar = tty
        ? new SingleBar(
            {
              format: "{arm} |{bar}| day {value}/{total} | {duration_formatted} elapsed, ETA {eta_formatted}",
              hideCursor: true,
            },
            Presets.shades_classic,
          )
        : undefined;
      // Ctrl-C: stop the bar, which shows the cursor it hid, then exit 130.
      const release = onInterrupt(() => bar?.stop());
      const result = await runSimulation({
        scenario,
        ...(o.phones !== undefined ? { phones: o.phones } : {}),
        ...(contacts ? { contacts } : {}),
        days,
        ...(o.adoption !== undefined ? { adoption: o.adoption } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        workers: o.workers,
        radio: o.radio,
        engine: o.engine,
        detectionReceivers: o.detectionReceivers,
        noInterventions: !o.interventions,
        onStart: (size) => {
          if (!o.json)
            process.stderr.write(
              `${describeRunSize(scenario.name, o.seed ?? scenario.seed, size, o.radio)}\n`,
            );
          const hint = heapHint(size, getHeapStatistics().heap_size_limit);
          if (hint) process.stderr.write(`bluezone: note: ${hint}\n`);
          bar?.start(days, 0, { arm: "with app   " });
        },
        onProgress: (p) => {
          if (p.arm === "app") bar?.update(p.day + 1);
        },
      });
      bar?.stop();
      release();
      const { writeReport } = await import("../../../sim/report/report");
      writeReport(result, o.out);
      if (o.json) printJson(result.summary, true);
      else process.stdout.write(`${describeSummary(result, o.out)}\n`);
    });
}

function parseEngine(v: string): "batched" | "device" {
  if (v !== "batched" && v !== "device")
    throw new InvalidArgumentError(`--engine must be batched or device, got "${v}"`);
  return v;
}

function parseReceivers(v: string): number {
  if (v === "all") return Number.POSITIVE_INFINITY;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`--detection-receivers must be a positive integer or all, got "${v}"`);
  return n;
}

/** `bluezone sim --seeds N` (N ≥ 2): the replicates over a pool of threads, then their report. */
async function runReplicates(
  o: SimOptions,
  scenario: ReturnType<typeof loadScenario>,
  contacts: ReturnType<typeof loadContactTrace> | undefined,
  days: number,
  tty: boolean,
): Promise<void> {
  const seeds = replicateSeeds(o.seed ?? scenario.seed, o.seeds);
  const threads = Math.min(o.workers, seeds.length);
  if (!o.json)
    process.stderr.write(
      `${scenario.name}: ${seeds.length} seeds (${seeds[0]}–${seeds[seeds.length - 1]}), ` +
        `${(o.phones ?? contacts?.size ?? scenario.population).toLocaleString("en")} people, ${plural(days, "day")}, ` +
        `${threads} run${threads === 1 ? "" : "s"} at a time\n`,
    );
  const bar = tty
    ? new SingleBar(
        {
          format: "seeds |{bar}| {done}/{runs} runs | {duration_formatted} elapsed, ETA {eta_formatted}",
          hideCursor: true,
        },
        Presets.shades_classic,
      )
    : undefined;
  const release = onInterrupt(() => bar?.stop());
  bar?.start(seeds.length * days, 0, { done: 0, runs: seeds.length });
  const daysDone = new Array<number>(seeds.length).fill(0);
  let finished = 0;
  const results = await runPool(
    seeds.map((seed) => ({
      scenario,
      ...(o.phones !== undefined ? { phones: o.phones } : {}),
      ...(contacts ? { contacts } : {}),
      days,
      ...(o.adoption !== undefined ? { adoption: o.adoption } : {}),
      seed,
      radio: o.radio,
      engine: o.engine,
      detectionReceivers: o.detectionReceivers,
      noInterventions: !o.interventions,
    })),
    {
      threads,
      onStart: (run, size) => {
        if (run !== 0) return;
        // As a single run says it: each seed's size and estimate, and a heap note when a thread's heap
        // (the same limit as this one's) is too small.
        if (!o.json) {
          const share = size.people > 0 ? ` (${((100 * size.appUsers) / size.people).toFixed(0)}%)` : "";
          process.stderr.write(
            `  each seed: ${size.people.toLocaleString("en")} people, ${size.appUsers.toLocaleString("en")} with the app${share} — ` +
              `${(size.appUsers * size.days).toLocaleString("en")} app-phone-days, estimated ≈ ${formatDuration(estimateRunSeconds(size, o.radio))} a seed\n`,
          );
        }
        const hint = heapHint({ ...size, workers: 1 }, getHeapStatistics().heap_size_limit);
        if (hint) process.stderr.write(`bluezone: note: ${hint}\n`);
      },
      onProgress: (p) => {
        if (p.arm !== "app") return;
        daysDone[p.run] = p.day + 1;
        bar?.update(daysDone.reduce((a, d) => a + d, 0));
      },
      onResult: () => {
        finished++;
        bar?.update({ done: finished });
      },
    },
  );
  bar?.stop();
  release();
  const { writeReport } = await import("../../../sim/report/report");
  writeReport(results, o.out);
  const summary = summariseReplicates(results);
  if (o.json) printJson(summary, true);
  else process.stdout.write(`${describeReplicates(summary, o.out)}\n`);
}

function parseRadioMode(v: string): "scan" | "packets" {
  if (v !== "scan" && v !== "packets")
    throw new InvalidArgumentError(`--radio must be scan or packets, got "${v}"`);
  return v;
}
