import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { issueCode, uploadKeys } from "../../examples/key-server/uploader";
import { openLevelLog, toHex } from "../../src/index";
import { ROOT } from "../helpers/data";
import { caseKey } from "./fixtures";
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
