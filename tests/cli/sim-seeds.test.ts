/** `bluezone sim --seeds N`: replicates over threads equal separate runs of each seed. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";

const dir = mkdtempSync(join(tmpdir(), "bluezone-seeds-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIZE = ["--phones", "150", "--days", "3", "--adoption", "0.5"];
/** The CLI with room for a loaded machine (two cores shared by many processes). */
const cli = (args: string[]) => runCli(args, undefined, 200_000);

describe("bluezone sim --seeds", () => {
  it("runs seed, seed+1 on two threads; each replicate is the run of its seed alone", () => {
    const rep = cli([
      "sim",
      ...SIZE,
      "--seed",
      "5",
      "--seeds",
      "2",
      "--workers",
      "2",
      "--json",
      "--out",
      join(dir, "rep"),
    ]);
    expect(rep.stderr).not.toMatch(/bluezone:/);
    expect(rep.status).toBe(0);
    const summary = JSON.parse(rep.stdout);
    expect(summary.seeds).toEqual([5, 6]);
    const single = [5, 6].map((seed) => {
      const r = cli(["sim", ...SIZE, "--seed", String(seed), "--json", "--out", join(dir, `s${seed}`)]);
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout);
    });
    expect(summary.runs).toEqual(single);
    // The means are those of the separate runs; the paired difference per seed is without − with.
    const averted = single.map((s) => s.infectionsWithoutApp - s.infections);
    expect(summary.figures.infectionsAverted.mean).toBe((averted[0]! + averted[1]!) / 2);
    expect(summary.figures.infections.mean).toBe((single[0].infections + single[1].infections) / 2);
    expect(summary.figures.infections.n).toBe(2);
    // The attack rate is the run's infections over its people.
    for (const s of single) expect(s.attackRate).toBe(s.infections / s.phones);
    expect(summary.figures.attackRate.mean).toBe((single[0].attackRate + single[1].attackRate) / 2);
    const daily = readFileSync(join(dir, "rep", "daily.csv"), "utf8")
      .trimEnd()
      .split("\n");
    expect(daily[0]!.startsWith("seed,day,")).toBe(true);
    expect(daily.map((l) => l.split(",")[0])).toEqual(["seed", "5", "5", "5", "6", "6", "6"]);
    const html = readFileSync(join(dir, "rep", "report.html"), "utf8");
    expect(html).toContain("5–6 (2 replicates)");
  }, 600_000);

  it("prints one line per figure with its interval and meaning", () => {
    const r = cli(["sim", ...SIZE, "--seeds", "2", "--workers", "1", "--out", join(dir, "text")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^hanoi-ward: 2 seeds \(2021–2022\), 150 people, 3 days; mean over seeds/);
    expect(r.stdout).toMatch(/^ {2}Infections averted: .* — without minus with the app, paired/m);
    expect(r.stdout).toMatch(/^report: .*report\.html — /m);
  }, 600_000);

  it("bad input found in a run thread is bad input (exit 2), not an internal error (exit 70)", () => {
    // hanoi-ward has 10 index cases; 5 people cannot hold them. The run threads find it: their typed
    // error used to cross the thread as a bare message.
    const r = cli([
      "sim",
      "--phones",
      "5",
      "--days",
      "1",
      "--seeds",
      "2",
      "--workers",
      "2",
      "--out",
      join(dir, "bad"),
    ]);
    expect([r.status, r.stderr.trim().split("\n").at(-1)]).toEqual([
      2,
      "bluezone: the scenario's 10 index cases (epidemic.initialInfected) exceed the 5 people of the run: lower epidemic.initialInfected (--set) or run more people",
    ]);
  }, 600_000);

  it("refuses a seed count below 1 (exit 2)", () => {
    const r = runCli(["sim", "--seeds", "0"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^bluezone: --seeds must be an integer in 1…10000/);
  });
});
