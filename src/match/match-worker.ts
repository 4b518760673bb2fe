/**
 * Worker-thread side of the matching pool ({@link ./match-workers}): answers each request — packed
 * keys and the log's {@link RpiSet} — with the identifiers it found, in the order requests arrive.
 */
import { parentPort } from "node:worker_threads";
import { type PackedKeys, probeGaenKeys, type RpiSet } from "./gaen-probe";

/** A request to a matching worker. */
export interface MatchWorkerRequest {
  id: number;
  packed: PackedKeys;
  set: RpiSet;
}

/** A matching worker's answer. */
export type MatchWorkerResponse =
  | { id: number; hits: ReturnType<typeof probeGaenKeys> }
  | { id: number; error: string };

/** Serves matching requests on `parentPort` until the worker is terminated. */
export function runMatchWorker(): void {
  const port = parentPort;
  if (!port) throw new Error("runMatchWorker: not in a worker thread");
  port.on("message", (r: MatchWorkerRequest) => {
    let answer: MatchWorkerResponse;
    try {
      answer = { id: r.id, hits: probeGaenKeys(r.packed, r.set) };
    } catch (err) {
      answer = { id: r.id, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(answer);
  });
}
