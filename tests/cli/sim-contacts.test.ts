/** `bluezone sim --contacts FILE`: replaying a contact trace from the command line. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { ROOT } from "../helpers/data";

const FIXTURE = join(ROOT, "tests/fixtures/contacts-30.txt");
const dir = mkdtempSync(join(tmpdir(), "bluezone-sim-contacts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bluezone sim --contacts", () => {
  it("replays the trace and prints the summary as JSON", () => {
    const r = runCli(["sim", "--contacts", FIXTURE, "--days", "2", "--json", "--out", join(dir, "out")]);
    expect(r.stderr).not.toMatch(/bluezone:/);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(Object.keys(s).sort()).toEqual(
      [
        "scenario",
        "phones",
        "appUsers",
        "attackRate",
        "days",
        "seed",
        "closeContactPairDays",
        "groundTruthCloseContacts",
        "groundTruthF2Contacts",
        "f1Notified",
        "f2Notified",
        "f1TruePositives",
        "f1Precision",
        "f1Recall",
        "f2TruePositives",
        "f2Precision",
        "f2Recall",
        "traceableFraction",
        "notificationDelayDays",
        "infections",
        "infectionsWithoutApp",
        "infectionsAverted",
        "keysPublished",
        "batches",
        "sightingsLogged",
        "logBytes",
        "policyRocAuc",
        "detection",
        "epidemic",
        "clinical",
        "testing",
      ].sort(),
    );
    expect(s).toMatchObject({ scenario: "office", phones: 30, days: 2 });
    expect(s.sightingsLogged).toBeGreaterThan(0);
    expect(Object.keys(s.detection).sort()).toEqual(
      [
        "trueCloseContacts",
        "detected",
        "falseAlarms",
        "sensitivity",
        "precision",
        "bySetting",
        "byCarriage",
        "byDistance",
        "receiverDays",
        "appUserDays",
      ].sort(),
    );
  });

  it("reports the trace's close pairs and the detection block when the epidemic dies out, at --utc-offset", () => {
    // Two people close for 20 minutes at 23:50–00:10 UTC+7 (16:50 UTC) and for 16 minutes at 09:00.
    const trace = join(dir, "pair.txt");
    const t = Date.parse("2021-07-12T16:50:00Z") / 1000;
    writeFileSync(trace, `1 2 60 ${t}\n1 2 48 ${t + 36_600}\n`);
    const scenario = join(dir, "no-epidemic.json");
    const office = JSON.parse(readFileSync(join(ROOT, "sim/scenarios/office.json"), "utf8"));
    writeFileSync(
      scenario,
      JSON.stringify({ ...office, epidemic: { ...office.epidemic, initialInfected: 0 } }),
    );
    const run = (offset: string) =>
      runCli([
        "sim",
        "--contacts",
        trace,
        "--scenario",
        scenario,
        "--days",
        "2",
        "--utc-offset",
        offset,
        "--adoption",
        "1",
        "--out",
        join(dir, `pair-${offset}`),
      ]);
    // UTC+7: day 0 holds 10 min, day 1 holds 10 + 16 min → one close pair-day; in UTC, 20 min on day 0
    // and 16 on day 1 (16:50 UTC and 03:00 UTC the next day) → two.
    const local = run("7");
    expect(local.stderr).not.toMatch(/bluezone:/);
    expect(local.status).toBe(0);
    expect(local.stdout).toMatch(/^ {2}Infections with the app: 0 — /m);
    expect(local.stdout).toMatch(/true close pair-days \(everyone\): 1\n/);
    expect(local.stdout).toMatch(
      /detection \(ordered app-user pair-days\): 2 true close, \d detected, \d false alarms/,
    );
    const csv = readFileSync(join(dir, "pair-7", "detection.csv"), "utf8").split("\n");
    expect(csv[0]).toBe("breakdown,group,trueCloseContacts,detected,falseAlarms,sensitivity,precision");
    expect(csv[1]).toMatch(/^all,all,2,/);
    expect(run("0").stdout).toMatch(/true close pair-days \(everyone\): 2\n/);
    const bad = runCli(["sim", "--contacts", trace, "--utc-offset", "7.1"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^bluezone: --utc-offset must be hours east of UTC/);
  }, 240_000);

  // A missing file fails the same way (see the parser's tests for its message).
  it("fails with one clear line naming the file and line of a malformed record, or with --phones", () => {
    const bad = join(dir, "bad.txt");
    writeFileSync(bad, "% header\n1 2 1 1000\n1 2 one 1020\n");
    const malformed = runCli(["sim", "--contacts", bad, "--json"]);
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toBe(
      `bluezone: ${bad}: line 3: weight "one" is not an integer in 1…1576800 (20-second intervals)\n`,
    );
    const both = runCli(["sim", "--contacts", FIXTURE, "--phones", "40", "--json"]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--phones cannot be combined with --contacts/);
  });
});
