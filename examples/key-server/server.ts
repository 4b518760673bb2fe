/**
 * Runs the key server: `KEY_SERVER_ADMIN_TOKEN=… npx tsx examples/key-server/server.ts --data DIR
 * --port P --sign-key FILE`. See docs/key-distribution.md.
 */
import { existsSync, rmSync } from "node:fs";
import { runMain } from "../run-main";
import { buildApp } from "./app";
import { parseServerArgs } from "./config";

// Start errors (bad options, a locked data directory, a port in use) print `key-server: <reason>`
// and exit 2 or 3, never a stack trace.
await runMain("key-server", async () => {
  const args = parseServerArgs(process.argv.slice(2));
  // A data directory this start made is removed again when the server cannot listen (a port in use):
  // a failed start leaves nothing behind.
  const existed = existsSync(args.dataDir);
  const server = await buildApp({ ...args, logger: true });
  try {
    await server.app.listen({ port: args.port, host: args.host });
  } catch (err) {
    await server.close();
    if (!existed) rmSync(args.dataDir, { recursive: true, force: true });
    throw err;
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void server.close().then(() => process.exit(0)));
  }
});
