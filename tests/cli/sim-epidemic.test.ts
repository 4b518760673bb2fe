/** `bluezone sim --no-interventions`: the R0 arm, the summary's epidemic block and infections.csv. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeEpidemic } from "../../src/cli/commands/sim";
import { runCli } from "../helpers/cli";

const dir = mkdtempSync(join(tmpdir(), "bluezone-sim-epidemic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bluezone sim --no-interventions", () => {
  it("reports R0 and writes the line list", () => {
    const out = join(dir, "free");
    const r = runCli([
      "sim",
      "--phones",
      "400",
      "--days",
      "30",
      "--adoption",
      "0",
      "--no-interventions",
      "--json",
      "--out",
      out,
    ]);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    // No one is tested, so no one is confirmed; the epidemic block has R0.
    expect(s.keysPublished).toBe(0);
    expect(typeof s.epidemic.R0).toBe("number");
    expect(s.epidemic.R0Cases).toBeGreaterThanOrEqual(10);
    expect(s.epidemic.Rt).toHaveLength(30);
    expect(s.epidemic.transmissionShares.environmental).toBe(0);
    const csv = readFileSync(join(out, "infections.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("infector,infectee,time,setting,infectorState,place,generation");
    // One row per infection: the 10 initial cases and every infection counted in the summary.
    expect(csv).toHaveLength(1 + 10 + s.infections);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.epidemic).toEqual(s.epidemic);
  }, 240_000);

  it("leaves R0 out when interventions are on, and says so in the text summary", () => {
    const r = runCli(["sim", "--phones", "120", "--days", "2", "--adoption", "0", "--out", join(dir, "on")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^epidemic: R0 n\/a \(only with --no-interventions\), generation interval /m);
  }, 240_000);

  it("formats the epidemic line", () => {
    const line = describeEpidemic({
      R0: 2.125,
      R0Cases: 32,
      Rt: [],
      generationInterval: { mean: 5.0, sd: 1.875, pairs: 100 },
      transmissionShares: { presymptomatic: 0.45, symptomatic: 0.4, asymptomatic: 0.05, environmental: 0.1 },
      transmissionsBySetting: {},
      householdSAR: 0.18,
      householdSARFromIndex: 0.12,
      householdIndexCases: 10,
      householdContacts: 30,
      transmissions: 100,
    });
    expect(line).toBe(
      "epidemic: R0 2.13 (32 cases), generation interval 5.00 d (SD 1.88), transmission pre-symptomatic 45% / symptomatic 40% / asymptomatic 5% / environmental 10%, household SAR 0.180",
    );
  });

  it("says why the generation interval or the household SAR is n/a", () => {
    const line = describeEpidemic({
      R0: null,
      R0Cases: 0,
      Rt: [],
      generationInterval: { mean: Number.NaN, sd: Number.NaN, pairs: 0 },
      transmissionShares: { presymptomatic: 1, symptomatic: 0, asymptomatic: 0, environmental: 0 },
      transmissionsBySetting: {},
      householdSAR: Number.NaN,
      householdSARFromIndex: Number.NaN,
      householdIndexCases: 0,
      householdContacts: 0,
      transmissions: 3,
    });
    expect(line).toContain("generation interval n/a (no infector has finished being infectious)");
    expect(line).toContain(
      "household SAR n/a (no household's index case was followed up for 21 days by the run's end)",
    );
  });
});
