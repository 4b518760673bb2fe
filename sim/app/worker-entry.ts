/** Built worker entry (`dist/sim-worker.js`): runs the task handed over in `workerData`. */
import { runWorkerTask } from "./worker";

runWorkerTask();
