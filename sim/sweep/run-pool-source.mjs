// Run-thread entry when running from TypeScript sources (tests, tsx): loads sim/sweep/run-pool.ts through
// tsx's scoped loader, since a worker thread does not inherit a test runner's transform.
import { parentPort } from "node:worker_threads";
import { tsImport } from "tsx/esm/api";

const mod = await tsImport("./run-pool.ts", import.meta.url);
mod.serveRuns(parentPort);
