// Worker entry when running from TypeScript sources (tests, tsx): loads sim/app/worker.ts through tsx's
// scoped loader, since a worker thread does not inherit a test runner's transform.
import { tsImport } from "tsx/esm/api";

const mod = await tsImport("./worker.ts", import.meta.url);
mod.runWorkerTask();
