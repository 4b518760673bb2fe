/**
 * Evaluates the contact policies on the pc-ng/rss_smartphone data (see scripts/lib/rss-data.ts for how
 * windows are formed): per data set and policy precision, recall, F1, balanced accuracy and ROC-AUC of
 * the window attenuation; single-reading ROC-AUC for reference; leave-one-carriage-out cross-validation
 * of the default policy's fit. `npm run eval:proximity [-- --json] [-- --data DIR]`.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { classify, rocAuc } from "../src/proximity/metrics";
import { type ContactPolicy, POLICIES, POLICY_NAMES } from "../src/proximity/policy";
import { scoreWindow, windowAttenuation } from "../src/proximity/windows";
import { crossValidate, fitParams } from "./lib/fit-policy";
import { CARRIAGES, type LabelledWindow, loadWindows, type WindowShape } from "./lib/rss-data";

/** Window shape used for the evaluation: 5 pseudo scans of 6 consecutive packets. */
export const EVAL_SHAPE: WindowShape = { packetsPerInstance: 6, instancesPerWindow: 5 };

/** One row of the result table. */
export interface EvalRow {
  set: string;
  policy: string;
  windows: number;
  positives: number;
  precision: number;
  recall: number;
  f1: number;
  balancedAccuracy: number;
  rocAuc: number;
}

/** Metrics of one policy on some windows. */
export function evaluatePolicy(
  set: string,
  policy: ContactPolicy,
  windows: readonly LabelledWindow[],
): EvalRow {
  const truth = windows.map((w) => w.close);
  const decided = windows.map((w) => scoreWindow(0, w.instances, policy).close);
  const m = classify(decided, truth);
  const score = windows.map((w) => -windowAttenuation(w.instances, policy)!);
  return {
    set,
    policy: policy.name,
    windows: windows.length,
    positives: truth.filter(Boolean).length,
    precision: m.precision,
    recall: m.recall,
    f1: m.f1,
    balancedAccuracy: m.balancedAccuracy,
    rocAuc: rocAuc(score, truth),
  };
}

const f3 = (x: number) => (Number.isNaN(x) ? "n/a" : x.toFixed(3));

function markdown(rows: EvalRow[], single: Record<string, number>, folds: ReturnType<typeof crossValidate>) {
  const out = [
    "| data set | policy | windows (≤ 2 m) | precision | recall | F1 | balanced acc. | ROC-AUC |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.set} | ${r.policy} | ${r.windows} (${r.positives}) | ${f3(r.precision)} | ${f3(r.recall)} | ${f3(r.f1)} | ${f3(r.balancedAccuracy)} | ${f3(r.rocAuc)} |`,
    ),
    "",
    "Single-reading ROC-AUC (one packet's attenuation as the score):",
    "",
    `| ${Object.keys(single).join(" | ")} |`,
    `|${Object.keys(single)
      .map(() => "---|")
      .join("")}`,
    `| ${Object.values(single).map(f3).join(" | ")} |`,
    "",
    "Leave-one-carriage-out cross-validation of the default policy's fit (fit on five, test on the sixth):",
    "",
    "| held out | fitted (minWeight, window, ≤ 2 m dB) | precision | recall | F1 | balanced acc. | ROC-AUC |",
    "|---|---|---|---|---|---|---|",
    ...folds.map(
      (f) =>
        `| ${f.heldOut} | ${f.params.minWeight}, ${f.params.window.aggregate === "mean" ? "mean" : `q${f.params.window.quantile}`}, ${f.params.nearDb} | ${f3(f.precision)} | ${f3(f.recall)} | ${f3(f.f1)} | ${f3(f.balancedAccuracy)} | ${f3(f.rocAuc)} |`,
    ),
  ];
  const mean = (k: "f1" | "balancedAccuracy" | "rocAuc") =>
    folds.reduce((s, f) => s + f[k], 0) / folds.length;
  out.push(`| mean | | | | ${f3(mean("f1"))} | ${f3(mean("balancedAccuracy"))} | ${f3(mean("rocAuc"))} |`);
  return out.join("\n");
}

/** Runs the whole evaluation. */
export function runEvaluation(dataDir: string) {
  const bySet = Object.fromEntries(CARRIAGES.map((s) => [s, loadWindows(dataDir, s, EVAL_SHAPE)]));
  const all = Object.values(bySet).flat();
  const rows: EvalRow[] = [];
  for (const set of [...CARRIAGES, "all"]) {
    const ws = set === "all" ? all : bySet[set]!;
    for (const name of POLICY_NAMES) rows.push(evaluatePolicy(set, POLICIES[name]!, ws));
  }
  const single: Record<string, number> = {};
  const singles = CARRIAGES.map((set) =>
    loadWindows(dataDir, set, { packetsPerInstance: 1, instancesPerWindow: 1 }),
  );
  for (const [i, set] of [...CARRIAGES, "all"].entries()) {
    const ws = singles[i] ?? singles.flat();
    single[set] = rocAuc(
      ws.map((w) => -w.instances[0]!.typicalAttenuation),
      ws.map((w) => w.close),
    );
  }
  const folds = crossValidate(POLICIES.default!, all);
  const { score, ...fit } = fitParams(POLICIES.default!, all);
  return {
    shape: EVAL_SHAPE,
    rows,
    singleReadingRocAuc: single,
    crossValidation: folds,
    fitAll: { ...fit, score },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dataArg = args.indexOf("--data");
  const root = resolve(fileURLToPath(import.meta.url), "../..");
  const dataDir = dataArg >= 0 ? resolve(args[dataArg + 1]!) : resolve(root, "data/rssi");
  const result = runEvaluation(dataDir);
  if (args.includes("--json")) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(markdown(result.rows, result.singleReadingRocAuc, result.crossValidation));
    console.log(`\nFit on all six sets: ${JSON.stringify(result.fitAll)}`);
  }
}
