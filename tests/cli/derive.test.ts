import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bluezoneDayKey, deriveBluezoneIds, toHex } from "../../src/index";
import { runCli } from "../helpers/cli";
import { repoData } from "../helpers/data";

const V = JSON.parse(readFileSync(repoData("gaen/test-vectors-v1.2.json"), "utf8"));

describe("bluezone derive", () => {
  it("prints all 144 vector intervals with RPI and AEM", () => {
    const r = runCli([
      "derive",
      "--tek",
      V.tek,
      "--interval",
      String(V.enIntervalNumber),
      "--metadata",
      V.metadata,
      "--json",
    ]);
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows).toEqual(
      V.intervals.map((iv: { enIntervalNumber: number; rpi: string; aem: string }) => ({
        interval: iv.enIntervalNumber,
        rpi: iv.rpi,
        aem: iv.aem,
      })),
    );
  });

  it("prints Bluezone slot IDs, 96 by default", () => {
    const key = toHex(bluezoneDayKey(new Uint8Array(32).fill(1), 3));
    const r = runCli(["derive", "--scheme", "bluezone", "--daily-key", key, "--json"]);
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows).toHaveLength(96);
    const ids = deriveBluezoneIds(bluezoneDayKey(new Uint8Array(32).fill(1), 3));
    expect(rows[95]).toEqual({ slot: 95, id: toHex(ids.subarray(95 * 12)) });
  });

  it("fails clearly on bad input", () => {
    const r = runCli(["derive", "--tek", "abcd", "--interval", "5", "--json"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--tek must be 16 bytes/);
    const r2 = runCli(["derive", "--tek", V.tek, "--interval", "-1"]);
    expect(r2.status).not.toBe(0);
    expect(r2.stderr).toMatch(/--interval/);
  });
});
