/**
 * Fits the default contact policy on field data and writes src/proximity/default-policy.json.
 * `npx tsx scripts/fit-default-policy.ts [--write] [--json]` (without `--write` it only prints).
 *
 * Data: DP-3T experiment 05 (data/field/dp3t-exp05, CC BY-ND 4.0, read unmodified; five annotated
 * scenarios: lunch, train, office, queue, party — walls carries no ground truth) and pc-ng/rss_smartphone
 * (data/rssi, MIT) as a sixth set. exp05's 5-minute windows are formed six times: scan instances of 10, 60
 * and 300 s, from every packet or every 4th, so the chosen window summary must hold whether a window has
 * many short scans or one (GAEN scans every few minutes) and many packets or few; each variant weighs a
 * sixth of its scenario. Method:
 * scripts/lib/fit-field.ts (model choice by leave-one-set-out cross-validation over the summaries, then
 * threshold and logistic P(≤ 2 m) refitted on everything). docs/proximity-eval.md has the figures.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fieldWindows, loadFieldRows } from "./lib/field-data";
import { type FitWindow, selectAndFit } from "./lib/fit-field";
import { CARRIAGES, loadWindows } from "./lib/rss-data";

/** Scan-instance lengths exp05's windows are formed with, seconds. */
export const SCAN_VARIANTS = [10, 60, 300] as const;

/**
 * Packet rates exp05's windows are formed with: every packet, and every 4th (the app scanned 20 s of every
 * 60 s, more often than GAEN, so GAEN phones hear fewer packets per window; upstream README).
 */
export const KEEP_EVERY = [1, 4] as const;

/** Name of a variant. */
export const variantName = (scan: number, keep: number) => (keep === 1 ? `${scan}s` : `${scan}s 1/${keep}`);

/** pc-ng windows: 5 pseudo scans of 6 consecutive packets (as in the pc-ng evaluation). */
export const PCNG_SHAPE = { packetsPerInstance: 6, instancesPerWindow: 5 };

/** What src/proximity/default-policy.json holds. */
export interface DefaultPolicyParams {
  source: string;
  minWeight: number;
  window: { aggregate: "mean" | "quantile"; quantile: number };
  buckets: { immediate: number; near: number; medium: number };
  probability: { intercept: number; slope: number };
}

/** The fitting windows: exp05 (labelled, three scan variants) and pc-ng (one set). */
export async function fittingWindows(dataDir: string): Promise<FitWindow[]> {
  const rows = await loadFieldRows(resolve(dataDir, "field/dp3t-exp05"));
  const field = KEEP_EVERY.flatMap((keep) =>
    SCAN_VARIANTS.flatMap((scan) =>
      fieldWindows(rows, 300, scan, keep)
        .filter((w) => w.labelled)
        .map((w) => ({
          set: w.set,
          variant: variantName(scan, keep),
          close: w.close,
          instances: w.instances,
        })),
    ),
  );
  const pc = CARRIAGES.flatMap((c) => loadWindows(resolve(dataDir, "rssi"), c, PCNG_SHAPE)).map((w) => ({
    set: "pc-ng",
    close: w.close,
    instances: w.instances,
  }));
  return [...field, ...pc];
}

/** Runs the fit; `params` is what the default policy ships. */
export async function fitDefaultPolicy(dataDir: string) {
  const windows = await fittingWindows(dataDir);
  const result = selectAndFit(windows);
  const f = result.fit;
  const params: DefaultPolicyParams = {
    source:
      "scripts/fit-default-policy.ts: DP-3T exp05 (5 annotated scenarios; scans of 10/60/300 s, all or 1/4 of the packets) + pc-ng/rss_smartphone; window summary chosen by leave-one-set-out CV (best worst-variant (balanced accuracy + F1)/2), threshold and logistic refitted on all",
    minWeight: f.minWeight,
    window: f.window,
    buckets: { immediate: f.nearDb - 6, near: f.nearDb, medium: f.nearDb + 6 },
    probability: f.probability,
  };
  return { params, windows, ...result };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), "../..");
  const { params, candidates, folds } = await fitDefaultPolicy(resolve(root, "data"));
  if (process.argv.includes("--json")) console.log(JSON.stringify({ params, candidates }, null, 2));
  else {
    for (const c of candidates)
      console.log(
        `minWeight ${c.summary.minWeight}, ${c.summary.window.aggregate === "mean" ? "mean" : `q${c.summary.window.quantile}`}: worst-variant CV score ${c.score.toFixed(4)} (${c.variant}: balanced acc. ${c.balancedAccuracy.toFixed(3)}, mean F1 ${c.meanF1.toFixed(3)})`,
      );
    console.log(`fold thresholds: ${folds.map((f) => `${f.heldOut} ${f.fit.nearDb}`).join(", ")}`);
    console.log(JSON.stringify(params, null, 2));
  }
  if (process.argv.includes("--write")) {
    const out = resolve(root, "src/proximity/default-policy.json");
    writeFileSync(out, `${JSON.stringify(params, null, 2)}\n`);
    console.log(`wrote ${out}`);
  }
}
