/**
 * The tracer on a real LevelDB contact log on a real, full 1 MB tmpfs: sightings it cannot write stay
 * in memory, are written once space returns, and survive a reopen — nothing acknowledged is lost.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  advanceAndSettle,
  createMemoryLog,
  createSimulatedMedium,
  createTracer,
  openLevelLog,
  toHex,
  virtualClock,
} from "../../src/index";
import { seededBytes as seeded } from "../helpers/random";
import { mountTmpfs } from "../helpers/tmpfs";

const T0 = Date.UTC(2021, 6, 24, 8, 0, 0);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe("tracer with a LevelDB log on a full disk", () => {
  it("keeps unwritten sightings in memory, writes them when space returns, loses none", async () => {
    const fs = mountTmpfs("1m");
    cleanups.push(fs.unmount);
    const location = join(fs.dir, "db");
    const log = await openLevelLog(location);
    // Fill the file system to the last page: files of halving sizes, each kept if it fits.
    const fillers: string[] = [];
    for (let size = 1 << 20; size >= 4096; size >>= 1) {
      const file = join(fs.dir, `fill-${size}`);
      try {
        writeFileSync(file, Buffer.alloc(size));
        fillers.push(file);
      } catch {
        rmSync(file, { force: true }); // did not fit: try half
      }
    }
    const clock = virtualClock(T0);
    const medium = createSimulatedMedium({
      clock,
      random: seeded(99),
      link: (_a, _s, from, to) => Array.from({ length: Math.floor((to - from) / 250) }, () => -65),
    });
    const phone = (id: string, seed: number, l = log) =>
      createTracer({ transport: medium.createTransport(id), log: l, clock, random: seeded(seed) });
    const a = phone("a", 1);
    const errors: string[] = [];
    a.on("error", (e) => errors.push((e as { code?: string }).code ?? String(e)));
    const b = phone("b", 2, createMemoryLog());
    await a.start();
    await b.start();

    // 30 minutes on a full disk: every write fails; the sightings wait in memory.
    await advanceAndSettle(clock, 1800_000);
    await vi.waitFor(
      () => {
        const st = a.status();
        expect(st.sightingsLogged).toBe(0);
        expect(st.pendingSightings).toBe(st.scans); // one sighting of b per scan, none in flight
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(a.status().scans).toBeGreaterThanOrEqual(5);
    expect(errors).toContain("ERR_LOG_STORE"); // the first failed write
    expect(errors).toContain("ERR_LOG_FAILED"); // later writes refused while the reopen fails

    // Space returns: the next scan's write reopens the log and writes everything pending.
    for (const file of fillers) rmSync(file);
    await advanceAndSettle(clock, 1800_000);
    await a.stop();
    await b.stop();
    const st = a.status();
    expect(st.pendingSightings).toBe(0);
    expect(st.sightingsLogged).toBe(st.scans);
    await log.close();

    // Reopened, the log holds one sighting per scan, of b's identifiers.
    const again = await openLevelLog(location);
    const stored = await again.range(0, Number.MAX_SAFE_INTEGER);
    expect(stored).toHaveLength(st.scans);
    const bIds = new Set(
      Array.from({ length: 13 }, (_, i) => toHex(b.schedule().at(T0 + i * 600_000).identifier)),
    );
    for (const s of stored) expect(bIds.has(toHex(s.identifier))).toBe(true);
    await again.close();
  });
});
