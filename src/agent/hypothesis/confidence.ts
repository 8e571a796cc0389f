// Confidence: a calibrated probability that the named cause is right, from a few features of the
// decision (how strong the signal behind the cause kind is, how well the named commit explains it, how
// much of the implicated signal the named service carries).

/** Features the confidence is computed from; exported so calibration can refit the weights. */
export interface DecisionFeatures {
  /** 0..1 strength of the signal behind the chosen cause kind. */
  kindStrength: number;
  /** Top suspect's score, 0 when no commit is named. */
  commitScore: number;
  /** Top suspect's lead over the second, 0 when no commit is named. */
  commitMargin: number;
  /** 1 when the decision names a commit. */
  namesCommit: number;
  /** How much of the implicated signal the named service carries, 0..1. */
  serviceShare: number;
}

/**
 * Logistic weights: confidence = sigmoid(bias + w·features). The slopes are set by hand (stronger
 * evidence, higher confidence); the bias is fitted by `npx tsx bench/lib/calibrate.ts --suites 5
 * --per-kind 8 --shifted` on generated suites with seeds 900..904 (307 decisions, 306 right), never the
 * benchmark's seeds, so that the mean stated confidence equals the share of right decisions there.
 */
export const CONFIDENCE_WEIGHTS = { bias: 1.0, kindStrength: 3.0, commitScore: 2.0, commitMargin: 3.0, namesCommit: 0.5, serviceShare: 1.5 };

/** Never certain: the signals are samples and the model is simple. */
export const MAX_CONFIDENCE = 0.995;

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function confidenceOf(f: DecisionFeatures): number {
  const w = CONFIDENCE_WEIGHTS;
  const p = sigmoid(w.bias + w.kindStrength * f.kindStrength + w.commitScore * f.commitScore + w.commitMargin * f.commitMargin + w.namesCommit * f.namesCommit + w.serviceShare * f.serviceShare);
  return Math.round(Math.min(MAX_CONFIDENCE, p) * 1000) / 1000;
}
