/**
 * Whole simulation runs on a pool of worker threads: each thread runs one run at a time (with one
 * worker of its own, so the run's phones stay on that thread) and takes the next when it finishes.
 * Used by `bluezone sim --seeds` and `bluezone sweep`; with a pool of one the runs go one after another
 * on the calling thread instead (same results: a run does not depend on where it executes).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { SIM_THREAD_RESOURCE_LIMITS } from "../app/parallel";
import { fromThreadError, type ThreadError, toThreadError } from "../app/thread-error";
import { type RunSize, runSimulation, type SimulationOptions, type SimulationResult } from "../run";

/** A run for the pool: the options of {@link runSimulation} without callbacks (they cannot cross threads). */
export type PoolRun = Omit<SimulationOptions, "onProgress" | "onStart" | "workers">;

/** Progress of one run of the pool. */
export interface PoolProgress {
  /** Index of the run in the list given to {@link runPool}. */
  run: number;
  arm: "app" | "noApp";
  day: number;
  days: number;
}

/** Options of {@link runPool}. */
export interface PoolOptions {
  /** Runs at once (threads); 1 runs them one after another on this thread. */
  threads: number;
  /** Called with each run's result as soon as it finishes (in finishing order). */
  onResult?: (index: number, result: SimulationResult, elapsedMs: number) => void | Promise<void>;
  /** Called once per simulated day of each run's arms. */
  onProgress?: (p: PoolProgress) => void;
  /** Called when a run starts, with its size (people, app users, days). */
  onStart?: (run: number, size: RunSize) => void;
}

/** Messages between the pool and a run thread. */
export type RunRequest = { id: number; run: PoolRun };
export type RunMessage =
  | { id: number; progress: { arm: "app" | "noApp"; day: number; days: number } }
  | { id: number; start: RunSize }
  | { id: number; result: SimulationResult }
  | { id: number; error: ThreadError };

/** Where the run thread's script is: the built `sim-run-worker.js`, or the source entry through tsx. */
function runWorkerScript(): URL {
  const here = import.meta.url;
  if (here.endsWith(".ts")) return new URL("./run-pool-source.mjs", here);
  for (const rel of ["./sim-run-worker.js", "../sim-run-worker.js"]) {
    const url = new URL(rel, here);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error(`bluezone: cannot find the run worker script next to ${here}`);
}

/** One run thread: runs requests one at a time. */
function startRunThread(
  onProgress: (id: number, m: Extract<RunMessage, { progress: unknown }>) => void,
  onStart: (id: number, size: RunSize) => void = () => {},
) {
  const worker = new Worker(runWorkerScript(), { resourceLimits: SIM_THREAD_RESOURCE_LIMITS });
  let pending: { id: number; resolve: (r: SimulationResult) => void; reject: (e: Error) => void } | undefined;
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    pending?.reject(failure);
    pending = undefined;
  };
  worker.on("message", (m: RunMessage) => {
    if ("progress" in m) return onProgress(m.id, m);
    if ("start" in m) return onStart(m.id, m.start);
    const p = pending;
    pending = undefined;
    if (!p) return;
    if ("error" in m) p.reject(fromThreadError(m.error));
    else p.resolve(m.result);
  });
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`run worker exited with code ${code}`)));
  return {
    run(id: number, run: PoolRun): Promise<SimulationResult> {
      return new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        pending = { id, resolve, reject };
        worker.postMessage({ id, run } satisfies RunRequest);
      });
    },
    async close() {
      failure ??= new Error("run worker closed");
      await worker.terminate();
    },
  };
}

/**
 * Runs every run of `runs` on `options.threads` threads (at most one run per thread at a time) and
 * returns the results in the order of `runs`. Each result goes to `onResult` as soon as it is ready
 * (awaited before the thread takes another run, so a result stored there is stored before the next
 * finishes). The first failure stops the pool and is thrown.
 */
export async function runPool(runs: readonly PoolRun[], options: PoolOptions): Promise<SimulationResult[]> {
  const results: SimulationResult[] = new Array(runs.length);
  const threads = Math.max(1, Math.min(Math.floor(options.threads), runs.length));
  if (threads <= 1) {
    for (const [i, run] of runs.entries()) {
      const started = performance.now();
      const result = await runSimulation({
        ...run,
        workers: 1,
        onProgress: (p) => options.onProgress?.({ run: i, ...p }),
        onStart: (size) => options.onStart?.(i, size),
      });
      results[i] = result;
      await options.onResult?.(i, result, performance.now() - started);
    }
    return results;
  }
  const pool = Array.from({ length: threads }, () =>
    startRunThread(
      (id, m) => options.onProgress?.({ run: id, ...m.progress }),
      (id, size) => options.onStart?.(id, size),
    ),
  );
  let next = 0;
  try {
    await Promise.all(
      pool.map(async (thread) => {
        while (next < runs.length) {
          const i = next++;
          const started = performance.now();
          const result = await thread.run(i, runs[i]!);
          results[i] = result;
          await options.onResult?.(i, result, performance.now() - started);
        }
      }),
    );
  } finally {
    await Promise.all(pool.map((t) => t.close()));
  }
  return results;
}

/** The thread side: answers each {@link RunRequest} with progress messages and then its result. */
export function serveRuns(port: import("node:worker_threads").MessagePort): void {
  let queue: Promise<void> = Promise.resolve();
  port.on("message", (m: RunRequest) => {
    queue = queue.then(async () => {
      try {
        const result = await runSimulation({
          ...m.run,
          workers: 1,
          onProgress: (p) => port.postMessage({ id: m.id, progress: p } satisfies RunMessage),
          onStart: (size) => port.postMessage({ id: m.id, start: size } satisfies RunMessage),
        });
        port.postMessage({ id: m.id, result } satisfies RunMessage);
      } catch (err) {
        port.postMessage({ id: m.id, error: toThreadError(err) } satisfies RunMessage);
      }
    });
  });
}

/** A long-lived pool of run threads taking runs as they come (for a queue worker): see {@link createRunThreadPool}. */
export interface RunThreadPool {
  /** Runs `run` on a free thread (waiting for one), resolving with its result and wall time. */
  run(run: PoolRun): Promise<{ result: SimulationResult; elapsedMs: number }>;
  close(): Promise<void>;
}

/** `threads` run threads kept alive between runs; a thread that fails is replaced. */
export function createRunThreadPool(threads: number): RunThreadPool {
  type Thread = ReturnType<typeof startRunThread>;
  const idle: Thread[] = Array.from({ length: Math.max(1, threads) }, () => startRunThread(() => {}));
  const all = new Set<Thread>(idle);
  const waiting: ((t: Thread) => void)[] = [];
  let id = 0;
  const release = (t: Thread) => {
    const next = waiting.shift();
    if (next) next(t);
    else idle.push(t);
  };
  return {
    async run(run) {
      const thread = idle.pop() ?? (await new Promise<Thread>((resolve) => waiting.push(resolve)));
      const started = performance.now();
      try {
        const result = await thread.run(id++, run);
        release(thread);
        return { result, elapsedMs: performance.now() - started };
      } catch (err) {
        all.delete(thread);
        void thread.close();
        const fresh = startRunThread(() => {});
        all.add(fresh);
        release(fresh);
        throw err;
      }
    },
    async close() {
      await Promise.all([...all].map((t) => t.close()));
    },
  };
}
