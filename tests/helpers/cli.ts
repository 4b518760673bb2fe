/** Runs the CLI from source (through tsx) the way a user runs `npx bluezone …`. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./data";

/** Result of one CLI run. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bluezone ...args` with optional stdin; never throws on a non-zero exit (killed after `timeoutMs`). */
export function runCli(args: string[], input?: string, timeoutMs = 60_000): CliRun {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    input,
    timeout: timeoutMs,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
