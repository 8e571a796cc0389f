// Cross-validated NAB scores: for each held-out fold, the detector setting and the threshold are chosen
// on the other folds exactly as NAB chooses a threshold (best corpus total), and only the held-out files
// are scored with them. The held-out per-file raw scores of all folds are then summed and normalised
// once, as nab/runner.py normalize() does for a whole corpus, so the figure reads like a NAB score that
// no file helped to tune.
import { calcScoreByThreshold, calcSweepScore, pickThresholdRow, type AnomalyPoint, type ThresholdScore } from './sweeper';
import { normalizeScore, nullBaseline, type NabFileScores, type NabProfile } from './corpus';

/** One detector setting's outputs on every file of the corpus. */
export interface CandidateRun {
  /** What the setting is, for the report (e.g. 'refractory=100 minFeature=1.6'). */
  setting: string;
  files: readonly NabFileScores[];
}

export interface Fold {
  name: string;
  /** Names (NAB relative paths) of the files scored in this fold and not used to choose anything. */
  heldOut: readonly string[];
}

export interface FoldOutcome {
  fold: string;
  setting: string;
  threshold: number;
  /** Normalised NAB score of the chosen setting on the training files (in-sample for this fold). */
  trainNormalized: number;
  /** Sum of the held-out files' raw scores at the chosen setting and threshold. */
  heldOutRaw: number;
  heldOutFiles: number;
}

export interface CrossValidatedScore {
  profile: string;
  /** Normalised score of all held-out raw scores together (Null 0, Perfect 100 over the whole corpus). */
  normalized: number;
  raw: number;
  nullScore: number;
  perfect: number;
  folds: FoldOutcome[];
}

/** Leave one family out: a fold per NAB data folder ('realKnownCause/...' -> 'realKnownCause'). */
export function familyFolds(fileNames: readonly string[]): Fold[] {
  const byFamily = new Map<string, string[]>();
  for (const name of fileNames) {
    const family = name.includes('/') ? name.slice(0, name.indexOf('/')) : name;
    const list = byFamily.get(family) ?? [];
    list.push(name);
    byFamily.set(family, list);
  }
  return [...byFamily.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, heldOut]) => ({ name, heldOut }));
}

/**
 * k folds over the files: sorted by name and dealt round-robin, so every fold holds files of every
 * family in about the corpus' proportions and the assignment is reproducible.
 */
export function roundRobinFolds(fileNames: readonly string[], k: number): Fold[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`k-fold needs an integer k >= 2, got ${k}`);
  const sorted = [...fileNames].sort();
  if (k > sorted.length) throw new Error(`k-fold with k = ${k} needs at least ${k} files, got ${sorted.length}`);
  const folds: Fold[] = Array.from({ length: k }, (_, i) => ({ name: `fold ${i + 1}/${k}`, heldOut: [] as string[] }));
  sorted.forEach((name, i) => (folds[i % k].heldOut as string[]).push(name));
  return folds;
}

/** Per-file sweep rows of every candidate for one profile, computed once and shared by all folds. */
class SweepCache {
  private readonly rows = new Map<string, AnomalyPoint[]>();
  constructor(private readonly profile: NabProfile, private readonly probationPercent: number) {}
  get(candidate: number, file: NabFileScores): AnomalyPoint[] {
    const key = `${candidate}\u0000${file.name}`;
    let list = this.rows.get(key);
    if (!list) {
      list = calcSweepScore(file.timestamps, file.anomalyScores, file.windows, file.name, this.profile.costMatrix, this.probationPercent);
      this.rows.set(key, list);
    }
    return list;
  }
}

function bestRow(rows: readonly ThresholdScore[]): ThresholdScore {
  // As nab/optimizer.py: among equal totals the first (highest threshold) wins.
  let best = rows[0];
  for (const r of rows) if (r.score > best.score) best = r;
  return best;
}

/**
 * Cross-validates a choice among detector settings for one profile. Every candidate must cover the
 * same files; every file must be held out by exactly one fold.
 */
export function crossValidate(
  candidates: readonly CandidateRun[],
  folds: readonly Fold[],
  profile: NabProfile,
  probationPercent = 0.15,
): CrossValidatedScore {
  if (candidates.length === 0) throw new Error('cross-validation needs at least one candidate setting');
  const names = candidates[0].files.map((f) => f.name);
  for (const c of candidates) {
    if (c.files.length !== names.length || c.files.some((f, i) => f.name !== names[i])) {
      throw new Error(`candidate ${JSON.stringify(c.setting)} does not cover the same files as ${JSON.stringify(candidates[0].setting)}`);
    }
  }
  const heldOutCount = new Map<string, number>();
  for (const fold of folds) for (const name of fold.heldOut) heldOutCount.set(name, (heldOutCount.get(name) ?? 0) + 1);
  for (const name of names) {
    if (heldOutCount.get(name) !== 1) throw new Error(`${name} is held out by ${heldOutCount.get(name) ?? 0} folds; each file needs exactly one`);
  }
  for (const name of heldOutCount.keys()) if (!names.includes(name)) throw new Error(`fold holds out ${name}, which no candidate scored`);

  const cache = new SweepCache(profile, probationPercent);
  const outcomes: FoldOutcome[] = [];
  let raw = 0;
  for (const fold of folds) {
    const held = new Set(fold.heldOut);
    const trainIdx = names.map((n, i) => (held.has(n) ? -1 : i)).filter((i) => i >= 0);
    const trainWindows = trainIdx.reduce((n, i) => n + candidates[0].files[i].windows.length, 0);
    const trainNull = nullBaseline(trainIdx.map((i) => candidates[0].files[i]), profile.costMatrix, probationPercent);
    let chosen = { candidate: 0, threshold: 1.1, score: -Infinity };
    candidates.forEach((c, ci) => {
      const points: AnomalyPoint[] = [];
      for (const i of trainIdx) for (const p of cache.get(ci, c.files[i])) points.push(p);
      const best = bestRow(calcScoreByThreshold(points, profile.costMatrix));
      // Strictly better only: among equal training scores the earlier (listed first) setting stays.
      if (best.score > chosen.score) chosen = { candidate: ci, threshold: best.threshold, score: best.score };
    });
    let heldOutRaw = 0;
    for (const name of fold.heldOut) {
      const file = candidates[chosen.candidate].files[names.indexOf(name)];
      const rows = calcScoreByThreshold(cache.get(chosen.candidate, file), profile.costMatrix);
      heldOutRaw += pickThresholdRow(rows, chosen.threshold)!.score;
    }
    raw += heldOutRaw;
    outcomes.push({
      fold: fold.name,
      setting: candidates[chosen.candidate].setting,
      threshold: chosen.threshold,
      trainNormalized: normalizeScore(chosen.score, trainNull, trainWindows, profile.costMatrix),
      heldOutRaw,
      heldOutFiles: fold.heldOut.length,
    });
  }
  const allFiles = candidates[0].files;
  const windowCount = allFiles.reduce((n, f) => n + f.windows.length, 0);
  const nullScore = nullBaseline(allFiles, profile.costMatrix, probationPercent);
  return {
    profile: profile.name,
    normalized: normalizeScore(raw, nullScore, windowCount, profile.costMatrix),
    raw,
    nullScore,
    perfect: windowCount * profile.costMatrix.tpWeight,
    folds: outcomes,
  };
}
