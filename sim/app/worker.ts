/**
 * Worker-thread side of {@link startPartitionWorker}: runs one partition of the app arm, answering the
 * coordinator's requests in the order they arrive.
 */
import type { RadioSampling } from "../radio/radio";
import type { SimEngine } from "./partition";
import { parentPort, workerData } from "node:worker_threads";
import { type ThreadError, toThreadError } from "./thread-error";
import type { ContactTrace } from "../world/contact-trace";
import { type BatchMessage, createAppPartition, type DayDecisions } from "./partition";
import type { Scenario } from "../scenario";
import type { NotedSteps } from "../world/follower";
import type { MobilityDay } from "../world/mobility";
import type { World } from "../world/world";

/** What a worker is started with (`workerData.task`); an object, so it can grow. */
export interface WorkerTask {
  /** The prepared scenario. */
  scenario: Scenario;
  /**
   * The coordinator's world (its columns in shared memory), followed rather than built again; built
   * from the scenario when absent.
   */
  world?: World;
  /** Which partition of the app arm this worker simulates, of how many. */
  partition: { index: number; count: number };
  /** The contact trace to replay instead of generated mobility, if any. */
  contacts?: ContactTrace;
  /** Radio sampling of the phones (default `packets`). */
  radio?: RadioSampling;
  /** Which host runs the phones (default `batched`). */
  engine?: SimEngine;
  /** Receivers the detection measure judges per day (default 1,000). */
  detectionReceivers?: number;
}

/** A request to a partition worker. */
export type PartitionRequest =
  | { op: "start" }
  | { op: "runDay"; day: number; decisions: DayDecisions; shared?: MobilityDay }
  | { op: "feed"; steps: NotedSteps }
  | { op: "match"; batch: BatchMessage }
  | { op: "detect"; day: number }
  | { op: "finish"; decisions: DayDecisions };

/** A worker's answer to one request, in request order (`feed` has none). */
export type PartitionResponse = { result: unknown } | { error: ThreadError };

/** Runs the task in `workerData`: answers every request with `{ result }` or `{ error }`. */
export function runWorkerTask(): void {
  const port = parentPort;
  if (!port) throw new Error("runWorkerTask: not in a worker thread");
  const task = (workerData as { task: WorkerTask }).task;
  const partition = createAppPartition(task.scenario, {
    ...task.partition,
    ...(task.world ? { world: task.world } : {}),
    ...(task.contacts ? { contacts: task.contacts } : {}),
    ...(task.radio ? { radio: task.radio } : {}),
    ...(task.engine ? { engine: task.engine } : {}),
    ...(task.detectionReceivers !== undefined ? { detectionReceivers: task.detectionReceivers } : {}),
  });
  let queue: Promise<void> = Promise.resolve();
  port.on("message", (r: PartitionRequest) => {
    // Noted steps are data for a day being run (or about to be): taken at once, not queued behind it.
    if (r.op === "feed") {
      partition.feed?.(r.steps);
      return;
    }
    queue = queue.then(async () => {
      try {
        const result =
          r.op === "start"
            ? await partition.start()
            : r.op === "runDay"
              ? await partition.runDay(r.day, r.decisions, r.shared)
              : r.op === "match"
                ? await partition.match(r.batch)
                : r.op === "detect"
                  ? await partition.detect(r.day)
                  : await partition.finish(r.decisions);
        port.postMessage({ result } satisfies PartitionResponse);
      } catch (err) {
        port.postMessage({ error: toThreadError(err) } satisfies PartitionResponse);
      }
    });
  });
}
