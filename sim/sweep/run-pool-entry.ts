/** Built run-thread entry (`dist/sim-run-worker.js`): runs whole simulations for {@link runPool}. */
import { parentPort } from "node:worker_threads";
import { serveRuns } from "./run-pool";

if (parentPort) serveRuns(parentPort);
