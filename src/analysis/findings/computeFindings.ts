// Everything the analysis finds in one incident bundle, computed once: which series moved and since when
// (the onset), log patterns before and after it, where errors originate in the traces and which operations
// got slower, hosts that stand out, the services implicated, the stack frames of what fails, and the
// changes that went out before, ranked. The hypothesis, the panel and the agent's tools read the result.
import type { IncidentBundle } from '../../core/bundle';
import type { Alert, MetricSeries } from '../../core/model';
import type { Findings, SeriesFinding } from '../../core/investigation';
import { findOnset } from '../changePoint';
import { detectAnomalies } from '../anomaly';
import { rankRootCauses } from '../rootCause';
import { extractStackFrames, rankSuspectChanges, type CodeAttribute, type StackFrame } from '../suspectChanges';
import { seriesExcursion, type Excursion } from '../series/excursion';
import { hostOfSeries, seriesRole } from '../series/roles';
import { hostFindings } from './hostFindings';
import { logFindings } from './logFindings';
import { traceFindings, traceViews } from './traceFindings';
import { kubernetesFindings } from '../kubernetes/clusterFindings';

const MIN = 60_000;
/** Series whose anomalous regions are computed for charts (the most relevant first). */
const MAX_SHADED = 16;

export interface FindingsOptions {
  /** Path prefix -> service, for mapping changed files to services. */
  serviceMap?: Record<string, string>;
  /** Collect stage timings into findings.timingsMs. */
  timings?: boolean;
}

export function alertsOf(bundle: IncidentBundle): Alert[] {
  return bundle.alerts?.length ? bundle.alerts : [bundle.alert];
}

export function computeFindings(bundle: IncidentBundle, opts: FindingsOptions = {}): Findings {
  const timings: Record<string, number> | undefined = opts.timings ? {} : undefined;
  let lastMark = timings ? performance.now() : 0;
  const mark = (stage: string): void => {
    if (!timings) return;
    const now = performance.now();
    timings[stage] = (timings[stage] ?? 0) + (now - lastMark);
    lastMark = now;
  };
  const warnings: string[] = [];
  const alerts = alertsOf(bundle);
  const alert = bundle.alert;
  const alertTime = Math.min(...alerts.map((a) => (Number.isFinite(a.startsAt) ? a.startsAt : Infinity)), Number.isFinite(alert.startsAt) ? alert.startsAt : Date.now());
  const alertServices = [...new Set(alerts.map((a) => a.service ?? a.labels?.service).filter((s): s is string => !!s))];
  const metrics = Array.isArray(bundle.metrics) ? bundle.metrics.filter((s) => s && Array.isArray(s.values)) : [];
  const logs = Array.isArray(bundle.logs) ? bundle.logs : [];
  const spans = Array.isArray(bundle.spans) ? bundle.spans : [];
  const changes = Array.isArray(bundle.changes) ? bundle.changes : [];

  // 1. Metrics: which series are off, since when; the earliest sustained change dates the onset.
  const excursions: Excursion[] = [];
  for (const s of metrics) {
    const e = seriesExcursion(s, alertTime);
    if (e && e.score >= 6) excursions.push(e);
  }
  const ofAlertServices = excursions.filter((e) => e.series.service && alertServices.includes(e.series.service));
  const onsetSource = (ofAlertServices.length ? ofAlertServices : excursions).filter((e) => e.onset <= alertTime + MIN);
  let onset = alertTime - MIN;
  let onsetExcursion: Excursion | undefined;
  for (const e of onsetSource) {
    if (e.onset < onset || !onsetExcursion) {
      if (e.onset < onset) onset = e.onset;
      onsetExcursion = e;
    }
  }
  if (onsetExcursion) {
    // The excursion starts where the series first left its band; the change-point finder dates a ramp at
    // its foot, which is where a deploy that caused it sits. Take it when it agrees on the direction.
    try {
      const cp = findOnset(onsetExcursion.series.timestamps, onsetExcursion.series.values, { before: alertTime + 2 * MIN });
      if (cp && cp.direction === onsetExcursion.direction && cp.time <= onsetExcursion.onset && cp.time >= onsetExcursion.onset - 20 * MIN) onset = Math.min(onset, cp.time);
    } catch (err) {
      warnings.push(`change-point dating failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  mark('metrics');

  // 2. Traces and logs around the onset.
  const tf = traceFindings(spans, onset);
  warnings.push(...tf.warnings);
  mark('traces');
  const logPatterns = logFindings(logs, onset, bundle.window, alertTime, warnings);
  mark('logPatterns');

  // 3. Stack frames and code attributes of what fails now.
  const knownPaths = new Set<string>();
  for (const c of changes) for (const f of c.files ?? []) if (f && typeof f.path === 'string') knownPaths.add(f.path);
  const frameCache = new Map<string, StackFrame[]>();
  const framesOf = (text: string): StackFrame[] => {
    const key = text.length > 4000 ? text.slice(0, 4000) : text;
    let f = frameCache.get(key);
    if (!f) frameCache.set(key, (f = extractStackFrames(key, knownPaths)));
    return f;
  };
  const newOrigins = tf.errorOrigins.filter((o) => o.count >= 3 && o.count > 2 * o.countBefore);
  const stackFrames: StackFrame[] = [];
  const codeAttrs: CodeAttribute[] = [];
  for (const o of newOrigins.slice(0, 3)) {
    if (o.stacktrace) stackFrames.push(...framesOf(o.stacktrace).filter((f) => !f.library).slice(0, 4));
    if (o.code?.filepath) codeAttrs.push({ filepath: o.code.filepath, function: o.code.function, lineno: o.code.lineno });
  }
  const rising = logPatterns.filter((p) => p.rising && (p.level === 'error' || p.level === 'fatal' || p.level === 'warn'));
  const risingErrorServices = new Set(rising.filter((t) => t.level !== 'warn').map((t) => t.service));
  let logFrameBudget = 200;
  for (const r of logs) {
    if (logFrameBudget <= 0) break;
    if (!r || (r.level !== 'error' && r.level !== 'fatal') || r.time < onset || !risingErrorServices.has(r.service)) continue;
    const st = r.attributes?.['exception.stacktrace'];
    const text = typeof st === 'string' ? st : typeof r.body === 'string' && r.body.includes('\n') ? r.body : undefined;
    if (!text) continue;
    logFrameBudget--;
    for (const f of framesOf(text).filter((x) => !x.library).slice(0, 3)) if (!stackFrames.some((g) => g.path === f.path && g.line === f.line)) stackFrames.push(f);
    if (stackFrames.length > 12) break;
  }
  for (const s of tf.slowOperations.slice(0, 2)) if (s.code) codeAttrs.push(s.code);
  mark('stackFrames');

  // 4. Which services: error origins, slow operations, moved series, rising error logs and the walk
  // over the anomaly-weighted call graph each add their share.
  const serviceScore = new Map<string, number>();
  const bump = (svc: string | undefined, x: number): void => {
    if (svc) serviceScore.set(svc, (serviceScore.get(svc) ?? 0) + x);
  };
  const originTotal = newOrigins.reduce((a, o) => a + o.count, 0) || 1;
  for (const o of newOrigins) bump(o.service, (3 * o.count) / originTotal);
  const slowTotal = tf.slowOperations.reduce((a, s) => a + (s.afterMs - s.beforeMs) * s.count, 0) || 1;
  for (const s of tf.slowOperations) bump(s.service, (2 * (s.afterMs - s.beforeMs) * s.count) / slowTotal);
  const excTotal = excursions.reduce((a, e) => a + Math.min(e.score, 20), 0) || 1;
  for (const e of excursions) bump(e.series.service, Math.min(e.score, 20) / excTotal);
  const errTotal = rising.reduce((a, t) => a + t.countAfter, 0) || 1;
  for (const t of rising) if (t.level !== 'warn') bump(t.service, (0.5 * t.countAfter) / errTotal);
  try {
    const edges = tf.callGraph.length ? tf.callGraph : (bundle.serviceGraph ?? []);
    // Series that never left their baseline add nothing to an anomaly-weighted walk; leaving them out keeps it fast.
    const moved = excursions.filter((e) => e.series.service).sort((a, b) => b.score - a.score).slice(0, 150).map((e) => e.series);
    const walk = moved.length ? rankRootCauses({ series: moved, edges, alertTime, window: bundle.window }) : [];
    for (const w of walk) bump(w.service, 0.5 * w.score);
  } catch (err) {
    warnings.push(`call-graph ranking failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const scoreSum = [...serviceScore.values()].reduce((a, b) => a + b, 0) || 1;
  const services = [...serviceScore.entries()].sort((a, b) => b[1] - a[1]).map(([service, score]) => ({ service, share: score / scoreSum }));
  mark('services');

  // 5. Suspect changes.
  const suspects = rankSuspectChanges({ changes, onset, errorSignals: { stackFrames, codeAttrs, services: services.map((s) => s.service) }, serviceMap: opts.serviceMap, limit: 10 });
  mark('suspects');

  // 6. Hosts, series for the views, traces for the views.
  const movedIds = new Set(excursions.map((e) => e.series.id));
  const hosts = hostFindings(metrics, movedIds);
  const series = seriesFindings(metrics, excursions, alertServices, services.map((s) => s.service), warnings);
  const sampleRefs = [...newOrigins.slice(0, 5).map((o) => o.ref), ...tf.slowOperations.slice(0, 3).map((s) => s.ref)];
  const traces = traceViews(spans, sampleRefs);
  mark('views');
  // Kubernetes state as evidence (crash loops, image pulls, probes, scheduling, nodes, rollouts, jobs).
  let kubernetes: ReturnType<typeof kubernetesFindings> = [];
  try {
    kubernetes = kubernetesFindings(Array.isArray(bundle.kubernetes) ? bundle.kubernetes : [], metrics);
  } catch (err) {
    warnings.push(`Kubernetes analysis failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  mark('kubernetes');

  return {
    window: { start: bundle.window.start, end: bundle.window.end },
    alertTime,
    alertServices,
    counts: { series: metrics.length, logs: logs.length, spans: spans.length, traces: tf.traceCount, changes: changes.length },
    onset: onsetExcursion ? { time: onset, basis: 'metric', seriesId: onsetExcursion.series.id } : { time: onset, basis: 'fallback' },
    series,
    logPatterns,
    errorOrigins: tf.errorOrigins,
    slowOperations: tf.slowOperations,
    callGraph: tf.callGraph,
    hosts,
    services,
    stackFrames,
    codeAttributes: codeAttrs,
    suspects,
    ...(kubernetes.length ? { kubernetes } : {}),
    traces,
    warnings,
    ...(timings ? { timingsMs: timings } : {}),
  };
}

/** Every series, classified; moved ones with their excursion; anomalous regions for the likely charts. */
function seriesFindings(metrics: MetricSeries[], excursions: Excursion[], alertServices: string[], implicated: string[], warnings: string[]): SeriesFinding[] {
  const byId = new Map(excursions.map((e) => [e.series.id, e]));
  const relevance = (s: MetricSeries): number => {
    const e = byId.get(s.id);
    return (e ? 100 + Math.min(50, e.score) : 0) + (s.service && alertServices.includes(s.service) ? 20 : 0) + (s.service && implicated.slice(0, 3).includes(s.service) ? 10 : 0);
  };
  const shaded = new Set([...metrics].sort((a, b) => relevance(b) - relevance(a)).slice(0, MAX_SHADED).map((s) => s.id));
  let detectorFailed = false;
  return metrics.map((s) => {
    const e = byId.get(s.id);
    let regions: { start: number; end: number }[] = e ? [{ start: e.onset, end: e.end }] : [];
    if (shaded.has(s.id) && !detectorFailed) {
      try {
        const found = detectAnomalies(s).regions.map((r) => ({ start: s.timestamps[r.start], end: s.timestamps[Math.min(r.end, s.timestamps.length - 1)] }));
        if (found.length) regions = found;
      } catch (err) {
        detectorFailed = true;
        warnings.push(`anomaly shading failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const host = hostOfSeries(s) ?? s.labels?.instance;
    return {
      id: s.id,
      name: s.name,
      ...(s.service ? { service: s.service } : {}),
      ...(host ? { host } : {}),
      ...(s.unit ? { unit: s.unit } : {}),
      role: seriesRole(s),
      ...(e ? { excursion: { onset: e.onset, direction: e.direction, score: e.score, ratio: e.ratio } } : {}),
      regions,
    };
  });
}
