/** A real, small tmpfs for storage-fault tests (disk full). Needs root (or CAP_SYS_ADMIN). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Mounts a tmpfs of `size` (mount's syntax, e.g. "1m") on a fresh directory and returns it with an
 * unmount function (for the test's cleanup). Throws — the test fails, it is not skipped — when the
 * mount is not permitted, saying what the test needs.
 */
export function mountTmpfs(size: string): { dir: string; unmount: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "bluezone-tmpfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const why = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    throw new Error(
      `this test needs a real ${size} tmpfs (mount -t tmpfs -o size=${size} tmpfs DIR) to fill the disk, ` +
        `and mounting failed: ${why}. Run the tests as root (or with CAP_SYS_ADMIN), e.g. in the CI container.`,
    );
  }
  return {
    dir,
    unmount: () => {
      try {
        execFileSync("umount", [dir], { stdio: "pipe" });
      } catch {
        execFileSync("umount", ["-l", dir], { stdio: "pipe" }); // busy (a handle left open by a failure)
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
