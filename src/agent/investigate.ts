// The investigation pipeline: gather bounded signals around an alert from every configured source in
// parallel, assemble an incident bundle, compute the findings once, build the hypothesis from them, and
// blame the suspect lines. Progress is typed events per signal kind; a failing source costs its signals,
// never the investigation: it becomes an error tagged with its kind and source.

import type { Alert, Change, LogRecord, MetricSeries, Span, TraceSummary } from '../core/model';
import type { ChangeSource, LogSource, MetricSource, TimeWindow, TraceSource } from '../core/sources';
import type { IncidentBundle } from '../core/bundle';
import type { Investigation, InvestigationError, ProgressEvent, SignalKind } from '../core/investigation';
import { errorMessage } from '../core/errors';
import type { DeployRecord, DeploySource, KubernetesSnapshot, KubernetesStateSource } from '../core/kubernetes';
import { linkDeploysToChanges, rolloutDeploys } from '../analysis/kubernetes/rolloutDeploys';
import { diagnoseInStages } from './diagnose';

export interface InvestigationSources {
  metrics?: MetricSource[];
  logs?: LogSource[];
  traces?: TraceSource[];
  changes?: ChangeSource;
  /** Kube contexts to snapshot (read-only); each is its own source for errors. */
  kubernetes?: KubernetesStateSource[];
  /** Platform deploy histories (Argo CD), reported under the kubernetes step. */
  deploys?: DeploySource[];
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
  onProgress?: (event: ProgressEvent) => void;
  limits?: InvestigationLimits;
  /** The current time (tests); default Date.now(). */
  now?: number;
  /** Other alerts firing with this one (an alert storm): they go into the bundle so the hypothesis explains them together. */
  relatedAlerts?: Alert[];
  /** The window to read, when a person chose one; default investigationWindow(). */
  window?: TimeWindow;
}

const MIN = 60_000;

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

/**
 * Which traces to fetch in full: up to half the budget of failing ones (most errors, then newest), the
 * rest spread evenly over time so that the window before the onset is represented too.
 */
export function pickTraces(summaries: TraceSummary[], max: number): TraceSummary[] {
  const unique = [...new Map(summaries.map((s) => [s.traceId, s])).values()];
  const failing = unique.filter((s) => s.errorCount > 0).sort((a, b) => b.errorCount - a.errorCount || b.startTime - a.startTime).slice(0, Math.ceil(max / 2));
  const taken = new Set(failing.map((s) => s.traceId));
  const rest = unique.filter((s) => !taken.has(s.traceId)).sort((a, b) => a.startTime - b.startTime);
  const room = Math.max(0, max - failing.length);
  const spread: TraceSummary[] = [];
  if (rest.length <= room) spread.push(...rest);
  else for (let i = 0; i < room; i++) spread.push(rest[Math.floor((i * rest.length) / room)]);
  return [...failing, ...spread];
}

/** The window an investigation reads: an hour before the alert up to now (at most 15 min after it). */
export function investigationWindow(alert: Alert, now: number, lookbackMs = 3600_000): TimeWindow {
  const alertStart = Number.isFinite(alert.startsAt) ? alert.startsAt : now;
  return { start: alertStart - lookbackMs, end: Math.max(alertStart + MIN, Math.min(now, alert.endsAt ?? now, alertStart + 15 * MIN)) };
}

export async function investigate(alert: Alert, sources: InvestigationSources, opts: InvestigateOptions = {}): Promise<Investigation> {
  const { signal } = opts;
  const startedAt = Date.now();
  const emit = (event: ProgressEvent): void => {
    try {
      opts.onProgress?.(event);
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
  const window = opts.window ?? investigationWindow(alert, now, opts.lookbackMs);
  const service = alert.service ?? alert.labels?.service;
  const errors: InvestigationError[] = [];
  throwIfAborted(signal);

  const settle = async <T>(kind: SignalKind, source: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (err) {
      errors.push({ kind, source, message: errorMessage(err) });
      return undefined;
    }
  };
  /** Marks a step done, or failed when every one of its sources failed. */
  const finish = (kind: SignalKind, sourceCount: number, count: number): void => {
    const failed = new Set(errors.filter((e) => e.kind === kind).map((e) => e.source)).size;
    if (sourceCount === 0) emit({ step: kind, state: 'skipped', detail: `no ${kind} source configured` });
    else if (failed >= sourceCount) emit({ step: kind, state: 'failed', detail: errors.filter((e) => e.kind === kind).map((e) => `${e.source}: ${e.message}`).join('; '), count });
    else emit({ step: kind, state: 'done', count, ...(failed ? { detail: `${failed} of ${sourceCount} sources failed` } : {}) });
  };

  const metricSources = sources.metrics ?? [];
  const logSources = sources.logs ?? [];
  const traceSources = sources.traces ?? [];
  const kubeSources = sources.kubernetes ?? [];
  const deploySources = sources.deploys ?? [];
  for (const [kind, n] of [['metrics', metricSources.length], ['logs', logSources.length], ['traces', traceSources.length], ['changes', sources.changes ? 1 : 0], ['kubernetes', kubeSources.length + deploySources.length]] as const) {
    emit({ step: kind, state: n ? 'running' : 'skipped', ...(n ? {} : { detail: `no ${kind} source configured` }) });
  }

  // Phase 1, in parallel: logs, traces, changes, and the alert's own service's metrics.
  const metricsFor = async (svc: string): Promise<MetricSeries[]> => {
    const out: MetricSeries[] = [];
    await Promise.all(
      metricSources.map(async (m) => {
        if (!m.seriesForService) return;
        const got = await settle('metrics', m.name, () => m.seriesForService!(svc, window, signal));
        if (got) out.push(...got.map((s) => ({ ...s, service: s.service ?? svc })));
      }),
    );
    return out;
  };
  const logsWork = Promise.all(logSources.map((l) => settle('logs', l.name, () => l.queryLogs({ start: window.start, end: window.end, query: '', limit: limits.maxLogs }, signal)))).then((lists) => {
    const logs: LogRecord[] = lists.flatMap((x) => x ?? []).sort((a, b) => a.time - b.time);
    finish('logs', logSources.length, logs.length);
    return logs;
  });
  const tracesWork = Promise.all(
    traceSources.map(async (t): Promise<Span[]> => {
      // Two searches: the failing traces (they carry the signal) and the window at large (the baseline
      // that before/after comparisons need). Backends differ in which traces they return first.
      const base = { start: window.start, end: window.end, ...(service ? { service } : {}) };
      const [failing, any] = await Promise.all([
        settle('traces', t.name, () => t.searchTraces({ ...base, errorsOnly: true, limit: limits.maxTraces }, signal)),
        settle('traces', t.name, () => t.searchTraces({ ...base, limit: Math.max(limits.maxTraces * 2, 100) }, signal)),
      ]);
      const picked = pickTraces([...(failing ?? []), ...(any ?? [])], limits.maxTraces);
      const traces = await pool(picked, 4, (s) => settle('traces', t.name, () => t.getTrace(s.traceId, signal)));
      return traces.flatMap((x) => x ?? []);
    }),
  ).then((lists) => {
    const spans = lists.flat().slice(0, limits.maxSpans);
    finish('traces', traceSources.length, spans.length);
    return spans;
  });
  const changesWork = sources.changes
    ? settle('changes', sources.changes.name, () => sources.changes!.listChanges({ start: window.start - limits.changesLookbackMs, end: window.end }, signal)).then((c) => {
        finish('changes', 1, c?.length ?? 0);
        return c;
      })
    : Promise.resolve(undefined as Change[] | undefined);
  // The alert's own metrics: where its rule looks, from sources that know how (seriesForAlert).
  const alertMetricsFor = async (m: MetricSource): Promise<MetricSeries[]> => {
    const got = await settle('metrics', m.name, () => (m.seriesForAlert ? m.seriesForAlert(alert, window, signal) : service && m.seriesForService ? m.seriesForService(service, window, signal) : Promise.resolve([])));
    return (got ?? []).map((s) => (s.service || !service || s.role ? s : { ...s, service }));
  };
  // Metrics: the alert's own at once, then the other services the traces show (they need the traces,
  // not the logs, so a slow log source does not hold the metrics back).
  const metricsWork = (async (): Promise<MetricSeries[]> => {
    const own = (await Promise.all(metricSources.map(alertMetricsFor))).flat();
    const spansSeen = await tracesWork;
    const others = [...new Set(spansSeen.map((s) => s.service))].filter((s) => s && s !== service).slice(0, Math.max(0, limits.maxServices - 1));
    if (others.length) emit({ step: 'metrics', state: 'running', detail: `related services: ${others.length}`, count: own.length });
    const otherMetrics = (await pool(others, 3, metricsFor)).flat();
    const metrics = [...own, ...otherMetrics].slice(0, limits.maxSeries);
    finish('metrics', metricSources.length, metrics.length);
    return metrics;
  })();

  // Kubernetes state: one snapshot per kube context, in parallel with the rest.
  const platformWindow = { start: window.start - limits.changesLookbackMs, end: window.end };
  const kubeWork = Promise.all([
    Promise.all(kubeSources.map((k) => settle('kubernetes', k.name, () => k.snapshot(window, signal)))),
    Promise.all(deploySources.map((d) => settle('kubernetes', d.name, () => d.deploys(platformWindow, signal)))),
  ]).then(([list, deployLists]) => {
    const snapshots = list.filter((x): x is KubernetesSnapshot => !!x);
    finish('kubernetes', kubeSources.length + deploySources.length, snapshots.reduce((a, s) => a + s.pods.length, 0));
    return { snapshots, argo: deployLists.flatMap((d) => d ?? []) };
  });

  const [logs, spans, gitChanges, metrics, platform] = await Promise.all([logsWork, tracesWork, changesWork, metricsWork, kubeWork]);
  const snapshots = platform.snapshots;
  throwIfAborted(signal);
  // Rollout revisions are deploys: the commits they name count as deployed when suspects are ranked.
  let changes = gitChanges;
  const deploys: DeployRecord[] = [...(snapshots.length ? rolloutDeploys(snapshots, platformWindow.start, platformWindow.end) : []), ...platform.argo].sort((a, b) => a.time - b.time);
  if (changes?.length && deploys.length) changes = linkDeploysToChanges(changes, deploys).changes;

  const related = (opts.relatedAlerts ?? []).filter((a) => a && a.id !== alert.id);
  const bundle: IncidentBundle = { version: 1, alert, ...(related.length ? { alerts: [alert, ...related] } : {}), window, metrics, logs, spans, changes: changes ?? [], ...(snapshots.length ? { kubernetes: snapshots } : {}), ...(deploys.length ? { deploys } : {}) };
  emit({ step: 'findings', state: 'running' });
  emit({ step: 'hypothesis', state: 'pending' });
  const staged = diagnoseInStages(bundle, { confidenceThreshold: opts.confidenceThreshold, serviceMap: opts.serviceMap });
  const { findings, hypothesis } = staged;
  // What the change source could not read (an untrusted workspace's history) belongs to what was checked.
  if (sources.changes?.notes?.length) hypothesis.checked.push(...sources.changes.notes);
  emit({ step: 'hypothesis', state: 'running', detail: 'blaming the suspect lines' });

  // git blames the suspect lines in its own process while the routine log lines are mined for the panel.
  const loc = hypothesis.location;
  const blameWork = loc && sources.changes ? settle('changes', sources.changes.name, () => sources.changes!.blame(loc.path, loc.startLine, loc.endLine, signal)) : undefined;
  staged.complete();
  emit({ step: 'findings', state: 'done' });
  if (loc && blameWork) {
    const blame = await blameWork;
    if (blame) {
      loc.blame = blame;
      if (hypothesis.suspectCommit?.location && hypothesis.suspectCommit.location.path === loc.path) hypothesis.suspectCommit.location.blame = blame;
    }
  }
  emit({ step: 'hypothesis', state: 'done' });
  return { alert, bundle, findings, hypothesis, errors, startedAt, finishedAt: Date.now() };
}
