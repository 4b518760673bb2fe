/**
 * Worker threads for the simulator: each runs one partition of the app arm (see `partition.ts`) and
 * answers the coordinator's requests — start, run a day, match a batch, measure detection, finish — in order.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { AppPartition } from "./partition";
import { fromThreadError } from "./thread-error";
import type { PartitionRequest, PartitionResponse, WorkerTask } from "./worker";

/**
 * Resource limits of the simulator's worker threads: a young generation of 192 MB (semi-spaces of 64 MB,
 * as `node --max-semi-space-size=64`; Node 20's default is 16 MB). The phones allocate many short-lived
 * objects; measured on hanoi-ward, 2,000 people × 1 day, one thread, the garbage collector's share of a
 * CPU profile fell from 20% to 10% and the run's CPU time from 36–41 s to 28–31 s (two pairs of runs).
 */
export const SIM_THREAD_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 192 } as const;

/** Where the worker script is: the built `sim-worker.js`, or the source entry through tsx. */
function workerScript(): URL {
  const here = import.meta.url;
  if (here.endsWith(".ts")) return new URL("./worker-source.mjs", here);
  for (const rel of ["./sim-worker.js", "../sim-worker.js"]) {
    const url = new URL(rel, here);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error(`bluezone sim: cannot find the worker script next to ${here}`);
}

/** A partition, possibly in a worker thread that {@link AppPartitionHandle.close} ends. */
export interface AppPartitionHandle extends AppPartition {
  close?(): Promise<void>;
}

/** Starts a worker thread running the partition `task.partition` of the app arm. */
export function startPartitionWorker(task: WorkerTask & { partition: object }): AppPartitionHandle {
  const worker = new Worker(workerScript(), {
    workerData: { task },
    resourceLimits: SIM_THREAD_RESOURCE_LIMITS,
  });
  const pending: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | undefined;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const p of pending.splice(0)) p.reject(failure);
  };
  worker.on("message", (m: PartitionResponse) => {
    const p = pending.shift();
    if (!p) return;
    if ("error" in m) p.reject(fromThreadError(m.error, "simulation worker: "));
    else p.resolve(m.result);
  });
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(new Error(`simulation worker exited with code ${code}`)));
  const request = <T>(r: PartitionRequest): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (failure) return reject(failure);
      pending.push({ resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage(r);
    });
  return {
    start: () => request({ op: "start" }),
    runDay: (day, decisions, shared) =>
      request({ op: "runDay", day, decisions, ...(shared ? { shared } : {}) }),
    // No answer: the steps' buffers are moved to the worker (the caller no longer uses them).
    feed(steps) {
      if (failure) return;
      worker.postMessage({ op: "feed", steps } satisfies PartitionRequest, [
        steps.starts.buffer as ArrayBuffer,
        steps.list.buffer as ArrayBuffer,
      ]);
    },
    match: (batch) => request({ op: "match", batch }),
    detect: (day) => request({ op: "detect", day }),
    finish: (decisions) => request({ op: "finish", decisions }),
    async close() {
      failure ??= new Error("simulation worker closed");
      await worker.terminate();
    },
  };
}
