// Everything the analysis finds in one incident bundle, computed once: the series as an SRE reads them
// (rates, quantiles) and which of them moved or climbed; the onset agreed by several signals; log
// patterns before and after it; where failures and latency originate in the call graph; how failures
// split over hosts, zones, pods and versions; runtime changes (flags, configuration, operators'
// commands); the stack frames of what fails; and the commits that went out before, ranked. The
// hypothesis, the panel and the agent's tools read the result.
import type { IncidentBundle } from '../../core/bundle';
import type { Alert, LogRecord, Span } from '../../core/model';
import type { ErrorClass, Findings, OnsetSignal, SeriesFinding } from '../../core/investigation';
import { findOnset } from '../changePoint';
import { detectAnomalies } from '../anomaly';
import { rankRootCauses } from '../rootCause';
import { extractStackFrames, rankSuspectChanges, type CodeAttribute, type StackFrame } from '../suspectChanges';
import { deriveSeries, type DerivedSeries } from '../series/derive';
import { seriesExcursion, type Excursion } from '../series/excursion';
import { slopeChange, type SlopeChange } from '../series/slope';
import { hostFindings } from './hostFindings';
import { logFindings, mergeLogFindings, ROUTINE_LEVELS } from './logFindings';
import { traceFindings, traceViews } from './traceFindings';
import { indexTraces } from './traceIndex';
import { kubernetesFindings } from '../kubernetes/clusterFindings';
import { buildTopology } from './topology';
import { localize } from './localize';
import { changeEvents } from './changeEvents';
import { consensusOnset, eventRateOnset } from './timeline';
import { errorClassOf } from './errorClasses';

const MIN = 60_000;
/** Attributes that name the host or pod a span or line comes from. */
const HOST_KEYS = ['host.name', 'k8s.node.name', 'k8s.pod.name'];
/** Series whose anomalous regions are computed for charts (the most relevant first). */
const MAX_SHADED = 16;
/** Derived series whose points travel with the findings (the rest can be recomputed from the bundle). */
const MAX_DERIVED_POINTS = 24;

export interface FindingsOptions {
  /** Path prefix -> service, for mapping changed files to services. */
  serviceMap?: Record<string, string>;
  /** Collect stage timings into findings.timingsMs. */
  timings?: boolean;
  /**
   * Leave what only the panel shows (routine log lines' patterns, chart shading, trace views) for
   * completeFindings: the hypothesis does not read it, so it need not wait for it (findings.panelPending).
   */
  deferPanel?: boolean;
}

/** The host part of a Prometheus `instance` ("web-1:9100" -> "web-1", "[::1]:9100" -> "::1"). */
export function hostOfInstance(instance: string): string {
  const v = instance.trim();
  const bracket = /^\[([^\]]+)\](:\d+)?$/.exec(v);
  if (bracket) return bracket[1];
  return v.replace(/:\d+$/, '');
}

// The passes over every span and every line are functions of their own: V8 optimizes a hot loop by
// compiling the function around it, and a small function compiles in a fraction of the time.

const HOST_KEY_RANK = new Map(HOST_KEYS.map((k, i) => [k, i]));

/**
 * Adds the hosts and pods an attribute set names, in HOST_KEYS order. The set's own keys are walked
 * (a few) rather than each key looked up (absent keys are the slowest lookup, on 100,000 records).
 */
function addHosts(a: Record<string, unknown>, into: Set<string>, found: (string | undefined)[]): void {
  let any = false;
  for (const k in a) {
    const rank = HOST_KEY_RANK.get(k);
    if (rank === undefined) continue;
    const v = a[k];
    if (typeof v === 'string') {
      found[rank] = v;
      any = true;
    }
  }
  if (!any) return;
  for (let i = 0; i < found.length; i++) {
    const v = found[i];
    if (v !== undefined) {
      into.add(v);
      found[i] = undefined;
    }
  }
}

/** One pass over the spans: the services and hosts they name, the start times of failing spans by service. */
function scanSpans(spans: readonly Span[], knownServices: Set<string>, knownHosts: Set<string>): Map<string, number[]> {
  const failingBy = new Map<string, number[]>();
  const hostSlots: (string | undefined)[] = HOST_KEYS.map(() => undefined);
  for (const s of spans) {
    if (s.service) knownServices.add(s.service);
    if (s.attributes) addHosts(s.attributes, knownHosts, hostSlots);
    if (s.status === 'error') {
      const times = failingBy.get(s.service);
      if (times) times.push(s.startTime);
      else failingBy.set(s.service, [s.startTime]);
    }
  }
  return failingBy;
}

interface LogScan {
  /** Error and fatal lines' times by service ('' for none). */
  errorLogsBy: Map<string, number[]>;
  /** The lines whose patterns the hypothesis reads, and the routine ones (ROUTINE_LEVELS, for the panel). */
  signal: LogRecord[];
  routine: LogRecord[];
  /** The time span of all lines. */
  span: { min: number; max: number };
}

/**
 * One pass over the logs (a large bundle's records are scattered in memory: each pass costs): services,
 * hosts, error times by service, the lines split by the part of the patterns they belong to.
 */
function scanLogs(logs: readonly LogRecord[], knownServices: Set<string>, knownHosts: Set<string>): LogScan {
  const errorLogsBy = new Map<string, number[]>();
  const hostSlots: (string | undefined)[] = HOST_KEYS.map(() => undefined);
  const signal: LogRecord[] = [];
  const routine: LogRecord[] = [];
  let min = Infinity;
  let max = -Infinity;
  for (const r of logs) {
    const t = r.time;
    if (t < min) min = t;
    if (t > max) max = t;
    if (ROUTINE_LEVELS.has(r.level)) routine.push(r);
    else signal.push(r);
    if (r.service) knownServices.add(r.service);
    if (r.attributes) addHosts(r.attributes, knownHosts, hostSlots);
    if (r.level === 'error' || r.level === 'fatal') {
      const svc = r.service ?? '';
      const times = errorLogsBy.get(svc);
      if (times) times.push(r.time);
      else errorLogsBy.set(svc, [r.time]);
    }
  }
  return { errorLogsBy, signal, routine, span: { min, max } };
}

/** Feature flags each service evaluates (OpenFeature span events), with up to five variants seen after the onset. */
function flagsOf(spans: readonly Span[], onset: number): Record<string, Record<string, string[]>> {
  const flags: Record<string, Record<string, string[]>> = {};
  for (const s of spans) {
    if (!s.events?.length) continue;
    for (const e of s.events) {
      if (e.name !== 'feature_flag.evaluation' && e.name !== 'feature_flag') continue;
      const key = e.attributes?.['feature_flag.key'];
      if (typeof key !== 'string') continue;
      const variant = String(e.attributes?.['feature_flag.result.variant'] ?? e.attributes?.['feature_flag.variant'] ?? e.attributes?.['feature_flag.result.value'] ?? '');
      const byKey = (flags[s.service] ??= {});
      const seen = (byKey[key] ??= []);
      if ((e.time ?? s.startTime) >= onset - MIN && variant && !seen.includes(variant) && seen.length < 5) seen.push(variant);
    }
  }
  return flags;
}

/** Error and fatal lines at or after the onset from the given services, in order, one at a time. */
function* errorLinesAfter(logs: readonly LogRecord[], onset: number, services: Set<string | undefined>): Generator<LogRecord> {
  for (let i = 0; i < logs.length; i++) {
    const r = logs[i];
    if ((r.level === 'error' || r.level === 'fatal') && r.time >= onset && services.has(r.service)) yield r;
  }
}

/** The usable records of a list: the list itself when all are (no copy of 100,000 records), never mutated. */
function valid<T>(list: T[] | undefined, ok: (x: T) => boolean): readonly T[] {
  if (!Array.isArray(list)) return [];
  for (let i = 0; i < list.length; i++) if (!ok(list[i])) return list.filter(ok);
  return list;
}

export function alertsOf(bundle: IncidentBundle): Alert[] {
  return bundle.alerts?.length ? bundle.alerts : [bundle.alert];
}

/** The alerts explained together with the focus alert: those that started around it, each at its own time. */
export function stormOf(bundle: IncidentBundle): Alert[] {
  const focus = bundle.alert;
  const t = Number.isFinite(focus.startsAt) ? focus.startsAt : Date.now();
  return alertsOf(bundle).filter((a) => a === focus || a.id === focus.id || (Number.isFinite(a.startsAt) && a.startsAt >= t - 20 * MIN && a.startsAt <= t + 15 * MIN));
}

function serviceOfAlert(a: Alert): string | undefined {
  return a.service ?? a.labels?.service;
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
  const alert = bundle.alert;
  const storm = stormOf(bundle);
  const alertTime = Number.isFinite(alert.startsAt) ? alert.startsAt : Date.now();
  // The focus alert's service first: the others of the storm follow.
  const alertServices = [...new Set([alert, ...storm].map(serviceOfAlert).filter((s): s is string => !!s))];
  const metrics = Array.isArray(bundle.metrics) ? bundle.metrics.filter((s) => s && Array.isArray(s.values)) : [];
  const logs = valid(bundle.logs, (r: LogRecord) => !!r && Number.isFinite(r.time));
  const spans = valid(bundle.spans, (s: Span) => !!s && typeof s.spanId === 'string' && typeof s.traceId === 'string' && Number.isFinite(s.startTime) && Number.isFinite(s.endTime));
  const changes = Array.isArray(bundle.changes) ? bundle.changes : [];

  // 0. What exists: services, hosts, the call graph, the series as an SRE reads them.
  const derived = deriveSeries(metrics);
  mark('deriveSeries');
  const derivedById = new Map<string, DerivedSeries>();
  for (const d of derived) if (!derivedById.has(d.id)) derivedById.set(d.id, d);
  const knownServices = new Set<string>(alertServices);
  const knownHosts = new Set<string>();
  for (const d of derived) for (const h of [d.meaning.entity.host, d.meaning.entity.pod, d.meaning.entity.instance ? hostOfInstance(d.meaning.entity.instance) : undefined]) if (h) knownHosts.add(h);
  const failingBy = scanSpans(spans, knownServices, knownHosts);
  const logScan = scanLogs(logs, knownServices, knownHosts);
  const errorLogsBy = logScan.errorLogsBy;
  mark('scan');
  for (const d of derived) if (d.meaning.entity.service) knownServices.add(d.meaning.entity.service);
  const traceIndex = indexTraces(spans);
  mark('traceIndex');
  const topology = buildTopology(spans, knownServices, traceIndex);
  mark('topology');

  // 1. Series: which moved beyond their band and stayed there, which climb since a knee.
  const excursions = new Map<string, Excursion>();
  const slopes = new Map<string, SlopeChange>();
  for (const d of derived) {
    const e = seriesExcursion(d, alertTime);
    if (e && e.score >= 6 && (d.meaning.direction === 'both' || d.meaning.direction === e.direction)) excursions.set(d.id, e);
    if (d.meaning.role === 'memory' || (d.meaning.role === 'saturation' && d.meaning.direction === 'up' && d.meaning.resource !== 'cpu')) {
      const sc = slopeChange(d.timestamps, d.values, alertTime + 2 * MIN);
      if (sc) slopes.set(d.id, sc);
    }
  }
  mark('metrics');

  // 2. The onset: signals of the services in trouble that agree.
  const symptomServices = new Set(alertServices);
  for (const e of topology.edges) if (symptomServices.has(e.from)) symptomServices.add(e.to);
  const signals: OnsetSignal[] = [];
  for (const d of derived) {
    const e = excursions.get(d.id);
    if (!e || d.meaning.role === 'traffic' || d.meaning.role === 'other') continue;
    const svc = d.meaning.entity.service;
    const relevance = !svc || symptomServices.has(svc) ? 1 : 0.5;
    const roleWeight = d.meaning.role === 'errors' || d.meaning.role === 'availability' || d.meaning.role === 'latency' ? 1 : 0.6;
    signals.push({ kind: 'metric', ref: d.id, time: e.onset, weight: Math.min(1, e.score / 15) * relevance * roleWeight, ...(svc ? { service: svc } : {}) });
  }
  for (const [svc, times] of failingBy) {
    const o = eventRateOnset(times, bundle.window, alertTime);
    if (o) signals.push({ kind: 'span', ref: `spans:${svc}`, time: o.time, weight: Math.min(1, o.excess / 15), service: svc });
  }
  for (const [svc, times] of errorLogsBy) {
    const o = eventRateOnset(times, bundle.window, alertTime);
    if (o) signals.push({ kind: 'log', ref: `logs:${svc}`, time: o.time, weight: 0.8 * Math.min(1, o.excess / 15), ...(svc ? { service: svc } : {}) });
  }
  let onsetFinding = consensusOnset(signals, alertTime);
  // A ramp is dated at its foot, where a change that caused it sits: let the change-point finder refine
  // a metric-dated onset when it agrees on the direction and is not long before.
  const lead = onsetFinding.seriesId ? derivedById.get(onsetFinding.seriesId) : undefined;
  const leadExc = lead ? excursions.get(lead.id) : undefined;
  if (lead && leadExc && onsetFinding.time >= leadExc.onset - MIN) {
    try {
      const cp = findOnset(lead.timestamps, lead.values, { before: alertTime + 2 * MIN });
      if (cp && cp.direction === leadExc.direction && cp.time <= onsetFinding.time && cp.time >= onsetFinding.time - 20 * MIN) onsetFinding = { ...onsetFinding, time: cp.time, low: Math.min(onsetFinding.low ?? cp.time, cp.time) };
    } catch (err) {
      warnings.push(`change-point dating failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const onset = onsetFinding.time;
  mark('onset');

  // 3. Traces, logs and loci around the onset.
  const tf = traceFindings(spans, onset, topology, traceIndex);
  mark('traceFindings');
  warnings.push(...tf.warnings);
  const { loci, splits } = localize(spans, onset, topology, logs, traceIndex);
  mark('localize');
  const logPatterns = logFindings(logScan.signal, onset, bundle.window, alertTime, warnings, logScan.span);
  mark('logPatterns');
  const flags = flagsOf(spans, onset);
  const clockLines: string[] = [];
  const events = changeEvents({ logs, spans, series: derived, window: bundle.window, knownServices: [...knownServices], knownHosts: [...knownHosts], clockLines });
  mark('changeEvents');

  // 4. Stack frames and code attributes of what fails now.
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
  const frameService = new Map<string, string>();
  const frameClass = new Map<string, ErrorClass>();
  for (const o of newOrigins.slice(0, 3)) {
    if (o.stacktrace) for (const fr of framesOf(o.stacktrace).filter((f) => !f.library).slice(0, 4)) {
      stackFrames.push(fr);
      frameService.set(fr.path, o.service);
      frameClass.set(fr.path, o.errorClass ?? errorClassOf(`${o.exceptionType ?? ''} ${o.exceptionMessage ?? ''} ${o.stacktrace.slice(0, 300)}`));
    }
    if (o.code?.filepath) codeAttrs.push({ filepath: o.code.filepath, function: o.code.function, lineno: o.code.lineno });
  }
  const rising = logPatterns.filter((p) => p.rising && (p.level === 'error' || p.level === 'fatal' || p.level === 'warn'));
  const risingErrorServices = new Set(rising.filter((t) => t.level !== 'warn').map((t) => t.service));
  let logFrameBudget = 200;
  for (const r of risingErrorServices.size ? errorLinesAfter(logs, onset, risingErrorServices) : []) {
    if (logFrameBudget <= 0) break;
    const st = r.attributes?.['exception.stacktrace'];
    const text = typeof st === 'string' ? st : typeof r.body === 'string' && r.body.includes('\n') ? r.body : undefined;
    if (!text) continue;
    logFrameBudget--;
    for (const f of framesOf(text).filter((x) => !x.library).slice(0, 3)) {
      if (!stackFrames.some((g) => g.path === f.path && g.line === f.line)) stackFrames.push(f);
      if (r.service && !frameService.has(f.path)) frameService.set(f.path, r.service);
      if (!frameClass.has(f.path)) frameClass.set(f.path, errorClassOf(`${typeof r.body === 'string' ? r.body.slice(0, 400) : ''} ${text.slice(0, 300)}`));
    }
    if (stackFrames.length > 12) break;
  }
  for (const s of tf.slowOperations.slice(0, 2)) if (s.code) codeAttrs.push(s.code);
  mark('stackFrames');

  // 5. Which services: loci, error origins, slow operations, moved series, rising error logs and the
  // walk over the anomaly-weighted call graph each add their share.
  const serviceScore = new Map<string, number>();
  const bump = (svc: string | undefined, x: number): void => {
    if (svc) serviceScore.set(svc, (serviceScore.get(svc) ?? 0) + x);
  };
  for (const l of loci) bump(l.service, 3 * Math.max(l.errorShare, l.latencyShare));
  const originTotal = newOrigins.reduce((a, o) => a + o.count, 0) || 1;
  for (const o of newOrigins) bump(o.service, (3 * o.count) / originTotal);
  const slowTotal = tf.slowOperations.reduce((a, s) => a + (s.afterMs - s.beforeMs) * s.count, 0) || 1;
  for (const s of tf.slowOperations) bump(s.service, (2 * (s.afterMs - s.beforeMs) * s.count) / slowTotal);
  const excList = [...excursions.entries()].map(([id, e]) => ({ id, e, d: derivedById.get(id)! }));
  const excTotal = excList.reduce((a, x) => a + Math.min(x.e.score, 20), 0) || 1;
  for (const x of excList) bump(x.d.meaning.entity.service, Math.min(x.e.score, 20) / excTotal);
  const errTotal = rising.reduce((a, t) => a + t.countAfter, 0) || 1;
  for (const t of rising) if (t.level !== 'warn') bump(t.service, (0.5 * t.countAfter) / errTotal);
  try {
    const edges = tf.callGraph.length ? tf.callGraph : (bundle.serviceGraph ?? []);
    // Series that never left their baseline add nothing to an anomaly-weighted walk; leaving them out keeps it fast.
    const moved = excList.filter((x) => x.d.meaning.entity.service).sort((a, b) => b.e.score - a.e.score).slice(0, 150).map((x) => ({ ...x.d, service: x.d.meaning.entity.service }));
    const walk = moved.length ? rankRootCauses({ series: moved, edges, alertTime, window: bundle.window }) : [];
    for (const w of walk) bump(w.service, 0.5 * w.score);
  } catch (err) {
    warnings.push(`call-graph ranking failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const scoreSum = [...serviceScore.values()].reduce((a, b) => a + b, 0) || 1;
  const services = [...serviceScore.entries()].sort((a, b) => b[1] - a[1]).map(([service, score]) => ({ service, share: score / scoreSum }));
  mark('services');

  // 6. Suspect changes.
  const suspects = rankSuspectChanges({ changes, onset, errorSignals: { stackFrames, codeAttrs, services: services.map((s) => s.service) }, serviceMap: opts.serviceMap, limit: 15, knownServices: [...knownServices], onsetSlackMs: 10 * MIN });
  mark('suspects');

  // 7. Hosts, series for the views, traces for the views.
  const movedRaw = new Set<string>();
  for (const id of excursions.keys()) for (const src of derivedById.get(id)?.sources ?? []) movedRaw.add(src);
  const hosts = hostFindings(metrics, movedRaw);
  const { series, shaded } = seriesFindings(derived, excursions, slopes, alertServices, services.map((s) => s.service));
  const sampleRefs = [...newOrigins.slice(0, 5).map((o) => o.ref), ...tf.slowOperations.slice(0, 3).map((s) => s.ref), ...loci.slice(0, 3).flatMap((l) => l.refs.slice(0, 1))];
  mark('views');
  // Kubernetes state as evidence (crash loops, image pulls, probes, scheduling, nodes, rollouts, jobs).
  let kubernetes: ReturnType<typeof kubernetesFindings> = [];
  try {
    kubernetes = kubernetesFindings(Array.isArray(bundle.kubernetes) ? bundle.kubernetes : [], metrics);
  } catch (err) {
    warnings.push(`Kubernetes analysis failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  mark('kubernetes');

  const result: Findings = {
    window: { start: bundle.window.start, end: bundle.window.end },
    alertTime,
    alertServices,
    counts: { series: metrics.length, logs: logs.length, spans: spans.length, traces: tf.traceCount, changes: changes.length },
    onset: onsetFinding,
    series,
    logPatterns,
    errorOrigins: tf.errorOrigins,
    slowOperations: tf.slowOperations,
    callGraph: tf.callGraph,
    hosts,
    services,
    changeEvents: events,
    ...(clockLines.length ? { clockLines } : {}),
    loci,
    splits,
    fanout: tf.fanout,
    instrumented: [...topology.instrumented],
    knownServices: [...knownServices],
    peerServices: Object.fromEntries(topology.peerService),
    flags,
    stackFrames: stackFrames.map((f) => ({ ...f, ...(frameService.has(f.path) ? { service: frameService.get(f.path) } : {}), ...(frameClass.has(f.path) ? { errorClass: frameClass.get(f.path) } : {}) })),
    codeAttributes: codeAttrs,
    suspects,
    ...(kubernetes.length ? { kubernetes } : {}),
    traces: { slowest: [], failing: [], waterfalls: [] },
    warnings,
    ...(timings ? { timingsMs: timings } : {}),
    panelPending: true,
  };
  // What only the panel shows, for completeFindings: the routine log lines' patterns, the charts'
  // anomalous regions, the traces to draw.
  pendingPanel.set(result, () => {
    const t0 = timings ? performance.now() : 0;
    const routine = logFindings(logScan.routine, onset, bundle.window, alertTime, warnings, logScan.span);
    result.logPatterns = mergeLogFindings(result.logPatterns, routine);
    shadeSeries(result.series, derived, shaded, warnings);
    result.traces = traceViews(spans, sampleRefs);
    if (timings) timings.panel = (timings.panel ?? 0) + (performance.now() - t0);
  });
  if (!opts.deferPanel) completeFindings(result);
  return result;
}

/** The panel's part of findings computeFindings left for later (opts.deferPanel). */
const pendingPanel = new WeakMap<Findings, () => void>();

/**
 * Computes what computeFindings left for the panel (findings.panelPending): the patterns of routine log
 * lines (trace, debug, info), merged into findings.logPatterns; the anomalous regions of the likely
 * charts; the slowest and failing traces and their waterfalls. A no-op when nothing is pending.
 */
export function completeFindings(findings: Findings): void {
  const work = pendingPanel.get(findings);
  pendingPanel.delete(findings);
  delete findings.panelPending;
  work?.();
}

/** Every series, classified; moved ones with their excursion (as their region) and points for the likely charts. */
function seriesFindings(derived: DerivedSeries[], excursions: Map<string, Excursion>, slopes: Map<string, SlopeChange>, alertServices: string[], implicated: string[]): { series: SeriesFinding[]; shaded: Set<string> } {
  const relevance = (s: DerivedSeries): number => {
    const e = excursions.get(s.id);
    const svc = s.meaning.entity.service;
    return (e ? 100 + Math.min(50, e.score) : 0) + (slopes.has(s.id) ? 60 : 0) + (svc && alertServices.includes(svc) ? 20 : 0) + (svc && implicated.slice(0, 3).includes(svc) ? 10 : 0);
  };
  const ranked = [...derived].sort((a, b) => relevance(b) - relevance(a));
  const shaded = new Set(ranked.slice(0, MAX_SHADED).map((s) => s.id));
  const withPoints = new Set(ranked.filter((s) => s.derivation !== 'raw').slice(0, MAX_DERIVED_POINTS).map((s) => s.id));
  const series = derived.map((s): SeriesFinding => {
    const e = excursions.get(s.id);
    const m = s.meaning;
    const host = m.entity.host ?? m.entity.pod ?? (m.entity.instance ? hostOfInstance(m.entity.instance) : undefined);
    const slope = slopes.get(s.id);
    return {
      id: s.id,
      name: s.name,
      ...(m.entity.service ? { service: m.entity.service } : {}),
      ...(host ? { host } : {}),
      ...(m.entity.zone ? { zone: m.entity.zone } : {}),
      ...(s.unit ? { unit: s.unit } : {}),
      role: m.role,
      derivation: s.derivation,
      sources: s.sources,
      ...(withPoints.has(s.id) ? { points: { timestamps: s.timestamps, values: s.values } } : {}),
      ...(m.resource ? { resource: m.resource } : {}),
      ...(m.isLimit ? { isLimit: true } : {}),
      ...(slope ? { slope } : {}),
      ...(e ? { excursion: { onset: e.onset, direction: e.direction, score: e.score, ratio: e.ratio } } : {}),
      regions: e ? [{ start: e.onset, end: e.end }] : [],
    };
  });
  return { series, shaded };
}

/** The anomalous regions of the likely charts (the detector's, where it finds any), for the panel. */
function shadeSeries(series: SeriesFinding[], derived: DerivedSeries[], shaded: Set<string>, warnings: string[]): void {
  for (let i = 0; i < series.length; i++) {
    const f = series[i];
    const s = derived[i];
    if (!shaded.has(s.id) || s.values.length < 12) continue;
    try {
      const found = detectAnomalies(s).regions.map((r) => ({ start: s.timestamps[r.start], end: s.timestamps[Math.min(r.end, s.timestamps.length - 1)] }));
      if (found.length) f.regions = found;
    } catch (err) {
      warnings.push(`anomaly shading failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
  }
}
