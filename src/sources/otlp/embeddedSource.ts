// The embedded default source: the local OTLP receiver's store and built-in rules behind the same
// interfaces as a real backend (alerts, metrics, logs, traces), so the rest of the product cannot
// tell them apart.

import type { Alert, Labels, LogLevel, LogRecord, MetricSeries, Span, TraceSummary } from '../../core/model';
import { normaliseUnit } from '../../core/units';
import type { AlertSource, LogQuery, LogSource, MetricQuery, MetricSource, ServiceEdge, TimeWindow, TraceQuery, TraceSource } from '../../core/sources';
import { labelsKey } from '../../core/sources';
import { SourceError, errorMessage } from '../../core/errors';
import { type Logger, scopedLogger, silentLogger } from '../../core/logger';
import { LEVEL_RANK } from './decode';
import { OtlpReceiver } from './receiver';
import { AlertRuleEngine, type RuleConfig, type RuleOverrides, routeOf } from './rules';
import { TelemetryStore, parseSeriesSelector } from './store';

export interface EmbeddedSourceOptions {
  rules?: RuleOverrides;
  /** Period of the rule timer; rules also run shortly after new data and on every listAlerts. */
  evaluateIntervalMs?: number;
  now?: () => number;
  logger?: Logger;
  /** Upper bound on the series seriesForService returns. */
  maxServiceSeries?: number;
}

/** RED series names: per route, requests per second, the fraction that failed, and p95 latency in ms. */
// The names Prometheus's RED series carry too (sources/relatedSeries.ts): one chart title for both.
export const RED_REQUEST_RATE = 'Request rate';
export const RED_ERROR_RATIO = 'Error ratio';
export const RED_LATENCY_P95 = 'Latency p95';

const MAX_RED_ROUTES = 8;
const DATA_SETTLE_MS = 1000;

export class EmbeddedSource implements AlertSource, MetricSource, LogSource, TraceSource {
  readonly name = 'local';
  readonly kind = 'otlp';
  readonly rules: AlertRuleEngine;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly maxServiceSeries: number;
  private pending: NodeJS.Timeout | undefined;
  private readonly storeSubscription: { dispose(): void };

  constructor(
    readonly store: TelemetryStore,
    opts: EmbeddedSourceOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.logger = scopedLogger(opts.logger ?? silentLogger, 'local-source');
    this.maxServiceSeries = opts.maxServiceSeries ?? 60;
    this.rules = new AlertRuleEngine(store, { rules: opts.rules, intervalMs: opts.evaluateIntervalMs, now: this.now, logger: this.logger, sourceName: this.name, sourceKind: this.kind });
    this.rules.start();
    // New data can start or end an alert: look again soon after it arrives, once per burst.
    this.storeSubscription = store.onDidChange(() => {
      if (this.pending) return;
      this.pending = setTimeout(() => {
        this.pending = undefined;
        try {
          this.rules.evaluate();
        } catch (err) {
          this.logger.error(`rule evaluation failed: ${errorMessage(err)}`);
        }
      }, DATA_SETTLE_MS);
      this.pending.unref();
    });
  }

  dispose(): void {
    this.rules.stop();
    this.storeSubscription.dispose();
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
  }

  // ---- AlertSource ----

  async listAlerts(signal?: AbortSignal): Promise<Alert[]> {
    signal?.throwIfAborted();
    return this.rules.evaluate();
  }

  onDidChangeAlerts(listener: () => void): { dispose(): void } {
    return this.rules.onDidChange(listener);
  }

  // ---- MetricSource ----

  /** `query` is a metric name with optional matchers: `http.server.request.duration{service="checkout"}`. */
  async queryRange(q: MetricQuery, signal?: AbortSignal): Promise<MetricSeries[]> {
    signal?.throwIfAborted();
    let selector;
    try {
      selector = parseSeriesSelector(q.query);
    } catch (err) {
      throw new SourceError('client', this.name, errorMessage(err));
    }
    if (selector.name === '' && !selector.matchers.length) throw new SourceError('client', this.name, 'empty metric query: give a metric name or label matchers');
    try {
      return this.store.querySeries({ selector, start: q.start, end: q.end, stepSeconds: q.stepSeconds, limit: q.limit ?? 100 });
    } catch (err) {
      throw new SourceError('client', this.name, errorMessage(err));
    }
  }

  /** The service's RED series per route (from its server spans), then its own metrics, bounded; units normalised. */
  async seriesForService(service: string, window: TimeWindow, signal?: AbortSignal): Promise<MetricSeries[]> {
    signal?.throwIfAborted();
    const out = redSeries(this.store, service, window);
    const room = this.maxServiceSeries - out.length;
    if (room > 0) {
      const stepSeconds = stepFor(window) / 1000;
      const own = this.store.querySeries({
        selector: { name: '', matchers: [{ name: 'service', op: '=', value: service }] },
        start: window.start,
        end: window.end,
        stepSeconds,
        limit: room,
      });
      for (const m of own) {
        // OpenTelemetry's UCUM units ("By", "s", "1", "{request}") as the rest of the product spells them.
        const unit = normaliseUnit(m.unit);
        const series: MetricSeries = { ...m, role: 'other' };
        if (unit) series.unit = unit;
        else delete series.unit;
        out.push(series);
      }
    }
    return out.slice(0, this.maxServiceSeries);
  }

  /**
   * A built-in rule's own value over the window, computed the way the rule computes it (the same
   * sliding window, minimum count and route), with its threshold; then the service's series.
   */
  async seriesForAlert(alert: Alert, window: TimeWindow, signal?: AbortSignal): Promise<MetricSeries[]> {
    signal?.throwIfAborted();
    const service = alert.service ?? alert.labels?.service;
    if (!service) return [];
    const own = alert.rule?.language === 'builtin' && alert.sourceKind === this.kind ? builtinRuleSeries(this.store, alert, service, this.rules.rules, window) : [];
    const related = await this.seriesForService(service, window, signal);
    return [...own, ...related].slice(0, this.maxServiceSeries);
  }

  // ---- LogSource ----

  /**
   * `query` is a case-insensitive substring of the body; a leading `level:error` (or `level>=warn`)
   * keeps only records at that level or above.
   */
  async queryLogs(q: LogQuery, signal?: AbortSignal): Promise<LogRecord[]> {
    signal?.throwIfAborted();
    let text = q.query.trim();
    let minLevel: LogLevel | undefined;
    const m = /^level\s*(?::|>=|=)\s*(\w+)\s*/i.exec(text);
    if (m) {
      const level = m[1].toLowerCase() === 'warning' ? 'warn' : (m[1].toLowerCase() as LogLevel);
      if (!(level in LEVEL_RANK)) throw new SourceError('client', this.name, `unknown log level "${m[1]}": use trace, debug, info, warn, error or fatal`);
      minLevel = level;
      text = text.slice(m[0].length);
    }
    return this.store.queryLogs({ start: q.start, end: q.end, service: q.service, contains: text || undefined, minLevel, limit: q.limit });
  }

  // ---- TraceSource ----

  async searchTraces(q: TraceQuery, signal?: AbortSignal): Promise<TraceSummary[]> {
    signal?.throwIfAborted();
    return this.store.searchTraces({ start: q.start, end: q.end, service: q.service, minDurationMs: q.minDurationMs, errorsOnly: q.errorsOnly, limit: q.limit });
  }

  async getTrace(traceId: string, signal?: AbortSignal): Promise<Span[]> {
    signal?.throwIfAborted();
    const spans = this.store.getTrace(traceId);
    if (!spans.length) throw new SourceError('not-found', this.name, `trace ${traceId} is not in the local store (never received, or evicted)`);
    return spans;
  }

  /** Caller -> callee edges: a span whose parent span belongs to another service is a call between them. */
  async serviceGraph(window: TimeWindow, signal?: AbortSignal): Promise<ServiceEdge[]> {
    signal?.throwIfAborted();
    const serviceOf = new Map<string, string>();
    const children: { parent: string; service: string }[] = [];
    this.store.forEachSpan(window, {}, (s) => {
      serviceOf.set(s.spanId, s.service);
      if (s.parentSpanId) children.push({ parent: s.parentSpanId, service: s.service });
    });
    const calls = new Map<string, ServiceEdge>();
    for (const c of children) {
      const from = serviceOf.get(c.parent);
      if (!from || from === c.service) continue;
      const key = `${from}\u0000${c.service}`;
      const e = calls.get(key);
      if (e) e.calls = (e.calls ?? 0) + 1;
      else calls.set(key, { from, to: c.service, calls: 1 });
    }
    return [...calls.values()];
  }
}

/** About 60 buckets over the window, at least 10 s each, on a whole number of seconds. */
function stepFor(window: TimeWindow): number {
  const raw = Math.max(10_000, (window.end - window.start) / 60);
  return Math.ceil(raw / 1000) * 1000;
}

function redSeries(store: TelemetryStore, service: string, requested: TimeWindow): MetricSeries[] {
  // Start where the service's data starts: buckets before it would read as "zero requests" and look
  // like a step when a freshly started app begins reporting. Finer buckets for short histories.
  // Likewise end where it ends: buckets after the newest span (a window reaching past now) are not
  // "zero requests" either.
  let first = Infinity;
  let last = -Infinity;
  store.forEachSpan(requested, { service, kind: 'server' }, (s) => {
    if (s.endTime < first) first = s.endTime;
    if (s.endTime > last) last = s.endTime;
  });
  if (!Number.isFinite(first)) return [];
  const window = { start: Math.max(requested.start, first - 1000), end: Math.min(requested.end, last + 1000) };
  const step = Math.max(5_000, Math.ceil((window.end - window.start) / 120 / 1000) * 1000);
  const buckets = Math.max(1, Math.ceil((window.end - window.start) / step));
  interface RouteStats {
    total: number;
    count: number[];
    errors: number[];
    durations: number[][];
  }
  const routes = new Map<string, RouteStats>();
  store.forEachSpan(window, { service, kind: 'server' }, (s) => {
    const route = routeOf(s);
    let r = routes.get(route);
    if (!r) {
      r = { total: 0, count: new Array(buckets).fill(0), errors: new Array(buckets).fill(0), durations: Array.from({ length: buckets }, () => []) };
      routes.set(route, r);
    }
    const b = Math.min(buckets - 1, Math.max(0, Math.floor((s.endTime - window.start) / step)));
    r.total++;
    r.count[b]++;
    if (s.status === 'error') r.errors[b]++;
    r.durations[b].push(s.endTime - s.startTime);
  });
  const top = [...routes.entries()].sort((a, b) => b[1].total - a[1].total).slice(0, MAX_RED_ROUTES);
  const out: MetricSeries[] = [];
  for (const [route, r] of top) {
    const labels: Labels = { service, route };
    const make = (name: string, unit: string, points: [number, number][]): MetricSeries => ({
      id: `${name}{${labelsKey(labels)}}`,
      name,
      labels,
      service,
      unit,
      role: 'red',
      timestamps: points.map((p) => p[0]),
      values: points.map((p) => p[1]),
    });
    const rate: [number, number][] = [];
    const ratio: [number, number][] = [];
    const p95: [number, number][] = [];
    for (let b = 0; b < buckets; b++) {
      const t = window.start + b * step;
      // The last bucket ends where the data ends, usually short of a full step: its rate is over the
      // time it covers, and one that covers under half a step (after full ones) is left out rather
      // than drawn as a drop to zero.
      const covered = Math.max(1, Math.min(step, window.end - t));
      if (b === 0 || covered >= step / 2) rate.push([t, r.count[b] / (covered / 1000)]);
      if (r.count[b] > 0) {
        ratio.push([t, r.errors[b] / r.count[b]]);
        const d = r.durations[b].sort((x, y) => x - y);
        p95.push([t, d[Math.min(d.length - 1, Math.ceil(0.95 * d.length) - 1)]]);
      }
    }
    out.push(make(RED_REQUEST_RATE, 'req/s', rate), make(RED_ERROR_RATIO, 'ratio', ratio), make(RED_LATENCY_P95, 'ms', p95));
  }
  return out;
}

/** A point every `step` over the window, each the rule's value over the `windowMs` before it. */
function slidingPoints<T extends { time: number }>(items: T[], window: TimeWindow, windowMs: number, value: (inWindow: T[]) => number | undefined): [number, number][] {
  items.sort((a, b) => a.time - b.time);
  if (!items.length) return [];
  // Up to the newest data, not past it: later points would read as the problem going away.
  const end = Math.min(window.end, items[items.length - 1].time + 1000);
  const step = Math.max(5_000, Math.ceil((end - window.start) / 120 / 1000) * 1000);
  const out: [number, number][] = [];
  let lo = 0;
  let hi = 0;
  for (let t = Math.max(window.start, items[0].time); t <= end + step - 1; t += step) {
    const at = Math.min(t, end);
    while (hi < items.length && items[hi].time <= at) hi++;
    while (lo < hi && items[lo].time <= at - windowMs) lo++;
    const v = value(items.slice(lo, hi));
    if (v !== undefined && Number.isFinite(v)) out.push([at, v]);
    if (at === end) break;
  }
  return out;
}

function builtinRuleSeries(store: TelemetryStore, alert: Alert, service: string, rules: RuleConfig, window: TimeWindow): MetricSeries[] {
  const rule = alert.rule!;
  const route = alert.labels?.route;
  const labels: Labels = { service, ...(route ? { route } : {}) };
  let points: [number, number][] = [];
  if (alert.name === 'HighErrorRatio' || alert.name === 'HighLatencyP95' || alert.name === 'HighLatencyP99') {
    const ruleWindow = alert.name === 'HighErrorRatio' ? rules.errorRatio.windowMs : rules.latency.windowMs;
    const minRequests = alert.name === 'HighErrorRatio' ? rules.errorRatio.minRequests : rules.latency.minRequests;
    const spans: { time: number; error: boolean; ms: number }[] = [];
    store.forEachSpan({ start: window.start - ruleWindow, end: window.end }, { service, kind: 'server' }, (s) => {
      if (route === undefined || routeOf(s) === route) spans.push({ time: s.endTime, error: s.status === 'error', ms: s.endTime - s.startTime });
    });
    const q = alert.name === 'HighLatencyP99' ? 0.99 : 0.95;
    points = slidingPoints(spans, window, ruleWindow, (w) => {
      if (w.length < minRequests) return undefined;
      if (alert.name === 'HighErrorRatio') return w.filter((x) => x.error).length / w.length;
      const d = w.map((x) => x.ms).sort((a, b) => a - b);
      return d[Math.min(d.length - 1, Math.max(0, Math.ceil(q * d.length) - 1))];
    });
  } else if (alert.name === 'ErrorLogBurst') {
    // Every log of the service, so the minutes without errors count as zero rather than as no data.
    const logs: { time: number; error: boolean }[] = [];
    store.forEachLog({ start: window.start - rules.errorLogs.windowMs, end: window.end }, (l) => {
      if ((l.service ?? 'unknown_service') === service) logs.push({ time: l.time, error: LEVEL_RANK[l.level] >= LEVEL_RANK.error });
    });
    points = slidingPoints(logs, window, rules.errorLogs.windowMs, (w) => w.filter((x) => x.error).length);
  }
  if (!points.length) return [];
  const series: MetricSeries = {
    id: `${alert.name}{${labelsKey(labels)}}`,
    name: alert.name,
    labels,
    service,
    timestamps: points.map((p) => p[0]),
    values: points.map((p) => p[1]),
    query: rule.expression,
    role: 'alert',
  };
  if (rule.unit) series.unit = rule.unit;
  if (rule.threshold) series.threshold = { ...rule.threshold };
  return [series];
}

export interface EmbeddedDefaultOptions {
  host?: string;
  port?: number;
  maxMemoryMB?: number;
  logger?: Logger;
  rules?: RuleOverrides;
  maxBodyBytes?: number;
}

export interface EmbeddedDefault {
  source: EmbeddedSource;
  receiver: OtlpReceiver;
  store: TelemetryStore;
  /** The port the receiver listens on (useful when 0 was asked for). */
  port: number;
  dispose(): Promise<void>;
}

/**
 * Starts the local receiver, store and rules. When the port is taken this rejects with a SourceError
 * of kind 'config' naming the port and the setting (incidentLens.receiver.port) that changes it.
 */
export async function createEmbeddedDefault(opts: EmbeddedDefaultOptions = {}): Promise<EmbeddedDefault> {
  const maxMemoryMB = opts.maxMemoryMB ?? 64;
  if (!(maxMemoryMB > 0)) throw new SourceError('config', 'local', `incidentLens.receiver.maxMemoryMB must be a positive number, not ${maxMemoryMB}`);
  const store = new TelemetryStore({ maxBytes: Math.round(maxMemoryMB * 1024 * 1024) });
  const receiver = new OtlpReceiver({ host: opts.host, port: opts.port, store, logger: opts.logger, maxBodyBytes: opts.maxBodyBytes });
  const { port } = await receiver.start();
  const source = new EmbeddedSource(store, { logger: opts.logger, rules: opts.rules });
  return {
    source,
    receiver,
    store,
    port,
    async dispose() {
      source.dispose();
      await receiver.stop();
      store.clear();
    },
  };
}
