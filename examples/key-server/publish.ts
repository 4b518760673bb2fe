/**
 * Publishes due keys once and exits (for cron, while the server is stopped: LevelDB allows one
 * process; with the server running, call `POST /publish-batches` instead):
 * `KEY_SERVER_ADMIN_TOKEN=… npx tsx examples/key-server/publish.ts --data DIR --sign-key FILE`.
 */
import { runMain } from "../run-main";
import { buildApp } from "./app";
import { parseServerArgs } from "./config";

await runMain("key-server publish", async () => {
  const server = await buildApp(parseServerArgs(process.argv.slice(2)));
  try {
    process.stdout.write(`${JSON.stringify(await server.publish())}\n`);
  } finally {
    await server.close();
  }
});
