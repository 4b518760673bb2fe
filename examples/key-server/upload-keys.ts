/**
 * Uploads keys the way a phone does (code → token → certificate → publish):
 * `npx tsx examples/key-server/upload-keys.ts --url http://127.0.0.1:8080 --code CODE --keys KEYS.json`
 * (KEYS.json as for `bluezone export create`).
 */
import { parseKeysJson } from "../../src/cli/commands/export";
import { readInput } from "../../src/cli/run";
import { parseOptions, reportFailure } from "../run-main";
import type { ApiError } from "./errors";
import { uploadKeys } from "./uploader";

const { values } = parseOptions("upload-keys", {
  args: process.argv.slice(2),
  options: { url: { type: "string" }, code: { type: "string" }, keys: { type: "string" } },
});
if (!values.url || !values.code || !values.keys) {
  process.stderr.write("upload-keys: usage: --url URL --code CODE --keys KEYS.json\n");
  process.exit(2);
}
let keys: ReturnType<typeof parseKeysJson>["keys"] = [];
try {
  keys = parseKeysJson(Buffer.from(readInput(values.keys)).toString("utf8")).keys;
} catch (err) {
  process.exit(reportFailure("upload-keys", err));
}
try {
  process.stdout.write(`${JSON.stringify(await uploadKeys(values.url, values.code, keys))}\n`);
} catch (err) {
  const e = err as ApiError;
  process.stderr.write(
    `${JSON.stringify({ error: { status: e.status, code: e.code, message: e.message } })}\n`,
  );
  process.exitCode = 1;
}
