// Built-in alert rules over the embedded store: error ratio and latency per service and route (from
// server spans, and from HTTP server duration histograms when spans are absent), and error-log
// bursts per service. Each rule follows Prometheus' lifecycle: pending while the condition holds for
// less than `forMs`, then firing; resolved once it clears, kept for a while so the user sees it ended.

import { createHash } from 'node:crypto';
import type { Alert, AlertRule, Labels, Severity } from '../../core/model';
import { labelsKey } from '../../core/sources';
import { type Logger, silentLogger } from '../../core/logger';
import { type OtlpSpan, type HistogramValue, LEVEL_RANK } from './decode';
import { type TelemetryStore, histogramIncrement, histogramQuantile } from './store';

export interface ErrorRatioRule {
  enabled: boolean;
  /** Fires when errors / requests is above this (0.05 = 5%). */
  threshold: number;
  minRequests: number;
  windowMs: number;
  forMs: number;
  severity: Severity;
}

export interface LatencyRule {
  enabled: boolean;
  p95Ms: number;
  p99Ms: number;
  minRequests: number;
  windowMs: number;
  forMs: number;
  severity: Severity;
}

export interface ErrorLogRule {
  enabled: boolean;
  /** Fires when the count of ERROR-or-worse logs in the window is at least this. */
  threshold: number;
  windowMs: number;
  forMs: number;
  severity: Severity;
}

export interface RuleConfig {
  errorRatio: ErrorRatioRule;
  latency: LatencyRule;
  errorLogs: ErrorLogRule;
  /** How long a resolved alert stays listed. */
  keepResolvedMs: number;
  /** At most this many service/route groups are evaluated per rule, busiest first. */
  maxGroups: number;
}

export const DEFAULT_RULES: RuleConfig = {
  errorRatio: { enabled: true, threshold: 0.05, minRequests: 10, windowMs: 60_000, forMs: 60_000, severity: 'critical' },
  latency: { enabled: true, p95Ms: 1000, p99Ms: 2500, minRequests: 10, windowMs: 5 * 60_000, forMs: 2 * 60_000, severity: 'warning' },
  errorLogs: { enabled: true, threshold: 10, windowMs: 60_000, forMs: 0, severity: 'warning' },
  keepResolvedMs: 15 * 60_000,
  maxGroups: 500,
};

export type RuleOverrides = {
  [K in keyof RuleConfig]?: RuleConfig[K] extends object ? Partial<RuleConfig[K]> : RuleConfig[K];
};

export function resolveRules(overrides: RuleOverrides = {}): RuleConfig {
  return {
    errorRatio: { ...DEFAULT_RULES.errorRatio, ...overrides.errorRatio },
    latency: { ...DEFAULT_RULES.latency, ...overrides.latency },
    errorLogs: { ...DEFAULT_RULES.errorLogs, ...overrides.errorLogs },
    keepResolvedMs: overrides.keepResolvedMs ?? DEFAULT_RULES.keepResolvedMs,
    maxGroups: overrides.maxGroups ?? DEFAULT_RULES.maxGroups,
  };
}

/** The route of a server span: its http.route, else the RPC method, else the span name. */
export function routeOf(span: OtlpSpan): string {
  const a = span.attributes;
  const r = a['http.route'] ?? a['rpc.method'] ?? a['messaging.destination.name'];
  if (typeof r === 'string' && r !== '') {
    const method = a['http.request.method'] ?? a['http.method'];
    return typeof method === 'string' && a['http.route'] !== undefined ? `${method} ${r}` : r;
  }
  return span.name;
}

/** A rule condition's outcome for one group: active or not, and what to say about it. */
interface Observation {
  labels: Labels;
  severity: Severity;
  forMs: number;
  active: boolean;
  value: string;
  summary: string;
  description: string;
}

interface TrackedAlert {
  alert: Alert;
  activeSince: number;
}

export const HTTP_DURATION_METRICS = ['http.server.request.duration', 'http.server.duration'];

/** The group every built-in rule belongs to. */
export const BUILTIN_RULE_GROUP = 'incident-lens-builtin';

/**
 * What a built-in rule looks at, as the core's rule description (language "builtin": the expression
 * is prose, since no query language runs here; the threshold and unit are exact).
 */
export function builtinRuleDescription(alertname: string, rules: RuleConfig): AlertRule | undefined {
  const base = { name: alertname, language: 'builtin', group: BUILTIN_RULE_GROUP };
  const lat = rules.latency;
  switch (alertname) {
    case 'HighErrorRatio': {
      const er = rules.errorRatio;
      return {
        ...base,
        expression: `error ratio of server spans per service and route over ${dur(er.windowMs)} > ${er.threshold} (at least ${er.minRequests} requests)`,
        valueExpression: `error ratio of server spans over ${dur(er.windowMs)}`,
        forMs: er.forMs,
        threshold: { op: '>', value: er.threshold },
        unit: 'ratio',
      };
    }
    case 'HighLatencyP95':
    case 'HighLatencyP99': {
      const q = alertname === 'HighLatencyP95' ? 'p95' : 'p99';
      const limit = q === 'p95' ? lat.p95Ms : lat.p99Ms;
      return {
        ...base,
        expression: `${q} duration of server spans (or HTTP server duration histograms) per service and route over ${dur(lat.windowMs)} > ${limit} ms (at least ${lat.minRequests} requests)`,
        valueExpression: `${q} duration of server spans over ${dur(lat.windowMs)}`,
        forMs: lat.forMs,
        threshold: { op: '>', value: limit },
        unit: 'ms',
      };
    }
    case 'ErrorLogBurst': {
      const el = rules.errorLogs;
      return {
        ...base,
        expression: `count of ERROR-or-worse log records per service over ${dur(el.windowMs)} >= ${el.threshold}`,
        valueExpression: `ERROR-or-worse log records over ${dur(el.windowMs)}`,
        forMs: el.forMs,
        threshold: { op: '>=', value: el.threshold },
        unit: 'count',
      };
    }
    default:
      return undefined;
  }
}

export interface AlertRuleEngineOptions {
  rules?: RuleOverrides;
  sourceName?: string;
  sourceKind?: string;
  /** Evaluation period of the timer. */
  intervalMs?: number;
  now?: () => number;
  logger?: Logger;
}

export class AlertRuleEngine {
  readonly rules: RuleConfig;
  private readonly tracked = new Map<string, TrackedAlert>();
  private listeners: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly sourceName: string;
  private readonly sourceKind: string;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly logger: Logger;
  private lastSignature = '';

  constructor(
    private readonly store: TelemetryStore,
    opts: AlertRuleEngineOptions = {},
  ) {
    this.rules = resolveRules(opts.rules);
    this.sourceName = opts.sourceName ?? 'local';
    this.sourceKind = opts.sourceKind ?? 'otlp';
    this.intervalMs = opts.intervalMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger ?? silentLogger;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.evaluate();
      } catch (err) {
        this.logger.error(err instanceof Error ? err : String(err));
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  }

  /** The current alerts (pending, firing, recently resolved), firing first. */
  alerts(): Alert[] {
    const order: Record<string, number> = { firing: 0, pending: 1, silenced: 2, resolved: 3 };
    return [...this.tracked.values()]
      .map((t) => ({ ...t.alert, labels: { ...t.alert.labels }, annotations: { ...t.alert.annotations } }))
      .sort((a, b) => order[a.state] - order[b.state] || b.startsAt - a.startsAt);
  }

  /** Evaluates every rule at `now` and returns the alerts; listeners hear about any change. */
  evaluate(now = this.now()): Alert[] {
    const observations = [...this.errorRatioAndLatency(now), ...this.errorLogBursts(now)];
    const seen = new Set<string>();
    for (const o of observations) {
      const id = alertId(o.labels);
      seen.add(id);
      this.advance(id, o, now);
    }
    for (const [id, t] of this.tracked) {
      if (seen.has(id)) continue;
      // No data at all for the group any more: the condition no longer holds.
      this.clear(id, t, now);
    }
    const signature = [...this.tracked.entries()].map(([id, t]) => `${id}:${t.alert.state}:${t.alert.value}`).sort().join('|');
    if (signature !== this.lastSignature) {
      this.lastSignature = signature;
      for (const l of this.listeners) {
        try {
          l();
        } catch (err) {
          this.logger.warn(`alert listener failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    return this.alerts();
  }

  private advance(id: string, o: Observation, now: number): void {
    const t = this.tracked.get(id);
    if (!o.active) {
      if (t) this.clear(id, t, now);
      return;
    }
    if (!t || t.alert.state === 'resolved') {
      const alert: Alert = {
        id,
        name: o.labels.alertname,
        state: o.forMs <= 0 ? 'firing' : 'pending',
        severity: o.severity,
        labels: o.labels,
        annotations: { summary: o.summary, description: o.description },
        startsAt: now,
        value: o.value,
        sourceName: this.sourceName,
        sourceKind: this.sourceKind,
        service: o.labels.service,
      };
      const rule = builtinRuleDescription(o.labels.alertname, this.rules);
      if (rule) alert.rule = { ...rule, sourceName: this.sourceName };
      this.tracked.set(id, { alert, activeSince: now });
      return;
    }
    t.alert.value = o.value;
    t.alert.annotations = { summary: o.summary, description: o.description };
    if (t.alert.state === 'pending' && now - t.activeSince >= o.forMs) {
      t.alert.state = 'firing';
      // Prometheus reports the firing alert as starting when it started firing.
      t.alert.startsAt = now;
    }
  }

  private clear(id: string, t: TrackedAlert, now: number): void {
    if (t.alert.state === 'pending') this.tracked.delete(id);
    else if (t.alert.state === 'firing') {
      t.alert.state = 'resolved';
      t.alert.endsAt = now;
    } else if (t.alert.state === 'resolved' && now - (t.alert.endsAt ?? now) > this.rules.keepResolvedMs) this.tracked.delete(id);
  }

  // ---- span- and histogram-based rules ----

  private errorRatioAndLatency(now: number): Observation[] {
    const er = this.rules.errorRatio;
    const lat = this.rules.latency;
    if (!er.enabled && !lat.enabled) return [];
    const longest = Math.max(er.enabled ? er.windowMs : 0, lat.enabled ? lat.windowMs : 0);
    interface Group {
      service: string;
      route: string;
      total: number;
      errors: number;
      durations: number[];
    }
    const groups = new Map<string, Group>();
    this.store.forEachSpan({ start: now - longest, end: now }, { kind: 'server' }, (s) => {
      const route = routeOf(s);
      const key = `${s.service}\u0000${route}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { service: s.service, route, total: 0, errors: 0, durations: [] }));
      // Spans in the latency window feed latency; the (usually shorter) error window is re-checked below.
      if (now - s.endTime <= er.windowMs) {
        g.total++;
        if (s.status === 'error') g.errors++;
      }
      if (now - s.endTime <= lat.windowMs) g.durations.push(s.endTime - s.startTime);
    });
    const ranked = [...groups.values()].sort((a, b) => b.total + b.durations.length - (a.total + a.durations.length)).slice(0, this.rules.maxGroups);
    const out: Observation[] = [];
    const withSpanLatency = new Set<string>();
    for (const g of ranked) {
      if (er.enabled && g.total >= er.minRequests) {
        const ratio = g.errors / g.total;
        out.push({
          labels: { alertname: 'HighErrorRatio', service: g.service, route: g.route, severity: er.severity },
          severity: er.severity,
          forMs: er.forMs,
          active: ratio > er.threshold,
          value: pct(ratio),
          summary: `${g.service}: ${pct(ratio)} of ${g.route} requests failed in the last ${dur(er.windowMs)}`,
          description: `${g.errors} of ${g.total} server spans of ${g.service} ${g.route} had error status in the last ${dur(er.windowMs)} (threshold ${pct(er.threshold)}, at least ${er.minRequests} requests).`,
        });
      }
      if (lat.enabled && g.durations.length >= lat.minRequests) {
        withSpanLatency.add(`${g.service}\u0000${g.route}`);
        g.durations.sort((a, b) => a - b);
        out.push(...this.latencyObservations(g.service, g.route, quantileSorted(g.durations, 0.95), quantileSorted(g.durations, 0.99), g.durations.length, 'server spans'));
      }
    }
    if (lat.enabled) out.push(...this.histogramLatency(now, withSpanLatency));
    return out;
  }

  private latencyObservations(service: string, route: string, p95: number, p99: number, count: number, from: string): Observation[] {
    const lat = this.rules.latency;
    const make = (name: string, q: string, value: number, threshold: number): Observation => ({
      labels: { alertname: name, service, route, severity: lat.severity },
      severity: lat.severity,
      forMs: lat.forMs,
      active: value > threshold,
      value: ms(value),
      summary: `${service}: ${q} latency of ${route} is ${ms(value)}`,
      description: `${q} latency of ${service} ${route} over the last ${dur(lat.windowMs)} is ${ms(value)} (threshold ${ms(threshold)}), from ${count} ${from}.`,
    });
    return [make('HighLatencyP95', 'p95', p95, lat.p95Ms), make('HighLatencyP99', 'p99', p99, lat.p99Ms)];
  }

  /** Latency from http.server.request.duration (seconds) / http.server.duration (ms) histograms. */
  private histogramLatency(now: number, covered: Set<string>): Observation[] {
    const lat = this.rules.latency;
    const merged = new Map<string, { service: string; route: string; bounds: number[]; counts: number[]; count: number }>();
    for (const name of HTTP_DURATION_METRICS) {
      for (const s of this.store.matchSeries({ name, matchers: [] })) {
        if (s.kind !== 'histogram' && s.kind !== 'exponential_histogram') continue;
        const r = s.labels['http.route'] ?? s.labels['route'];
        if (!r) continue;
        const method = s.labels['http.request.method'] ?? s.labels['http.method'];
        const route = method ? `${method} ${r}` : r;
        const key = `${s.service}\u0000${route}`;
        if (covered.has(key)) continue;
        const scale = unitToMs(s.unit, name);
        let prev: HistogramValue | undefined;
        for (let i = s.head; i < s.times.length; i++) {
          const cur = s.histograms[i];
          const inc = histogramIncrement(prev, cur, s.temporality);
          prev = cur;
          if (s.times[i] < now - lat.windowMs || s.times[i] > now) continue;
          // The first stored cumulative point counts everything since the process started, not the window.
          if (s.temporality === 'cumulative' && i === s.head) continue;
          let m = merged.get(key);
          const bounds = inc.bounds.map((b) => b * scale);
          if (!m) merged.set(key, (m = { service: s.service, route, bounds, counts: inc.counts.map(() => 0), count: 0 }));
          if (m.counts.length !== inc.counts.length) continue;
          for (let k = 0; k < inc.counts.length; k++) m.counts[k] += inc.counts[k];
          m.count += inc.count;
        }
      }
    }
    const out: Observation[] = [];
    for (const m of merged.values()) {
      if (m.count < lat.minRequests) continue;
      const p95 = histogramQuantile(0.95, m.bounds, m.counts);
      const p99 = histogramQuantile(0.99, m.bounds, m.counts);
      if (p95 === undefined || p99 === undefined) continue;
      out.push(...this.latencyObservations(m.service, m.route, p95, p99, m.count, 'requests in the HTTP duration histogram'));
    }
    return out;
  }

  // ---- log rule ----

  private errorLogBursts(now: number): Observation[] {
    const rule = this.rules.errorLogs;
    if (!rule.enabled) return [];
    const counts = new Map<string, number>();
    const errorRank = LEVEL_RANK.error;
    this.store.forEachLog({ start: now - rule.windowMs, end: now }, (l) => {
      if (LEVEL_RANK[l.level] >= errorRank) counts.set(l.service ?? 'unknown_service', (counts.get(l.service ?? 'unknown_service') ?? 0) + 1);
      else if (!counts.has(l.service ?? 'unknown_service')) counts.set(l.service ?? 'unknown_service', 0);
    });
    const out: Observation[] = [];
    for (const [service, n] of counts) {
      out.push({
        labels: { alertname: 'ErrorLogBurst', service, severity: rule.severity },
        severity: rule.severity,
        forMs: rule.forMs,
        active: n >= rule.threshold,
        value: String(n),
        summary: `${service}: ${n} error logs in the last ${dur(rule.windowMs)}`,
        description: `${service} logged ${n} records at ERROR or above in the last ${dur(rule.windowMs)} (threshold ${rule.threshold}).`,
      });
    }
    return out;
  }
}

export function alertId(labels: Labels): string {
  return createHash('sha1').update(labelsKey(labels)).digest('hex').slice(0, 16);
}

function quantileSorted(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx];
}

function unitToMs(unit: string | undefined, name: string): number {
  if (unit === 's') return 1000;
  if (unit === 'ms') return 1;
  if (unit === 'us') return 0.001;
  // The semantic conventions: the stable metric is in seconds, the old one in milliseconds.
  return name === 'http.server.request.duration' ? 1000 : 1;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}

function ms(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(2)}s` : `${x.toFixed(x < 10 ? 1 : 0)}ms`;
}

function dur(msValue: number): string {
  if (msValue % 3_600_000 === 0) return `${msValue / 3_600_000}h`;
  if (msValue % 60_000 === 0) return `${msValue / 60_000}m`;
  return `${Math.round(msValue / 1000)}s`;
}
