/**
 * Worker-thread side of {@link runInWorker}: runs the counterfactual arm (the same world without the
 * app) and posts its daily infections back.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ContactTrace } from "./contact-trace";
import { runWithoutApp } from "./run";
import type { Scenario } from "./scenario";

/** Message a worker receives. */
export interface WorkerTask {
  /** The prepared scenario. */
  scenario: Scenario;
  /** The contact trace to replay instead of generated mobility, if any. */
  contacts?: ContactTrace;
}

/** Runs the task in `workerData` and posts `{ infections }` or `{ error }`. */
export function runWorkerTask(): void {
  const task = (workerData as { task: WorkerTask }).task;
  try {
    const infections = runWithoutApp(
      task.scenario,
      (day) => parentPort?.postMessage({ progress: day }),
      task.contacts,
    );
    parentPort?.postMessage({ infections });
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}
