// Monitors one model: its reference and current (analysis) rows cut into chunks, every feature's drift
// in every chunk against the whole reference set (NannyML's univariate drift), the drift of the model's
// own outputs, realized performance where labels are there and a confidence-based estimate where they
// are not, thresholds from the reference chunks, and which features drifted first and how much each
// goes with the drop. Computed once; every view reads the report.
import type { ChunkSeries, DataTable, DriftMethod, DriftRankEntry, FeatureDrift, FeatureSpec, FeatureType, ModelReport, ModelSpec, PerformanceMetric, PerformanceSeries, TableColumn, Threshold, ThresholdSpec } from '../../core/modelMonitoring';
import { chunkRows, type Chunk } from './chunking';
import { alignCategories, categoryCounts, chiSquaredContingency, jensenShannonDistance, ksStatistic, psi, psiOfCounts, quantileSorted, sortedFinite, wassersteinDistance } from './statistics';
import { breaks, thresholdFrom } from './thresholds';
import { estimatedMetric, higherIsBetter, IsotonicCalibrator, realizedMetric } from './performance';
import { rankDriftedFeatures } from './ranking';

export class MonitorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MonitorInputError';
  }
}

export interface MonitorInput {
  spec: ModelSpec;
  reference: DataTable;
  /** The current rows, with the target column joined in where labels have arrived. */
  analysis: DataTable;
  now?: number;
}

const statisticLimits: Record<DriftMethod, Threshold> = {
  ks: { lower: 0, upper: 1 },
  'jensen-shannon': { lower: 0, upper: 1 },
  wasserstein: { lower: 0 },
  psi: { lower: 0 },
  chi2: { lower: 0 },
};

/** Drift is an increase of the statistic: by default only its upper side (mean + 3σ) alerts. */
const defaultDriftThreshold: ThresholdSpec = { kind: 'std', upper: 3 };

function column(table: DataTable, name: string, what: string): TableColumn {
  const c = table.columns.get(name);
  if (!c) {
    const known = [...table.columns.keys()].slice(0, 30).join(', ');
    throw new MonitorInputError(`${table.source} has no column "${name}" (${what}); its columns are ${known}`);
  }
  return c;
}

function numbers(table: DataTable, name: string, what: string): Float64Array {
  const c = column(table, name, what);
  if (c.kind === 'number') return c.values;
  // A text column read as numbers: every value that is not a number becomes missing.
  return Float64Array.from(c.values, (v) => (v === null || v.trim() === '' ? Number.NaN : Number(v)));
}

function texts(table: DataTable, name: string, what: string): (string | null)[] {
  const c = column(table, name, what);
  return c.kind === 'text' ? c.values : Array.from(c.values, (v) => (Number.isFinite(v) ? String(v) : null));
}

/** Milliseconds since the epoch: ISO 8601 text (no zone means UTC), or numbers in the declared unit (seconds by default). */
export function timestampsOf(table: DataTable, spec: ModelSpec['timestamp']): Float64Array {
  const c = column(table, spec.column, 'the timestamp');
  if (c.kind === 'number') {
    const scale = spec.unit === 'ms' ? 1 : 1000;
    return Float64Array.from(c.values, (v) => v * scale);
  }
  return Float64Array.from(c.values, (v) => parseTimestamp(v));
}

export function parseTimestamp(v: string | null): number {
  if (v === null) return Number.NaN;
  const s = v.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?$/.exec(s);
  if (m) return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7] ? Math.round(Number(m[7]) * 1000) : 0);
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : Number.NaN;
}

function pick<T>(values: ArrayLike<T>, indexes: readonly number[]): T[] {
  return indexes.map((i) => values[i]);
}

/** One feature's statistic per chunk for one method, against the whole reference set. */
function statisticPerChunk(method: DriftMethod, type: FeatureType, ref: { num?: Float64Array; cat?: (string | null)[] }, cur: { num?: Float64Array; cat?: (string | null)[] }, chunks: { source: 'reference' | 'analysis'; indexes: number[] }[]): (number | null)[] {
  if (type === 'continuous') {
    const refSorted = sortedFinite(ref.num!);
    // Bins for the binned statistics come from the reference once, as NannyML fits them once.
    const edges = method === 'jensen-shannon' ? [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((q) => quantileSorted(refSorted, q)) : [];
    const refBinned = method === 'jensen-shannon' ? binCounts(refSorted, edges) : [];
    return chunks.map((c) => {
      const values = c.source === 'reference' ? ref.num! : cur.num!;
      const sorted = sortedFinite(pick(values, c.indexes));
      if (sorted.length === 0) return null;
      switch (method) {
        case 'ks':
          return ksStatistic(refSorted, sorted);
        case 'wasserstein':
          return wassersteinDistance(refSorted, sorted);
        case 'psi':
          return psi(refSorted, sorted);
        case 'jensen-shannon':
          return jensenShannonDistance(refBinned, binCounts(sorted, edges));
        default:
          throw new MonitorInputError(`${method} is a statistic for categorical features`);
      }
    });
  }
  const refCounts = categoryCounts(ref.cat!);
  return chunks.map((c) => {
    const values = c.source === 'reference' ? ref.cat! : cur.cat!;
    const counts = categoryCounts(pick(values, c.indexes));
    if (counts.size === 0) return null;
    const aligned = alignCategories(refCounts, counts);
    switch (method) {
      case 'chi2':
        return chiSquaredContingency(aligned.ref, aligned.cur).statistic;
      case 'jensen-shannon':
        return jensenShannonDistance(aligned.ref, aligned.cur);
      case 'psi':
        return psiOfCounts(aligned.ref, aligned.cur);
      default:
        throw new MonitorInputError(`${method} is a statistic for continuous features`);
    }
  });
}

function binCounts(sorted: Float64Array, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let b = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (b < edges.length && sorted[i] > edges[b]) b++;
    counts[b]++;
  }
  return counts;
}

function seriesOf(method: DriftMethod | PerformanceMetric, values: (number | null)[], chunks: Chunk[], threshold: Threshold): ChunkSeries {
  return { method, values: values.map((v) => (v === null || !Number.isFinite(v) ? null : v)), threshold, alerts: values.map((v, i) => chunks[i].period === 'analysis' && breaks(v, threshold)) };
}

function featureDrift(feature: FeatureSpec, spec: ModelSpec, input: MonitorInput, chunks: Chunk[]): FeatureDrift {
  const methods: DriftMethod[] = feature.type === 'continuous' ? spec.methods.continuous : spec.methods.categorical;
  const what = `feature ${feature.name}`;
  const ref = feature.type === 'continuous' ? { num: numbers(input.reference, feature.name, what) } : { cat: texts(input.reference, feature.name, what) };
  const cur = feature.type === 'continuous' ? { num: numbers(input.analysis, feature.name, what) } : { cat: texts(input.analysis, feature.name, what) };
  const plan = chunks.map((c) => ({ source: c.period, indexes: c.indexes }));
  const series = methods.map((method) => {
    const values = statisticPerChunk(method, feature.type, ref, cur, plan);
    const refValues = values.filter((_, i) => chunks[i].period === 'reference');
    const threshold = thresholdFrom(spec.thresholds[method] ?? defaultDriftThreshold, refValues, statisticLimits[method]);
    return seriesOf(method, values, chunks, threshold);
  });
  const main = series[0];
  const alertIdx = main ? main.alerts.map((a, i) => (a ? i : -1)).filter((i) => i >= 0) : [];
  return { feature: feature.name, type: feature.type, series, alertCount: alertIdx.length, ...(alertIdx.length ? { firstAlert: chunks[alertIdx[0]].key } : {}) };
}

function performanceSeries(spec: ModelSpec, input: MonitorInput, chunks: Chunk[], notes: string[]): PerformanceSeries[] {
  if (!spec.target) return [];
  const refTarget = numbers(input.reference, spec.target, 'the target');
  const curTarget = input.analysis.columns.has(spec.target) ? numbers(input.analysis, spec.target, 'the target') : new Float64Array(input.analysis.rowCount).fill(Number.NaN);
  const refScore = spec.prediction.score ? numbers(input.reference, spec.prediction.score, 'the prediction score') : undefined;
  const curScore = spec.prediction.score ? numbers(input.analysis, spec.prediction.score, 'the prediction score') : undefined;
  const refLabel = spec.prediction.label ? numbers(input.reference, spec.prediction.label, 'the predicted label') : undefined;
  const curLabel = spec.prediction.label ? numbers(input.analysis, spec.prediction.label, 'the predicted label') : undefined;
  const calibrator = spec.problem === 'binary' && refScore ? new IsotonicCalibrator(refScore, refTarget) : undefined;
  const out: PerformanceSeries[] = [];
  for (const metric of spec.metrics) {
    const realized: (number | null)[] = [];
    const estimated: (number | null)[] = [];
    let anyMissing = false;
    for (const c of chunks) {
      const isRef = c.period === 'reference';
      const target = isRef ? refTarget : curTarget;
      const score = isRef ? refScore : curScore;
      const label = isRef ? refLabel : curLabel;
      const labelled = c.indexes.filter((i) => Number.isFinite(target[i]));
      if (labelled.length < c.indexes.length) anyMissing = true;
      realized.push(labelled.length === 0 ? null : realizedMetric(metric, { score: score && pick(score, labelled), label: label && pick(label, labelled), target: pick(target, labelled) }));
      if (calibrator && score) {
        const calibrated = c.indexes.map((i) => calibrator.calibrate(score[i]));
        estimated.push(estimatedMetric(metric, calibrated, label && pick(label, c.indexes)));
      } else estimated.push(null);
    }
    const refRealized = realized.filter((_, i) => chunks[i].period === 'reference');
    const spec0 = spec.thresholds.performance ?? { kind: 'std', ...(higherIsBetter(metric) ? { lower: 3 } : { upper: 3 }) };
    const limits: Threshold = higherIsBetter(metric) ? { lower: 0, upper: 1 } : { lower: 0 };
    const threshold = thresholdFrom(spec0, refRealized, limits);
    out.push({ ...seriesOf(metric, realized, chunks, threshold), basis: 'realized' });
    if (anyMissing && estimated.some((v) => v !== null && Number.isFinite(v))) {
      out.push({ ...seriesOf(metric, estimated, chunks, threshold), basis: 'estimated' });
    }
  }
  if (out.some((s) => s.basis === 'estimated')) notes.push('Some current rows have no label yet: their performance is estimated from the calibrated scores (confidence-based estimation), not measured.');
  return out;
}

export function monitorModel(input: MonitorInput): ModelReport {
  const { spec } = input;
  const notes: string[] = [];
  const refChunks = chunkRows(timestampsOf(input.reference, spec.timestamp), spec.chunking, 'reference');
  const curChunks = chunkRows(timestampsOf(input.analysis, spec.timestamp), spec.chunking, 'analysis');
  if (refChunks.length === 0) throw new MonitorInputError(`${input.reference.source}: no row has a readable timestamp in "${spec.timestamp.column}"`);
  if (curChunks.length === 0) throw new MonitorInputError(`${input.analysis.source}: no row has a readable timestamp in "${spec.timestamp.column}"`);
  if (refChunks.length < 2) notes.push('The reference data makes a single chunk: thresholds from the reference chunks need at least two, so every σ is 0.');
  const chunks = [...refChunks, ...curChunks];
  for (const c of chunks) if (c.small) notes.push(`Chunk ${c.key} has only ${c.rows} rows: its values are shown, read them with care.`);
  const features = spec.features.map((f) => featureDrift(f, spec, input, chunks));
  let prediction: FeatureDrift | undefined;
  if (spec.prediction.score) prediction = featureDrift({ name: spec.prediction.score, type: spec.problem === 'binary' || spec.problem === 'regression' ? 'continuous' : 'categorical' }, spec, input, chunks);
  else if (spec.prediction.label) prediction = featureDrift({ name: spec.prediction.label, type: 'categorical' }, spec, input, chunks);
  const performance = performanceSeries(spec, input, chunks, notes);
  const main = performance.find((p) => p.basis === 'realized' && p.values.some((v, i) => v !== null && chunks[i].period === 'analysis')) ?? performance.find((p) => p.basis === 'estimated') ?? performance[0];
  const decayChunks = main ? chunks.filter((_, i) => main.alerts[i]).map((c) => c.key) : [];
  if (main?.basis === 'estimated') notes.push('No current chunk has labels: the decay chunks are from the estimate.');
  const ranking: DriftRankEntry[] = main ? rankDriftedFeatures(features, main, chunks) : features.map((f) => ({ feature: f.feature, alertCount: f.alertCount, ...(f.firstAlert ? { firstAlert: f.firstAlert } : {}), explained: 0 }));
  return {
    model: spec.name,
    owner: spec.owner,
    ...(spec.service ? { service: spec.service } : {}),
    computedAt: input.now ?? Date.now(),
    chunks: chunks.map(({ indexes: _indexes, ...info }) => info),
    features,
    ...(prediction ? { prediction } : {}),
    performance,
    decayChunks,
    ranking,
    notes,
  };
}
