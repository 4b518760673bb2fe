/** The sweep report's grid-point table says when a figure is undefined in some of a point's seeds. */
import { describe, expect, it } from "vitest";
import { renderSweepReport } from "../../sim/sweep/sweep-report";
import { parseGridAxis, planSweep, runRecord, sweepManifest } from "../../sim/sweep/sweep";
import { smallSweepBase, syntheticResult } from "./report-fixture";

describe("sweep report", () => {
  it("gives a figure defined in fewer seeds than the point has as 'k of N seeds'", () => {
    const plan = planSweep(smallSweepBase("0.0.0"), [parseGridAxis("adoption=0.2")], [1, 2, 3]);
    // F1 recall defined (0.5, 1) in two seeds, undefined (null: no true F1) in the third.
    const recalls = [0.5, 1, null];
    const records = plan.runs.map((run, i) =>
      runRecord(run, syntheticResult({ seed: run.seed, f1Recall: recalls[i] as number }), 1000),
    );
    const html = renderSweepReport(sweepManifest(plan, "0.0.0"), records);
    const row = html.match(/<tbody><tr>(.*?)<\/tr>/)![1]!;
    const cells = [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]);
    // adoption, seeds, infections, infections averted, F1 recall, F1 precision.
    expect(cells[0]).toBe("0.2");
    expect(cells[1]).toBe("3");
    // Mean 0.75 over the two seeds that define it; t interval of {0.5, 1} clipped to [0, 1].
    expect(cells[4]).toMatch(/^75\.0% \(0\.0% to 100\.0%; 2 of 3 seeds\)$/);
    // A figure every seed defines says nothing more.
    expect(cells[2]).not.toContain("seeds");
  });
});
