// Corpus-level NAB: the threshold sweep of nab/optimizer.py (every distinct score over all files,
// best total wins), scoring at a fixed threshold (nab/scorer.py scoreCorpus) and the Null=0 /
// Perfect=100 normalisation of nab/runner.py normalize().
import {
  calcScoreByThreshold,
  calcSweepScore,
  pickThresholdRow,
  type AnomalyPoint,
  type CostMatrix,
  type ThresholdScore,
  type WindowLimits,
} from './sweeper';

/** One scored file: NAB's relative path (e.g. 'realKnownCause/nyc_taxi.csv'), rows and windows. */
export interface NabFileScores {
  name: string;
  timestamps: number[];
  anomalyScores: number[];
  windows: WindowLimits[];
}

export interface NabProfile {
  name: string;
  costMatrix: CostMatrix;
}

export const NAB_PROFILES: readonly NabProfile[] = [
  { name: 'standard', costMatrix: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.11, tnWeight: 1.0 } },
  { name: 'reward_low_FP_rate', costMatrix: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.22, tnWeight: 1.0 } },
  { name: 'reward_low_FN_rate', costMatrix: { tpWeight: 1.0, fnWeight: 2.0, fpWeight: 0.11, tnWeight: 1.0 } },
];

export interface FileScore {
  name: string;
  threshold: number;
  score: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  total: number;
}

/** The threshold maximising the corpus total (nab/optimizer.py optimizeThreshold with the sweeper). */
export function optimizeThreshold(
  files: readonly NabFileScores[],
  costMatrix: CostMatrix,
  probationPercent = 0.15,
): { threshold: number; score: number } {
  const all: AnomalyPoint[] = [];
  for (const f of files) {
    for (const p of calcSweepScore(f.timestamps, f.anomalyScores, f.windows, f.name, costMatrix, probationPercent)) all.push(p);
  }
  const rows = calcScoreByThreshold(all, costMatrix);
  // Python's sorted(..., reverse=True) is stable, so among equal scores the first (highest threshold) wins.
  let best: ThresholdScore = rows[0];
  for (const r of rows) if (r.score > best.score) best = r;
  return { threshold: best.threshold, score: best.score };
}

/** Per-file scores at one threshold (nab/scorer.py scoreCorpus), plus their total. */
export function scoreCorpus(
  files: readonly NabFileScores[],
  threshold: number,
  costMatrix: CostMatrix,
  probationPercent = 0.15,
): { files: FileScore[]; total: number } {
  const out: FileScore[] = [];
  let total = 0;
  for (const f of files) {
    const list = calcSweepScore(f.timestamps, f.anomalyScores, f.windows, f.name, costMatrix, probationPercent);
    const row = pickThresholdRow(calcScoreByThreshold(list, costMatrix), threshold)!;
    out.push({ name: f.name, threshold, score: row.score, tp: row.tp, tn: row.tn, fp: row.fp, fn: row.fn, total: f.timestamps.length });
    total += row.score;
  }
  return { files: out, total };
}

/**
 * The Null detector's corpus score: NAB runs a detector that says 0.5 everywhere and optimises its
 * threshold like any other, which in practice means "no detection": every window missed.
 */
export function nullBaseline(files: readonly NabFileScores[], costMatrix: CostMatrix, probationPercent = 0.15): number {
  const nullFiles = files.map((f) => ({ ...f, anomalyScores: f.anomalyScores.map(() => 0.5) }));
  return optimizeThreshold(nullFiles, costMatrix, probationPercent).score;
}

/** 100 * (raw - null) / (perfect - null), perfect = (number of labelled windows) * tpWeight. */
export function normalizeScore(raw: number, nullScore: number, windowCount: number, costMatrix: CostMatrix): number {
  const perfect = windowCount * costMatrix.tpWeight;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}

export interface ProfileResult {
  profile: string;
  threshold: number;
  raw: number;
  nullScore: number;
  perfect: number;
  normalized: number;
}

/** Optimise, score and normalise one detector's outputs for every profile, as NAB's runner does. */
export function evaluateDetector(
  files: readonly NabFileScores[],
  profiles: readonly NabProfile[] = NAB_PROFILES,
  probationPercent = 0.15,
): ProfileResult[] {
  const windowCount = files.reduce((n, f) => n + f.windows.length, 0);
  return profiles.map((p) => {
    const { threshold, score } = optimizeThreshold(files, p.costMatrix, probationPercent);
    const nullScore = nullBaseline(files, p.costMatrix, probationPercent);
    return {
      profile: p.name,
      threshold,
      raw: score,
      nullScore,
      perfect: windowCount * p.costMatrix.tpWeight,
      normalized: normalizeScore(score, nullScore, windowCount, p.costMatrix),
    };
  });
}
