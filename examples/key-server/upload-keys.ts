/**
 * Uploads keys the way a phone does (code → token → certificate → publish):
 * `npx tsx examples/key-server/upload-keys.ts --url http://127.0.0.1:8080 --code CODE --keys KEYS.json`
 * (KEYS.json as for `bluezone export create`).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseKeysJson } from "../../src/cli/commands/export";
import type { ApiError } from "./errors";
import { uploadKeys } from "./uploader";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { url: { type: "string" }, code: { type: "string" }, keys: { type: "string" } },
});
if (!values.url || !values.code || !values.keys)
  throw new Error("usage: --url URL --code CODE --keys KEYS.json");
const { keys } = parseKeysJson(readFileSync(values.keys, "utf8"));
try {
  process.stdout.write(`${JSON.stringify(await uploadKeys(values.url, values.code, keys))}\n`);
} catch (err) {
  const e = err as ApiError;
  process.stderr.write(
    `${JSON.stringify({ error: { status: e.status, code: e.code, message: e.message } })}\n`,
  );
  process.exitCode = 1;
}
