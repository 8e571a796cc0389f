// The interfaces every backend implements. The embedded receiver implements the same ones,
// so the rest of the product cannot tell it from a backend.

import type { Alert, Change, BlameLine, LogRecord, MetricSeries, Span, TraceSummary, Labels } from './model';

export interface TimeWindow {
  start: number;
  end: number;
}

export interface SourceInfo {
  /** The connection's configured name (unique). */
  readonly name: string;
  /** alertmanager, grafana, prometheus, loki, elasticsearch, opensearch, jaeger, tempo, otlp, git, webhook */
  readonly kind: string;
}

export interface AlertSource extends SourceInfo {
  listAlerts(signal?: AbortSignal): Promise<Alert[]>;
  /** Subscribe to pushed changes (webhook, receiver). Optional: polled sources don't push. */
  onDidChangeAlerts?(listener: () => void): { dispose(): void };
  /** Link to the alert in the source's own UI. */
  uiLink?(alert: Alert): string | undefined;
}

export interface SilenceRequest {
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export interface Silence extends SilenceRequest {
  id: string;
  state: 'active' | 'pending' | 'expired';
}

export interface SilenceSource extends SourceInfo {
  createSilence(req: SilenceRequest, signal?: AbortSignal): Promise<string>;
  listSilences(signal?: AbortSignal): Promise<Silence[]>;
  expireSilence(id: string, signal?: AbortSignal): Promise<void>;
}

export interface MetricQuery {
  /** PromQL for Prometheus; a metric name plus label matchers for the embedded store. */
  query: string;
  start: number;
  end: number;
  stepSeconds: number;
  /** Upper bound on series returned. */
  limit?: number;
}

export interface MetricSource extends SourceInfo {
  queryRange(q: MetricQuery, signal?: AbortSignal): Promise<MetricSeries[]>;
  /** Series that relate to a service, for correlation; bounded. */
  seriesForService?(service: string, window: TimeWindow, signal?: AbortSignal): Promise<MetricSeries[]>;
  /**
   * Where the alert looks, bounded: its rule's own expression over the window (role "alert", with the
   * threshold on the series), then the series of what the alert is about (a host's USE, a service's
   * RED, a pod's resources), scoped by the alert's identifying labels. Every series carries its unit.
   */
  seriesForAlert?(alert: Alert, window: TimeWindow, signal?: AbortSignal): Promise<MetricSeries[]>;
}

export interface LogQuery extends TimeWindow {
  /** LogQL, query string, or a plain substring for the embedded store. */
  query: string;
  limit: number;
  service?: string;
}

export interface LogSource extends SourceInfo {
  queryLogs(q: LogQuery, signal?: AbortSignal): Promise<LogRecord[]>;
}

export interface TraceQuery extends TimeWindow {
  service?: string;
  /** TraceQL for Tempo; tags for Jaeger; ignored elsewhere. */
  query?: string;
  minDurationMs?: number;
  errorsOnly?: boolean;
  limit: number;
}

/** A caller -> callee edge between two services, with how many calls the traces show. */
export interface ServiceEdge {
  from: string;
  to: string;
  calls?: number;
}

export interface TraceSource extends SourceInfo {
  searchTraces(q: TraceQuery, signal?: AbortSignal): Promise<TraceSummary[]>;
  getTrace(traceId: string, signal?: AbortSignal): Promise<Span[]>;
  /** Which services call which in the window (optional: backends that keep a dependency graph). Bounded. */
  serviceGraph?(window: TimeWindow, signal?: AbortSignal): Promise<ServiceEdge[]>;
}

export interface ChangeSource extends SourceInfo {
  listChanges(window: TimeWindow, signal?: AbortSignal): Promise<Change[]>;
  blame(path: string, startLine: number, endLine: number, signal?: AbortSignal): Promise<BlameLine[]>;
  /** What the source deliberately did not read (an untrusted workspace), for the hypothesis's "checked" list. */
  readonly notes?: readonly string[];
}

export function labelsKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}
