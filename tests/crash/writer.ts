/**
 * Crash-test child: logs batches to a LevelDB contact log with `sync: true` as fast as it can and, after
 * each `record()` resolves, writes the batch id to stdout with a synchronous write (so an id printed
 * is an acknowledged batch). Runs until killed.
 *
 * Usage: node --import tsx tests/crash/writer.ts <location> <firstBatchId> <batchSize>
 */
import { writeSync } from "node:fs";
import { openLevelLog } from "../../src/index";
import { crashBatch } from "./batches";

const [location, first, size] = process.argv.slice(2);
const log = await openLevelLog(location!, { sync: true });
writeSync(1, "ready\n");
for (let id = Number(first); ; id++) {
  await log.record(crashBatch(id, Number(size)));
  writeSync(1, `${id}\n`);
}
