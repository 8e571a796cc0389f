// Change risk of the commits a deploy would ship, from the repository's own history: the Kamei
// metrics of every commit, SZZ labels from later fixes and reverts, a model chosen and fitted on the
// labelled history (src/analysis/changeRisk/model.ts, the module the benchmark scores), or the
// shipped public-data model when there is too little history. Each commit is placed among the
// repository's own commits: "riskier than 92% of them" reads the same in every repository.
import type { ChangeHistory } from '../../core/changeHistory';
import type { AssessedCommit, RiskEvidence, RiskFactor } from '../../core/deployRisk';
import { errorMessage } from '../../core/errors';
import { computeChangeMetrics } from '../../analysis/changeRisk/features';
import { labelBugIntroducing, labelHorizonDays, type SzzCache } from '../../analysis/changeRisk/szz';
import { changeMetricMeaning, changeMetricNames, type ChangeMetricName, type ChangeMetrics } from '../../analysis/changeRisk/metrics';
import { chooseDesign, describeDesign, explainScore, fitChangeRiskModel, scoreChange, type ChangeRiskModel } from '../../analysis/changeRisk/model';
import { shippedModelFor } from '../../analysis/changeRisk/shippedModel';
import type { GitHistorySource } from '../../sources/changeHistory';

/** A local model needs this much labelled history; below it the shipped model scores. */
export const localModelMinimum = { rows: 200, positives: 20, negatives: 20 };

export interface ChangeRiskAnalysis {
  tip: string;
  history: ChangeHistory;
  metrics: Map<string, ChangeMetrics>;
  model: ChangeRiskModel;
  design: string;
  validationAuc?: number;
  labelled: { rows: number; positives: number; horizonDays: number; fixesExamined: number; reverts: number };
  /** Scores of every commit of the history, ascending, for percentiles. */
  sortedScores: number[];
  notes: string[];
}

export interface ChangeRiskOptions {
  /** Commits of history read; default 3000. */
  maxCommits?: number;
  /** SZZ results of earlier runs (FileSzzCache); saved after labelling when it has a save(). */
  szzCache?: SzzCache & { save?(): void };
  signal?: AbortSignal;
}

/** Reads the history up to `tip`, labels it and fits (or picks) the model. Cache the result per tip. */
export async function analyseChangeRisk(source: GitHistorySource, tip: string, opts: ChangeRiskOptions = {}): Promise<ChangeRiskAnalysis> {
  const history = await source.readHistory(tip, opts.maxCommits ?? 3000, opts.signal);
  const metrics = computeChangeMetrics(history);
  const notes: string[] = [];
  if (history.truncated) notes.push(`history read: the newest ${history.commits.length} commits`);
  let introducing = new Set<string>();
  let horizonDays = 30;
  let fixesExamined = 0;
  let reverts = 0;
  try {
    const szz = await labelBugIntroducing(history, source, { signal: opts.signal, cache: opts.szzCache });
    try {
      opts.szzCache?.save?.();
    } catch (err) {
      notes.push(`SZZ results not saved: ${errorMessage(err)}`);
    }
    introducing = new Set(szz.introducing.keys());
    horizonDays = labelHorizonDays(szz);
    fixesExamined = szz.fixesExamined;
    reverts = szz.reverts;
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    notes.push(`no labels from later fixes: ${errorMessage(err)}`);
  }
  // Commits younger than the horizon may have bugs nobody has fixed yet: not counted as clean.
  const newest = history.commits.at(-1)?.time ?? Date.now();
  const labelled = history.commits.filter((c) => c.time <= newest - horizonDays * 86_400_000 || introducing.has(c.sha));
  const rows = labelled.map((c) => metrics.get(c.sha)!);
  const labels = labelled.map((c) => (introducing.has(c.sha) ? 1 : 0));
  const positives = labels.filter(Boolean).length;
  const all = history.commits.map((c) => metrics.get(c.sha)!);
  let model: ChangeRiskModel;
  let validationAuc: number | undefined;
  if (rows.length >= localModelMinimum.rows && positives >= localModelMinimum.positives && rows.length - positives >= localModelMinimum.negatives) {
    const ranked = chooseDesign(rows, labels);
    const best = ranked[0];
    model = fitChangeRiskModel(rows, labels, best.design, `this repository's history: ${rows.length} commits, ${positives} of them defect-inducing by SZZ (fixes ${fixesExamined}, reverts ${reverts})`);
    if (Number.isFinite(best.auc)) validationAuc = best.auc;
  } else {
    model = shippedModelFor(all);
    notes.push(`too little labelled history for a model of this repository (${rows.length} commits older than ${horizonDays} days, ${positives} defect-inducing; a local model needs ${localModelMinimum.rows} and ${localModelMinimum.positives}): the shipped model scores, standardised on this repository's ${all.length} commits`);
  }
  const sortedScores = all.map((m) => scoreChange(model, m)).sort((a, b) => a - b);
  return {
    tip: history.tip,
    history,
    metrics,
    model,
    design: describeDesign(model.design),
    ...(validationAuc !== undefined ? { validationAuc } : {}),
    labelled: { rows: rows.length, positives, horizonDays, fixesExamined, reverts },
    sortedScores,
    notes,
  };
}

function percentileOf(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length ? lo / sorted.length : 0;
}

const featureMetric = (feature: string): { metric: ChangeMetricName | 'la/lt' | 'ld/lt' | 'lt/nf'; label: string } | undefined => {
  const inner = /^log\(1\+(.+)\)$/.exec(feature)?.[1] ?? feature;
  if (inner === 'la/lt') return { metric: inner, label: 'lines added per line of the touched files' };
  if (inner === 'ld/lt') return { metric: inner, label: 'lines deleted per line of the touched files' };
  if (inner === 'lt/nf') return { metric: inner, label: 'lines per touched file' };
  return (changeMetricNames as readonly string[]).includes(inner) ? { metric: inner as ChangeMetricName, label: changeMetricMeaning[inner as ChangeMetricName] } : undefined;
};

function metricValue(m: ChangeMetrics, metric: ChangeMetricName | 'la/lt' | 'ld/lt' | 'lt/nf'): number {
  if (metric === 'la/lt') return m.la / Math.max(1, m.lt);
  if (metric === 'ld/lt') return m.ld / Math.max(1, m.lt);
  if (metric === 'lt/nf') return m.lt / Math.max(1, m.nf);
  return m[metric];
}

function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : Math.abs(x) >= 10 ? x.toFixed(0) : x.toFixed(2);
}

/** The reasons a commit scores as it does, strongest first, as a person reads them. */
export function commitReasons(model: ChangeRiskModel, m: ChangeMetrics, limit = 3): string[] {
  return explainScore(model, m)
    .contributions.filter((c) => Math.abs(c.contribution) >= 0.05)
    .slice(0, limit)
    .map((c) => {
      const f = featureMetric(c.feature);
      const label = f ? `${f.label}: ${formatNumber(metricValue(m, f.metric))}` : c.feature;
      return `${c.contribution >= 0 ? '+' : '−'}${Math.abs(c.contribution).toFixed(2)} ${label}`;
    });
}

export const changeRiskWeight = 0.35;

// Documentation ships no code: such a commit is listed and scored, but does not raise the factor.
const DOCS_ONLY = /(^|\/)docs?\/|\.(md|markdown|rst|adoc|txt)$|(^|\/)(LICENSE|NOTICE|AUTHORS|CHANGELOG)[^/]*$/i;

/** The change-risk factor of the given commits (oldest first), and each commit scored. */
export function changeRiskFactor(a: ChangeRiskAnalysis, shas: readonly string[]): { factor: RiskFactor; commits: AssessedCommit[] } {
  const byS = new Map(a.history.commits.map((c) => [c.sha, c]));
  const commits: AssessedCommit[] = [];
  for (const sha of shas) {
    const c = byS.get(sha);
    const m = a.metrics.get(sha);
    if (!c || !m) continue;
    const risk = scoreChange(a.model, m);
    const docsOnly = c.files.length > 0 && c.files.every((f) => DOCS_ONLY.test(f.path));
    commits.push({ sha, subject: c.message.split('\n')[0].slice(0, 200), author: c.authorName, time: c.time, risk, percentile: percentileOf(a.sortedScores, risk), reasons: commitReasons(a.model, m), ...(docsOnly ? { docsOnly } : {}) });
  }
  const title = 'Change risk of the commits (just-in-time defect model)';
  if (!commits.length) {
    return { factor: { kind: 'change-risk', title, weight: 0, summary: 'no commit to score', evidence: [], notMeasured: shas.length ? 'the commits are outside the history read' : 'nothing between what is deployed and the target' }, commits };
  }
  const code = commits.filter((c) => !c.docsOnly);
  const evidence: RiskEvidence[] = [...code, ...commits.filter((c) => c.docsOnly)]
    .sort((x, y) => Number(!!x.docsOnly) - Number(!!y.docsOnly) || y.risk - x.risk)
    .slice(0, 8)
    .map((c) => ({ text: `${c.sha.slice(0, 10)} ${c.subject}: ${c.docsOnly ? 'documentation only, not counted; ' : ''}defect probability ${(c.risk * 100).toFixed(0)}%, riskier than ${(c.percentile * 100).toFixed(0)}% of this repository's commits${c.reasons.length ? ` (${c.reasons.join('; ')})` : ''}`, ref: { kind: 'commit' as const, id: c.sha } }));
  evidence.push({ text: `model: ${a.design}; ${a.model.provenance}${a.validationAuc !== undefined ? `; validation AUC ${a.validationAuc.toFixed(3)} on this repository's history` : ''}` });
  if (!code.length) return { factor: { kind: 'change-risk', title, value: 0, weight: changeRiskWeight, summary: `${commits.length} commit${commits.length === 1 ? '' : 's'}, documentation only`, evidence }, commits };
  const riskiest = code.reduce((x, y) => (y.percentile > x.percentile || (y.percentile === x.percentile && y.risk > x.risk) ? y : x));
  return {
    factor: {
      kind: 'change-risk',
      title,
      value: riskiest.percentile,
      weight: changeRiskWeight,
      summary: `${commits.length} commit${commits.length === 1 ? '' : 's'}${code.length < commits.length ? ` (${commits.length - code.length} documentation only)` : ''}; the riskiest, ${riskiest.sha.slice(0, 10)} "${riskiest.subject.slice(0, 80)}", is riskier than ${(riskiest.percentile * 100).toFixed(0)}% of this repository's commits`,
      evidence,
    },
    commits,
  };
}
