/** `bluezone sim`: run a population simulation and write its report. */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { Presets, SingleBar } from "cli-progress";
import type { Command } from "commander";
import { loadContactTrace } from "../../../sim/contact-trace";
import { runSimulation, type SimulationResult } from "../../../sim/run";
import { loadScenario } from "../../../sim/scenario";
import { InvalidArgumentError } from "../../errors";
import { parseIntOption, printJson } from "../run";

interface SimOptions {
  scenario?: string;
  contacts?: string;
  phones?: number;
  days?: number;
  adoption?: number;
  seed?: number;
  utcOffset?: number;
  workers: number;
  out: string;
  json?: boolean;
}

function parseUtcOffset(value: string): number {
  const x = Number(value);
  if (value.trim() === "" || !Number.isFinite(x) || x < -12 || x > 14 || !Number.isInteger(x * 4)) {
    throw new InvalidArgumentError(
      `--utc-offset must be hours east of UTC in −12…14 (quarter hours allowed), got "${value}"`,
    );
  }
  return x;
}

function parseFraction(value: string): number {
  const x = Number(value);
  if (value.trim() === "" || !Number.isFinite(x) || x < 0 || x > 1) {
    throw new InvalidArgumentError(`--adoption must be a fraction in 0…1, got "${value}"`);
  }
  return x;
}

/** A human-readable digest of the summary (printed without `--json`). */
export function describeSummary(r: SimulationResult, outDir: string): string {
  const s = r.summary;
  const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");
  return [
    `${s.scenario}: ${s.phones} people (${s.appUsers} with the app), ${s.days} days, seed ${s.seed}`,
    `infections: ${s.infections} with the app, ${s.infectionsWithoutApp} without (${s.infectionsAverted} averted)`,
    `keys published: ${s.keysPublished} in ${s.batches} batches; sightings logged: ${s.sightingsLogged}`,
    `true F1 (app users): ${s.groundTruthCloseContacts}; notified F1: ${s.f1Notified}, F2: ${s.f2Notified}`,
    `F1 precision ${pct(s.f1Precision)}, recall ${pct(s.f1Recall)}, traceable fraction ${pct(s.traceableFraction)}`,
    `true close pair-days (everyone): ${s.closeContactPairDays}`,
    `detection (ordered app-user pair-days): ${s.detection.trueCloseContacts} true close, ${s.detection.detected} detected, ` +
      `${s.detection.falseAlarms} false alarms; sensitivity ${pct(s.detection.sensitivity)}, precision ${pct(s.detection.precision)}`,
    `report: ${resolve(outDir, "report.html")}`,
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
      "hanoi-ward | office | market | school, or a scenario JSON file (default: hanoi-ward; office with --contacts)",
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
      "--workers <w>",
      "worker threads: the app users' phones are split over them (results do not change)",
      parseIntOption("--workers", 1, 64),
      1,
    )
    .option(
      "--out <dir>",
      "output directory for summary.json, daily.csv, roc.csv, detection.csv and report.html",
      "out/sim",
    )
    .option("--json", "print the summary as JSON on stdout (no progress bar)")
    .action(async (o: SimOptions) => {
      if (o.contacts !== undefined && o.phones !== undefined)
        throw new InvalidArgumentError(
          "--phones cannot be combined with --contacts: the trace's nodes are the people",
        );
      const contacts = o.contacts === undefined ? undefined : loadContactTrace(o.contacts);
      const loaded = loadScenario(o.scenario ?? (contacts ? "office" : "hanoi-ward"));
      const scenario = o.utcOffset === undefined ? loaded : { ...loaded, utcOffsetHours: o.utcOffset };
      const days = o.days ?? scenario.days;
      const tty = !o.json && process.stderr.isTTY === true;
      const bar = tty
        ? new SingleBar(
            { format: "{arm} |{bar}| day {value}/{total} | {duration_formatted}", hideCursor: true },
            Presets.shades_classic,
          )
        : undefined;
      bar?.start(days, 0, { arm: "with app   " });
      const result = await runSimulation({
        scenario,
        ...(o.phones !== undefined ? { phones: o.phones } : {}),
        ...(contacts ? { contacts } : {}),
        days,
        ...(o.adoption !== undefined ? { adoption: o.adoption } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        workers: o.workers,
        onProgress: (p) => {
          if (p.arm === "app") bar?.update(p.day + 1);
        },
      });
      bar?.stop();
      mkdirSync(o.out, { recursive: true });
      const { writeReport } = await import("../../../sim/report");
      writeReport(result, o.out);
      if (o.json) printJson(result.summary, true);
      else process.stdout.write(`${describeSummary(result, o.out)}\n`);
    });
}
