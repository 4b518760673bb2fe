/**
 * Publishes due keys once and exits (for cron, while the server is stopped: LevelDB allows one
 * process; with the server running, call `POST /publish-batches` instead):
 * `KEY_SERVER_ADMIN_TOKEN=… npx tsx examples/key-server/publish.ts --data DIR --sign-key FILE`.
 */
import { InvalidArgumentError, LogLockedError } from "../../src/index";
import { runMain } from "../run-main";
import { buildApp } from "./app";
import { parseServerArgs } from "./config";

await runMain("key-server publish", async () => {
  const args = parseServerArgs(process.argv.slice(2));
  let server: Awaited<ReturnType<typeof buildApp>>;
  try {
    server = await buildApp(args);
  } catch (err) {
    // The key store is a LevelDB that one process may open: the running server holds it.
    if (err instanceof LogLockedError)
      throw new InvalidArgumentError(
        `the key server's data directory ${args.dataDir} is in use (is the server running? then publish through it: POST /publish-batches)`,
      );
    throw err;
  }
  try {
    process.stdout.write(`${JSON.stringify(await server.publish())}\n`);
  } finally {
    await server.close();
  }
});
