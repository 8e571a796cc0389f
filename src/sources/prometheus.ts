// Prometheus HTTP API: alerts (pending/firing) with their rules, and PromQL queries. Every query
// carries a window, a step and a series limit, so a broad selector cannot pull a whole TSDB into the
// editor. What to query beside an alert is decided in relatedSeries.ts and run by alertSeries.ts.

import type { Alert, AlertRule, Labels, MetricSeries } from '../core/model';
import type { AlertSource, MetricQuery, MetricSource, TimeWindow } from '../core/sources';
import { SourceError } from '../core/errors';
import type { Logger } from '../core/logger';
import { silentLogger } from '../core/logger';
import { parse as parseYaml } from 'yaml';
import { SourceHttp, uiBase, type HttpSourceOptions, type QueryValue } from './http';
import { environmentFromLabels, labelsFingerprint, parseTime, serviceFromLabels, severityFromLabels, stringMap } from './alertFields';
import { describePromqlRule, matchAlertRule, withRule, type RuleCandidate } from './alertRules';
import { durationSeconds } from './promqlExpr';
import type { MetricMeta } from './relatedSeries';
import { prometheusSeriesForAlert, prometheusSeriesForService } from './alertSeries';

export interface PrometheusOptions extends HttpSourceOptions {
  serviceLabel?: string;
  environmentLabel?: string;
  /** Series limit when a query names none. */
  defaultSeriesLimit?: number;
  /** How long the rules read from /api/v1/rules are reused (default 30 s). */
  rulesCacheMs?: number;
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
  /** Label sets of the rule's active alerts. */
  alertLabels: Labels[];
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
  readonly logger: Logger;
  private rulesCache: { at: number; candidates: Promise<RuleCandidate[]> } | undefined;
  private readonly metadataCache = new Map<string, MetricMeta | null>();
  private scrapeInterval: { at: number; seconds: Promise<number | undefined> } | undefined;

  constructor(readonly opts: PrometheusOptions) {
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
    // The rules tell each alert what it looks at; without them the alerts are still worth showing.
    const rulesWork = this.ruleCandidates(signal).catch((err: unknown) => {
      this.logger.warn(`${this.name}: could not read /api/v1/rules, alerts are listed without their rules: ${(err as Error)?.message ?? String(err)}`);
      return [] as RuleCandidate[];
    });
    const data = await this.api<{ alerts?: unknown }>('/api/v1/alerts', {}, signal);
    const candidates = await rulesWork;
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
      out.push(withRule(alert, candidates));
    }
    return out;
  }

  /** The alerting rules as match candidates, read at most once per `rulesCacheMs`. */
  private ruleCandidates(signal?: AbortSignal): Promise<RuleCandidate[]> {
    const now = Date.now();
    if (this.rulesCache && now - this.rulesCache.at < (this.opts.rulesCacheMs ?? 30_000)) return this.rulesCache.candidates;
    const candidates = this.rules('alert', signal).then((rules) =>
      rules
        .filter((r) => r.type === 'alerting')
        .map((r): RuleCandidate => ({
          name: r.name,
          group: r.group,
          labels: r.labels,
          activeAlerts: r.alertLabels,
          rule: { ...describePromqlRule({ name: r.name, expression: r.query, group: r.group, forMs: r.durationSeconds !== undefined ? r.durationSeconds * 1000 : undefined, sourceName: this.name }), ...(Object.keys(r.labels).length ? { labels: r.labels } : {}) },
        })),
    );
    this.rulesCache = { at: now, candidates };
    // A failed read is not remembered: the next call asks again.
    candidates.catch(() => {
      if (this.rulesCache?.candidates === candidates) this.rulesCache = undefined;
    });
    return candidates;
  }

  /**
   * The PromQL rule behind an alert from any source: its own when it carries a PromQL one, else the
   * matching rule of this Prometheus (an Alertmanager copy of the alert knows no rule).
   */
  async ruleFor(alert: Alert, signal?: AbortSignal): Promise<AlertRule | undefined> {
    if (alert.rule) return alert.rule.language === 'promql' ? alert.rule : undefined;
    return matchAlertRule(alert, await this.ruleCandidates(signal))?.rule;
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

  /** The alert's own expression and the series of what it is about (see alertSeries.ts), bounded. */
  seriesForAlert(alert: Alert, window: TimeWindow, signal?: AbortSignal): Promise<MetricSeries[]> {
    this.checkWindow(window.start, window.end);
    return prometheusSeriesForAlert(this, alert, window, signal);
  }

  /** A service's RED series (request rate, error ratio, latency quantiles) from the conventional metric names, bounded. */
  seriesForService(service: string, window: TimeWindow, signal?: AbortSignal): Promise<MetricSeries[]> {
    this.checkWindow(window.start, window.end);
    return prometheusSeriesForService(this, service, window, signal);
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

  /** Values of one label (`__name__` gives metric names), optionally only of series matching the selectors, in the window. */
  async labelValues(label: string, match: string[], window: TimeWindow, limit = 2000, signal?: AbortSignal): Promise<string[]> {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) throw new SourceError('client', this.name, `${JSON.stringify(label)} is not a label name`);
    this.checkWindow(window.start, window.end);
    const data = await this.api<unknown>(`/api/v1/label/${label}/values`, { 'match[]': match.length ? match : undefined, start: window.start / 1000, end: window.end / 1000, limit }, signal);
    if (!Array.isArray(data)) throw new SourceError('malformed', this.name, `/api/v1/label/${label}/values did not return a list`);
    return data.filter((x): x is string => typeof x === 'string').slice(0, limit);
  }

  /**
   * The global scrape interval from /api/v1/status/config (Prometheus' default, 1m, when the config
   * sets none), so rate ranges can be as short as the data allows; undefined where the endpoint is not
   * served (Thanos, Mimir). Read once per 10 minutes.
   */
  scrapeIntervalSeconds(signal?: AbortSignal): Promise<number | undefined> {
    const now = Date.now();
    if (this.scrapeInterval && now - this.scrapeInterval.at < 600_000) return this.scrapeInterval.seconds;
    const seconds = this.api<{ yaml?: unknown }>('/api/v1/status/config', {}, signal)
      .then((data) => {
        const config = typeof data.yaml === 'string' ? (parseYaml(data.yaml) as { global?: { scrape_interval?: unknown } } | null) : null;
        const raw = config?.global?.scrape_interval;
        const s = typeof raw === 'string' ? durationSeconds(raw) : 60;
        return s > 0 ? s : undefined;
      })
      .catch((err: unknown) => {
        this.logger.debug(`${this.name}: no scrape interval from /api/v1/status/config: ${(err as Error)?.message ?? String(err)}`);
        return undefined;
      });
    this.scrapeInterval = { at: now, seconds };
    return seconds;
  }

  /** Type and unit of a metric family from /api/v1/metadata (remembered: metadata rarely changes); undefined when unknown. */
  async metadata(metric: string, signal?: AbortSignal): Promise<MetricMeta | undefined> {
    const known = this.metadataCache.get(metric);
    if (known !== undefined) return known ?? undefined;
    const data = await this.api<Record<string, unknown>>('/api/v1/metadata', { metric, limit: 1 }, signal);
    const entry = Array.isArray(data?.[metric]) ? (data[metric] as { type?: unknown; unit?: unknown }[])[0] : undefined;
    const meta: MetricMeta | null = entry ? { ...(typeof entry.type === 'string' ? { type: entry.type } : {}), ...(typeof entry.unit === 'string' && entry.unit ? { unit: entry.unit } : {}) } : null;
    if (this.metadataCache.size > 5000) this.metadataCache.clear();
    this.metadataCache.set(metric, meta);
    return meta ?? undefined;
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
          alertLabels: Array.isArray(r.alerts) ? (r.alerts as { labels?: unknown }[]).map((a) => stringMap(a?.labels)) : [],
        });
      }
    }
    return out;
  }
}
