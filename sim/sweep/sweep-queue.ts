/**
 * A sweep across machines on Redis + BullMQ: the coordinator (`bluezone sweep --queue URL`) enqueues
 * each pending run as a job whose id is the run's key, then collects the results as workers
 * (`bluezone worker --queue URL`) finish them, storing each like a local run. A worker that dies
 * mid-run holds its job's lock until `lockDuration` passes; another worker's stalled-job check then
 * moves the job back to the wait list and it runs again elsewhere (BullMQ's stalled-job handling), so
 * nothing is lost. Runs are deterministic in their seed, so a retried run gives the same row.
 */
import { Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { BluezoneError, InvalidArgumentError } from "../../src/index";
import { createRunThreadPool, type PoolRun } from "./run-pool";
import type { DayRow, SimulationSummary } from "../run";
import { redactUrl, type SweepRun } from "./sweep";

/** The BullMQ queue every sweep uses (jobs are keyed by run, so sweeps share it safely). */
export const SWEEP_QUEUE = "bluezone-sweep";

/** How a worker's refusal of a job planned by another version begins (the coordinator recognises it). */
const VERSION_REFUSAL = "version mismatch: ";
/** Prefix of a run that failed on bad input (a typed error, JSON `{code, message}` after it). */
const BAD_INPUT = "bad input: ";

/** A job's data: the run, its place in the sweep, and the simulator version that planned it. */
export interface SweepJobData {
  key: string;
  /** The coordinator's version (`SweepBase.version`); a worker of another version refuses the job. */
  version: string;
  grid: Record<string, string>;
  seed: number;
  run: PoolRun;
}

/** A job's return value. */
export interface SweepJobResult {
  summary: SimulationSummary;
  daily: DayRow[];
  elapsedMs: number;
  /** Which worker ran it (host:pid), for the log. */
  worker: string;
}

/** Connection options of a `redis://[user:password@]host:port[/db]` URL. */
export function queueConnection(url: string): {
  host: string;
  port: number;
  db?: number;
  username?: string;
  password?: string;
} {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidArgumentError(`--queue must be a redis://HOST:PORT URL, got "${redactUrl(url)}"`);
  }
  if (u.protocol !== "redis:" || u.hostname === "")
    throw new InvalidArgumentError(`--queue must be a redis://HOST:PORT URL, got "${redactUrl(url)}"`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  if (db !== undefined && !Number.isInteger(db))
    throw new InvalidArgumentError(
      `--queue ${redactUrl(url)}: the database must be a number (redis://HOST:PORT/DB)`,
    );
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port ? Number(u.port) : 6379,
    ...(db !== undefined ? { db } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/**
 * Checks that Redis answers at `url` within a few seconds (BullMQ's own clients would retry forever).
 * @throws a system error (`connect: …`, exit 3) when it does not
 */
export async function checkQueue(url: string): Promise<void> {
  const { db, ...connection } = queueConnection(url);
  const c = new Redis({
    ...connection,
    lazyConnect: true,
    connectTimeout: 5000,
    // A server that accepts the connection and never answers: the ping times out instead of hanging.
    commandTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The socket's own error (ECONNREFUSED, ENOTFOUND, …) comes as an event; the rejected connect()
  // only says "Connection is closed."
  let socketError: NodeJS.ErrnoException | undefined;
  c.on("error", (err: NodeJS.ErrnoException) => {
    socketError ??= err;
  });
  try {
    try {
      await c.connect();
      await c.ping();
    } catch (err) {
      const e = socketError ?? (err as NodeJS.ErrnoException);
      // Reached, but refused: wrong credentials, or not a Redis at all (a wrong port) — bad input.
      if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(e.message))
        throw new InvalidArgumentError(
          `--queue ${redactUrl(url)}: Redis refused the credentials (${e.message.split("\n")[0]}): check the user and password in the URL`,
        );
      if (/Unknown RESP type|Protocol error/i.test(e.message))
        throw new InvalidArgumentError(
          `--queue ${redactUrl(url)}: the server there does not speak Redis's protocol (${e.message.replace(/\s*Please report this\.?/i, "")}): is that Redis's port?`,
        );
      throw Object.assign(new Error(`cannot reach the queue at ${redactUrl(url)}: ${e.message}`), {
        code: e.code ?? "ETIMEDOUT",
        syscall: "connect",
      });
    }
    // BullMQ needs every key kept: under an eviction policy Redis may drop queued runs when memory is
    // short. A Redis that does not allow CONFIG (managed services) is not checked.
    let policy: string | undefined;
    try {
      const answer = (await c.config("GET", "maxmemory-policy")) as string[];
      policy = answer[1];
    } catch {
      policy = undefined;
    }
    if (policy !== undefined && policy !== "noeviction")
      throw new InvalidArgumentError(
        `--queue ${redactUrl(url)}: Redis's maxmemory-policy is ${policy}; a sweep queue needs noeviction, or Redis may drop queued runs (redis-cli CONFIG SET maxmemory-policy noeviction)`,
      );
    if (db !== undefined) {
      try {
        await c.select(db);
      } catch (err) {
        throw new InvalidArgumentError(
          `--queue ${redactUrl(url)}: this Redis has no database ${db} (${(err as Error).message})`,
        );
      }
    }
  } finally {
    c.disconnect();
  }
}

/**
 * Reports a queue connection's errors as one line each time it goes from working to failing (BullMQ
 * reconnects by itself), instead of the client's multi-line dumps.
 */
function noteQueueErrors(
  emitter: { on(event: "error", listener: (err: Error) => void): unknown },
  url: string,
) {
  let last = "";
  emitter.on("error", (err: Error) => {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    const connection =
      /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EPIPE|EAI_AGAIN)$/.test(code) ||
      /Connection is closed|connect E/.test(err.message);
    const line = connection
      ? `bluezone: the queue at ${redactUrl(url)} is unreachable (${err.message}); waiting for it to come back\n`
      : `bluezone: the queue at ${redactUrl(url)}: ${err.message}\n`;
    if (line !== last) process.stderr.write(line);
    last = line;
  });
}

/** Options of {@link runOnQueue}. */
export interface QueueCollectOptions {
  /** Stores a finished run (called once per run, as results arrive). */
  onResult: (run: SweepRun, result: SweepJobResult) => void;
  /** Milliseconds between checks of the jobs' states (default 250). */
  pollMs?: number;
  /** Attempts per run before the sweep fails (default 3: a run that throws is tried again). */
  attempts?: number;
}

/**
 * Enqueues `runs` (job id = run key; a job already in the queue is not added twice) and waits until
 * every one has completed, handing each result to `onResult`.
 * @throws Error when a run failed on the workers after all its attempts
 */
export async function runOnQueue(
  url: string,
  runs: readonly SweepRun[],
  version: string,
  options: QueueCollectOptions,
): Promise<void> {
  await checkQueue(url);
  const queue = new Queue<SweepJobData, SweepJobResult>(SWEEP_QUEUE, {
    connection: { ...queueConnection(url), maxRetriesPerRequest: null },
  });
  noteQueueErrors(queue, url);
  try {
    const attempts = options.attempts ?? 3;
    await queue.addBulk(
      runs.map((r) => ({
        name: "run",
        data: { key: r.key, version, grid: r.grid, seed: r.seed, run: r.run },
        opts: { jobId: r.key, attempts, removeOnComplete: false, removeOnFail: false },
      })),
    );
    // A run that failed for good in an earlier sweep (a worker of another version refused it, or it
    // threw on every attempt) is still in the queue, failed: rerunning the command is asking for it again.
    for (const r of runs) {
      const job = await queue.getJob(r.key);
      if (job && (await job.getState()) === "failed") await job.retry("failed", { resetAttemptsMade: true });
    }
    const remaining = new Map(runs.map((r) => [r.key, r]));
    while (remaining.size > 0) {
      for (const [key, run] of remaining) {
        const job = await queue.getJob(key);
        if (!job)
          // Redis lost it (restarted without its data, or the queue was emptied): a system failure, not
          // a bug. Finished runs are kept in OUT/runs, so the same command resumes.
          throw Object.assign(
            new Error(
              `the queue at ${redactUrl(url)} lost run ${key} (Redis restarted without its data, or the queue was emptied); rerun the same command to resume: finished runs are kept`,
            ),
            { code: "EQUEUELOST", syscall: "sweep" },
          );
        if (job.finishedOn && job.returnvalue) {
          options.onResult(run, job.returnvalue);
          remaining.delete(key);
        } else if (job.finishedOn && job.failedReason) {
          // finishedOn is set on a failure only once no attempt is left (or the worker refused the job).
          if (job.failedReason.startsWith(VERSION_REFUSAL))
            // A deployment problem, not a bug: exit 3, like a queue that cannot be reached.
            throw Object.assign(new Error(job.failedReason.slice(VERSION_REFUSAL.length)), {
              code: "EVERSION",
              syscall: "sweep",
            });
          if (job.failedReason.startsWith(BAD_INPUT)) {
            const { code, message } = JSON.parse(job.failedReason.slice(BAD_INPUT.length)) as {
              code: string;
              message: string;
            };
            throw new BluezoneError(code, `sweep: run ${key} (seed ${run.seed}): ${message}`);
          }
          throw new Error(`sweep: run ${key} (seed ${run.seed}) failed on the workers: ${job.failedReason}`);
        }
      }
      if (remaining.size > 0) await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
    }
  } finally {
    await queue.close();
  }
}

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  /**
   * This worker's simulator version: a job planned by another version fails at once, for good, naming
   * both (its results would not be the sweep's), and the coordinator stops with that message.
   */
  version: string;
  /** Runs at once (one thread each). */
  concurrency: number;
  /**
   * How long a job's lock lasts without renewal, ms (BullMQ `lockDuration`; renewed every half of it
   * while the run goes on). A killed worker's run is retried once it expires and a stalled-job check
   * (every `lockMs` too) finds it. Default 30,000.
   */
  lockMs?: number;
  /** Called when a run starts and ends (for the log). */
  onEvent?: (e: { event: "start" | "done" | "failed"; key: string; seed: number; detail?: string }) => void;
}

/** A running queue worker. */
export interface QueueWorker {
  /** Stops taking jobs, waits for the runs in progress, closes the threads. */
  close(): Promise<void>;
}

/** Takes runs from the sweep queue at `url` and executes them on `concurrency` threads. */
export async function startQueueWorker(url: string, options: QueueWorkerOptions): Promise<QueueWorker> {
  await checkQueue(url);
  const threads = createRunThreadPool(options.concurrency);
  const lockMs = options.lockMs ?? 30_000;
  const me = `${(await import("node:os")).hostname()}:${process.pid}`;
  const worker = new Worker<SweepJobData, SweepJobResult>(
    SWEEP_QUEUE,
    async (job) => {
      if (job.data.version !== options.version)
        throw new UnrecoverableError(
          `${VERSION_REFUSAL}worker ${me} runs bluezone ${options.version}, but run ${job.data.key} was planned by bluezone ${String(job.data.version)}: run the same version on every machine`,
        );
      options.onEvent?.({ event: "start", key: job.data.key, seed: job.data.seed });
      let ran: Awaited<ReturnType<typeof threads.run>>;
      try {
        ran = await threads.run(job.data.run);
      } catch (err) {
        // Bad input (a typed error) fails the same way on every attempt and every machine: not
        // retried, and the coordinator reports it as bad input (exit 2), not as a bug.
        if (err instanceof BluezoneError)
          throw new UnrecoverableError(
            `${BAD_INPUT}${JSON.stringify({ code: err.code, message: err.message })}`,
          );
        throw err;
      }
      const { result, elapsedMs } = ran;
      options.onEvent?.({
        event: "done",
        key: job.data.key,
        seed: job.data.seed,
        detail: `${(elapsedMs / 1000).toFixed(1)} s`,
      });
      return { summary: result.summary, daily: result.daily, elapsedMs, worker: me };
    },
    {
      connection: { ...queueConnection(url), maxRetriesPerRequest: null },
      concurrency: options.concurrency,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 5,
    },
  );
  worker.on("failed", (job, err) => {
    if (job)
      options.onEvent?.({ event: "failed", key: job.data.key, seed: job.data.seed, detail: err.message });
  });
  noteQueueErrors(worker, url); // connection hiccups: BullMQ reconnects; said once, in one line
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await threads.close();
    },
  };
}
