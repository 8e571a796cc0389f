// The change-risk model, one module for the product and the benchmark. Features are the Kamei
// metrics, log-transformed (they are heavy-tailed counts) with Kamei's normalised churn optionally
// added; the model blends, in log-odds, an L2 logistic regression and small gradient-boosted trees.
// Which blend, which regularisation and which trees is chosen by time-ordered validation inside the
// training rows only (chooseDesign); the benchmark scores the held-out rows once, afterwards.
// The published LApredict baseline (logistic regression on `la` alone) lives here too.
import { changeMetricNames, type ChangeMetricName, type ChangeMetrics } from './metrics';
import { fitLogistic, fitStandardizer, predictLogistic, rocAuc, sigmoid, standardize, type LogisticFit, type Standardizer } from './logistic';
import { boostedContributions, boostedLogOdds, fitBoostedTrees, type BoostedTrees, type BoostingOptions } from './boostedTrees';

/** The tree ensembles the selection may blend in, declared before any selection ran. */
export const treeVariants: Readonly<Record<'shallow' | 'deep', BoostingOptions>> = {
  shallow: { rounds: 200, depth: 3, learningRate: 0.05, minLeaf: 50, subsample: 1, seed: 7 },
  deep: { rounds: 150, depth: 4, learningRate: 0.05, minLeaf: 100, subsample: 0.7, seed: 7 },
};
export type TreeVariant = keyof typeof treeVariants;

/** One candidate design. */
export interface ModelDesign {
  /** Add Kamei's normalised churn: la / lt, ld / lt and lt / nf. */
  relativeChurn: boolean;
  /** L2 penalty of the logistic regression (on z-scored features). */
  l2: number;
  /** The tree ensemble blended in; unused when treeWeight is 0. */
  trees: TreeVariant;
  /** Share of the trees in the blended log-odds: 0 = logistic regression only, 1 = trees only. */
  treeWeight: number;
}

// Metrics that are not counts are kept as they are: entropy is already a logarithm, fix is 0/1.
const NOT_COUNTS: ReadonlySet<ChangeMetricName> = new Set(['entropy', 'fix']);

export function featureNames(relativeChurn: boolean): string[] {
  const base = changeMetricNames.map((m) => (NOT_COUNTS.has(m) ? m : `log(1+${m})`));
  return relativeChurn ? [...base, 'log(1+la/lt)', 'log(1+ld/lt)', 'log(1+lt/nf)'] : base;
}

export function featureRow(relativeChurn: boolean, m: ChangeMetrics): number[] {
  const t = (v: number): number => Math.log1p(Math.max(0, v));
  const row = changeMetricNames.map((k) => (NOT_COUNTS.has(k) ? m[k] : t(m[k])));
  if (relativeChurn) {
    const lt = Math.max(1, m.lt);
    row.push(t(m.la / lt), t(m.ld / lt), t(m.lt / Math.max(1, m.nf)));
  }
  return row;
}

/** A fitted model: plain data, so the product can ship one as constants and the CLI can print it. */
export interface ChangeRiskModel {
  design: ModelDesign;
  features: string[];
  standardizer: Standardizer;
  logistic: LogisticFit;
  /** Absent when the design gives the trees no weight. */
  trees?: BoostedTrees;
  /** Rows it was fitted on and how many of them were defect-inducing. */
  trainedOn: { rows: number; positives: number };
  /** Where it came from, said to the user: "this repository's 812 commits" or the public data set. */
  provenance: string;
}

export function fitChangeRiskModel(metrics: readonly ChangeMetrics[], labels: readonly number[], design: ModelDesign, provenance: string): ChangeRiskModel {
  if (metrics.length !== labels.length) throw new Error('fitChangeRiskModel: one label per row');
  const raw = metrics.map((m) => featureRow(design.relativeChurn, m));
  const standardizer = fitStandardizer(raw);
  const logistic = fitLogistic(raw.map((r) => standardize(standardizer, r)), labels, { l2: design.l2 });
  // Trees see the log features unscaled: their splits do not care about scale.
  const trees = design.treeWeight > 0 ? fitBoostedTrees(raw, labels, treeVariants[design.trees]) : undefined;
  const positives = labels.filter((l) => l > 0).length;
  return { design, features: featureNames(design.relativeChurn), standardizer, logistic, ...(trees ? { trees } : {}), trainedOn: { rows: metrics.length, positives }, provenance };
}

function logOdds(p: number): number {
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  return Math.log(q / (1 - q));
}

/** Blended log-odds that the change introduces a defect. */
export function changeLogOdds(model: ChangeRiskModel, m: ChangeMetrics): number {
  const raw = featureRow(model.design.relativeChurn, m);
  const lr = logOdds(predictLogistic(model.logistic, standardize(model.standardizer, raw)));
  const w = model.trees ? model.design.treeWeight : 0;
  return w > 0 && model.trees ? w * boostedLogOdds(model.trees, raw) + (1 - w) * lr : lr;
}

/** Probability that the change introduces a defect, by the model (the blend of two calibrated log-odds). */
export function scoreChange(model: ChangeRiskModel, m: ChangeMetrics): number {
  return sigmoid(changeLogOdds(model, m));
}

export interface FeatureContribution {
  feature: string;
  /** The feature's value as the model saw it (after the log transform). */
  value: number;
  /** Its share of the blended log-odds; positive raises the risk. */
  contribution: number;
}

/**
 * Each feature's share of the log-odds, largest first: weight times z-score for the regression,
 * path contributions for the trees, blended with the design's weights. They sum, with the bias, to
 * changeLogOdds.
 */
export function explainScore(model: ChangeRiskModel, m: ChangeMetrics): { bias: number; contributions: FeatureContribution[] } {
  const raw = featureRow(model.design.relativeChurn, m);
  const z = standardize(model.standardizer, raw);
  const w = model.trees ? model.design.treeWeight : 0;
  const treePart = w > 0 && model.trees ? boostedContributions(model.trees, raw, raw.length) : { bias: 0, contributions: raw.map(() => 0) };
  const bias = (1 - w) * model.logistic.bias + w * treePart.bias;
  const contributions = model.features
    .map((feature, j) => ({ feature, value: raw[j], contribution: (1 - w) * model.logistic.weights[j] * z[j] + w * treePart.contributions[j] }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return { bias, contributions };
}

// ---------- the LApredict baseline ----------

/**
 * LApredict (Zeng et al., ISSTA 2021): logistic regression on `la` alone, the training and the test
 * split each z-scored with their own mean and deviation (sklearn's preprocessing.scale on each), and
 * sklearn's default L2 penalty (C = 1).
 */
export function laPredictScores(train: readonly ChangeMetrics[], trainLabels: readonly number[], test: readonly ChangeMetrics[]): number[] {
  const scale = (rows: readonly ChangeMetrics[]): number[][] => {
    const raw = rows.map((m) => [m.la]);
    const s = fitStandardizer(raw);
    return raw.map((r) => standardize(s, r));
  };
  const fit = fitLogistic(scale(train), trainLabels, { l2: 1 });
  return scale(test).map((r) => predictLogistic(fit, r));
}

// ---------- choosing the design ----------

const treeWeights = [0, 0.3, 0.5, 0.7, 1];
const logisticVariants: readonly { relativeChurn: boolean; l2: number }[] = [false, true].flatMap((relativeChurn) => [1, 100].map((l2) => ({ relativeChurn, l2 })));

/**
 * The candidate designs, declared before any selection ran, simplest first (ties keep this order):
 * regression only, then trees only, then blends. An earlier validation run on the training rows also
 * tried the untransformed metrics (as LR-JIT uses them); they lost on every project and were dropped.
 */
export const candidateDesigns: readonly ModelDesign[] = (() => {
  const out: ModelDesign[] = [];
  for (const w of treeWeights) {
    const lrs = w === 1 ? [logisticVariants[0]] : logisticVariants;
    const trees: TreeVariant[] = w === 0 ? ['shallow'] : ['shallow', 'deep'];
    for (const lr of lrs) for (const t of trees) out.push({ ...lr, trees: t, treeWeight: w });
  }
  return out;
})();

export interface DesignScore {
  design: ModelDesign;
  /** Mean validation AUC over the time-ordered folds. */
  auc: number;
  folds: number[];
}

export interface ValidationOptions {
  /** Number of time-ordered folds; default 3. */
  folds?: number;
  /** Where the first validation block starts, as a share of the rows; default 0.625. */
  firstOrigin?: number;
}

/** The blocks of time-ordered validation: fit on [0, from), score [from, to). The last block ends at the end. */
export function validationBlocks(n: number, opts: ValidationOptions = {}): { from: number; to: number }[] {
  const folds = opts.folds ?? 3;
  const first = opts.firstOrigin ?? 0.625;
  const block = (1 - first) / folds;
  return Array.from({ length: folds }, (_, k) => ({ from: Math.floor(n * (first + k * block)), to: k === folds - 1 ? n : Math.floor(n * (first + (k + 1) * block)) }));
}

/**
 * Every candidate scored by time-ordered validation inside the given rows (which must be in time
 * order), best first. Each fold fits each regression and each tree ensemble once; the blends reuse them.
 */
export function chooseDesign(metrics: readonly ChangeMetrics[], labels: readonly number[], candidates: readonly ModelDesign[] = candidateDesigns, opts: ValidationOptions = {}): DesignScore[] {
  const perDesign = candidates.map(() => [] as number[]);
  for (const { from, to } of validationBlocks(metrics.length, opts)) {
    const trainM = metrics.slice(0, from);
    const trainL = labels.slice(0, from);
    const heldM = metrics.slice(from, to);
    const heldL = labels.slice(from, to);
    const lrOdds = new Map<string, number[]>();
    const treeOdds = new Map<string, number[]>();
    for (const d of candidates) {
      const lrKey = `${d.relativeChurn}/${d.l2}`;
      if (d.treeWeight < 1 && !lrOdds.has(lrKey)) {
        const m = fitChangeRiskModel(trainM, trainL, { ...d, treeWeight: 0 }, 'validation');
        lrOdds.set(lrKey, heldM.map((x) => changeLogOdds(m, x)));
      }
      const treeKey = `${d.relativeChurn}/${d.trees}`;
      if (d.treeWeight > 0 && !treeOdds.has(treeKey)) {
        const raw = trainM.map((x) => featureRow(d.relativeChurn, x));
        const trees = fitBoostedTrees(raw, trainL, treeVariants[d.trees]);
        treeOdds.set(treeKey, heldM.map((x) => boostedLogOdds(trees, featureRow(d.relativeChurn, x))));
      }
    }
    candidates.forEach((d, i) => {
      const lr = lrOdds.get(`${d.relativeChurn}/${d.l2}`);
      const tr = treeOdds.get(`${d.relativeChurn}/${d.trees}`);
      const scores = heldM.map((_, k) => (d.treeWeight > 0 ? d.treeWeight * tr![k] : 0) + (d.treeWeight < 1 ? (1 - d.treeWeight) * lr![k] : 0));
      perDesign[i].push(rocAuc(heldL, scores));
    });
  }
  return candidates
    .map((design, i) => {
      const valid = perDesign[i].filter((a) => Number.isFinite(a));
      return { design, auc: valid.length ? valid.reduce((a, b) => a + b, 0) / valid.length : NaN, folds: perDesign[i] };
    })
    .map((s, order) => ({ s, order }))
    .sort((a, b) => (Number.isFinite(b.s.auc) ? b.s.auc : -1) - (Number.isFinite(a.s.auc) ? a.s.auc : -1) || a.order - b.order)
    .map((x) => x.s);
}

export function describeDesign(d: ModelDesign): string {
  const lr = `logistic regression (l2 ${d.l2}${d.relativeChurn ? ', with relative churn' : ''})`;
  if (d.treeWeight === 0) return lr;
  const trees = `${d.trees} boosted trees${d.relativeChurn ? ' (with relative churn)' : ''}`;
  if (d.treeWeight === 1) return trees;
  return `${Math.round(d.treeWeight * 100)}% ${trees} + ${Math.round((1 - d.treeWeight) * 100)}% ${lr}`;
}
