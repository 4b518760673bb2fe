/**
 * Worker threads for the simulator. The with-app and without-app arms are independent runs of the same
 * seeded world, so with two or more workers the counterfactual arm runs in a worker thread while the
 * app arm runs here; results are identical to a single-threaded run.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ContactTrace } from "./contact-trace";
import type { Scenario } from "./scenario";
import type { WorkerTask } from "./worker";

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

/**
 * Runs the without-app arm in a worker thread (replaying `contacts` when given; the trace's typed arrays
 * are copied to the worker); resolves to its daily new infections.
 */
export function runWithoutAppInWorker(
  scenario: Scenario,
  onDay?: (day: number) => void,
  contacts?: ContactTrace,
): Promise<number[]> {
  const task: WorkerTask = { scenario, ...(contacts ? { contacts } : {}) };
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerScript(), { workerData: { task } });
    worker.on("message", (m: { progress?: number; infections?: number[]; error?: string }) => {
      if (m.progress !== undefined) onDay?.(m.progress);
      else if (m.infections) resolve(m.infections);
      else if (m.error) reject(new Error(m.error));
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (code !== 0) reject(new Error(`simulation worker exited with code ${code}`));
    });
  });
}
