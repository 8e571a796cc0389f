// Prometheus HTTP API: alerts (pending/firing) and PromQL queries. Every query carries a window,
// a step and a series limit, so a broad selector cannot pull a whole TSDB into the editor.

import type { Alert, Labels, MetricSeries } from '../core/model';
import type { AlertSource, MetricQuery, MetricSource, TimeWindow } from '../core/sources';
import { SourceError } from '../core/errors';
import type { Logger } from '../core/logger';
import { silentLogger } from '../core/logger';
import { SourceHttp, uiBase, type HttpSourceOptions, type QueryValue } from './http';
import { environmentFromLabels, labelsFingerprint, parseTime, serviceFromLabels, severityFromLabels, stringMap } from './alertFields';

export interface PrometheusOptions extends HttpSourceOptions {
  serviceLabel?: string;
  environmentLabel?: string;
  /** Series limit when a query names none. */
  defaultSeriesLimit?: number;
  logger?: Logger;
}

/** Prometheus refuses range queries above 11,000 points per series. */
const maxPointsPerSeries = 11_000;

interface Envelope<T> {
  status?: string;
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export interface InstantResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  series: MetricSeries[];
}

export interface PrometheusRule {
  group: string;
  name: string;
  type: 'alerting' | 'recording';
  query: string;
  health: string;
  /** Alerting rules: inactive, pending or firing. */
  state?: string;
  durationSeconds?: number;
  labels: Labels;
  annotations: Labels;
  lastError?: string;
  activeAlerts: number;
}

/** `name{a="x",b="y"}`: readable and stable, used as the series id. */
export function seriesId(labels: Labels): string {
  const name = labels.__name__ ?? '';
  const rest = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
  return `${name}{${rest}}`;
}

function sampleValue(raw: unknown): number {
  if (typeof raw !== 'string') return Number.NaN;
  if (raw === '+Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(raw);
}

export class PrometheusSource implements AlertSource, MetricSource {
  readonly name: string;
  readonly kind = 'prometheus';
  private readonly http: SourceHttp;
  private readonly logger: Logger;

  constructor(private readonly opts: PrometheusOptions) {
    this.name = opts.name;
    this.http = new SourceHttp(opts);
    this.logger = opts.logger ?? silentLogger;
  }

  /** Calls the API and unwraps its status/data envelope; status "error" becomes a SourceError. */
  private async api<T>(path: string, params: Record<string, QueryValue>, signal?: AbortSignal): Promise<T> {
    const env = await this.http.json<Envelope<T>>('GET', path, params, undefined, signal);
    if (!env || typeof env !== 'object') throw new SourceError('malformed', this.name, `${path} did not return the status/data envelope`);
    if (env.status === 'error') {
      const kind = env.errorType === 'timeout' ? 'timeout' : env.errorType === 'bad_data' ? 'client' : 'server';
      throw new SourceError(kind, this.name, `${path}: ${env.errorType ?? 'error'}: ${env.error ?? 'no message'}`);
    }
    if (env.status !== 'success' || env.data === undefined) throw new SourceError('malformed', this.name, `${path} did not return the status/data envelope`);
    if (env.warnings?.length) this.logger.warn(`${this.name}: ${path}: ${env.warnings.join('; ')}`);
    return env.data;
  }

  async listAlerts(signal?: AbortSignal): Promise<Alert[]> {
    const data = await this.api<{ alerts?: unknown }>('/api/v1/alerts', {}, signal);
    if (!Array.isArray(data.alerts)) throw new SourceError('malformed', this.name, '/api/v1/alerts has no alerts list');
    const now = Date.now();
    const out: Alert[] = [];
    for (const raw of data.alerts as { labels?: unknown; annotations?: unknown; state?: string; activeAt?: string; value?: unknown }[]) {
      if (!raw || typeof raw !== 'object' || !raw.labels) continue;
      if (raw.state !== 'firing' && raw.state !== 'pending') continue;
      const labels = stringMap(raw.labels);
      const alert: Alert = {
        // Same fingerprint as Alertmanager's, so the two views of one alert merge.
        id: labelsFingerprint(labels),
        name: labels.alertname ?? '(no alertname)',
        state: raw.state,
        severity: severityFromLabels(labels),
        labels,
        annotations: stringMap(raw.annotations),
        startsAt: parseTime(raw.activeAt) ?? now,
        sourceName: this.name,
        sourceKind: this.kind,
        generatorURL: `${uiBase(this.opts)}/alerts`,
      };
      if (typeof raw.value === 'string') alert.value = raw.value;
      const service = serviceFromLabels(labels, this.opts.serviceLabel);
      if (service) alert.service = service;
      const environment = environmentFromLabels(labels, this.opts.environmentLabel);
      if (environment) alert.environment = environment;
      out.push(alert);
    }
    return out;
  }

  uiLink(alert: Alert): string | undefined {
    const selector = Object.keys(alert.labels)
      .filter((k) => k !== 'alertname')
      .map((k) => `${k}=${JSON.stringify(alert.labels[k])}`)
      .join(',');
    const expr = `ALERTS{alertname=${JSON.stringify(alert.name)}${selector ? `,${selector}` : ''}}`;
    return `${uiBase(this.opts)}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0`;
  }

  private checkWindow(start: number, end: number): void {
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
      throw new SourceError('client', this.name, `the query window must end after it starts (start ${start}, end ${end})`);
    }
  }

  async queryRange(q: MetricQuery, signal?: AbortSignal): Promise<MetricSeries[]> {
    this.checkWindow(q.start, q.end);
    if (!q.query?.trim()) throw new SourceError('client', this.name, 'the PromQL query is empty');
    const limit = q.limit ?? this.opts.defaultSeriesLimit ?? 100;
    let step = Math.max(1, q.stepSeconds || 0);
    const spanSeconds = (q.end - q.start) / 1000;
    if (spanSeconds / step > maxPointsPerSeries) {
      step = Math.ceil(spanSeconds / maxPointsPerSeries);
      this.logger.debug(`${this.name}: step raised to ${step}s to stay under ${maxPointsPerSeries} points per series`);
    }
    const data = await this.api<{ resultType?: string; result?: unknown }>(
      '/api/v1/query_range',
      // Newer Prometheus honours `limit`; older ones ignore it, so the cut below also applies.
      { query: q.query, start: q.start / 1000, end: q.end / 1000, step, limit },
      signal,
    );
    if (data.resultType !== 'matrix' || !Array.isArray(data.result)) {
      throw new SourceError('malformed', this.name, `query_range returned ${String(data.resultType)}, expected a matrix`);
    }
    if (data.result.length > limit) this.logger.info(`${this.name}: query returned ${data.result.length} series; keeping the first ${limit}`);
    return (data.result as unknown[]).slice(0, limit).map((r) => this.toSeries(r, 'values'));
  }

  private toSeries(raw: unknown, field: 'values' | 'value'): MetricSeries {
    const r = (raw ?? {}) as { metric?: unknown; values?: unknown; value?: unknown };
    const labels = stringMap(r.metric);
    const points = field === 'values' ? (Array.isArray(r.values) ? r.values : []) : Array.isArray(r.value) ? [r.value] : [];
    const timestamps: number[] = [];
    const values: number[] = [];
    for (const p of points as unknown[]) {
      if (!Array.isArray(p) || typeof p[0] !== 'number') continue;
      timestamps.push(Math.round(p[0] * 1000));
      values.push(sampleValue(p[1]));
    }
    const series: MetricSeries = { id: seriesId(labels), name: labels.__name__ ?? '', labels, timestamps, values };
    const service = serviceFromLabels(labels, this.opts.serviceLabel);
    if (service) series.service = service;
    return series;
  }

  /**
   * A few telling series of one service for correlation: the service's metric names are read
   * from /api/v1/series (bounded), the most telling ones (errors, latency, requests first) are
   * picked, and each is queried in an aggregate form: rate for counters, p95 for histograms,
   * average for gauges. At most `maxMetrics` queries, each with the window, a step and a limit.
   */
  async seriesForService(service: string, window: TimeWindow, signal?: AbortSignal, maxMetrics = 8): Promise<MetricSeries[]> {
    this.checkWindow(window.start, window.end);
    const label = this.opts.serviceLabel ?? 'service';
    const selector = `{${label}=${JSON.stringify(service)}}`;
    const labelSets = await this.series([selector], window, 2000, signal);
    const names = [...new Set(labelSets.map((l) => l.__name__).filter((n): n is string => !!n))];
    const histograms = new Set(names.filter((n) => n.endsWith('_bucket')).map((n) => n.slice(0, -'_bucket'.length)));
    const candidates = names.filter((n) => {
      if (n.endsWith('_bucket')) return true;
      const base = n.replace(/_(sum|count)$/, '');
      return !histograms.has(base) || base === n;
    });
    const score = (n: string) => (/error|fail|5xx|exception/i.test(n) ? 0 : /latency|duration|seconds/i.test(n) ? 1 : /request|total/i.test(n) ? 2 : 3);
    candidates.sort((a, b) => score(a) - score(b) || (a < b ? -1 : 1));
    const spanSeconds = (window.end - window.start) / 1000;
    const stepSeconds = Math.max(15, Math.ceil(spanSeconds / 240));
    const range = `${Math.max(4 * stepSeconds, 60)}s`;
    const queries = candidates.slice(0, maxMetrics).map((n) => {
      const sel = `${n}${selector}`;
      if (n.endsWith('_bucket')) return { name: n.slice(0, -'_bucket'.length), query: `histogram_quantile(0.95, sum by (le) (rate(${sel}[${range}])))`, unit: 'p95' };
      if (n.endsWith('_total') || n.endsWith('_count')) return { name: n, query: `sum(rate(${sel}[${range}]))`, unit: 'per second' };
      return { name: n, query: `avg(${sel})`, unit: undefined };
    });
    const results = await Promise.allSettled(queries.map((q) => this.queryRange({ query: q.query, start: window.start, end: window.end, stepSeconds, limit: 1 }, signal)));
    const out: MetricSeries[] = [];
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        this.logger.warn(`${this.name}: ${queries[i].query}: ${String((r.reason as Error)?.message ?? r.reason)}`);
        return;
      }
      for (const s of r.value) {
        const series: MetricSeries = { ...s, id: queries[i].query, name: queries[i].name, service, labels: { ...s.labels, [label]: service } };
        if (queries[i].unit) series.unit = queries[i].unit;
        out.push(series);
      }
    });
    return out;
  }

  /** Instant query at `time` (ms, default now). */
  async query(expr: string, time?: number, limit = this.opts.defaultSeriesLimit ?? 100, signal?: AbortSignal): Promise<InstantResult> {
    if (!expr?.trim()) throw new SourceError('client', this.name, 'the PromQL query is empty');
    const data = await this.api<{ resultType?: string; result?: unknown }>('/api/v1/query', { query: expr, time: time !== undefined ? time / 1000 : undefined, limit }, signal);
    switch (data.resultType) {
      case 'vector':
        if (!Array.isArray(data.result)) break;
        return { resultType: 'vector', series: (data.result as unknown[]).slice(0, limit).map((r) => this.toSeries(r, 'value')) };
      case 'matrix':
        if (!Array.isArray(data.result)) break;
        return { resultType: 'matrix', series: (data.result as unknown[]).slice(0, limit).map((r) => this.toSeries(r, 'values')) };
      case 'scalar':
      case 'string':
        if (!Array.isArray(data.result)) break;
        return { resultType: data.resultType, series: [this.toSeries({ metric: {}, value: data.result }, 'value')] };
    }
    throw new SourceError('malformed', this.name, `/api/v1/query returned an unknown result type ${String(data.resultType)}`);
  }

  /** Label sets of the series matching the selectors in the window, at most `limit`. */
  async series(match: string[], window: TimeWindow, limit = 500, signal?: AbortSignal): Promise<Labels[]> {
    if (!match.length) throw new SourceError('client', this.name, 'series() needs at least one selector');
    this.checkWindow(window.start, window.end);
    const data = await this.api<unknown>('/api/v1/series', { 'match[]': match, start: window.start / 1000, end: window.end / 1000, limit }, signal);
    if (!Array.isArray(data)) throw new SourceError('malformed', this.name, '/api/v1/series did not return a list');
    return data.slice(0, limit).map((l) => stringMap(l));
  }

  /** Label names, optionally only of series matching the selectors, in the window. */
  async labels(window: TimeWindow, match: string[] = [], limit = 1000, signal?: AbortSignal): Promise<string[]> {
    this.checkWindow(window.start, window.end);
    const data = await this.api<unknown>('/api/v1/labels', { 'match[]': match.length ? match : undefined, start: window.start / 1000, end: window.end / 1000, limit }, signal);
    if (!Array.isArray(data)) throw new SourceError('malformed', this.name, '/api/v1/labels did not return a list');
    return data.filter((x): x is string => typeof x === 'string').slice(0, limit);
  }

  async rules(type?: 'alert' | 'record', signal?: AbortSignal): Promise<PrometheusRule[]> {
    const data = await this.api<{ groups?: unknown }>('/api/v1/rules', { type }, signal);
    if (!Array.isArray(data.groups)) throw new SourceError('malformed', this.name, '/api/v1/rules has no groups list');
    const out: PrometheusRule[] = [];
    for (const g of data.groups as { name?: string; rules?: unknown }[]) {
      if (!g || !Array.isArray(g.rules)) continue;
      for (const r of g.rules as Record<string, unknown>[]) {
        if (!r || typeof r.name !== 'string') continue;
        out.push({
          group: String(g.name ?? ''),
          name: r.name,
          type: r.type === 'recording' ? 'recording' : 'alerting',
          query: String(r.query ?? ''),
          health: String(r.health ?? 'unknown'),
          state: typeof r.state === 'string' ? r.state : undefined,
          durationSeconds: typeof r.duration === 'number' ? r.duration : undefined,
          labels: stringMap(r.labels),
          annotations: stringMap(r.annotations),
          lastError: typeof r.lastError === 'string' && r.lastError ? r.lastError : undefined,
          activeAlerts: Array.isArray(r.alerts) ? r.alerts.length : 0,
        });
      }
    }
    return out;
  }
}
