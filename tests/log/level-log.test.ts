import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LogOpenError, openLevelLog, type Sighting } from "../../src/index";
import { contactLogConformance } from "../../src/testing";

const dirs: string[] = [];
/** A fresh temporary directory, removed after the file's tests. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "bluezone-log-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Through the public entry (`bluezone/testing`), as a third-party store would run it.
contactLogConformance({
  describe,
  it,
  name: "level",
  factory: async () => {
    const dir = mkdtempSync(join(tmpdir(), "bluezone-log-"));
    const location = join(dir, "db");
    return {
      open: () => openLevelLog(location, { purgeBatchSize: 2 }),
      location,
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  persistent: true,
  locks: true,
});

const sighting = (time: number, meanRssi: number): Sighting => ({
  time,
  identifier: new Uint8Array(16).fill(7),
  aem: new Uint8Array(0),
  meanRssi,
  maxRssi: 0,
  packets: 1,
  secondsSinceLastScan: 300,
});

describe("LevelDB log specifics", () => {
  it("fails with LogOpenError naming the path when the location is not a database", async () => {
    const file = join(tempDir(), "not-a-dir");
    writeFileSync(file, "x");
    const err = await openLevelLog(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogOpenError);
    expect(err).toMatchObject({ code: "ERR_LOG_OPEN", path: file });
    expect((err as Error).message).toContain(file);
    expect((err as Error).cause).toBeDefined();
  });

  it("fails with LogOpenError when createIfMissing is false and nothing is there", async () => {
    const location = join(tempDir(), "missing");
    await expect(openLevelLog(location, { createIfMissing: false })).rejects.toBeInstanceOf(LogOpenError);
  });

  it("fails with LogOpenError on an existing empty directory when createIfMissing is false, leaving it empty", async () => {
    const location = tempDir();
    await expect(openLevelLog(location, { createIfMissing: false })).rejects.toThrow(
      `contact log at "${location}" could not be opened: the directory holds no contact log (no LevelDB CURRENT file), and createIfMissing is false`,
    );
    // LevelDB used to leave its LOCK and LOG files there, and say the directory did not exist.
    expect(readdirSync(location)).toEqual([]);
  });

  it("writes with sync: true", async () => {
    const log = await openLevelLog(join(tempDir(), "db"), { sync: true });
    await log.record([sighting(1, -1)]);
    expect(await log.range(0, 2)).toHaveLength(1);
    await log.close();
  });

  it("reopens after a crash (process killed without close) and numbers new sightings after the old", async () => {
    const location = join(tempDir(), "db");
    const script = `
      import { openLevelLog } from ${JSON.stringify(join(process.cwd(), "src/index.ts"))};
      const log = await openLevelLog(${JSON.stringify(location)});
      const s = (meanRssi) => ({ time: 1000, identifier: new Uint8Array(16).fill(7), aem: new Uint8Array(0),
        meanRssi, maxRssi: 0, packets: 1, secondsSinceLastScan: 300 });
      await log.record([s(-1), s(-2)]);
      await log.record([s(-3)]);
      process.kill(process.pid, "SIGKILL");
    `;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    expect(child.signal).toBe("SIGKILL");
    const log = await openLevelLog(location);
    await log.record([sighting(1000, -4), sighting(500, -5)]);
    expect((await log.range(0, 2000)).map((s) => s.meanRssi)).toEqual([-5, -1, -2, -3, -4]);
    await log.close();
  });
});
