/** Built matching worker entry (`dist/match-worker.js`). */
import { runMatchWorker } from "./match-worker";

runMatchWorker();
