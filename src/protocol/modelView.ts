// The model panel's view model: a pure mapper from a model's overview (computed once, in the agent's
// model monitoring) and its proposed actions to bounded DTOs. It computes no statistic.
import type { ProposedAction } from '../core/model';
import type { ChunkSeries, FeatureDrift, ModelOverview } from '../core/modelMonitoring';
import type { FeatureDriftView, ModelActionView, ModelSeriesView, ModelView } from './model';

const maxCommits = 20;
const maxVersions = 10;
const methodLabels: Record<string, string> = {
  ks: 'Kolmogorov–Smirnov D',
  wasserstein: 'Wasserstein distance',
  psi: 'PSI',
  'jensen-shannon': 'Jensen–Shannon distance',
  chi2: 'chi-squared',
  roc_auc: 'ROC AUC',
  accuracy: 'accuracy',
  f1: 'F1',
  precision: 'precision',
  recall: 'recall',
  mae: 'MAE',
  mse: 'MSE',
};

function seriesView(s: ChunkSeries): ModelSeriesView {
  return { label: methodLabels[s.method] ?? s.method, method: s.method, values: s.values, ...(s.threshold.lower !== undefined ? { lower: s.threshold.lower } : {}), ...(s.threshold.upper !== undefined ? { upper: s.threshold.upper } : {}), alerts: s.alerts };
}

function featureView(f: FeatureDrift, explained?: number): FeatureDriftView {
  return { feature: f.feature, type: f.type, series: seriesView(f.series[0]), alertCount: f.alertCount, ...(f.firstAlert ? { firstAlert: f.firstAlert } : {}), ...(explained !== undefined ? { explained } : {}), drifted: f.alertCount > 0 };
}

const last = (xs: number[] | undefined) => xs?.filter(Number.isFinite).at(-1);

export function modelView(
  o: ModelOverview | undefined,
  ctx: { model: string; owner?: string; alert?: { name: string; severity: string; annotations: Record<string, string> }; actions: ProposedAction[]; gate: { enabled: boolean; reason?: string }; error?: string },
): ModelView {
  const alert = ctx.alert ? { name: ctx.alert.name, severity: ctx.alert.severity, summary: ctx.alert.annotations.summary ?? '' } : undefined;
  if (!o) return { model: { name: ctx.model, owner: ctx.owner ?? '', problem: '' }, ...(alert ? { alert } : {}), phase: ctx.error ? 'error' : 'loading', ...(ctx.error ? { error: ctx.error } : {}), chunks: [], features: [], performance: [], decayChunks: [], ranking: [], evidently: [], commits: [], actions: [], problems: [], notes: [] };
  const r = o.report;
  const explained = new Map(r?.ranking.map((x) => [x.feature, x.explained]) ?? []);
  const order = new Map(r?.ranking.map((x, i) => [x.feature, i]) ?? []);
  const features = (r?.features ?? []).map((f) => featureView(f, explained.get(f.feature))).sort((a, b) => (order.get(a.feature) ?? 0) - (order.get(b.feature) ?? 0));
  const actions: ModelActionView[] = ctx.actions.map((a, index) => ({ index, actionId: a.actionId, title: a.title, why: a.why, enabled: ctx.gate.enabled, ...(ctx.gate.enabled ? {} : { disabledReason: ctx.gate.reason }) }));
  const reg = o.registry;
  return {
    model: { name: o.spec.name, owner: o.spec.owner, ...(o.spec.service ? { service: o.spec.service } : {}), problem: o.spec.problem, ...(o.spec.line ? { declared: `.incident-lens/models.yaml:${o.spec.line}` } : {}) },
    ...(alert ? { alert } : {}),
    phase: r ? 'ready' : 'error',
    ...(r ? {} : { error: o.problems.find((p) => p.part === 'data')?.message ?? 'the model has no report' }),
    chunks: (r?.chunks ?? []).map((c) => ({ key: c.key, period: c.period, rows: c.rows, small: c.small })),
    features,
    ...(r?.prediction ? { prediction: featureView(r.prediction) } : {}),
    performance: (r?.performance ?? []).map((p) => ({ ...seriesView(p), basis: p.basis, label: `${methodLabels[p.method] ?? p.method}${p.basis === 'estimated' ? ' (estimated)' : ''}` })),
    decayChunks: r?.decayChunks ?? [],
    ranking: r?.ranking ?? [],
    ...(reg
      ? {
          registry: {
            pointer: `${reg.pointer.kind} ${reg.pointer.name}`,
            ...(reg.serving ? { serving: reg.serving.version } : {}),
            ...(reg.previous ? { previous: reg.previous.version } : {}),
            versions: reg.versions.slice(0, maxVersions).map((v) => ({ version: v.version, aliases: v.aliases, ...(v.stage ? { stage: v.stage } : {}), ...(v.createdAt ? { createdAt: v.createdAt } : {}) })),
            runMetrics: Object.entries(reg.runMetrics ?? {}).slice(0, 20),
          },
        }
      : {}),
    evidently: o.evidently.map((e) => ({ file: e.file, format: e.format, ...(e.datasetDrift !== undefined ? { datasetDrift: e.datasetDrift } : {}), ...(e.driftedColumns !== undefined ? { driftedColumns: e.driftedColumns } : {}), columns: e.columns.slice(0, 100) })),
    ...(o.serving
      ? {
          serving: {
            source: o.serving.source,
            ...(o.serving.predictionShift ? { psi: o.serving.predictionShift.psi, jensenShannon: o.serving.predictionShift.jensenShannon } : {}),
            ...(last(o.serving.predictionMean?.values) !== undefined ? { meanLast: last(o.serving.predictionMean?.values) } : {}),
            ...(last(o.serving.latencyP95?.values) !== undefined ? { latencyP95Last: last(o.serving.latencyP95?.values) } : {}),
            ...(last(o.serving.errorRatio?.values) !== undefined ? { errorRatioLast: last(o.serving.errorRatio?.values) } : {}),
          },
        }
      : {}),
    commits: o.commits.slice(0, maxCommits).map((c) => ({ sha: c.sha, short: c.sha.slice(0, 8), author: c.author, time: c.time, subject: c.subject, areas: c.areas, files: c.files.slice(0, 10) })),
    actions,
    ...(ctx.gate.enabled ? {} : { actionsNote: ctx.gate.reason }),
    problems: o.problems,
    notes: r?.notes ?? [],
    computedAt: o.computedAt,
  };
}
