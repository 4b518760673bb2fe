/**
 * `npm run fuzz [-- --cases 1000000 --seed 1]`: the full fuzz campaign; prints per-target counts,
 * failures and throughput as JSON and exits non-zero on a failure.
 */
import { parseArgs } from "node:util";
import { runFuzz } from "./driver";

const { values } = parseArgs({
  options: { cases: { type: "string", default: "1000000" }, seed: { type: "string", default: "1" } },
});
const report = runFuzz({ cases: Number(values.cases), seed: Number(values.seed) });
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
if (report.failures > 0) process.exitCode = 1;
