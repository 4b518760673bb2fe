/**
 * `npm run test:crash -- --runs 100 [--seed 1]`: the full crash campaign; prints the report as JSON and
 * exits non-zero when a record was lost, a batch was partial or the log failed to open.
 */
import { parseArgs } from "node:util";
import { runCrashTrials } from "./harness";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "100" }, seed: { type: "string", default: "1" } },
});
const report = await runCrashTrials({ runs: Number(values.runs), seed: Number(values.seed) });
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
if (report.lost > 0 || report.partialBatches > 0 || report.openFailures > 0) process.exitCode = 1;
