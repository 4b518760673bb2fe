/**
 * What `sync: true` guarantees, shown on the system calls: a child process writes to a LevelDB
 * contact log under `strace -f` (Debian's strace), marking the moment before each `record()` call and
 * the moment its promise resolved with a failing `access()` on a marker path. With `sync: true` the
 * write-ahead log is `fdatasync`ed between the two marks of every write; with `sync: false` it is
 * not (the test's control).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "bluezone-sync-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const WRITES = 5;
const MARK = "/bluezone-strace-marker";

/** Runs WRITES single-sighting writes under strace; returns strace's output lines. */
function traceWrites(sync: boolean): { location: string; lines: string[] } {
  const version = spawnSync("strace", ["-V"], { encoding: "utf8" });
  if (version.error || version.status !== 0)
    throw new Error(
      "this test needs strace (Debian: apt-get update && apt-get install -y strace), " +
        `and running it failed: ${version.error?.message ?? version.stderr}`,
    );
  const location = join(dir, `db-${sync}`);
  const out = join(dir, `strace-${sync}.txt`);
  const script = `
    import { existsSync } from "node:fs";
    import { openLevelLog } from ${JSON.stringify(join(process.cwd(), "src/index.ts"))};
    const log = await openLevelLog(${JSON.stringify(location)}, { sync: ${sync} });
    for (let i = 0; i < ${WRITES}; i++) {
      const s = { time: 1e12 + i, identifier: new Uint8Array(16).fill(i), aem: new Uint8Array(0),
        meanRssi: -60, maxRssi: -60, packets: 1, secondsSinceLastScan: 300 };
      existsSync("${MARK}/before-" + i);
      await log.record([s]);
      existsSync("${MARK}/after-" + i);
    }
    await log.close();
  `;
  const child = spawnSync(
    "strace",
    [
      "-f",
      "-qq",
      "-y",
      "-e",
      "trace=fsync,fdatasync,access,faccessat,faccessat2",
      "-o",
      out,
      process.execPath,
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      script,
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  if (child.status !== 0) throw new Error(`traced writer failed (${child.status}): ${child.stderr}`);
  return { location, lines: readFileSync(out, "utf8").split("\n") };
}

/**
 * Per write i, the completed (`= 0`) fsync/fdatasync calls on the log's write-ahead log files seen
 * between its two marks. strace prints a call's result when it returns, so a completed call listed
 * before the "after" mark returned before the promise resolved.
 */
function syncsBetweenMarks(location: string, lines: readonly string[]): number[] {
  const wal = new RegExp(`^${location.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/\\d+\\.log$`);
  const pendingPath = new Map<string, string>(); // pid → file of an unfinished sync call
  const counts: number[] = Array.from({ length: WRITES }, () => 0);
  let current: number | undefined;
  for (const line of lines) {
    const pid = line.split(/\s+/, 1)[0]!;
    const mark = new RegExp(`"${MARK}/(before|after)-(\\d+)"`).exec(line);
    if (mark) {
      current = mark[1] === "before" ? Number(mark[2]) : undefined;
      continue;
    }
    const call = /\b(?:fsync|fdatasync)\(\d+<([^>]*)>(.*)$/.exec(line);
    let file: string | undefined;
    let result: string;
    if (call) {
      file = call[1];
      result = call[2]!;
      if (result.includes("<unfinished ...>")) {
        pendingPath.set(pid, file!);
        continue;
      }
    } else if (/<\.\.\. f(?:data)?sync resumed>/.test(line)) {
      file = pendingPath.get(pid);
      pendingPath.delete(pid);
      result = line;
    } else continue;
    if (current !== undefined && file !== undefined && wal.test(file) && /\)\s+= 0$/.test(result))
      counts[current]! += 1;
  }
  return counts;
}

describe("sync: true on the system calls (strace)", () => {
  it("fdatasyncs the write-ahead log before each write's promise resolves", () => {
    const { location, lines } = traceWrites(true);
    const counts = syncsBetweenMarks(location, lines);
    for (const c of counts) expect(c).toBeGreaterThanOrEqual(1);
  });

  it("control: without sync: true no write is followed by a sync of the log", () => {
    const { location, lines } = traceWrites(false);
    expect(lines.some((l) => l.includes(`${MARK}/after-${WRITES - 1}`))).toBe(true);
    expect(syncsBetweenMarks(location, lines)).toEqual(Array.from({ length: WRITES }, () => 0));
  });
});
