/** `bluezone sim` tells the user what it is about to run and why a figure is n/a. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeRunSize, estimateRunSeconds, formatDuration, heapHint } from "../../src/cli/commands/sim";
import { runCli } from "../helpers/cli";

const dir = mkdtempSync(join(tmpdir(), "bluezone-sim-first-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bluezone sim first run", () => {
  it("prints the run's size and an estimate before it starts, and explains n/a figures", () => {
    // 120 people for one day: too few and too short for a confirmed case to upload keys (the first
    // uploads follow a positive test days after infection), so every detection figure is n/a.
    const r = runCli([
      "sim",
      "--phones",
      "120",
      "--days",
      "1",
      "--adoption",
      "0.5",
      "--out",
      join(dir, "out"),
    ]);
    expect(r.status).toBe(0);
    const [plan] = r.stderr.split("\n");
    expect(plan).toMatch(
      /^hanoi-ward: 120 people, \d+ with the app \(\d+%\), 1 day, 1 worker, seed 2021 — \d+ app-phone-days, estimated ≈ \d+ s$/,
    );
    // One line per headline figure: its value and what it means; the report's path last.
    expect(r.stdout).toMatch(
      /^ {2}F1 precision: n\/a — share of F1 notifications that went to someone truly within 2 m/m,
    );
    expect(r.stdout).toMatch(/^ {2}F1 recall: n\/a — /m);
    expect(r.stdout).toMatch(/^ {2}Traceable fraction: n\/a — /m);
    expect(r.stdout).toMatch(
      /^ {2}Infections averted: -?\d+ — without minus with the app, paired on the same world and seed/m,
    );
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe(
      `report: ${join(dir, "out", "report.html")} — charts and the run's settings; summary.json, daily.csv, roc.csv, detection.csv and infections.csv next to it`,
    );
    expect(r.stdout).toMatch(/ {2}n\/a: no confirmed case uploaded keys, so no one could be notified/);
  });

  it("estimates from app-phone-days, adoption, radio sampling and W^0.75 for W workers (hand-computed)", () => {
    // 5,000 app users of 20,000 people (adoption 0.25) × 70 days = 350,000 app-phone-days. Per-scan
    // radio (the default): 720 + 0.25 × 1,430 = 1,077.5 µs each → 377.125 s; plus 2 s and 20,000 ×
    // 0.25 ms = 7 s.
    const size = { people: 20_000, appUsers: 5_000, days: 70, workers: 1 };
    expect(estimateRunSeconds(size)).toBeCloseTo(384.125, 9);
    expect(estimateRunSeconds(size, "scan")).toBeCloseTo(384.125, 9);
    // Per-packet radio: 720 + 0.25 × 3,130 = 1,502.5 µs → 525.875 s, + 7 s.
    expect(estimateRunSeconds(size, "packets")).toBeCloseTo(532.875, 9);
    // Four workers: the phones' part divided by 4^0.75 = 2√2.
    expect(estimateRunSeconds({ ...size, workers: 4 })).toBeCloseTo(7 + 377.125 / (2 * Math.SQRT2), 9);
    // Nobody: the fixed 2 s only.
    expect(estimateRunSeconds({ people: 0, appUsers: 0, days: 5, workers: 1 })).toBe(2);
    expect(formatDuration(4375)).toBe("1 h 13 min");
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(600)).toBe("10 min");
    expect(describeRunSize("hanoi-ward", 7, size)).toBe(
      "hanoi-ward: 20,000 people, 5,000 with the app (25%), 70 days, 1 worker, seed 7 — 350,000 app-phone-days, estimated ≈ 6 min",
    );
    expect(describeRunSize("hanoi-ward", 7, size, "packets")).toMatch(/estimated ≈ 9 min$/);
  });

  it("hints at a larger heap when a run would not fit Node's default (hand-computed)", () => {
    const limit = 4144 * 2 ** 20; // Node 20's default here (v8.getHeapStatistics().heap_size_limit)
    // 1,000,000 people, 250,000 app users over 2 workers: 30 KB × 125,000 + 1 KB × 1,000,000 = 4.75 GB,
    // over 0.75 × 4.345 GB; suggested 1.5 × 4.75 GB = 7.1 GB, rounded up to 8,000 MB.
    const big = heapHint({ people: 1_000_000, appUsers: 250_000, days: 1, workers: 2 }, limit);
    expect(big).toMatch(/≈ 4\.8 GB of JavaScript heap per thread/);
    expect(big).toMatch(/NODE_OPTIONS=--max-old-space-size=8000 /);
    // 20,000 people, 5,000 app users in one thread: 0.17 GB — no hint.
    expect(heapHint({ people: 20_000, appUsers: 5_000, days: 70, workers: 1 }, limit)).toBeUndefined();
  });
});

describe("bluezone sim --out", () => {
  it("refuses, before running, a report file name that is a directory: exit 2, nothing written", () => {
    const out = join(dir, "taken");
    mkdirSync(join(out, "report.html"), { recursive: true });
    const r = runCli(["sim", "--phones", "120", "--days", "30", "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^bluezone: --out .*taken: .*report\.html exists and is not a file$/m);
    // Refused before the world is built: no size line, no file written.
    expect(r.stderr).not.toMatch(/app-phone-days/);
    expect(readdirSync(out)).toEqual(["report.html"]);
  }, 120_000);
});

describe("bluezone sim engine options", () => {
  it("refuses an unknown engine or receiver count with exit 2 and the option's name", () => {
    const engine = runCli(["sim", "--engine", "fast", "--out", join(dir, "e1")]);
    expect(engine.status).toBe(2);
    expect(engine.stderr).toMatch(/^bluezone: .*--engine must be batched or device, got "fast"/m);
    for (const bad of ["0", "-3", "1.5", "many"]) {
      const r = runCli(["sim", "--detection-receivers", bad, "--out", join(dir, "e2")]);
      expect(r.status, bad).toBe(2);
      expect(r.stderr).toMatch(/--detection-receivers must be a positive integer or all/);
    }
  }, 180_000);

  it("says when detection was measured on a sample of receivers", () => {
    const r = runCli([
      "sim",
      "--phones",
      "150",
      "--days",
      "2",
      "--adoption",
      "1",
      "--detection-receivers",
      "40",
      "--json",
      "--out",
      join(dir, "sample"),
    ]);
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout).detection;
    // 150 app users for 2 days; each measured with probability 40/150 (hash-drawn): ≈ 80 ± 3 SD.
    expect(d.appUserDays).toBe(300);
    expect(d.receiverDays).toBeGreaterThan(80 - 4 * Math.sqrt(300 * (40 / 150) * (110 / 150)));
    expect(d.receiverDays).toBeLessThan(80 + 4 * Math.sqrt(300 * (40 / 150) * (110 / 150)));
  }, 180_000);
});
