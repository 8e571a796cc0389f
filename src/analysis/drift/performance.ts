// Performance per chunk. Realized, from labels: ROC AUC (ties count one half, which is what sklearn's
// trapezoidal roc_auc_score gives), accuracy, F1, precision, recall, MAE, MSE. Estimated, when labels
// are late: confidence-based performance estimation (NannyML's CBPE) from scores calibrated on the
// reference with isotonic regression; an estimate is always labelled as one by its caller.
import type { PerformanceMetric } from '../../core/modelMonitoring';

/** ROC AUC as the Mann–Whitney probability that a positive outscores a negative, ties counting 1/2. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i]) && (labels[i] === 0 || labels[i] === 1)) idx.push(i);
  idx.sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let s = 0; s < idx.length; ) {
    let e = s;
    while (e + 1 < idx.length && scores[idx[e + 1]] === scores[idx[s]]) e++;
    // Average rank (1-based) of the tied run s..e.
    const rank = (s + e) / 2 + 1;
    for (let k = s; k <= e; k++) {
      if (labels[idx[k]] === 1) {
        positives++;
        rankSum += rank;
      }
    }
    s = e + 1;
  }
  const negatives = idx.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function confusion(predicted: ArrayLike<number>, labels: ArrayLike<number>): { tp: number; fp: number; tn: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i];
    const y = labels[i];
    if ((p !== 0 && p !== 1) || (y !== 0 && y !== 1)) continue;
    if (p === 1 && y === 1) tp++;
    else if (p === 1) fp++;
    else if (y === 1) fn++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : Number.NaN;
}

/** A realized metric of one chunk; NaN when the chunk's labels cannot give it (one class only, no rows). */
export function realizedMetric(metric: PerformanceMetric, rows: { score?: ArrayLike<number>; label?: ArrayLike<number>; target: ArrayLike<number> }): number {
  const { score, label, target } = rows;
  switch (metric) {
    case 'roc_auc':
      return score ? rocAuc(score, target) : Number.NaN;
    case 'mae':
    case 'mse': {
      const out = score ?? label;
      if (!out) return Number.NaN;
      let sum = 0;
      let n = 0;
      for (let i = 0; i < target.length; i++) {
        if (!Number.isFinite(out[i]) || !Number.isFinite(target[i])) continue;
        const e = out[i] - target[i];
        sum += metric === 'mae' ? Math.abs(e) : e * e;
        n++;
      }
      return ratio(sum, n);
    }
    default: {
      if (!label) return Number.NaN;
      const c = confusion(label, target);
      if (metric === 'accuracy') return ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn);
      if (metric === 'precision') return ratio(c.tp, c.tp + c.fp);
      if (metric === 'recall') return ratio(c.tp, c.tp + c.fn);
      return ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn);
    }
  }
}

/**
 * Isotonic regression of labels on scores (pool adjacent violators), predicting by linear
 * interpolation between the fitted points and clipping outside them, as sklearn's
 * IsotonicRegression(out_of_bounds="clip"). Equal scores are pooled first.
 */
export class IsotonicCalibrator {
  private readonly xs: number[];
  private readonly ys: number[];

  constructor(scores: ArrayLike<number>, labels: ArrayLike<number>) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i]) && Number.isFinite(labels[i])) pairs.push([scores[i], labels[i]]);
    pairs.sort((a, b) => a[0] - b[0]);
    // Pool equal scores, then merge blocks until their means rise.
    const blocks: { x: number; sum: number; w: number }[] = [];
    for (const [x, y] of pairs) {
      const last = blocks[blocks.length - 1];
      if (last && last.x === x) {
        last.sum += y;
        last.w++;
      } else blocks.push({ x, sum: y, w: 1 });
    }
    const xsOfBlock = blocks.map((b) => b.x);
    const stack: { lo: number; hi: number; sum: number; w: number }[] = [];
    blocks.forEach((b, i) => {
      stack.push({ lo: i, hi: i, sum: b.sum, w: b.w });
      while (stack.length > 1 && stack[stack.length - 2].sum / stack[stack.length - 2].w >= stack[stack.length - 1].sum / stack[stack.length - 1].w) {
        const top = stack.pop()!;
        const below = stack[stack.length - 1];
        below.hi = top.hi;
        below.sum += top.sum;
        below.w += top.w;
      }
    });
    this.xs = [];
    this.ys = [];
    for (const s of stack) {
      for (let i = s.lo; i <= s.hi; i++) {
        this.xs.push(xsOfBlock[i]);
        this.ys.push(s.sum / s.w);
      }
    }
  }

  calibrate(score: number): number {
    const { xs, ys } = this;
    if (xs.length === 0 || !Number.isFinite(score)) return Number.NaN;
    if (score <= xs[0]) return ys[0];
    if (score >= xs[xs.length - 1]) return ys[ys.length - 1];
    let lo = 0;
    let hi = xs.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] <= score) lo = mid;
      else hi = mid;
    }
    return ys[lo] + ((ys[hi] - ys[lo]) * (score - xs[lo])) / (xs[hi] - xs[lo]);
  }
}

/**
 * CBPE's ROC AUC from calibrated probabilities alone: each row counts p as an expected positive and
 * 1 − p as an expected negative; the expected ROC curve over the sorted probabilities is integrated
 * with the trapezoid rule (NannyML's estimate_roc_auc).
 */
export function estimatedRocAuc(calibrated: ArrayLike<number>): number {
  const p = Array.from(calibrated).filter(Number.isFinite).sort((a, b) => b - a);
  let totalPos = 0;
  for (const x of p) totalPos += x;
  const totalNeg = p.length - totalPos;
  if (!(totalPos > 0) || !(totalNeg > 0)) return Number.NaN;
  let tp = 0;
  let fp = 0;
  let prevTpr = 0;
  let prevFpr = 0;
  let auc = 0;
  for (let i = 0; i < p.length; ) {
    let j = i;
    while (j < p.length && p[j] === p[i]) {
      tp += p[j];
      fp += 1 - p[j];
      j++;
    }
    const tpr = tp / totalPos;
    const fpr = fp / totalNeg;
    auc += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    prevTpr = tpr;
    prevFpr = fpr;
    i = j;
  }
  return auc;
}

/** An estimated metric of one chunk from calibrated probabilities and the model's decisions. */
export function estimatedMetric(metric: PerformanceMetric, calibrated: ArrayLike<number>, label?: ArrayLike<number>): number {
  if (metric === 'roc_auc') return estimatedRocAuc(calibrated);
  if (!label || metric === 'mae' || metric === 'mse') return Number.NaN;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < calibrated.length; i++) {
    const p = calibrated[i];
    if (!Number.isFinite(p) || (label[i] !== 0 && label[i] !== 1)) continue;
    if (label[i] === 1) {
      tp += p;
      fp += 1 - p;
    } else {
      fn += p;
      tn += 1 - p;
    }
  }
  if (metric === 'accuracy') return ratio(tp + tn, tp + tn + fp + fn);
  if (metric === 'precision') return ratio(tp, tp + fp);
  if (metric === 'recall') return ratio(tp, tp + fn);
  return ratio(2 * tp, 2 * tp + fp + fn);
}

/** Whether higher is better for the metric (thresholds guard the lower side then). */
export function higherIsBetter(metric: PerformanceMetric): boolean {
  return metric !== 'mae' && metric !== 'mse';
}
