/**
 * Evaluates the contact policies on real data. `npm run eval:proximity [-- --json] [-- --data DIR]`
 * (DIR defaults to the repository's data/; it must hold field/dp3t-exp05/ and rssi/).
 *
 * Field data (DP-3T exp05, scripts/lib/field-data.ts): per 5-minute window of an ordered pair, and per
 * pair over a whole scenario (the F1 decision: ≥ 15 min within 2 m), the shipped default against
 * SwissCovid-style (typical attenuation ≤ 55 dB), Corona-Warn-App-style (≤ 63 dB) and "minimum attenuation
 * ≤ 50 dB" rules; the default's leave-one-scenario-out cross-validation (scripts/fit-default-policy.ts),
 * its Brier score and reliability curve. pc-ng/rss_smartphone (scripts/lib/rss-data.ts): per carriage.
 * Missing data → `bluezone: <reason>` on stderr, exit code 2.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { classify, rocAuc } from "../src/proximity/metrics";
import { type ContactPolicy, POLICIES } from "../src/proximity/policy";
import { decideDays, scoreWindow, windowAttenuation } from "../src/proximity/windows";
import { fitDefaultPolicy, KEEP_EVERY, PCNG_SHAPE, SCAN_VARIANTS, variantName } from "./fit-default-policy";
import { FieldDataError, type FieldWindow, fieldWindows, loadFieldRows } from "./lib/field-data";
import { brier, type FieldFit, reliability } from "./lib/fit-field";
import { CARRIAGES, type LabelledWindow, loadWindows } from "./lib/rss-data";

/** The "minimum attenuation ≤ 50 dB" rule: the window's strongest packet. */
export const MIN50: ContactPolicy = {
  ...POLICIES.swisscovid!,
  name: "min ≤ 50 dB",
  description: "Window minimum attenuation (strongest packet) ≤ 50 dB; 15 close minutes a day",
  buckets: { immediate: 50, near: 50, medium: 50 },
  weights: { immediate: 1, near: 1, medium: 0, other: 0 },
  minWeight: 1,
  window: { aggregate: "quantile", quantile: 0 },
  day: { measure: "close", minSeconds: 900 },
};

/** The policies compared: the shipped default and the three deployed-style rules (and "any sighting"). */
export const COMPARED: ContactPolicy[] = [
  POLICIES.default!,
  POLICIES.swisscovid!,
  POLICIES.cwa!,
  MIN50,
  POLICIES.bluezone!,
];

/** Precision, recall, F1, balanced accuracy (and ROC-AUC of −window attenuation where given). */
export interface Metrics {
  n: number;
  positives: number;
  precision: number;
  recall: number;
  f1: number;
  balancedAccuracy: number;
  rocAuc?: number;
}

function metrics(predicted: boolean[], truth: boolean[], score?: number[]): Metrics {
  const m = classify(predicted, truth);
  return {
    n: truth.length,
    positives: truth.filter(Boolean).length,
    precision: m.precision,
    recall: m.recall,
    f1: m.f1,
    balancedAccuracy: m.balancedAccuracy,
    ...(score ? { rocAuc: rocAuc(score, truth) } : {}),
  };
}

/** Per-window metrics of one policy on some labelled windows. */
export function windowMetrics(
  policy: ContactPolicy,
  windows: readonly { close: boolean; instances: FieldWindow["instances"] }[],
): Metrics {
  return metrics(
    windows.map((w) => scoreWindow(0, w.instances, policy).close),
    windows.map((w) => w.close),
    windows.map((w) => -windowAttenuation(w.instances, policy)!),
  );
}

/** The default policy with fitted parameters (a cross-validation fold's). */
export function policyOf(fit: FieldFit): ContactPolicy {
  return {
    ...POLICIES.default!,
    name: "default (CV)",
    minWeight: fit.minWeight,
    window: fit.window,
    buckets: { immediate: fit.nearDb - 6, near: fit.nearDb, medium: fit.nearDb + 6 },
    probability: fit.probability,
  };
}

/** One ordered pair over a whole scenario: its true and decided F1 status. */
export interface PairOutcome {
  set: string;
  pair: string;
  trueCloseSeconds: number;
  truth: boolean;
}

/**
 * Per pair over the whole scenario: truth = ≥ 15 min in scans whose median camera distance is ≤ 2 m;
 * decision = the policy's day rule over all the pair's windows (unlabelled ones too). Only pairs with at
 * least one annotated window are scored.
 */
export function pairDecisions(
  windows: readonly FieldWindow[],
  policyOfSet: (set: string) => ContactPolicy,
): { outcomes: PairOutcome[]; decided: boolean[] } {
  const pairs = new Map<string, FieldWindow[]>();
  for (const w of windows) {
    const k = `${w.set}/${w.pair}`;
    const l = pairs.get(k);
    if (l) l.push(w);
    else pairs.set(k, [w]);
  }
  const outcomes: PairOutcome[] = [];
  const decided: boolean[] = [];
  for (const ws of pairs.values()) {
    if (!ws.some((w) => w.labelled)) continue;
    const policy = policyOfSet(ws[0]!.set);
    const results = ws.map((w) => scoreWindow(w.start * 1000, w.instances, policy));
    const trueCloseSeconds = ws.reduce((s, w) => s + w.trueCloseSeconds, 0);
    outcomes.push({ set: ws[0]!.set, pair: ws[0]!.pair, trueCloseSeconds, truth: trueCloseSeconds >= 900 });
    decided.push(decideDays(results, policy).some((d) => d.f1));
  }
  return { outcomes, decided };
}

/** A missing data folder or file: reported as `bluezone: <reason>`. */
export class EvalDataError extends Error {}

/** Runs the whole evaluation on `dataDir` (holding field/dp3t-exp05/ and rssi/). */
export async function runEvaluation(dataDir: string) {
  const fieldDir = resolve(dataDir, "field/dp3t-exp05");
  const rssiDir = resolve(dataDir, "rssi");
  for (const [dir, what] of [
    [fieldDir, "DP-3T exp05 field data (scenarioNN-*.sqlite)"],
    [rssiDir, "pc-ng RSSI data (rss-XY.csv)"],
  ] as const)
    if (!existsSync(dir)) throw new EvalDataError(`${what} not found: ${dir}`);
  for (const c of CARRIAGES)
    if (!existsSync(resolve(rssiDir, `rss-${c}.csv`)))
      throw new EvalDataError(`pc-ng RSSI file not found: ${resolve(rssiDir, `rss-${c}.csv`)}`);

  const rows = await loadFieldRows(fieldDir);
  const all60 = fieldWindows(rows, 300, 60);
  const labelled = all60.filter((w) => w.labelled);
  const sets = [...new Set(labelled.map((w) => w.set))];

  // Per window, each policy as shipped (the default's parameters were fitted on these data: in-sample).
  const perWindow = [...sets, "all"].flatMap((set) => {
    const ws = set === "all" ? labelled : labelled.filter((w) => w.set === set);
    return COMPARED.map((p) => ({ set, policy: p.name, ...windowMetrics(p, ws) }));
  });

  // The default's fit with its leave-one-set-out cross-validation.
  const fit = await fitDefaultPolicy(dataDir);
  const foldOf = new Map(fit.folds.map((f) => [f.heldOut, f]));
  const cv = (variant: string) => {
    const pred: boolean[] = [];
    const truth: boolean[] = [];
    const prob: number[] = [];
    const perSet: Record<string, Metrics & { brier: number; nearDb: number }> = {};
    for (const f of fit.folds) {
      if (f.heldOut === "pc-ng") continue;
      const p: boolean[] = [];
      const y: boolean[] = [];
      const q: number[] = [];
      f.index.forEach((i, k) => {
        if (fit.windows[i]!.variant !== variant) return;
        p.push(f.predicted[k]!);
        y.push(f.truth[k]!);
        q.push(f.probability[k]!);
      });
      perSet[f.heldOut] = { ...metrics(p, y), brier: brier(q, y), nearDb: f.fit.nearDb };
      pred.push(...p);
      truth.push(...y);
      prob.push(...q);
    }
    const base = truth.filter(Boolean).length / truth.length;
    return {
      variant,
      perSet,
      pooled: metrics(pred, truth),
      brier: brier(prob, truth),
      brierBaseRate: brier(
        truth.map(() => base),
        truth,
      ),
      reliability: reliability(prob, truth),
    };
  };
  const variants = KEEP_EVERY.flatMap((keep) => SCAN_VARIANTS.map((scan) => ({ scan, keep })));
  const crossValidation = variants.map((v) => cv(variantName(v.scan, v.keep)));
  const pcFold = foldOf.get("pc-ng");

  // Deployed rules on each scan variant (no fitting: their thresholds are fixed).
  const byVariant = variants.map(({ scan, keep }) => {
    const ws =
      scan === 60 && keep === 1 ? labelled : fieldWindows(rows, 300, scan, keep).filter((w) => w.labelled);
    return {
      variant: variantName(scan, keep),
      rows: COMPARED.map((p) => ({ policy: p.name, ...windowMetrics(p, ws) })),
    };
  });

  // Per pair over the whole scenario (the F1 decision).
  const expected: ContactPolicy = {
    ...POLICIES.default!,
    name: "default, expected minutes",
    day: { measure: "expected", minSeconds: 900 },
  };
  const perPair = [
    ...COMPARED.map((p) => ({ policy: p.name, pick: () => p })),
    { policy: expected.name, pick: () => expected },
    { policy: "default (CV)", pick: (set: string) => policyOf(foldOf.get(set)!.fit) },
    {
      policy: "default (CV), expected minutes",
      pick: (set: string) => ({ ...policyOf(foldOf.get(set)!.fit), day: expected.day }),
    },
  ].map(({ policy, pick }) => {
    const { outcomes, decided } = pairDecisions(all60, pick);
    return {
      policy,
      ...metrics(
        decided,
        outcomes.map((o) => o.truth),
      ),
    };
  });

  // pc-ng per carriage.
  const pc = Object.fromEntries(CARRIAGES.map((c) => [c, loadWindows(rssiDir, c, PCNG_SHAPE)]));
  const pcAll: LabelledWindow[] = Object.values(pc).flat();
  const pcRows = [...CARRIAGES, "all"].flatMap((set) =>
    COMPARED.map((p) => ({ set, policy: p.name, ...windowMetrics(p, set === "all" ? pcAll : pc[set]!) })),
  );

  return {
    default: fit.params,
    candidates: fit.candidates,
    field: {
      windows: labelled.length,
      closeWindows: labelled.filter((w) => w.close).length,
      perWindow,
      byVariant,
      perPair,
      crossValidation,
    },
    pcng: {
      rows: pcRows,
      crossValidation: pcFold && {
        nearDb: pcFold.fit.nearDb,
        balancedAccuracy: pcFold.balancedAccuracy,
        f1: pcFold.f1,
        brier: pcFold.brier,
      },
    },
  };
}

const f3 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? "n/a" : x.toFixed(3));
const row = (label: string[], m: Metrics) =>
  `| ${label.join(" | ")} | ${m.n} (${m.positives}) | ${f3(m.precision)} | ${f3(m.recall)} | ${f3(m.f1)} | ${f3(m.balancedAccuracy)} |${m.rocAuc === undefined ? "" : ` ${f3(m.rocAuc)} |`}`;

/** The evaluation as Markdown (what docs/proximity-eval.md quotes). */
export function markdown(r: Awaited<ReturnType<typeof runEvaluation>>): string {
  const head = (cols: string[], last = "ROC-AUC") => [
    `| ${cols.join(" | ")} | n (≤ 2 m) | precision | recall | F1 | balanced acc. |${last ? ` ${last} |` : ""}`,
    `|${cols.map(() => "---|").join("")}---|---|---|---|---|${last ? "---|" : ""}`,
  ];
  const cv60 = r.field.crossValidation.find((c) => c.variant === "60s")!;
  return [
    `Default policy shipped: ${JSON.stringify({ minWeight: r.default.minWeight, window: r.default.window, buckets: r.default.buckets, probability: r.default.probability })}`,
    "",
    "### Field, per 5-minute window (60-s scans; the default in-sample)",
    "",
    ...head(["scenario", "policy"]),
    ...r.field.perWindow.map((m) => row([m.set, m.policy], m)),
    "",
    "### Field, per 5-minute window: the default cross-validated (leave one scenario out)",
    "",
    ...head(["variant", "held out", "fold threshold dB"], "Brier"),
    ...r.field.crossValidation.flatMap((c) => [
      ...Object.entries(c.perSet).map(
        ([set, m]) => `${row([c.variant, set, String(m.nearDb)], m)} ${f3(m.brier)} |`,
      ),
      `${row([c.variant, "**pooled**", ""], c.pooled)} ${f3(c.brier)} (base rate ${f3(c.brierBaseRate)}) |`,
    ]),
    ...(r.pcng.crossValidation
      ? [
          `| pc-ng | pc-ng | ${r.pcng.crossValidation.nearDb} | | | | ${f3(r.pcng.crossValidation.f1)} | ${f3(r.pcng.crossValidation.balancedAccuracy)} | ${f3(r.pcng.crossValidation.brier)} |`,
        ]
      : []),
    "",
    "### Field, per 5-minute window by scan length and packet rate (deployed rules; default in-sample)",
    "",
    ...head(["variant", "policy"]),
    ...r.field.byVariant.flatMap((v) => v.rows.map((m) => row([v.variant, m.policy], m))),
    "",
    "### Reliability of P(≤ 2 m), cross-validated, 60-s scans",
    "",
    "| predicted | windows | mean predicted | observed ≤ 2 m |",
    "|---|---|---|---|",
    ...cv60.reliability.map(
      (b) =>
        `| ${b.from.toFixed(1)}–${b.to.toFixed(1)} | ${b.n} | ${f3(b.meanPredicted)} | ${f3(b.observed)} |`,
    ),
    "",
    "### Field, per pair over the whole scenario (F1: ≥ 15 min within 2 m)",
    "",
    ...head(["policy"], ""),
    ...r.field.perPair.map((m) => row([m.policy], m)),
    "",
    "### Model choice (leave-one-set-out; per summary its worst variant's (balanced acc. + mean F1)/2)",
    "",
    "| minWeight | window | worst variant | CV score | balanced acc. | mean F1 | score per variant (10s / 60s / 300s / 10s 1/4 / 60s 1/4 / 300s 1/4) |",
    "|---|---|---|---|---|---|---|",
    ...r.candidates.map(
      (c) =>
        `| ${c.summary.minWeight} | ${c.summary.window.aggregate === "mean" ? "mean" : `q${c.summary.window.quantile}`} | ${c.variant} | ${c.score.toFixed(4)} | ${f3(c.balancedAccuracy)} | ${f3(c.meanF1)} | ${c.perVariant.map((v) => v.score.toFixed(3)).join(" / ")} |`,
    ),
    "",
    "### pc-ng/rss_smartphone, per window (30 consecutive packets)",
    "",
    ...head(["carriage", "policy"]),
    ...r.pcng.rows.map((m) => row([m.set, m.policy], m)),
  ].join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dataArg = args.indexOf("--data");
  const root = resolve(fileURLToPath(import.meta.url), "../..");
  const dataDir = dataArg >= 0 ? resolve(args[dataArg + 1] ?? "") : resolve(root, "data");
  try {
    const result = await runEvaluation(dataDir);
    console.log(args.includes("--json") ? JSON.stringify(result, null, 2) : markdown(result));
  } catch (e) {
    if (e instanceof EvalDataError || e instanceof FieldDataError) {
      console.error(`bluezone: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}
