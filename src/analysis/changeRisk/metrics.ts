// The change metrics of Kamei et al., "A large-scale empirical study of just-in-time quality
// assurance" (TSE 2013), as one record per commit. The product computes them from git
// (src/sources/changeHistory.ts), the benchmark reads them from the public data set; both feed the
// same model (./model.ts).

export const changeMetricNames = ['ns', 'nd', 'nf', 'entropy', 'la', 'ld', 'lt', 'fix', 'ndev', 'age', 'nuc', 'exp', 'rexp', 'sexp'] as const;
export type ChangeMetricName = (typeof changeMetricNames)[number];
export type ChangeMetrics = Record<ChangeMetricName, number>;

/** What each metric measures, for the factors a person reads. */
export const changeMetricMeaning: Record<ChangeMetricName, string> = {
  ns: 'subsystems touched',
  nd: 'directories touched',
  nf: 'files touched',
  entropy: 'spread of the change over its files (bits)',
  la: 'lines added',
  ld: 'lines deleted',
  lt: 'lines in the touched files before the change',
  fix: 'the change is a bug fix',
  ndev: 'developers who changed these files',
  age: 'days since these files last changed (mean)',
  nuc: 'earlier changes to these files',
  exp: "author's earlier file changes",
  rexp: "author's recent experience (changes weighted by 1 / (days ago + 1))",
  sexp: "author's files in the touched subsystems",
};

export function isChangeMetrics(x: unknown): x is ChangeMetrics {
  if (typeof x !== 'object' || x === null) return false;
  return changeMetricNames.every((k) => typeof (x as Record<string, unknown>)[k] === 'number' && Number.isFinite((x as Record<string, number>)[k]));
}
