// Models in production, as plain data: what a workspace declares about a model (models.yaml), the
// tables its reference and current data are read into, and the monitoring report computed once in
// analysis/drift and shown by every view (the Alerts tree, the model panel, the command line).
// Times are milliseconds since the epoch.

export type FeatureType = 'continuous' | 'categorical';

export interface FeatureSpec {
  name: string;
  type: FeatureType;
}

/** How rows are cut into chunks: by calendar period (UTC), or by a fixed number of rows. */
export type ChunkingSpec = { period: 'day' | 'week' | 'month' | 'quarter' | 'year' } | { size: number };

export type ContinuousMethod = 'ks' | 'wasserstein' | 'psi' | 'jensen-shannon';
export type CategoricalMethod = 'chi2' | 'jensen-shannon' | 'psi';
export type DriftMethod = ContinuousMethod | CategoricalMethod;
export type PerformanceMetric = 'roc_auc' | 'accuracy' | 'f1' | 'precision' | 'recall' | 'mae' | 'mse';

/** mean ± k·σ of the reference chunks' values (population σ, as NannyML), or fixed bounds. */
export type ThresholdSpec = { kind: 'std'; lower?: number; upper?: number } | { kind: 'fixed'; lower?: number; upper?: number };

/** A table file: CSV or Parquet, by its extension unless `format` says. */
export interface DataFileSpec {
  path: string;
  format?: 'csv' | 'parquet';
}

export interface ModelSpec {
  name: string;
  owner: string;
  /** The service the model serves, when it is not the model's own name (groups its alerts in the tree). */
  service?: string;
  problem: 'binary' | 'regression';
  features: FeatureSpec[];
  timestamp: { column: string; unit?: 's' | 'ms' };
  /** The model's score (probability of the positive class, or the regression output) and its decision. */
  prediction: { score?: string; label?: string };
  target?: string;
  reference: DataFileSpec;
  current: DataFileSpec;
  /** Targets that arrive later, in their own file, joined to the current rows on `join`. */
  currentTargets?: DataFileSpec & { join: string };
  chunking: ChunkingSpec;
  methods: { continuous: ContinuousMethod[]; categorical: CategoricalMethod[] };
  /** Per method, and `performance` for the metrics; a method without one uses mean + 3σ. */
  thresholds: Partial<Record<DriftMethod | 'performance', ThresholdSpec>>;
  metrics: PerformanceMetric[];
  /** Paths (relative to the workspace) whose commits the model panel lists. */
  code: { training: string[]; pipeline: string[]; config: string[] };
  registry?: MlflowRegistrySpec;
  evidently?: string[];
  serving?: ModelServingSpec;
  actions: { retrain?: string; rollback?: string };
  /** The line of models.yaml that declares the model. */
  line?: number;
}

export interface MlflowRegistrySpec {
  trackingUri: string;
  /** The registered model's name in MLflow, when it differs from the model's. */
  model?: string;
  /** The alias that serves production (MLflow 2.3+), or a stage (older registries). */
  alias?: string;
  stage?: string;
}

/** Model-server metrics in Prometheus, selected by a label that names the model. */
export interface ModelServingSpec {
  prometheus?: string;
  modelLabel: string;
  /** The histogram of the model's outputs (without _bucket), its latency histogram, and an error counter. */
  predictionHistogram?: string;
  latencyHistogram?: string;
  errorCounter?: string;
  requestCounter?: string;
}

export type TableColumn = { kind: 'number'; values: Float64Array } | { kind: 'text'; values: (string | null)[] };

export interface DataTable {
  /** Where it was read from, for messages. */
  source: string;
  rowCount: number;
  columns: Map<string, TableColumn>;
}

export interface ChunkInfo {
  key: string;
  /** reference or analysis (the current data). */
  period: 'reference' | 'analysis';
  start: number;
  end: number;
  rows: number;
  /** Fewer rows than a third of the median chunk: its values are shown but read with care. */
  small: boolean;
}

export interface Threshold {
  lower?: number;
  upper?: number;
}

/** One statistic over every chunk, with its threshold and which analysis chunks broke it. */
export interface ChunkSeries {
  method: DriftMethod | PerformanceMetric;
  values: (number | null)[];
  threshold: Threshold;
  /** Per chunk: the value is outside the threshold (reference chunks never alert). */
  alerts: boolean[];
}

export interface FeatureDrift {
  feature: string;
  type: FeatureType;
  series: ChunkSeries[];
  /** Analysis chunks that alerted on the feature's first method. */
  alertCount: number;
  firstAlert?: string;
}

export interface PerformanceSeries extends ChunkSeries {
  /** realized: from labels; estimated: confidence-based, from calibrated scores, where labels are missing. */
  basis: 'realized' | 'estimated';
}

export interface DriftRankEntry {
  feature: string;
  firstAlert?: string;
  alertCount: number;
  /**
   * Share of the chunk-to-chunk variance of the performance metric that the feature's drift statistic
   * explains (R² of a least-squares line, counted only when more drift goes with lower performance).
   * An association across chunks, not a proof of cause.
   */
  explained: number;
}

export interface ModelReport {
  model: string;
  owner: string;
  service?: string;
  computedAt: number;
  chunks: ChunkInfo[];
  features: FeatureDrift[];
  prediction?: FeatureDrift;
  performance: PerformanceSeries[];
  /** Analysis chunks whose main performance metric is below its threshold. */
  decayChunks: string[];
  ranking: DriftRankEntry[];
  notes: string[];
}

/** A model version in a registry (MLflow's ModelVersion), as plain data. */
export interface RegistryVersion {
  version: string;
  createdAt?: number;
  stage?: string;
  aliases: string[];
  runId?: string;
  source?: string;
  status?: string;
  description?: string;
}

export interface RegistryState {
  trackingUri: string;
  model: string;
  /** The version that serves (the alias's or the stage's), and the one before it. */
  serving?: RegistryVersion;
  previous?: RegistryVersion;
  versions: RegistryVersion[];
  /** The serving version's run metrics (the last value of each). */
  runMetrics?: Record<string, number>;
  pointer: { kind: 'alias' | 'stage'; name: string };
}

/** One column's drift as an Evidently report or snapshot states it. */
export interface EvidentlyColumnDrift {
  column: string;
  method: string;
  threshold?: number;
  score: number;
  drifted: boolean;
}

export interface EvidentlySummary {
  file: string;
  /** report: Report.json() of Evidently 0.4 and earlier (metrics[].metric/result); snapshot: 0.6+ (metrics[].metric_name/config/value). */
  format: 'report' | 'snapshot';
  timestamp?: number;
  driftedColumns?: number;
  driftShare?: number;
  datasetDrift?: boolean;
  columns: EvidentlyColumnDrift[];
}

export interface TimeSeriesPoints {
  timestamps: number[];
  values: number[];
}

/** What a model server exports to Prometheus, read for one model over a window. */
export interface ServingMetrics {
  source: string;
  start: number;
  end: number;
  predictionMean?: TimeSeriesPoints;
  latencyP95?: TimeSeriesPoints;
  errorRatio?: TimeSeriesPoints;
  /** The prediction histogram's per-bucket counts in the earlier and the later half of the window. */
  predictionBuckets?: { upperBounds: number[]; earlier: number[]; later: number[] };
  /** PSI and Jensen–Shannon distance between those two halves (computed in analysis). */
  predictionShift?: { psi: number; jensenShannon: number };
}

/** A commit that touched a model's training code, feature pipeline or config. */
export interface ModelCommit {
  sha: string;
  author: string;
  time: number;
  subject: string;
  /** Which of the model's declared areas it touched. */
  areas: ('training' | 'pipeline' | 'config')[];
  files: string[];
}

/** Everything known about one model, computed once per change of its inputs: what the panel shows and the alerts come from. */
export interface ModelOverview {
  spec: ModelSpec;
  report?: ModelReport;
  registry?: RegistryState;
  evidently: EvidentlySummary[];
  serving?: ServingMetrics;
  commits: ModelCommit[];
  /** What could not be read, each part on its own: a registry that is down costs only the registry. */
  problems: { part: 'data' | 'registry' | 'evidently' | 'serving' | 'commits'; message: string }[];
  computedAt: number;
}
