// Confidence: the probability that the named cause is right, from features of the decision: how much
// evidence supports it and how strong its best piece is, how far it leads the next candidate, how much
// counts against it, and whether it lives where the failures start. A logistic model whose weights are
// fitted on labelled incidents (bench/lib/calibrate.ts; the weights below record where they came from).

/** Features the confidence is computed from; exported so calibration can refit the weights. */
export interface DecisionFeatures {
  /** Support minus evidence against, of the chosen candidate. */
  score: number;
  /** Its lead over the next candidate (negative scores count as none). */
  margin: number;
  /** Weight of its strongest piece of evidence. */
  strongest: number;
  /** Weight of the evidence against it. */
  against: number;
  /** How many pieces support it. */
  pieces: number;
  /** 1 when it names the service (or dependency) where the failures start, 0 when another, 0.5 when unknown. */
  locusAgrees: number;
  /** Share of the new failures or latency at that locus. */
  locusShare: number;
  /** 1 when the bundle has traces. */
  hasTraces: number;
}

export const FEATURE_KEYS: readonly (keyof DecisionFeatures)[] = ['score', 'margin', 'strongest', 'against', 'pieces', 'locusAgrees', 'locusShare', 'hasTraces'];

/**
 * Logistic weights: confidence = sigmoid(bias + w·features). Hand-set until fitted: stronger and more
 * separated evidence raises confidence, evidence against lowers it.
 */
export const CONFIDENCE_WEIGHTS: Record<'bias' | keyof DecisionFeatures, number> = {
  bias: -2.2,
  score: 0.7,
  margin: 0.9,
  strongest: 0.6,
  against: -0.6,
  pieces: 0.1,
  locusAgrees: 0.8,
  locusShare: 0.5,
  hasTraces: 0.2,
};

/** Never certain: the signals are samples and the model is simple. */
export const MAX_CONFIDENCE = 0.95;
export const MIN_CONFIDENCE = 0.02;

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function confidenceOf(f: DecisionFeatures, w: Record<'bias' | keyof DecisionFeatures, number> = CONFIDENCE_WEIGHTS): number {
  let z = w.bias;
  for (const k of FEATURE_KEYS) z += w[k] * f[k];
  const p = sigmoid(z);
  return Math.round(Math.min(MAX_CONFIDENCE, Math.max(MIN_CONFIDENCE, p)) * 1000) / 1000;
}
