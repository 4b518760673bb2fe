/** `bluezone sim --contacts FILE`: replaying a contact trace from the command line. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
        "days",
        "seed",
        "groundTruthCloseContacts",
        "f1Notified",
        "f2Notified",
        "f1TruePositives",
        "f1Precision",
        "f1Recall",
        "traceableFraction",
        "notificationDelayDays",
        "infections",
        "infectionsWithoutApp",
        "infectionsAverted",
        "keysPublished",
        "batches",
        "sightingsLogged",
        "policyRocAuc",
      ].sort(),
    );
    expect(s).toMatchObject({ scenario: "office", phones: 30, days: 2 });
    expect(s.sightingsLogged).toBeGreaterThan(0);
  });

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
