/**
 * Runs the key server: `KEY_SERVER_ADMIN_TOKEN=… npx tsx examples/key-server/server.ts --data DIR
 * --port P --sign-key FILE`. See docs/key-distribution.md.
 */
import { buildApp } from "./app";
import { parseServerArgs } from "./config";

const args = parseServerArgs(process.argv.slice(2));
const server = await buildApp({ ...args, logger: true });
await server.app.listen({ port: args.port, host: args.host });
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
