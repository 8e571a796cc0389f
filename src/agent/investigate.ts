// The investigation pipeline: gather bounded signals around an alert from every configured source in
// parallel, assemble an incident bundle, build the hypothesis, and blame the suspect lines.
// A failing source costs its signals, never the investigation: it becomes an entry in `errors`.

import type { Alert, Change, Hypothesis, LogRecord, MetricSeries, Span, TraceSummary } from '../core/model';
import type { ChangeSource, LogSource, MetricSource, TimeWindow, TraceSource } from '../core/sources';
import type { IncidentBundle } from '../core/bundle';
import { errorMessage } from '../core/errors';
import { buildHypothesis } from './hypothesis';

export interface InvestigationSources {
  metrics?: MetricSource[];
  logs?: LogSource[];
  traces?: TraceSource[];
  changes?: ChangeSource;
}

export interface InvestigationLimits {
  /** Log lines per log source (default 20,000). */
  maxLogs?: number;
  /** Traces fetched in full per trace source (default 60). */
  maxTraces?: number;
  /** Spans kept overall (default 20,000). */
  maxSpans?: number;
  /** Services whose metrics are fetched, the alert's first (default 8). */
  maxServices?: number;
  /** Series kept overall (default 500). */
  maxSeries?: number;
  /** How far before the window commits are read, to catch older commits deployed recently (default 24 h). */
  changesLookbackMs?: number;
}

export interface InvestigateOptions {
  /** How far before the alert the window starts (default 1 h). */
  lookbackMs?: number;
  confidenceThreshold?: number;
  serviceMap?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (step: string) => void;
  limits?: InvestigationLimits;
  /** The current time (tests); default Date.now(). */
  now?: number;
  /** Other alerts firing with this one (an alert storm): they go into the bundle so the hypothesis explains them together. */
  relatedAlerts?: Alert[];
}

export interface InvestigationResult {
  bundle: IncidentBundle;
  hypothesis: Hypothesis;
  errors: { source: string; message: string }[];
}

const MIN = 60_000;

async function settle<T>(source: string, errors: InvestigationResult['errors'], work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    errors.push({ source, message: errorMessage(err) });
    return undefined;
  }
}

/** Runs fn over items with at most `width` in flight. */
async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    const err = new Error('investigation cancelled');
    err.name = 'AbortError';
    throw err;
  }
}

export async function investigate(alert: Alert, sources: InvestigationSources, opts: InvestigateOptions = {}): Promise<InvestigationResult> {
  const { signal } = opts;
  const progress = (step: string): void => {
    try {
      opts.onProgress?.(step);
    } catch {
      // a progress listener's failure is not the investigation's
    }
  };
  const limits = {
    maxLogs: opts.limits?.maxLogs ?? 20_000,
    maxTraces: opts.limits?.maxTraces ?? 60,
    maxSpans: opts.limits?.maxSpans ?? 20_000,
    maxServices: opts.limits?.maxServices ?? 8,
    maxSeries: opts.limits?.maxSeries ?? 500,
    changesLookbackMs: opts.limits?.changesLookbackMs ?? 24 * 3600_000,
  };
  const now = opts.now ?? Date.now();
  const lookback = opts.lookbackMs ?? 3600_000;
  const alertStart = Number.isFinite(alert.startsAt) ? alert.startsAt : now;
  const window: TimeWindow = { start: alertStart - lookback, end: Math.max(alertStart + MIN, Math.min(now, alert.endsAt ?? now, alertStart + 15 * MIN)) };
  const service = alert.service ?? alert.labels?.service;
  const errors: InvestigationResult['errors'] = [];
  throwIfAborted(signal);

  // Phase 1, in parallel: logs, traces, changes, and the alert's own service's metrics.
  const metricsFor = async (svc: string): Promise<MetricSeries[]> => {
    const out: MetricSeries[] = [];
    await Promise.all(
      (sources.metrics ?? []).map(async (m) => {
        if (!m.seriesForService) return;
        const got = await settle(m.name, errors, () => m.seriesForService!(svc, window, signal));
        if (got) out.push(...got.map((s) => ({ ...s, service: s.service ?? svc })));
      }),
    );
    return out;
  };
  progress('Reading metrics, logs, traces and changes');
  const logsWork = Promise.all(
    (sources.logs ?? []).map((l) => settle(l.name, errors, () => l.queryLogs({ start: window.start, end: window.end, query: '', limit: limits.maxLogs }, signal))),
  );
  const tracesWork = Promise.all(
    (sources.traces ?? []).map(async (t): Promise<Span[]> => {
      const summaries = await settle(t.name, errors, () => t.searchTraces({ start: window.start, end: window.end, ...(service ? { service } : {}), limit: Math.max(limits.maxTraces * 2, 100) }, signal));
      if (!summaries) return [];
      // Failing traces first, then the slowest: they carry the signal.
      const picked = [...summaries].sort((a: TraceSummary, b: TraceSummary) => b.errorCount - a.errorCount || b.durationMs - a.durationMs).slice(0, limits.maxTraces);
      const traces = await pool(picked, 4, (s) => settle(t.name, errors, () => t.getTrace(s.traceId, signal)));
      return traces.flatMap((x) => x ?? []);
    }),
  );
  const changesWork = sources.changes
    ? settle(sources.changes.name, errors, () => sources.changes!.listChanges({ start: window.start - limits.changesLookbackMs, end: window.end }, signal))
    : Promise.resolve(undefined as Change[] | undefined);
  const ownMetricsWork = service ? metricsFor(service) : Promise.resolve([] as MetricSeries[]);

  const [logLists, spanLists, changes, ownMetrics] = await Promise.all([logsWork, tracesWork, changesWork, ownMetricsWork]);
  throwIfAborted(signal);
  const logs: LogRecord[] = logLists.flatMap((x) => x ?? []).sort((a, b) => a.time - b.time);
  const spans: Span[] = spanLists.flat().slice(0, limits.maxSpans);

  // Phase 2: metrics of the other services the traces show.
  const others = [...new Set(spans.map((s) => s.service))].filter((s) => s && s !== service).slice(0, Math.max(0, limits.maxServices - 1));
  if (others.length) progress(`Reading metrics of ${others.length} related service(s)`);
  const otherMetrics = (await pool(others, 3, metricsFor)).flat();
  throwIfAborted(signal);
  const metrics = [...ownMetrics, ...otherMetrics].slice(0, limits.maxSeries);

  const related = (opts.relatedAlerts ?? []).filter((a) => a && a.id !== alert.id);
  const bundle: IncidentBundle = { version: 1, alert, ...(related.length ? { alerts: [alert, ...related] } : {}), window, metrics, logs, spans, changes: changes ?? [] };
  progress('Building the hypothesis');
  const hypothesis = buildHypothesis(bundle, { confidenceThreshold: opts.confidenceThreshold, serviceMap: opts.serviceMap });
  if (sources.changes?.notes?.length) hypothesis.checked.push(...sources.changes.notes);

  const loc = hypothesis.location;
  if (loc && sources.changes) {
    progress(`Blaming ${loc.path}:${loc.startLine}-${loc.endLine}`);
    const blame = await settle(sources.changes.name, errors, () => sources.changes!.blame(loc.path, loc.startLine, loc.endLine, signal));
    if (blame) {
      loc.blame = blame;
      if (hypothesis.suspectCommit?.location && hypothesis.suspectCommit.location.path === loc.path) hypothesis.suspectCommit.location.blame = blame;
    }
  }
  progress('Done');
  return { bundle, hypothesis, errors };
}
