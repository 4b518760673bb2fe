/**
 * A small pool of worker threads for matching many Exposure Notification keys: the keys are cut into
 * contiguous parts, one per thread (the calling thread takes the last part itself), and the parts'
 * hits are concatenated in key order — the same hits, in the same order, as one thread.
 *
 * The pool is started on first use and kept for later calls; its threads do not keep the process
 * alive between calls. If a worker cannot be started or fails, its part is matched on the calling
 * thread instead (same result, more time).
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { isMainThread, Worker } from "node:worker_threads";
import { type PackedKeys, type ProbeHits, probeGaenKeys, type RpiSet } from "./gaen-probe";
import type { MatchWorkerRequest, MatchWorkerResponse } from "./match-worker";

/**
 * Fewest keys for which matching uses worker threads by default. Measured (on the
 * loaded 2-core machine, see the README's matching table): a warm worker answers an empty part in
 * ≈ 0.04 ms and matches a key in ≈ 10 µs of CPU, so a warm pool pays from a few hundred keys; the
 * pool's cold start (once per process: 0.38 s from `dist` on the loaded machine, tens of ms when
 * idle) is recovered at about 10,000 keys on an idle 2-core machine.
 */
export const PARALLEL_MIN_KEYS = 10_000;

/** Default number of worker threads (besides the calling one) for `keys` keys. */
export function defaultMatchWorkers(keys: number): number {
  if (!isMainThread || keys < PARALLEL_MIN_KEYS) return 0;
  return Math.max(0, availableParallelism() - 1);
}

/** Where the worker script is: the built `match-worker.js`, or the source entry through tsx. */
function workerScript(): URL | undefined {
  const here = import.meta.url;
  if (here.endsWith(".ts")) return new URL("./match-worker-source.mjs", here);
  for (const rel of ["./match-worker.js", "../match-worker.js"]) {
    const url = new URL(rel, here);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, { resolve: (h: ProbeHits) => void; reject: (e: Error) => void }>;
  broken?: Error;
}

let pool: PoolWorker[] = [];
let nextId = 0;

function startWorker(script: URL): PoolWorker {
  const worker = new Worker(script);
  worker.unref();
  const w: PoolWorker = { worker, pending: new Map() };
  const fail = (err: Error) => {
    w.broken ??= err;
    pool = pool.filter((p) => p !== w);
    for (const p of w.pending.values()) p.reject(w.broken);
    w.pending.clear();
  };
  worker.on("message", (m: MatchWorkerResponse) => {
    const p = w.pending.get(m.id);
    if (!p) return;
    w.pending.delete(m.id);
    if (w.pending.size === 0) worker.unref();
    if ("error" in m) p.reject(new Error(`matching worker: ${m.error}`));
    else p.resolve(m.hits);
  });
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`matching worker exited with code ${code}`)));
  return w;
}

/** The first `n` workers of the pool, starting missing ones; fewer if no worker script is found. */
function workers(n: number): PoolWorker[] {
  const script = workerScript();
  if (!script) return [];
  while (pool.length < n) pool.push(startWorker(script));
  return pool.slice(0, n);
}

function request(w: PoolWorker, packed: PackedKeys, set: RpiSet): Promise<ProbeHits> {
  return new Promise((resolve, reject) => {
    if (w.broken) return reject(w.broken);
    const id = nextId++;
    w.pending.set(id, { resolve, reject });
    w.worker.ref();
    const r: MatchWorkerRequest = { id, packed, set };
    w.worker.postMessage(r);
  });
}

/**
 * Starts the pool's threads ahead of the first large match (otherwise the first match starts them).
 * @public
 */
export function warmMatchWorkers(n = Math.max(0, availableParallelism() - 1)): void {
  workers(n);
}

/**
 * Ends the pool's threads (the next parallel match starts new ones).
 * @public
 */
export async function closeMatchWorkers(): Promise<void> {
  const all = pool;
  pool = [];
  await Promise.all(all.map((w) => w.worker.terminate()));
}

/**
 * Probes `parts` (contiguous, in key order) on up to `parts.length − 1` workers plus this thread.
 * @returns each part's hits, in part order
 */
export async function probeParts(parts: PackedKeys[], set: RpiSet): Promise<ProbeHits[]> {
  const ws = workers(parts.length - 1);
  const remote = ws.map((w, i) => request(w, parts[i]!, set).catch(() => probeGaenKeys(parts[i]!, set)));
  const local: ProbeHits[] = [];
  for (let i = ws.length; i < parts.length; i++) local.push(probeGaenKeys(parts[i]!, set));
  return [...(await Promise.all(remote)), ...local];
}
