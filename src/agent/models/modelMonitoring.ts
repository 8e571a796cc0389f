// Models in production, end to end without VS Code: reads .incident-lens/models.yaml, each model's data
// files (reused while they do not change), its registry state, Evidently files, serving metrics and the
// commits to its code, runs the drift monitor once, and turns the result into alerts of their own kind
// (owned by the model's owner, for routing) and the actions a drift proposes (retrain, roll back).
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { Alert, ProposedAction } from '../../core/model';
import type { AlertSource } from '../../core/sources';
import type { Logger } from '../../core/logger';
import { silentLogger } from '../../core/logger';
import { SourceError, errorMessage } from '../../core/errors';
import type { DataTable, FeatureDrift, ModelOverview, ModelReport, ModelSpec, PerformanceSeries } from '../../core/modelMonitoring';
import { insideWorkspace, loadModelsFile, workspaceModelsPath, type ModelsLoad } from '../../sources/models/modelsConfig';
import { joinTargets, readTableFile } from '../../sources/models/tableFiles';
import { readEvidentlyFile } from '../../sources/models/evidently';
import { MlflowClient } from '../../sources/models/mlflow';
import { readServingMetrics } from '../../sources/models/servingMetrics';
import { listModelCommits } from '../../sources/models/modelCommits';
import type { PrometheusSource } from '../../sources/prometheus';
import type { AuthorizationGetter } from '../../sources/http';
import { monitorModel } from '../../analysis/drift/monitor';
import { jensenShannonDistance, psiOfCounts } from '../../analysis/drift/statistics';

export const modelDriftSourceKind = 'model-drift';
/** How far back the serving metrics are read: the two halves of this window are compared. */
export const servingWindowMs = 6 * 3600_000;

export interface ModelMonitoringOptions {
  workspaceDir: string;
  /** In an untrusted workspace data must stay inside it, and no registry or metrics backend is called. */
  trusted: boolean;
  /** The configured Prometheus sources, by name (the first when a model names none). */
  prometheus?: (name?: string) => PrometheusSource | undefined;
  mlflowAuthorization?: (trackingUri: string) => AuthorizationGetter | undefined;
  logger?: Logger;
  now?: () => number;
}

interface DataCacheEntry {
  key: string;
  report: ModelReport;
}

function fileKey(path: string): string {
  try {
    const s = fs.statSync(path);
    return `${path}:${s.size}:${s.mtimeMs}`;
  } catch {
    return `${path}:missing`;
  }
}

export class ModelMonitoring {
  private readonly logger: Logger;
  private configCache: { key: string; load: ModelsLoad } | undefined;
  private readonly dataCache = new Map<string, DataCacheEntry>();
  private readonly overviewCache = new Map<string, { key: string; overview: ModelOverview }>();

  constructor(private readonly opts: ModelMonitoringOptions) {
    this.logger = opts.logger ?? silentLogger;
  }

  get configPath(): string {
    return workspaceModelsPath(this.opts.workspaceDir);
  }

  /** models.yaml as declared now (re-read when the file changes). */
  load(): ModelsLoad {
    const key = fileKey(this.configPath);
    if (this.configCache?.key !== key) this.configCache = { key, load: loadModelsFile(this.configPath, this.opts.workspaceDir) };
    return this.configCache.load;
  }

  private checkPath(file: string): void {
    if (!this.opts.trusted && !insideWorkspace(this.opts.workspaceDir, file)) {
      throw new SourceError('config', 'models', `${file} is outside the workspace: in an untrusted workspace model data is read from inside it only`);
    }
  }

  /** The drift report of one model, recomputed only when one of its data files changed. */
  async report(spec: ModelSpec): Promise<ModelReport> {
    const files = [spec.reference.path, spec.current.path, ...(spec.currentTargets ? [spec.currentTargets.path] : [])];
    for (const f of files) this.checkPath(f);
    const key = `${JSON.stringify(spec)}|${files.map(fileKey).join('|')}`;
    const cached = this.dataCache.get(spec.name);
    if (cached?.key === key) return cached.report;
    const wanted = [...new Set([...spec.features.map((f) => f.name), spec.timestamp.column, ...(spec.prediction.score ? [spec.prediction.score] : []), ...(spec.prediction.label ? [spec.prediction.label] : []), ...(spec.target ? [spec.target] : []), ...(spec.currentTargets ? [spec.currentTargets.join] : [])])];
    const [reference, current, targets] = await Promise.all([
      readTableFile(spec.reference, { columns: wanted }),
      readTableFile(spec.current, { columns: wanted }),
      spec.currentTargets ? readTableFile(spec.currentTargets, { columns: [spec.currentTargets.join, spec.target!] }) : Promise.resolve(undefined),
    ]);
    const analysis: DataTable = targets && spec.target ? joinTargets(current, targets, spec.currentTargets!.join, spec.target) : current;
    const report = monitorModel({ spec, reference, analysis, now: this.now() });
    this.dataCache.set(spec.name, { key, report });
    return report;
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /**
   * The overview of one model. With `maxAgeMs`, one computed that recently from the same declaration is
   * reused (the Alerts tree refreshes every few seconds; registries and git need not be asked each time).
   */
  async overview(spec: ModelSpec, signal?: AbortSignal, maxAgeMs = 0): Promise<ModelOverview> {
    const key = JSON.stringify(spec);
    const cached = this.overviewCache.get(spec.name);
    if (maxAgeMs > 0 && cached && cached.key === key && this.now() - cached.overview.computedAt < maxAgeMs) return cached.overview;
    const overview: ModelOverview = { spec, evidently: [], commits: [], problems: [], computedAt: this.now() };
    const part = async (name: ModelOverview['problems'][number]['part'], work: () => Promise<void>) => {
      try {
        await work();
      } catch (err) {
        overview.problems.push({ part: name, message: errorMessage(err) });
        this.logger.warn(`model ${spec.name}: ${name}: ${errorMessage(err)}`);
      }
    };
    await Promise.all([
      part('data', async () => {
        overview.report = await this.report(spec);
      }),
      part('evidently', async () => {
        for (const file of spec.evidently ?? []) {
          this.checkPath(file);
          overview.evidently.push(readEvidentlyFile(file));
        }
      }),
      part('registry', async () => {
        if (!spec.registry) return;
        if (!this.opts.trusted) throw new SourceError('config', 'mlflow', 'the workspace is not trusted: its registry is not called');
        const client = new MlflowClient({ trackingUri: spec.registry.trackingUri, authorization: this.opts.mlflowAuthorization?.(spec.registry.trackingUri) });
        overview.registry = await client.registryState(spec.registry.model ?? spec.name, { alias: spec.registry.alias, stage: spec.registry.stage }, signal);
      }),
      part('serving', async () => {
        if (!spec.serving) return;
        if (!this.opts.trusted) throw new SourceError('config', 'prometheus', 'the workspace is not trusted: its serving metrics are not read');
        const prom = this.opts.prometheus?.(spec.serving.prometheus);
        if (!prom) throw new SourceError('config', 'prometheus', spec.serving.prometheus ? `no configured prometheus source is named "${spec.serving.prometheus}"` : 'no prometheus source is configured');
        const end = this.now();
        const serving = await readServingMetrics(prom, spec.serving, spec.name, { start: end - servingWindowMs, end }, signal);
        const b = serving.predictionBuckets;
        if (b && b.earlier.some((x) => x > 0) && b.later.some((x) => x > 0)) serving.predictionShift = { psi: psiOfCounts(b.earlier, b.later), jensenShannon: jensenShannonDistance(b.earlier, b.later) };
        overview.serving = serving;
      }),
      part('commits', async () => {
        overview.commits = await listModelCommits(spec.code, { workspace: this.opts.workspaceDir, trusted: this.opts.trusted, signal });
      }),
    ]);
    this.overviewCache.set(spec.name, { key, overview });
    return overview;
  }
}

function alertId(model: string, name: string): string {
  return createHash('sha256').update(`${modelDriftSourceKind}\0${model}\0${name}`).digest('hex').slice(0, 16);
}

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

function driftedList(report: ModelReport, features: FeatureDrift[]): string {
  const analysisChunks = report.chunks.filter((c) => c.period === 'analysis').length;
  return features.map((f) => `${f.feature} (${f.series[0]?.method} in ${f.alertCount} of ${analysisChunks} chunks, first ${f.firstAlert})`).join(', ');
}

/** The alerts a model's overview raises: data drift, prediction drift, performance decay. */
export function modelAlerts(o: ModelOverview, sourceName = 'models'): Alert[] {
  const r = o.report;
  if (!r) return [];
  const spec = o.spec;
  const chunkStart = (key?: string) => r.chunks.find((c) => c.key === key)?.start ?? r.computedAt;
  const base = (name: string, severity: Alert['severity'], startsAt: number, summary: string, extra: Record<string, string>): Alert => ({
    id: alertId(spec.name, name),
    name,
    state: 'firing',
    severity,
    // The owner routes the alert: it is a label, as Alertmanager routes on labels.
    labels: { alertname: name, model: spec.name, owner: spec.owner, severity, ...(spec.service ? { service: spec.service } : {}), ...extra },
    annotations: { summary, owner: spec.owner, ...(spec.line ? { declared: `.incident-lens/models.yaml:${spec.line}` } : {}) },
    startsAt,
    sourceName,
    sourceKind: modelDriftSourceKind,
    service: spec.service ?? spec.name,
  });
  const alerts: Alert[] = [];
  const drifted = r.features.filter((f) => f.alertCount > 0);
  if (drifted.length > 0) {
    const first = drifted.map((f) => f.firstAlert).sort()[0];
    alerts.push({
      ...base('ModelDataDrift', 'warning', chunkStart(first), `${drifted.length} of ${r.features.length} features of ${spec.name} drifted: ${driftedList(r, drifted)}`, { features: drifted.map((f) => f.feature).join(',') }),
      value: drifted.map((f) => f.feature).join(', '),
    });
  }
  if (r.prediction && r.prediction.alertCount > 0) {
    alerts.push({ ...base('ModelPredictionDrift', 'warning', chunkStart(r.prediction.firstAlert), `The outputs of ${spec.name} (${r.prediction.feature}) drifted: ${driftedList(r, [r.prediction])}`, {}), value: `${r.prediction.alertCount} chunks` });
  }
  if (r.decayChunks.length > 0) {
    const main = r.performance.find((p) => p.alerts.some(Boolean)) as PerformanceSeries;
    const values = r.decayChunks.map((k) => `${k} (${fmt(main.values[r.chunks.findIndex((c) => c.key === k)])})`).join(', ');
    const estimate = main.basis === 'estimated';
    const bound = main.threshold.lower ?? main.threshold.upper;
    alerts.push({
      ...base('ModelPerformanceDecay', 'critical', chunkStart(r.decayChunks[0]), `${estimate ? 'Estimated' : 'Realized'} ${main.method} of ${spec.name} ${main.threshold.lower !== undefined ? 'below' : 'above'} ${fmt(bound)} (reference mean ∓ 3σ) in ${values}${estimate ? '; an estimate: the labels have not arrived' : ''}`, { metric: main.method, basis: main.basis }),
      value: `${main.method} ${fmt(main.values[r.chunks.findIndex((c) => c.key === r.decayChunks[r.decayChunks.length - 1])])}`,
    });
  }
  return alerts;
}

/** What a drifting model proposes: retraining (a runbook), and rolling back to the version that served before. */
export function modelActions(o: ModelOverview): ProposedAction[] {
  const spec = o.spec;
  const out: ProposedAction[] = [];
  const ranked = o.report?.ranking.filter((x) => x.alertCount > 0).map((x) => x.feature) ?? [];
  if (spec.actions.retrain) {
    out.push({ actionId: spec.actions.retrain, title: `Retrain ${spec.name}`, params: { model: spec.name }, why: ranked.length ? `Its inputs drifted (${ranked.slice(0, 3).join(', ')}): retrain on recent data.` : 'Retrain on recent data.' });
  }
  const rollback = spec.actions.rollback;
  const reg = o.registry;
  if (rollback === 'rollback-model' && spec.registry && reg?.serving && reg.previous) {
    out.push({
      actionId: 'rollback-model',
      title: `Roll ${spec.name} back to version ${reg.previous.version}`,
      params: {
        trackingUri: spec.registry.trackingUri,
        model: reg.model,
        ...(reg.pointer.kind === 'alias' ? { alias: reg.pointer.name } : { stage: reg.pointer.name }),
        version: reg.previous.version,
        currentVersion: reg.serving.version,
      },
      why: `Version ${reg.serving.version} serves under ${reg.pointer.kind} ${reg.pointer.name}; version ${reg.previous.version} served before it.`,
    });
  } else if (rollback && rollback !== 'rollback-model') {
    out.push({ actionId: rollback, title: `Roll ${spec.name} back`, params: { model: spec.name, ...(reg?.previous ? { version: reg.previous.version } : {}) }, why: 'Serve the model version that served before the drift.' });
  }
  return out;
}

/** The Alerts tree's source for models: one alert per drift kind per model, from each model's overview. */
export class ModelDriftAlertSource implements AlertSource {
  readonly name = 'models';
  readonly kind = modelDriftSourceKind;
  private readonly overviews = new Map<string, ModelOverview>();

  constructor(
    readonly monitoring: ModelMonitoring,
    private readonly maxAgeMs = 60_000,
  ) {}

  /** The latest overview of a model (computed by listAlerts or refreshed here). */
  async overviewOf(model: string, signal?: AbortSignal): Promise<ModelOverview | undefined> {
    const spec = this.monitoring.load().models.find((m) => m.name === model);
    if (!spec) return undefined;
    const o = await this.monitoring.overview(spec, signal);
    this.overviews.set(model, o);
    return o;
  }

  cached(model: string): ModelOverview | undefined {
    return this.overviews.get(model);
  }

  async listAlerts(signal?: AbortSignal): Promise<Alert[]> {
    const load = this.monitoring.load();
    if (load.error) throw new SourceError('config', this.name, load.error);
    const results = await Promise.all(load.models.map((spec) => this.monitoring.overview(spec, signal, this.maxAgeMs)));
    const alerts: Alert[] = [];
    const failures: string[] = [];
    for (const o of results) {
      this.overviews.set(o.spec.name, o);
      if (!o.report) failures.push(`${o.spec.name}: ${o.problems.find((p) => p.part === 'data')?.message ?? 'no report'}`);
      alerts.push(...modelAlerts(o, this.name));
    }
    // One broken model costs only itself; when none can be read, the tree says why.
    if (failures.length > 0 && failures.length === results.length) throw new SourceError('config', this.name, failures.join('; '));
    return alerts;
  }
}
