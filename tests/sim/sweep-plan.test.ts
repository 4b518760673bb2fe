/**
 * A sweep's plan: run keys are stable for the same runs and version, and differ for another version
 * (so a rerun by another version does not take the earlier version's stored runs, or its queued jobs,
 * as its own).
 */
import { describe, expect, it } from "vitest";
import { parseGridAxis, planSweep } from "../../sim/sweep/sweep";
import { smallSweepBase as base } from "./report-fixture";
const axes = [parseGridAxis("adoption=0.2,0.6")];

describe("planSweep run keys", () => {
  it("are the same for the same runs and version, distinct between runs", () => {
    const a = planSweep(base("1.0.0"), axes, [1, 2]).runs.map((r) => r.key);
    const b = planSweep(base("1.0.0"), axes, [1, 2]).runs.map((r) => r.key);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(4);
  });

  it("ignore the scenario's description (free text) but not a field that changes the run", () => {
    const keys = (set: string[]) => planSweep({ ...base("1.0.0"), set }, axes, [1]).runs.map((r) => r.key);
    const plain = keys([]);
    expect(keys(["description=another wording"])).toEqual(plain);
    const changed = keys(["app.response.quarantineDays=7"]);
    for (const k of plain) expect(changed).not.toContain(k);
  });

  it("refuses an axis that the adoption axis overrides", () => {
    for (const path of ["app.adoption", "app.byAgeGroup.adult"])
      expect(() => planSweep(base("1.0.0"), [...axes, parseGridAxis(`${path}=0.1,0.9`)], [1])).toThrow(
        expect.objectContaining({
          code: "ERR_INVALID_ARGUMENT",
          message: expect.stringContaining(`adoption replaces ${path} at every grid point`),
        }),
      );
  });

  it("differ for every run when the version differs", () => {
    const a = planSweep(base("1.0.0"), axes, [1, 2]).runs.map((r) => r.key);
    const b = planSweep(base("1.0.1"), axes, [1, 2]).runs.map((r) => r.key);
    for (const k of a) expect(b).not.toContain(k);
  });

  it('refuses an adoption value that is not a number (".2" was a second run of 0.2)', () => {
    expect(() => parseGridAxis("adoption=0.2,.2")).toThrow('--grid adoption: ".2" is not a number');
  });

  it("checks every grid point as a run would before anything runs (index cases within the people)", () => {
    // hanoi-ward has 10 index cases: 100 people hold them; 5 people do not.
    const point = [parseGridAxis("epidemic.initialInfected=5,50")];
    expect(() => planSweep({ ...base("1.0.0"), phones: 20 }, point, [1])).toThrow(
      "the scenario's 50 index cases (epidemic.initialInfected) exceed the 20 people of the run: " +
        "lower epidemic.initialInfected (--set) or run more people (grid point epidemic.initialInfected=50)",
    );
  });

  it("refuses --set of a field its own option also sets (it was silently overridden)", () => {
    expect(() => planSweep({ ...base("1.0.0"), set: ["population=50"] }, axes, [1])).toThrow(
      "--set population=… and --phones both set it: give one of them",
    );
    expect(() => planSweep({ ...base("1.0.0"), set: ["days=3"] }, axes, [1])).toThrow(
      "--set days=… and --days both set it: give one of them",
    );
  });

  it("keeps the commas of an object or array value (a grid over app.carriage)", () => {
    const axis = parseGridAxis(
      'app.carriage={"hand":0.5,"pocket":0.5,"bag":0},{"hand":1,"pocket":0,"bag":0}',
    );
    expect(axis.values).toEqual(['{"hand":0.5,"pocket":0.5,"bag":0}', '{"hand":1,"pocket":0,"bag":0}']);
    expect(parseGridAxis('x=[1,2],[3],"a,b"').values).toEqual(["[1,2]", "[3]", '"a,b"']);
    const plan = planSweep(base("1.0.0"), [axis], [1]);
    expect(plan.runs.map((r) => r.run.scenario.app.carriage)).toEqual([
      { hand: 0.5, pocket: 0.5, bag: 0 },
      { hand: 1, pocket: 0, bag: 0 },
    ]);
  });

  it("refuses axes that would change nothing: what --no-interventions drops, app.adoption under per-age shares", () => {
    expect(() =>
      planSweep(
        { ...base("1.0.0"), noInterventions: true },
        [parseGridAxis("interventions[0].tracingRecall=0.3,0.9")],
        [1],
      ),
    ).toThrow("--grid interventions[0].tracingRecall: --no-interventions drops the interventions");
    expect(() =>
      planSweep(
        { ...base("1.0.0"), noInterventions: true },
        [parseGridAxis("app.response.quarantineDays=7,14")],
        [1],
      ),
    ).toThrow("--grid app.response.quarantineDays: --no-interventions drops");
    const everyGroup = 'app.byAgeGroup={"preschool":0.2,"school":0.2,"adult":0.2,"senior":0.2}';
    expect(() =>
      planSweep({ ...base("1.0.0"), set: [everyGroup] }, [parseGridAxis("app.adoption=0.2,0.9")], [1]),
    ).toThrow("--grid app.adoption: the scenario's app.byAgeGroup gives every age group its share");
  });
});
