import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { issueCode, uploadKeys } from "../../examples/key-server/uploader";
import { openLevelLog, toHex } from "../../src/index";
import { ROOT } from "../helpers/data";
import { caseKey, signerPair } from "./fixtures";
import { startHttp, status } from "./http-server";
import { ADMIN, startKeyServer } from "./server";

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

/** Runs the CLI asynchronously (the server answers from this process meanwhile). */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args], {
      cwd: ROOT,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

it("bluezone feed sync fetches, verifies and remembers progress in the LevelDB log", async () => {
  const s = await startKeyServer({ now: () => Date.now() });
  const db = mkdtempSync(join(tmpdir(), "bluezone-feed-cli-"));
  cleanup.push(
    () => s.dispose(),
    async () => rmSync(db, { recursive: true, force: true }),
  );
  await (await openLevelLog(db)).close(); // the phone's contact log: feed sync never creates one
  const today = Math.floor(Date.now() / 600_000 / 144) * 144;
  const { code } = await issueCode(s.url, ADMIN, { reportType: "confirmed" });
  await uploadKeys(s.url, code, [caseKey(1, { rollingStartIntervalNumber: today - 144 * 2 })]);
  await s.server.publish();
  const key = toHex(s.trusted.publicKey as Uint8Array);
  const first = await cli(["feed", "sync", "--url", s.feedUrl, "--public-key", key, "--db", db, "--json"]);
  expect(first.stderr).toBe("");
  const r = JSON.parse(first.stdout) as { newFiles: unknown[]; status: string };
  expect([first.status, r.newFiles.length, r.status]).toEqual([0, 1, "none"]);
  const second = await cli(["feed", "sync", "--url", s.feedUrl, "--public-key", key, "--db", db]);
  expect(second.stdout.trim()).toBe("status none, 0 new file(s)");
});

it("feed sync failures print `bluezone: <reason>` with the documented exit code (1 incomplete, 2 bad input, 3 rejected)", async () => {
  const s = await startKeyServer({ now: () => Date.now() });
  const failing = await startHttp({ "/feed/index.json": status(503) });
  const dead = await startHttp();
  await dead.close();
  const dbs = [0, 1, 2, 3, 4].map(() => mkdtempSync(join(tmpdir(), "bluezone-feed-cli-")));
  for (const db of dbs) await (await openLevelLog(db)).close(); // feed sync never creates a log
  cleanup.push(
    () => s.dispose(),
    () => failing.close(),
    async () => {
      for (const db of dbs) rmSync(db, { recursive: true, force: true });
    },
  );
  const today = Math.floor(Date.now() / 600_000 / 144) * 144;
  const { code } = await issueCode(s.url, ADMIN, { reportType: "confirmed" });
  await uploadKeys(s.url, code, [
    caseKey(1, { rollingStartIntervalNumber: today - 144 * 2 }),
    caseKey(2, { rollingStartIntervalNumber: today - 144 * 3 }),
  ]);
  await s.server.publish();
  const wrongKey = toHex(signerPair(9).trusted.publicKey as Uint8Array); // not the server's signer
  const key = toHex(s.trusted.publicKey as Uint8Array);
  const sync = (url: string, k: string, db: string, ...extra: string[]) =>
    cli(["feed", "sync", "--url", url, "--public-key", k, "--db", db, "--retries", "1", ...extra]);
  const [unreachable, unavailable, forged, badOption, tooLong, rotation] = await Promise.all([
    sync(dead.feedUrl, key, dbs[0]!),
    sync(failing.feedUrl, key, dbs[1]!),
    sync(s.feedUrl, wrongKey, dbs[2]!),
    sync(s.feedUrl, key, dbs[3]!, "--idle-timeout", "soon"),
    // Node's timers turn a delay above 2³¹ − 1 ms into 1 ms: refused, not a sync that times out at once.
    sync(s.feedUrl, key, dbs[3]!, "--total-timeout", "3000000000"),
    // A key rotation: both keys trusted (the option is repeatable; it used to keep only the last).
    sync(s.feedUrl, key, dbs[4]!, "--public-key", wrongKey),
  ]);
  expect([tooLong.status, tooLong.stderr]).toEqual([
    2,
    'bluezone: --total-timeout must be an integer in 1…2147483647, got "3000000000"\n',
  ]);
  expect([rotation.status, rotation.stdout.trim()]).toEqual([0, "status none, 1 new file(s)"]);
  expect(unreachable.status).toBe(1);
  expect(unreachable.stderr).toMatch(
    new RegExp(
      `^bluezone: GET ${dead.feedUrl}index\\.json failed: fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+ \\(2 attempts\\)\\n$`,
    ),
  );
  expect(unreachable.stdout).toMatch(/^status none, 0 new file\(s\), error: /);
  expect([unavailable.status, unavailable.stderr]).toEqual([
    1,
    `bluezone: GET ${failing.feedUrl}index.json answered 503 (2 attempts)\n`,
  ]);
  expect(failing.hits("/feed/index.json")).toBe(2);
  // The server published one file; it is signed by another key than the one given: rejected, exit 3.
  expect(forged.status).toBe(3);
  expect(forged.stderr).toMatch(/^bluezone: 1 file\(s\) rejected: b000001-1\.zip \(ERR_KEY_FILE_SIGNATURE: /);
  expect(forged.stdout.trim()).toBe("status none, 0 new file(s), 1 rejected (ERR_KEY_FILE_SIGNATURE)");
  expect([badOption.status, badOption.stderr]).toEqual([
    2,
    'bluezone: --idle-timeout must be an integer in 1…2147483647, got "soon"\n',
  ]);
});
