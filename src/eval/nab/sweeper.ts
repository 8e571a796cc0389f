// A port of NAB's scoring sweep (numenta/NAB nab/sweeper.py, NAB v1.1). The arithmetic follows the
// Python line by line, because the published per-file scores are only reproducible that way
// (e.g. the `+ 1` in a window's sigmoid position, FPs weighted by the *previous* window's width).

/** NAB cost matrix of one application profile (config/profiles.json). */
export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
  tnWeight?: number;
}

/** Inclusive window limits, as epoch milliseconds of the first and last labelled timestamp. */
export type WindowLimits = readonly [number, number];

/** One scorable row: its anomaly score, its weighted NAB score if it were a detection, and its window. */
export interface AnomalyPoint {
  timestamp: number;
  anomalyScore: number;
  sweepScore: number;
  /** Unique window key, `null` outside any window, 'probationary' in the probation period. */
  windowName: string | null;
}

export interface ThresholdScore {
  threshold: number;
  score: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  total: number;
}

export const PROBATIONARY_NAME = 'probationary';

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** -1 at the far left of a window gives 0.98661, 0 (right edge) gives 0, beyond 3 is a flat -1. */
export function scaledSigmoid(relativePositionInWindow: number): number {
  if (relativePositionInWindow > 3.0) return -1.0;
  return 2 * sigmoid(-5 * relativePositionInWindow) - 1.0;
}

/** NAB: min(floor(p * rows), p * 5000), so long files never have more than 750 probation rows. */
export function probationaryLength(numRows: number, probationPercent = 0.15): number {
  return Math.min(Math.floor(probationPercent * numRows), probationPercent * 5000);
}

/**
 * Per-row sweep scores of one file (Sweeper.calcSweepScore). A window is entered only on a row whose
 * timestamp equals its start, exactly as NAB does; its width counts rows, not time.
 */
export function calcSweepScore(
  timestamps: readonly number[],
  anomalyScores: readonly number[],
  windowLimits: readonly WindowLimits[],
  dataSetName: string,
  costMatrix: CostMatrix,
  probationPercent = 0.15,
): AnomalyPoint[] {
  if (timestamps.length !== anomalyScores.length) {
    throw new Error(`timestamps (${timestamps.length}) and anomalyScores (${anomalyScores.length}) differ in length`);
  }
  const indexOfTime = new Map<number, number>();
  timestamps.forEach((t, i) => {
    if (!indexOfTime.has(t)) indexOfTime.set(t, i); // list.index() returns the first match
  });
  const pending = [...windowLimits];
  const out: AnomalyPoint[] = [];
  const maxTP = scaledSigmoid(-1.0);
  const probation = probationaryLength(timestamps.length, probationPercent);

  let cur: WindowLimits | undefined;
  let curName: string | null = null;
  let curWidth = 0;
  let curRight = 0;
  let prevWidth: number | undefined;
  let prevRight: number | undefined;

  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i];
    if (pending.length > 0 && t === pending[0][0]) {
      cur = pending.shift()!;
      curName = `${dataSetName}|${cur[0]}`;
      const right = indexOfTime.get(cur[1]);
      if (right === undefined) throw new Error(`${dataSetName}: window end ${new Date(cur[1]).toISOString()} is not a row timestamp`);
      curRight = right;
      curWidth = curRight - indexOfTime.get(cur[0])! + 1;
    }
    let weighted: number;
    if (cur !== undefined) {
      const positionInWindow = -(curRight - i + 1) / curWidth;
      weighted = (scaledSigmoid(positionInWindow) * costMatrix.tpWeight) / maxTP;
    } else {
      const unweighted = prevRight === undefined ? -1.0 : scaledSigmoid(Math.abs(prevRight - i) / (prevWidth! - 1));
      weighted = unweighted * costMatrix.fpWeight;
    }
    out.push({ timestamp: t, anomalyScore: anomalyScores[i], sweepScore: weighted, windowName: i >= probation ? curName : PROBATIONARY_NAME });
    if (cur !== undefined && t === cur[1]) {
      prevRight = i;
      prevWidth = curWidth;
      cur = undefined;
      curName = null;
    }
  }
  return out;
}

/**
 * NAB score at every distinct threshold (Sweeper.calcScoreByThreshold), highest threshold first.
 * The row for threshold T counts every point with anomalyScore >= T as a detection; the first row
 * (threshold 1.1) has no detection. Only the best (earliest) detection of a window counts, which is
 * the max of its sweep scores because the sigmoid falls monotonically through the window.
 */
export function calcScoreByThreshold(anomalyList: readonly AnomalyPoint[], costMatrix: CostMatrix): ThresholdScore[] {
  const scorable = anomalyList.filter((p) => p.windowName !== PROBATIONARY_NAME);
  // Stable sort, descending, as Python's sorted(reverse=True) keeps ties in input order.
  scorable.sort((a, b) => b.anomalyScore - a.anomalyScore);
  const windowPart = new Map<string, number>();
  for (const p of scorable) if (p.windowName !== null) windowPart.set(p.windowName, -costMatrix.fnWeight);
  let fpPart = 0;
  const total = (): number => {
    let s = fpPart;
    for (const v of windowPart.values()) s += v;
    return s;
  };
  let tn = 0;
  let fn = 0;
  for (const p of scorable) {
    if (p.windowName === null) tn++;
    else fn++;
  }
  let tp = 0;
  let fp = 0;
  let windowSum = -costMatrix.fnWeight * windowPart.size;
  const rows: ThresholdScore[] = [];
  let curThreshold = 1.1;
  for (const p of scorable) {
    if (p.anomalyScore !== curThreshold) {
      rows.push({ threshold: curThreshold, score: fpPart + windowSum, tp, tn, fp, fn, total: tp + tn + fp + fn });
      curThreshold = p.anomalyScore;
    }
    if (p.windowName !== null) {
      tp++;
      fn--;
      const old = windowPart.get(p.windowName)!;
      if (p.sweepScore > old) {
        windowPart.set(p.windowName, p.sweepScore);
        windowSum += p.sweepScore - old;
      }
    } else {
      fp++;
      tn--;
      fpPart += p.sweepScore;
    }
  }
  rows.push({ threshold: curThreshold, score: total(), tp, tn, fp, fn, total: tp + tn + fp + fn });
  // The running window sum replaces NAB's sum(scoreParts.values()) per row (O(windows) each); the
  // two differ only by float rounding (~1e-12).
  return rows;
}

/**
 * Score one file at a given threshold (Sweeper.scoreDataSet): the row whose threshold equals it, else
 * the lowest threshold above it. Returns the per-row sweep scores and that row.
 */
export function scoreDataSet(
  timestamps: readonly number[],
  anomalyScores: readonly number[],
  windowLimits: readonly WindowLimits[],
  dataSetName: string,
  threshold: number,
  costMatrix: CostMatrix,
  probationPercent = 0.15,
): { sweepScores: number[]; row: ThresholdScore | undefined } {
  const list = calcSweepScore(timestamps, anomalyScores, windowLimits, dataSetName, costMatrix, probationPercent);
  const rows = calcScoreByThreshold(list, costMatrix);
  return { sweepScores: list.map((p) => p.sweepScore), row: pickThresholdRow(rows, threshold) };
}

/** NAB's matching: exact threshold, else the previous (next higher) row once we pass below it. */
export function pickThresholdRow(rows: readonly ThresholdScore[], threshold: number): ThresholdScore | undefined {
  let prev: ThresholdScore | undefined;
  for (const r of rows) {
    if (r.threshold === threshold) return r;
    // NAB returns None when no row lies above; that only happens for a threshold over 1.1, where
    // the first row (no detection) is the right answer.
    if (r.threshold < threshold) return prev ?? r;
    prev = r;
  }
  // NAB returns None here too (threshold below every score): every point is then a detection.
  return rows[rows.length - 1];
}
