// Worker entry: loads a TypeScript module through tsx's scoped API (the test runner's transform does
// not reach worker threads) and calls one of its exports. workerData.entry = { module, fn }, with
// `module` a file URL string.
import { workerData } from "node:worker_threads";
import { tsImport } from "tsx/esm/api";

const { module, fn } = workerData.entry;
const mod = await tsImport(module, import.meta.url);
await mod[fn]();
