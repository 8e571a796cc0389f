// The model for a repository with too little labelled history of its own: a logistic regression
// fitted on public data and shipped as constants. Its features are z-scored with the repository's
// own commits (no labels needed for that), as it was fitted: each public project standardised on
// itself, then pooled. `npm run bench -- change-risk` refits it from the data and checks that these
// constants are what the data gives (`--print-shipped` prints them for pasting here).
import type { ChangeMetrics } from './metrics';
import { featureNames, featureRow, type ChangeRiskModel, type ModelDesign } from './model';
import { fitLogistic, fitStandardizer, standardize } from './logistic';

/** The shipped design: regression only (compact and transferable), log features with relative churn. */
export const shippedDesign: ModelDesign = { relativeChurn: true, l2: 100, trees: 'shallow', treeWeight: 0 };

export interface ShippedLogistic {
  features: string[];
  weights: number[];
  bias: number;
  rows: number;
  positives: number;
  provenance: string;
}

/** Fitted by fitPooledLogistic on every row of qt, openstack and jdt (ZZR0/ISSTA21-JIT-DP, MIT). */
export const shippedLogistic: ShippedLogistic = {
  features: featureNames(true),
  // ns nd nf entropy la ld lt fix ndev age nuc exp rexp sexp la/lt ld/lt lt/nf (log(1+x) but entropy and fix)
  weights: [-0.102945, 0.122483, 0.210472, -0.145456, 0.708196, 0.090759, -0.130275, 0.219489, 0.155482, -0.209721, 0.060629, -0.321526, 0.066739, 0.241597, -0.027266, -0.08375, -0.089785],
  bias: -1.470097,
  rows: 49948,
  positives: 11111,
  provenance: 'public data: the qt, openstack and jdt commits of the LApredict data set (Zeng et al., ISSTA 2021)',
};

/** One logistic regression over several projects, each z-scored on its own rows. */
export function fitPooledLogistic(projects: readonly { metrics: readonly ChangeMetrics[]; labels: readonly number[] }[], design: ModelDesign = shippedDesign): { weights: number[]; bias: number; rows: number; positives: number } {
  const x: number[][] = [];
  const y: number[] = [];
  for (const p of projects) {
    const raw = p.metrics.map((m) => featureRow(design.relativeChurn, m));
    const s = fitStandardizer(raw);
    for (const r of raw) x.push(standardize(s, r));
    y.push(...p.labels);
  }
  const fit = fitLogistic(x, y, { l2: design.l2 });
  return { ...fit, rows: y.length, positives: y.filter((v) => v > 0).length };
}

/**
 * The shipped regression as a model for one repository: standardised with that repository's own
 * commits (`unlabelled`: their metrics only). At least two commits are needed for a deviation.
 */
export function shippedModelFor(unlabelled: readonly ChangeMetrics[], shipped: ShippedLogistic = shippedLogistic): ChangeRiskModel {
  const raw = unlabelled.map((m) => featureRow(shippedDesign.relativeChurn, m));
  const standardizer = raw.length >= 2 ? fitStandardizer(raw) : { mean: shipped.features.map(() => 0), sd: shipped.features.map(() => 1) };
  return {
    design: shippedDesign,
    features: shipped.features,
    standardizer,
    logistic: { weights: shipped.weights, bias: shipped.bias },
    trainedOn: { rows: shipped.rows, positives: shipped.positives },
    provenance: shipped.provenance,
  };
}
