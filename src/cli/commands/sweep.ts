/** `bluezone sweep` (a grid × seeds of simulations) and `bluezone worker` (runs a sweep's queued runs). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Presets, SingleBar } from "cli-progress";
import type { Command } from "commander";
import { replicateSeeds } from "../../../sim/report/replicates";
import { runPool } from "../../../sim/sweep/run-pool";
import { loadScenario } from "../../../sim/scenario";
import {
  finishedKeys,
  type GridAxis,
  parseGridAxis,
  planSweep,
  redactUrl,
  runRecord,
  storeRun,
  SWEEP_FILES,
  writeSweepOutputs,
} from "../../../sim/sweep/sweep";
import { InvalidArgumentError } from "../../errors";
import { onInterrupt, parseIntOption, plural, prepareOutDir, printJson } from "../run";
import { formatDuration } from "./sim";

interface SweepOptions {
  scenario: string;
  grid: GridAxis[];
  set: string[];
  seeds: number;
  seed?: number;
  phones?: number;
  days?: number;
  radio: "scan" | "packets";
  interventions: boolean;
  workers?: number;
  out: string;
  json?: boolean;
  queue?: string;
}

/** The package's version, from the package.json above this module (source or built). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "bluezone") return pkg.version ?? "unknown";
    }
    dir = dirname(dir);
  }
  return "unknown";
}

function parseRadio(v: string): "scan" | "packets" {
  if (v !== "scan" && v !== "packets")
    throw new InvalidArgumentError(`--radio must be scan or packets, got "${v}"`);
  return v;
}

/** Registers `sweep` and `worker` on the program. */
export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description(
      "Run a grid of scenario overrides × seeds; write runs.csv/.parquet, daily.parquet, sweep.json, report.html",
    )
    .option(
      "--scenario <name|file>",
      "hanoi-ward | hanoi-district | office | market | school, or a scenario JSON file",
      "hanoi-ward",
    )
    .option(
      "--grid <path=v1,v2,…>",
      "an axis of the grid: a scenario field path (as --set) or adoption, and its values (repeatable; runs = product of the axes × seeds)",
      (value: string, previous: GridAxis[]) => [...previous, parseGridAxis(value)],
      [] as GridAxis[],
    )
    .option(
      "--set <path=value>",
      "override a scenario field for every run, as on bluezone sim (repeatable)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option("--seeds <n>", "seeds per grid point: s, s+1, …, s+n−1", parseIntOption("--seeds", 1, 10_000), 1)
    .option("--seed <s>", "first seed (default: the scenario's)", parseIntOption("--seed", 0, 0xffffffff))
    .option(
      "--phones <n>",
      "people (default: the scenario's population)",
      parseIntOption("--phones", 2, 1_000_000),
    )
    .option("--days <d>", "days to simulate (default: the scenario's)", parseIntOption("--days", 1, 365))
    .option("--radio <mode>", "radio sampling: scan (default) | packets", parseRadio, "scan")
    .option("--no-interventions", "turn off every intervention and the app's response (as on bluezone sim)")
    .option(
      "--workers <w>",
      "runs at once on this machine, one thread each (default 1; not with --queue, where each worker's --concurrency says it)",
      parseIntOption("--workers", 1, 64),
    )
    .option(
      "--queue <url>",
      "enqueue the runs on Redis (redis://HOST:PORT) for `bluezone worker`s instead of running them here",
    )
    .option(
      "--out <dir>",
      "output directory (finished runs in <dir>/runs/ are skipped on a rerun)",
      "out/sweep",
    )
    .option("--json", "print the outcome as JSON on stdout (no progress bar)")
    .action(async (o: SweepOptions) => {
      if (o.queue !== undefined && o.workers !== undefined)
        throw new InvalidArgumentError(
          "--workers sets the threads of a local sweep; with --queue the runs go to the workers (bluezone worker --concurrency K)",
        );
      const threads = o.workers ?? 1;
      const seed = o.seed ?? loadScenario(o.scenario, o.set).seed;
      const plan = planSweep(
        {
          scenario: o.scenario,
          set: o.set,
          ...(o.phones !== undefined ? { phones: o.phones } : {}),
          ...(o.days !== undefined ? { days: o.days } : {}),
          radio: o.radio,
          noInterventions: !o.interventions,
          version: packageVersion(),
        },
        o.grid,
        replicateSeeds(seed, o.seeds),
      );
      prepareOutDir("--out", o.out, SWEEP_FILES);
      const done = finishedKeys(o.out, (path, reason) =>
        process.stderr.write(
          `bluezone: ${path} is ${reason}: moved to ${path}.damaged; its run goes again\n`,
        ),
      );
      const pending = plan.runs.filter((r) => !done.has(r.key));
      if (o.queue && pending.length > 0) {
        // Before anything is printed or enqueued: a queue that does not answer is exit 3 at once (when
        // every run is already in OUT/runs, the tables are rebuilt without it).
        const { checkQueue } = await import("../../../sim/sweep/sweep-queue");
        await checkQueue(o.queue);
      }
      const days = plan.runs[0]!.run.days ?? plan.runs[0]!.run.scenario.days;
      if (!o.json)
        process.stderr.write(
          `sweep ${plan.scenarioName}: ${plural(plan.runs.length, "run")} (${plural(plan.runs.length / plan.seeds.length, "grid point")} × ${plural(plan.seeds.length, "seed")}), ` +
            `${plan.runs.length - pending.length} already done, ${pending.length === 0 ? "nothing to run" : `${pending.length} to run ${o.queue ? `on the workers of ${redactUrl(o.queue)}` : `${Math.min(threads, pending.length)} at a time`}`}\n`,
        );
      const tty = !o.json && process.stderr.isTTY === true;
      const bar = tty
        ? new SingleBar(
            {
              format:
                "sweep |{bar}| {runs}/{total_runs} runs | {duration_formatted} elapsed, ETA {eta_formatted}",
              hideCursor: true,
            },
            Presets.shades_classic,
          )
        : undefined;
      const release = onInterrupt(() => bar?.stop());
      const started = performance.now();
      let simulationMs = 0;
      let finished = 0;
      const daysDone = new Array<number>(pending.length).fill(0);
      bar?.start(pending.length * days, 0, { runs: 0, total_runs: pending.length });
      if (o.queue && pending.length > 0) {
        const { runOnQueue } = await import("../../../sim/sweep/sweep-queue");
        await runOnQueue(o.queue, pending, plan.base.version, {
          onResult: (run, result) => {
            storeRun(o.out, runRecord(run, result, result.elapsedMs));
            simulationMs += result.elapsedMs;
            finished++;
            bar?.update(finished * days, { runs: finished });
          },
        });
      } else if (pending.length > 0) {
        await runPool(
          pending.map((r) => r.run),
          {
            threads,
            onProgress: (p) => {
              if (p.arm !== "app") return;
              daysDone[p.run] = p.day + 1;
              bar?.update(daysDone.reduce((a, d) => a + d, 0));
            },
            onResult: (i, result, elapsedMs) => {
              storeRun(o.out, runRecord(pending[i]!, result, elapsedMs));
              simulationMs += elapsedMs;
              finished++;
              bar?.update({ runs: finished });
            },
          },
        );
      }
      bar?.stop();
      release();
      const files = writeSweepOutputs(o.out, plan, packageVersion());
      const wallMs = performance.now() - started;
      const outcome = {
        out: resolve(o.out),
        runs: plan.runs.length,
        ran: pending.length,
        skipped: plan.runs.length - pending.length,
        wallMs: Math.round(wallMs),
        simulationMs: Math.round(simulationMs),
        files,
      };
      if (o.json) printJson(outcome, true);
      else
        process.stdout.write(
          `sweep: ${plural(outcome.ran, "run")} in ${formatDuration(wallMs / 1000)} (${outcome.skipped} already done); ` +
            `report: ${join(outcome.out, "report.html")} — each figure against each grid axis, means with 95% t intervals; ` +
            "runs.csv / runs.parquet (one row per run), daily.parquet (one row per run and day), sweep.json (manifest) next to it\n",
        );
    });

  program
    .command("worker")
    .description("Take runs of `bluezone sweep --queue` from Redis and execute them (until stopped)")
    .requiredOption("--queue <url>", "the Redis of the sweep: redis://HOST:PORT")
    .option("--concurrency <k>", "runs at once, one thread each", parseIntOption("--concurrency", 1, 64), 1)
    .option(
      "--lock-ms <ms>",
      "job lock duration: a run of a worker that died is retried elsewhere this long after its last renewal (BullMQ lockDuration and stalledInterval)",
      parseIntOption("--lock-ms", 1000, 3_600_000),
      30_000,
    )
    .action(async (o: { queue: string; concurrency: number; lockMs: number }) => {
      const { startQueueWorker } = await import("../../../sim/sweep/sweep-queue");
      const worker = await startQueueWorker(o.queue, {
        version: packageVersion(),
        concurrency: o.concurrency,
        lockMs: o.lockMs,
        onEvent: (e) =>
          process.stderr.write(
            `worker ${process.pid}: ${e.event} run ${e.key} (seed ${e.seed})${e.detail ? `: ${e.detail}` : ""}\n`,
          ),
      });
      process.stderr.write(
        `worker ${process.pid}: waiting for runs on ${redactUrl(o.queue)} (${o.concurrency} at a time)\n`,
      );
      await new Promise<void>((resolveStop) => {
        const stop = () => {
          process.stderr.write(`worker ${process.pid}: stopping after the runs in progress\n`);
          worker.close().then(resolveStop, resolveStop);
        };
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
    });
}
