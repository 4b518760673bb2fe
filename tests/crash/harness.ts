/**
 * Crash-safety harness: a child process logs batches to a LevelDB log with `sync: true` and prints each
 * acknowledged batch id; it is SIGKILLed at seeded random moments (sometimes while still opening);
 * after each kill the log is reopened and checked: it opens, every acknowledged batch is present in
 * full, and every batch present is complete (batches are atomic). The same log is reused across runs,
 * so it also survives repeated crashes.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openLevelLog } from "../../src/index";
import { seededRng } from "../../src/transport/hci-emulator/rng";
import { batchOf } from "./batches";

const WRITER = resolve(dirname(fileURLToPath(import.meta.url)), "writer.ts");

/** Options of {@link runCrashTrials}. */
export interface CrashOptions {
  /** Number of kill-and-reopen runs. */
  runs: number;
  /** Seed of the kill moments. */
  seed?: number;
  /** Sightings per batch; default 50. */
  batchSize?: number;
  /** Longest time the child logs before it is killed, ms; default 400. */
  maxLifeMs?: number;
}

/** Figures of a crash campaign. */
export interface CrashReport {
  runs: number;
  /** Runs killed before the child reported the log open. */
  killedWhileOpening: number;
  /** Batches and sightings acknowledged to the child before its kill, over all runs. */
  acknowledgedBatches: number;
  acknowledgedRecords: number;
  /** Acknowledged sightings missing after reopening (must be 0). */
  lost: number;
  /** Batches found incomplete after reopening (must be 0). */
  partialBatches: number;
  /** Batches found complete that had not been acknowledged (in flight at the kill: allowed). */
  unacknowledgedButPresent: number;
  /** Sightings in the log at the end. */
  finalRecords: number;
  /** Reopen failures (must be 0). */
  openFailures: number;
  seconds: number;
}

/** Runs one child until killed; resolves to the acknowledged ids and whether it got past opening. */
function runChild(location: string, first: number, batchSize: number, lifeMs: number, killEarly: boolean) {
  return new Promise<{ acked: number[]; ready: boolean }>((done, fail) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", WRITER, location, String(first), String(batchSize)],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const acked: number[] = [];
    let ready = false;
    let buf = "";
    let stderr = "";
    const kill = () => child.kill("SIGKILL");
    if (killEarly) setTimeout(kill, lifeMs);
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString("utf8");
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const l of lines) {
        if (l === "ready") {
          ready = true;
          if (!killEarly) setTimeout(kill, lifeMs);
        } else acked.push(Number(l));
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    child.on("exit", (_code, signal) => {
      if (signal !== "SIGKILL") fail(new Error(`writer exited on its own (${signal ?? _code}): ${stderr}`));
      else done({ acked, ready });
    });
  });
}

/** Runs the campaign and returns its figures (does not throw on lost records: check the report). */
export async function runCrashTrials(options: CrashOptions): Promise<CrashReport> {
  const t0 = process.hrtime.bigint();
  const rng = seededRng(options.seed ?? 1);
  const batchSize = options.batchSize ?? 50;
  const maxLife = options.maxLifeMs ?? 400;
  const dir = mkdtempSync(join(tmpdir(), "bluezone-crash-"));
  const location = join(dir, "db");
  const acknowledged = new Set<number>();
  const report: CrashReport = {
    runs: options.runs,
    killedWhileOpening: 0,
    acknowledgedBatches: 0,
    acknowledgedRecords: 0,
    lost: 0,
    partialBatches: 0,
    unacknowledgedButPresent: 0,
    finalRecords: 0,
    openFailures: 0,
    seconds: 0,
  };
  let next = 0;
  try {
    for (let run = 0; run < options.runs; run++) {
      const killEarly = rng.next() < 0.1;
      const life = Math.floor(rng.next() * (killEarly ? 600 : maxLife));
      const { acked, ready } = await runChild(location, next, batchSize, life, killEarly);
      if (!ready) report.killedWhileOpening++;
      for (const id of acked) acknowledged.add(id);
      report.acknowledgedBatches += acked.length;
      report.acknowledgedRecords += acked.length * batchSize;
      let log: Awaited<ReturnType<typeof openLevelLog>>;
      try {
        log = await openLevelLog(location);
      } catch {
        report.openFailures++;
        continue;
      }
      const counts = new Map<number, number>();
      const all = await log.range(0, Number.MAX_SAFE_INTEGER);
      for (const s of all) {
        const b = batchOf(s);
        if (b) counts.set(b.id, (counts.get(b.id) ?? 0) + 1);
      }
      await log.close();
      report.finalRecords = all.length;
      for (const id of acknowledged) report.lost += batchSize - Math.min(batchSize, counts.get(id) ?? 0);
      let present = 0;
      for (const [id, n] of counts) {
        if (n !== batchSize) report.partialBatches++;
        if (!acknowledged.has(id)) present++;
        next = Math.max(next, id + 1);
      }
      report.unacknowledgedButPresent = present;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return report;
}
