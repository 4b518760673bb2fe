/** Command-line plumbing shared by server.ts and publish.ts: options and the signing key file. */
import { parseArgs } from "node:util";
import { parseSignKey } from "../../src/cli/commands/export";
import { readInput } from "../../src/cli/run";
import { closestName, InvalidArgumentError, type KeyFileSigner } from "../../src/index";

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
 * @throws InvalidArgumentError (or parseArgs' ERR_PARSE_ARGS_* TypeError) on a bad command line
 */
export function parseServerArgs(argv: string[]): ServerArgs {
  const options = {
    data: { type: "string" },
    port: { type: "string", default: "8080" },
    host: { type: "string", default: "127.0.0.1" },
    "sign-key": { type: "string" },
    "key-id": { type: "string", default: "bluezone" },
    "key-version": { type: "string", default: "v1" },
    region: { type: "string", default: "" },
  } as const;
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options }>>["values"];
  try {
    ({ values } = parseArgs({ args: argv, options }));
  } catch (err) {
    // An unknown option gets the nearest known one, as bluezone's own CLI does.
    const unknown = /Unknown option '--([^']+)'/.exec((err as Error).message)?.[1];
    const near = unknown === undefined ? undefined : closestName(unknown, Object.keys(options));
    if (near === undefined) throw err;
    throw new InvalidArgumentError(`unknown option '--${unknown}' (did you mean --${near}?)`);
  }
  if (!values.data || !values["sign-key"]) {
    throw new InvalidArgumentError(
      "usage: --data DIR --sign-key FILE [--port P] [--host H] [--key-id ID] [--key-version V]",
    );
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535)
    throw new InvalidArgumentError(`--port must be an integer in 0…65535, got "${values.port}"`);
  const adminToken = process.env.KEY_SERVER_ADMIN_TOKEN ?? "";
  if (adminToken.length < 16)
    throw new InvalidArgumentError("set KEY_SERVER_ADMIN_TOKEN (at least 16 characters)");
  const signer = parseSignKey(Buffer.from(readInput(values["sign-key"])).toString("utf8"), {
    keyId: values["key-id"],
    keyVersion: values["key-version"],
  });
  return {
    dataDir: values.data,
    port,
    host: values.host,
    signer,
    adminToken,
    region: values.region,
  };
}
