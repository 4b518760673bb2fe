/** Command-line plumbing shared by server.ts and publish.ts: options and the signing key file. */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseSignKey } from "../../src/cli/commands/export";
import type { KeyFileSigner } from "../../src/index";

/** Parsed command line. */
export interface ServerArgs {
  dataDir: string;
  port: number;
  host: string;
  signer: KeyFileSigner;
  adminToken: string;
  region: string;
}

/**
 * Parses `--data DIR --sign-key FILE [--port P] [--host H] [--key-id ID] [--key-version V]
 * [--region R]`; the admin token comes from `KEY_SERVER_ADMIN_TOKEN`.
 */
export function parseServerArgs(argv: string[]): ServerArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      "sign-key": { type: "string" },
      "key-id": { type: "string", default: "bluezone" },
      "key-version": { type: "string", default: "v1" },
      region: { type: "string", default: "" },
    },
  });
  if (!values.data || !values["sign-key"]) {
    throw new Error(
      "usage: --data DIR --sign-key FILE [--port P] [--host H] [--key-id ID] [--key-version V]",
    );
  }
  const adminToken = process.env.KEY_SERVER_ADMIN_TOKEN ?? "";
  if (adminToken.length < 16) throw new Error("set KEY_SERVER_ADMIN_TOKEN (at least 16 characters)");
  const signer = parseSignKey(readFileSync(values["sign-key"], "utf8"), {
    keyId: values["key-id"],
    keyVersion: values["key-version"],
  });
  return {
    dataDir: values.data,
    port: Number(values.port),
    host: values.host,
    signer,
    adminToken,
    region: values.region,
  };
}
