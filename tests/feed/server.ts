/** Starts the example key server on an ephemeral loopback port with a test clock and data dir. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KeyServerOptions, buildApp } from "../../examples/key-server/app";
import { signerPair } from "./fixtures";

/** Admin token of test servers. */
export const ADMIN = "test-admin-token-0123456789";

/** A running test server; `stop` closes it, `restart` listens again on the same port and data. */
export async function startKeyServer(clock: { now(): number }, extra: Partial<KeyServerOptions> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "bluezone-keyserver-"));
  const { signer, trusted } = signerPair();
  const options: KeyServerOptions = { dataDir, signer, adminToken: ADMIN, clock, ...extra };
  let server = await buildApp(options);
  const address = await server.app.listen({ port: 0, host: "127.0.0.1" });
  const port = Number(new URL(address).port);
  return {
    url: address,
    feedUrl: `${address}/feed/`,
    trusted,
    dataDir,
    get server() {
      return server;
    },
    async stop() {
      await server.close();
    },
    async restart() {
      server = await buildApp(options);
      await server.app.listen({ port, host: "127.0.0.1" });
    },
    async dispose() {
      await server.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
