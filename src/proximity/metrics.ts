/** Binary-classification metrics for evaluating contact policies against ground truth. */

/**
 * Counts and rates of a binary classifier against labels.
 * @public
 */
export interface ClassificationMetrics {
  /** True positives: predicted close, labelled close. */
  tp: number;
  /** False positives: predicted close, labelled not close. */
  fp: number;
  /** True negatives: predicted not close, labelled not close. */
  tn: number;
  /** False negatives: predicted not close, labelled close. */
  fn: number;
  /** tp / (tp + fp); 0 when nothing was predicted positive. */
  precision: number;
  /** tp / (tp + fn) (sensitivity). */
  recall: number;
  /** Harmonic mean of precision and recall. */
  f1: number;
  /** Mean of sensitivity and specificity. */
  balancedAccuracy: number;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/**
 * Metrics of predictions against labels (equal lengths).
 * @public
 */
export function classify(predicted: readonly boolean[], actual: readonly boolean[]): ClassificationMetrics {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  predicted.forEach((p, i) => {
    if (actual[i]) p ? tp++ : fn++;
    else p ? fp++ : tn++;
  });
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    tp,
    fp,
    tn,
    fn,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    balancedAccuracy: (recall + ratio(tn, tn + fp)) / 2,
  };
}

/**
 * Area under the ROC curve of a score (higher = more likely positive), ties counted half
 * (the Mann–Whitney statistic). NaN when one class is empty.
 * @public
 */
export function rocAuc(scores: readonly number[], actual: readonly boolean[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  let pos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (actual[idx[k]!]) {
        rankSumPos += rank;
        pos++;
      }
    }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
