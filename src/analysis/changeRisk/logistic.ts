// Small numeric pieces of the change-risk model: z-scoring, L2-regularised logistic regression
// fitted by Newton's method (IRLS), and ROC AUC with ties counted as half. Plain arrays, no
// dependencies: the feature count is a few dozen at most, so an exact Newton step is cheap.

export interface Standardizer {
  mean: number[];
  sd: number[];
}

/** Column means and population standard deviations (as sklearn's preprocessing.scale); a constant column gets sd 1. */
export function fitStandardizer(rows: readonly (readonly number[])[]): Standardizer {
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j];
  for (let j = 0; j < d; j++) mean[j] /= Math.max(1, rows.length);
  for (const r of rows) for (let j = 0; j < d; j++) sd[j] += (r[j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(sd[j] / Math.max(1, rows.length));
    sd[j] = s > 1e-12 ? s : 1;
  }
  return { mean, sd };
}

export function standardize(s: Standardizer, row: readonly number[]): number[] {
  return row.map((v, j) => (v - s.mean[j]) / s.sd[j]);
}

export interface LogisticFit {
  weights: number[];
  bias: number;
}

export interface LogisticOptions {
  /** L2 penalty on the weights (not the bias), as sum of squares times l2 / 2 added to the log-loss sum. */
  l2: number;
  /** Weight of each positive row relative to a negative one (class balancing); default 1. */
  positiveWeight?: number;
  maxIterations?: number;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Maximum penalised likelihood by Newton's method. With l2 > 0 the problem is strictly convex and
 * the Hessian positive definite, so the Cholesky solve below always succeeds.
 */
export function fitLogistic(x: readonly (readonly number[])[], y: readonly number[], opts: LogisticOptions): LogisticFit {
  const n = x.length;
  const d = x[0]?.length ?? 0;
  const p = d + 1; // last coordinate is the bias
  const beta = new Array<number>(p).fill(0);
  const wPos = opts.positiveWeight ?? 1;
  const l2 = Math.max(opts.l2, 1e-8);
  const maxIt = opts.maxIterations ?? 50;
  let previousLoss = Infinity;
  for (let it = 0; it < maxIt; it++) {
    const grad = new Array<number>(p).fill(0);
    const hess = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const row = x[i];
      let z = beta[d];
      for (let j = 0; j < d; j++) z += beta[j] * row[j];
      const mu = sigmoid(z);
      const w = y[i] > 0 ? wPos : 1;
      loss -= w * (y[i] > 0 ? Math.log(Math.max(mu, 1e-300)) : Math.log(Math.max(1 - mu, 1e-300)));
      const r = w * (mu - (y[i] > 0 ? 1 : 0));
      const h = w * mu * (1 - mu);
      for (let j = 0; j < d; j++) {
        grad[j] += r * row[j];
        const hj = h * row[j];
        for (let k = 0; k <= j; k++) hess[j][k] += hj * row[k];
        hess[d][j] += hj;
      }
      grad[d] += r;
      hess[d][d] += h;
    }
    for (let j = 0; j < d; j++) {
      grad[j] += l2 * beta[j];
      hess[j][j] += l2;
      loss += (l2 / 2) * beta[j] * beta[j];
    }
    hess[d][d] += 1e-9;
    for (let j = 0; j < p; j++) for (let k = j + 1; k < p; k++) hess[j][k] = hess[k][j];
    const step = choleskySolve(hess, grad);
    for (let j = 0; j < p; j++) beta[j] -= step[j];
    if (Math.abs(previousLoss - loss) < 1e-9 * Math.max(1, Math.abs(loss))) break;
    previousLoss = loss;
  }
  return { weights: beta.slice(0, d), bias: beta[d] };
}

export function predictLogistic(fit: LogisticFit, row: readonly number[]): number {
  let z = fit.bias;
  for (let j = 0; j < fit.weights.length; j++) z += fit.weights[j] * row[j];
  return sigmoid(z);
}

function choleskySolve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) l[i][i] = Math.sqrt(Math.max(s, 1e-12));
      else l[i][j] = s / l[j][j];
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * z[k];
    z[i] = s / l[i][i];
  }
  const out = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * out[k];
    out[i] = s / l[i][i];
  }
  return out;
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative,
 * ties counting half (the trapezoidal AUC of sklearn's roc_curve + auc). NaN without both classes.
 */
export function rocAuc(labels: readonly number[], scores: readonly number[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let neg = 0;
  for (const l of labels) if (l > 0) pos++; else neg++;
  if (!pos || !neg) return NaN;
  // Sum of the ranks of the positives, with tied scores sharing their mean rank.
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[idx[k]] > 0) rankSum += meanRank;
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
