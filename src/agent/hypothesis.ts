// Turns an incident bundle into one root-cause hypothesis, deterministically (no LLM): when it started,
// what changed in metrics, logs and traces, which service it comes from, which commit or deploy explains
// it, how sure we are (a calibrated probability), what would confirm or refute it, and what to do.

import type { Alert, Alternative, CauseKind, Change, CodeLocation, Evidence, Hypothesis, LogRecord, MetricSeries, ProposedAction, Span } from '../core/model';
import type { IncidentBundle } from '../core/bundle';
import { analyzeTraces, type ErrorOrigin } from '../analysis/traces';
import { comparePatterns } from '../analysis/logPatterns';
import { rankRootCauses } from '../analysis/rootCause';
import { findOnset } from '../analysis/changePoint';
import { extractStackFrames, rankSuspectChanges, type CodeAttribute, type RankedSuspect, type StackFrame } from '../analysis/suspectChanges';

export interface HypothesisOptions {
  /** Below this calibrated confidence the hypothesis abstains. Default 0.5. */
  confidenceThreshold?: number;
  /** Path prefix -> service, for mapping changed files to services. */
  serviceMap?: Record<string, string>;
  /** Filled with the decision's features (calibration and debugging). */
  diagnostics?: { features?: DecisionFeatures; causeKind?: CauseKind; timingsMs?: Record<string, number> };
}

/** Features the confidence is computed from; exported so calibration can refit the weights. */
export interface DecisionFeatures {
  /** 0..1 strength of the signal behind the chosen cause kind. */
  kindStrength: number;
  /** Top suspect's score, 0 when no commit is named. */
  commitScore: number;
  /** Top suspect's lead over the second, 0 when no commit is named. */
  commitMargin: number;
  /** 1 when the decision names a commit. */
  namesCommit: number;
  /** How much of the implicated signal the named service carries, 0..1. */
  serviceShare: number;
}

/**
 * Logistic weights: confidence = sigmoid(bias + w·features). The slopes are set by hand (stronger
 * evidence, higher confidence); the bias is fitted by `npx tsx bench/lib/calibrate.ts --suites 5
 * --per-kind 8 --shifted` on generated suites with seeds 900..904 (307 decisions, 306 right), never the
 * benchmark's seeds, so that the mean stated confidence equals the share of right decisions there.
 */
export const CONFIDENCE_WEIGHTS = { bias: 1.0, kindStrength: 3.0, commitScore: 2.0, commitMargin: 3.0, namesCommit: 0.5, serviceShare: 1.5 };

const MIN = 60_000;
const MAX_EVIDENCE = 16;

// ---------- series ----------

export interface Excursion {
  series: MetricSeries;
  onset: number;
  /** Robust z of the excursion (median over its points), capped at 50. */
  score: number;
  direction: 'up' | 'down';
  /** Mean during the excursion over the baseline median. */
  ratio: number;
}

/**
 * The sustained excursion of a series that is still going on at the alert: baseline = median/MAD of
 * the first quarter; the excursion is the last run of points beyond 4 robust sigmas, ending at the alert.
 */
export function seriesExcursion(series: MetricSeries, alertTime: number): Excursion | undefined {
  const ts = series.timestamps;
  const vs = series.values;
  if (!Array.isArray(ts) || !Array.isArray(vs)) return undefined;
  const n = Math.min(ts.length, vs.length);
  const limit = alertTime + 2 * MIN;
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = vs[i];
    const ti = ts[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || typeof ti !== 'number' || !Number.isFinite(ti) || ti > limit) continue;
    t.push(ti);
    v.push(x);
  }
  if (v.length < 12) return undefined;
  const base = v.slice(0, Math.max(6, Math.floor(v.length / 4))).sort((a, b) => a - b);
  const median = base[Math.floor(base.length / 2)];
  const dev = base.map((x) => Math.abs(x - median)).sort((a, b) => a - b);
  const sigma = Math.max(1.4826 * dev[Math.floor(dev.length / 2)], Math.abs(median) * 0.02, 1e-9);
  const z = v.map((x) => (x - median) / sigma);
  const last = z.length - 1;
  const tail = z.slice(Math.max(0, last - 3));
  const ups = tail.filter((x) => x > 4).length;
  const downs = tail.filter((x) => x < -4).length;
  if (ups < 2 && downs < 2) return undefined;
  const sign = ups >= downs ? 1 : -1;
  let onsetIdx = last;
  let misses = 0;
  for (let i = last; i >= 0; i--) {
    if (z[i] * sign > 4) {
      onsetIdx = i;
      misses = 0;
    } else if (++misses >= 3) break;
  }
  const zs = z.slice(onsetIdx).map((x) => Math.abs(x)).sort((a, b) => a - b);
  const vals = v.slice(onsetIdx);
  const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
  return {
    series,
    onset: t[onsetIdx],
    score: Math.min(50, zs[Math.floor(zs.length / 2)]),
    direction: sign > 0 ? 'up' : 'down',
    ratio: median !== 0 ? mean / median : mean > 0 ? Infinity : 1,
  };
}

const TRAFFIC = /request|rps|qps|throughput|traffic/i;
const SATURATION = /cpu|saturation|utili[sz]ation|queue|threads?_busy|load/i;
const MEMORY = /mem|heap|rss/i;

function isNodeSeries(s: MetricSeries): boolean {
  return !s.service && !!(s.labels?.host ?? s.labels?.node ?? s.labels?.instance);
}

function hostOf(s: MetricSeries): string | undefined {
  return s.labels?.host ?? s.labels?.node ?? s.labels?.['host.name'] ?? s.labels?.['k8s.node.name'];
}

// ---------- logs ----------

interface LogTemplateStat {
  id: string;
  template: string;
  level: string;
  service?: string;
  before: number;
  after: number;
  sample: string;
  firstAfter?: number;
}

function maskLine(body: string): string {
  const first = body.split('\n', 1)[0].slice(0, 200);
  return first
    .replace(/\b[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\d+(\.\d+)?/g, '<n>')
    .replace(/(<n>|<hex>)([^\s]*?(<n>|<hex>))+/g, '<*>');
}

/** Error and warning templates before and after the onset. Prefers the shared miner's ids when it has any. */
function logTemplates(logs: LogRecord[], onset: number, window: { start: number; end: number }): LogTemplateStat[] {
  try {
    // Only warnings and errors become evidence. Mining every line keeps the template ids identical to
    // the panel's (which mines all lines); past 20k lines that costs too much, so mine the warnings and errors.
    const input = logs.length > 20_000 ? logs.filter((r) => r && (r.level === 'error' || r.level === 'fatal' || r.level === 'warn')) : logs;
    const report = comparePatterns(input, onset);
    if (report.patterns.length) {
      return report.patterns
        .filter((p) => p.level === 'error' || p.level === 'fatal' || p.level === 'warn')
        .map((p) => ({ id: p.id, template: p.template, level: p.level, service: p.service, before: p.countBefore, after: p.countAfter, sample: p.samples[0] ?? p.template }));
    }
  } catch {
    // fall through to the simple masker: a failing miner must not cost the hypothesis
  }
  const stats = new Map<string, LogTemplateStat>();
  for (const r of logs) {
    if (!r || (r.level !== 'error' && r.level !== 'fatal' && r.level !== 'warn') || typeof r.body !== 'string' || !Number.isFinite(r.time)) continue;
    const template = maskLine(r.body);
    const key = `${r.service ?? ''}\u0000${r.level}\u0000${template}`;
    let s = stats.get(key);
    if (!s) {
      s = { id: `tpl-${stats.size + 1}`, template, level: r.level, service: r.service, before: 0, after: 0, sample: r.body.split('\n', 1)[0].slice(0, 300) };
      stats.set(key, s);
    }
    if (r.time < onset) s.before++;
    else {
      s.after++;
      if (s.firstAfter === undefined || r.time < s.firstAfter) s.firstAfter = r.time;
    }
  }
  void window;
  return [...stats.values()];
}

// ---------- traces ----------

interface SpanFindings {
  origins: (ErrorOrigin & { external?: string; before: number })[];
  /** Spans whose own time grew most after the onset. */
  slow: { service: string; name: string; kind?: string; beforeMs: number; afterMs: number; count: number; external?: string; code?: CodeAttribute; sample: Span }[];
  edges: { from: string; to: string }[];
  warnings: string[];
  traceCount: number;
  /** host.name of erroring or slow spans after the onset. */
  hosts: Map<string, number>;
  instrumented: Set<string>;
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function peerOf(span: Span): string | undefined {
  const a = span.attributes ?? {};
  const v = a['peer.service'] ?? a['server.address'] ?? a['net.peer.name'] ?? a['db.system'];
  return typeof v === 'string' && v ? v : undefined;
}

function analyzeSpans(spans: Span[], onset: number): SpanFindings {
  const valid = spans.filter((s) => s && typeof s.spanId === 'string' && typeof s.traceId === 'string' && Number.isFinite(s.startTime) && Number.isFinite(s.endTime));
  const instrumented = new Set<string>();
  for (const s of valid) if (s.kind === 'server' || !s.parentSpanId) instrumented.add(s.service);
  const after = valid.filter((s) => s.startTime >= onset - MIN);
  let analysis: ReturnType<typeof analyzeTraces> | undefined;
  const warnings: string[] = [];
  try {
    analysis = analyzeTraces(after, { maxErrorOrigins: 20 });
    warnings.push(...analysis.warnings);
  } catch (err) {
    warnings.push(`trace analysis failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Spans grouped by trace: parent links resolve inside a trace without building a key per span.
  const traces = new Map<string, Span[]>();
  for (const s of valid) {
    const list = traces.get(s.traceId);
    if (list) list.push(s);
    else traces.set(s.traceId, [s]);
  }
  // Errors by origin before the onset, so a chronic failure isn't taken for the incident.
  const beforeErrors = new Map<string, number>();
  for (const s of valid) if (s.status === 'error' && s.startTime < onset - MIN) beforeErrors.set(`${s.service}\u0000${s.name}`, (beforeErrors.get(`${s.service}\u0000${s.name}`) ?? 0) + 1);
  const origins = (analysis?.errorOrigins ?? []).map((o) => {
    const sample = traces.get(o.sampleTraceId)?.find((x) => x.spanId === o.sampleSpanId);
    const peer = sample && sample.kind === 'client' ? peerOf(sample) : undefined;
    const external = peer && !instrumented.has(peer) ? peer : undefined;
    return { ...o, external, before: beforeErrors.get(`${o.service}\u0000${o.name}`) ?? 0 };
  });

  // Self time per (service, span name, kind): median before vs after the onset.
  type Group = { before: number[]; after: number[]; sample: Span; codes: Map<string, { c: CodeAttribute; n: number }> };
  const groups: Group[] = [];
  const groupIndex = new Map<string, Map<string, Map<string, Group>>>();
  const groupOf = (s: Span): Group => {
    let byName = groupIndex.get(s.service);
    if (!byName) groupIndex.set(s.service, (byName = new Map()));
    let byKind = byName.get(s.name);
    if (!byKind) byName.set(s.name, (byKind = new Map()));
    let g = byKind.get(s.kind ?? '');
    if (!g) {
      byKind.set(s.kind ?? '', (g = { before: [], after: [], sample: s, codes: new Map() }));
      groups.push(g);
    }
    return g;
  };
  const hosts = new Map<string, number>();
  for (const list of traces.values()) {
    const index = new Map<string, number>();
    list.forEach((x, i) => index.set(x.spanId, i));
    const childTime = new Float64Array(list.length);
    for (const c of list) {
      if (!c.parentSpanId || c.parentSpanId === c.spanId) continue;
      const pi = index.get(c.parentSpanId);
      if (pi === undefined) continue;
      const p = list[pi];
      childTime[pi] += Math.max(0, Math.min(c.endTime, p.endTime) - Math.max(c.startTime, p.startTime));
    }
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      const self = Math.max(0, s.endTime - s.startTime - childTime[i]);
      const g = groupOf(s);
      if (s.startTime < onset) {
        if (g.before.length < 5000) g.before.push(self);
        continue;
      }
      if (g.after.length < 5000) g.after.push(self);
      const fp = s.attributes?.['code.filepath'];
      if (typeof fp === 'string') {
        const ln = Number(s.attributes['code.lineno']);
        const k = `${fp}:${ln}`;
        let e = g.codes.get(k);
        if (!e) {
          const fn = s.attributes['code.function'];
          g.codes.set(k, (e = { c: { filepath: fp, ...(Number.isFinite(ln) ? { lineno: ln } : {}), ...(typeof fn === 'string' ? { function: fn } : {}) }, n: 0 }));
        }
        e.n++;
      }
      const host = s.attributes?.['host.name'];
      if (typeof host === 'string' && s.status === 'error') hosts.set(host, (hosts.get(host) ?? 0) + 1);
    }
  }
  const slow: SpanFindings['slow'] = [];
  for (const g of groups) {
    if (g.after.length < 5 || g.before.length < 5) continue;
    const b = median(g.before);
    const a = median(g.after);
    if (a > Math.max(2 * b, b + 5)) {
      let code: CodeAttribute | undefined;
      let best = 0;
      for (const e of g.codes.values()) {
        if (e.n > best) {
          best = e.n;
          code = e.c;
        }
      }
      const peer = g.sample.kind === 'client' ? peerOf(g.sample) : undefined;
      slow.push({ service: g.sample.service, name: g.sample.name, kind: g.sample.kind, beforeMs: b, afterMs: a, count: g.after.length, external: peer && !instrumented.has(peer) ? peer : undefined, code, sample: g.sample });
    }
  }
  slow.sort((x, y) => (y.afterMs - y.beforeMs) * y.count - (x.afterMs - x.beforeMs) * x.count);
  const edges = (analysis?.callGraph ?? []).map((e) => ({ from: e.from, to: e.to }));
  return { origins, slow: slow.slice(0, 10), edges, warnings, traceCount: analysis?.traceCount ?? 0, hosts, instrumented };
}

// ---------- decision ----------

interface Decision {
  causeKind: CauseKind;
  service?: string;
  suspect?: RankedSuspect;
  host?: string;
  dependency?: string;
  /** A memory leak: restarting buys time. */
  leak?: boolean;
  features: DecisionFeatures;
  /** Evidence ids that support it, and a sentence for the summary. */
  evidenceIds: string[];
  sentence: string;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function confidenceOf(f: DecisionFeatures): number {
  const w = CONFIDENCE_WEIGHTS;
  return sigmoid(w.bias + w.kindStrength * f.kindStrength + w.commitScore * f.commitScore + w.commitMargin * f.commitMargin + w.namesCommit * f.namesCommit + w.serviceShare * f.serviceShare);
}

function fmtTime(t: number): string {
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/**
 * The hypothesis for a bundle. Never reads `bundle.truth`.
 */
export function buildHypothesis(bundle: IncidentBundle, opts: HypothesisOptions = {}): Hypothesis {
  const threshold = opts.confidenceThreshold ?? 0.5;
  const timings: Record<string, number> | undefined = opts.diagnostics ? (opts.diagnostics.timingsMs = {}) : undefined;
  let lastMark = timings ? performance.now() : 0;
  const mark = (stage: string): void => {
    if (!timings) return;
    const now = performance.now();
    timings[stage] = (timings[stage] ?? 0) + (now - lastMark);
    lastMark = now;
  };
  const alerts: Alert[] = bundle.alerts?.length ? bundle.alerts : [bundle.alert];
  const alert = bundle.alert;
  const alertTime = Math.min(...alerts.map((a) => (Number.isFinite(a.startsAt) ? a.startsAt : Infinity)), Number.isFinite(alert.startsAt) ? alert.startsAt : Date.now());
  const alertServices = [...new Set(alerts.map((a) => a.service ?? a.labels?.service).filter((s): s is string => !!s))];
  const metrics = Array.isArray(bundle.metrics) ? bundle.metrics.filter((s) => s && Array.isArray(s.values)) : [];
  const logs = Array.isArray(bundle.logs) ? bundle.logs : [];
  const spans = Array.isArray(bundle.spans) ? bundle.spans : [];
  const changes = Array.isArray(bundle.changes) ? bundle.changes : [];
  const evidence: Evidence[] = [];
  const addEvidence = (e: Omit<Evidence, 'id'>): string => {
    const id = `e${evidence.length + 1}`;
    evidence.push({ id, ...e });
    return id;
  };

  // 1. Metrics: which series are off, since when.
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
    } catch {
      // keep the excursion's own onset
    }
  }

  mark('metrics');
  // 2. Traces and logs around the onset.
  const spanFindings = analyzeSpans(spans, onset);
  mark('traces');
  const templates = logTemplates(logs, onset, bundle.window);
  mark('logPatterns');
  const minutesBefore = Math.max(1, (onset - bundle.window.start) / MIN);
  const minutesAfter = Math.max(1, (Math.max(bundle.window.end, alertTime) - onset) / MIN);
  const risingTemplates = templates
    .filter((t) => t.after >= 3 && t.after / minutesAfter > 3 * (t.before / minutesBefore) + 0.05)
    .sort((a, b) => b.after - a.after);

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
  const newOrigins = spanFindings.origins.filter((o) => o.count >= 3 && o.count > 2 * o.before);
  const stackFrames: StackFrame[] = [];
  const codeAttrs: CodeAttribute[] = [];
  for (const o of newOrigins.slice(0, 3)) {
    if (o.stacktrace) stackFrames.push(...framesOf(o.stacktrace).filter((f) => !f.library).slice(0, 4));
    if (o.code?.filepath) codeAttrs.push({ filepath: o.code.filepath, function: o.code.function, lineno: o.code.lineno });
  }
  const risingErrorServices = new Set(risingTemplates.filter((t) => t.level !== 'warn').map((t) => t.service));
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
  for (const s of spanFindings.slow.slice(0, 2)) if (s.code) codeAttrs.push(s.code);

  mark('stackFrames');
  // 4. Which service: error origins, slow spans, anomalous series, and the call-graph walk.
  const serviceScore = new Map<string, number>();
  const bump = (svc: string | undefined, x: number): void => {
    if (svc) serviceScore.set(svc, (serviceScore.get(svc) ?? 0) + x);
  };
  const originTotal = newOrigins.reduce((a, o) => a + o.count, 0) || 1;
  for (const o of newOrigins) bump(o.service, (3 * o.count) / originTotal);
  const slowTotal = spanFindings.slow.reduce((a, s) => a + (s.afterMs - s.beforeMs) * s.count, 0) || 1;
  for (const s of spanFindings.slow) bump(s.service, (2 * (s.afterMs - s.beforeMs) * s.count) / slowTotal);
  const excTotal = excursions.reduce((a, e) => a + Math.min(e.score, 20), 0) || 1;
  for (const e of excursions) bump(e.series.service, Math.min(e.score, 20) / excTotal);
  const errTotal = risingTemplates.reduce((a, t) => a + t.after, 0) || 1;
  for (const t of risingTemplates) if (t.level !== 'warn') bump(t.service, (0.5 * t.after) / errTotal);
  let walk: ReturnType<typeof rankRootCauses> = [];
  try {
    const edges = spanFindings.edges.length ? spanFindings.edges : (bundle.serviceGraph ?? []);
    // Series that never left their baseline add nothing to an anomaly-weighted walk; leaving them out keeps it fast.
    const moved = excursions.filter((e) => e.series.service).sort((a, b) => b.score - a.score).slice(0, 150).map((e) => e.series);
    walk = moved.length ? rankRootCauses({ series: moved, edges, alertTime, window: bundle.window }) : [];
    for (const w of walk) bump(w.service, 0.5 * w.score);
  } catch {
    // the walk is one voice among several; without it the others still decide
  }
  const services = [...serviceScore.entries()].sort((a, b) => b[1] - a[1]).map(([s]) => s);
  const scoreSum = [...serviceScore.values()].reduce((a, b) => a + b, 0) || 1;
  const shareOf = (svc: string | undefined): number => (svc ? (serviceScore.get(svc) ?? 0) / scoreSum : 0);

  mark('services');
  // 5. Suspect changes.
  const suspects = rankSuspectChanges({ changes, onset, errorSignals: { stackFrames, codeAttrs, services }, serviceMap: opts.serviceMap, limit: 10 });
  const s1 = suspects[0];
  const s2 = suspects[1];
  const margin = s1 ? s1.score - (s2?.score ?? 0) : 0;

  mark('suspects');
  // 6. Evidence common to every decision.
  const alertEv = addEvidence({
    kind: 'alert',
    ref: alert.id,
    title: alerts.length > 1 ? `${alerts.length} alerts firing (${[...new Set(alerts.map((a) => a.name))].join(', ')}) on ${alertServices.join(', ')}` : `${alert.name} on ${alert.service ?? alert.labels?.service ?? 'unknown service'}`,
    why: alerts.length > 1 ? 'An alert storm: grouped here because they share one cause.' : 'The alert under investigation.',
    weight: 0.1,
    time: alertTime,
  });
  const topExcursions = [...excursions].sort((a, b) => b.score - a.score);
  let onsetEv: string | undefined;
  if (onsetExcursion) {
    onsetEv = addEvidence({
      kind: 'metric',
      ref: onsetExcursion.series.id,
      title: `${onsetExcursion.series.name}${onsetExcursion.series.service ? ` of ${onsetExcursion.series.service}` : ''} moved ${onsetExcursion.direction} at ${fmtTime(onsetExcursion.onset)} (${onsetExcursion.ratio.toFixed(1)}x its baseline)`,
      why: 'The earliest sustained change on the alerting service: taken as the onset.',
      weight: 0.3,
      time: onsetExcursion.onset,
    });
  }

  // 7. Decide.
  // Host asymmetry: the same metric of the same service (or of the nodes) is off on one host and fine on
  // the others. Callers hurt everywhere say nothing about hosts, so uniform anomalies don't count.
  const excursionIds = new Set(excursions.map((e) => e.series.id));
  const hostGroups = new Map<string, { host: string; off: boolean; node: boolean }[]>();
  for (const s of metrics) {
    const h = hostOf(s);
    if (!h) continue;
    const key = `${s.name}\u0000${s.service ?? ''}`;
    const list = hostGroups.get(key) ?? [];
    list.push({ host: h, off: excursionIds.has(s.id), node: isNodeSeries(s) });
    hostGroups.set(key, list);
  }
  const hostAnoms = new Map<string, number>();
  const nodeOff = new Set<string>();
  for (const list of hostGroups.values()) {
    const off = list.filter((x) => x.off);
    if (list.length < 2 || off.length === 0 || off.length === list.length) continue;
    for (const x of off) {
      hostAnoms.set(x.host, (hostAnoms.get(x.host) ?? 0) + (x.node ? 2 : 1));
      if (x.node) nodeOff.add(x.host);
    }
  }
  const hostTotal = [...hostAnoms.values()].reduce((a, b) => a + b, 0);
  const [topHost, topHostCount] = [...hostAnoms.entries()].sort((a, b) => b[1] - a[1])[0] ?? [undefined, 0];
  const hostWeighted = hostTotal || 1;
  const nodeSeriesOff = excursions.filter((e) => isNodeSeries(e.series) && hostOf(e.series) === topHost);
  const hostShare = topHost ? topHostCount / hostWeighted : 0;

  const extErrors = newOrigins.filter((o) => o.external);
  const extShare = extErrors.reduce((a, o) => a + o.count, 0) / originTotal;
  const dependency = extErrors.sort((a, b) => b.count - a.count)[0]?.external;

  const trafficUp = excursions.filter((e) => e.direction === 'up' && TRAFFIC.test(e.series.name + (e.series.unit ?? '')) && e.ratio >= 1.8);
  const saturated = excursions.filter((e) => e.direction === 'up' && SATURATION.test(e.series.name) && !MEMORY.test(e.series.name) && e.series.service).sort((a, b) => b.ratio - a.ratio);
  const memoryUp = excursions.filter((e) => e.direction === 'up' && MEMORY.test(e.series.name) && e.series.service);

  // A leak: memory climbing since a deploy of the same service (the deploy closest to the climb's start).
  let leakSuspect: { suspect: RankedSuspect; memory: Excursion } | undefined;
  for (const m of memoryUp) {
    for (const s of suspects) {
      if (!s.strength.deployed || !s.strength.services.includes(m.series.service!) || Math.abs(m.onset - s.time) >= 15 * MIN) continue;
      if (!leakSuspect || Math.abs(m.onset - s.time) < Math.abs(leakSuspect.memory.onset - leakSuspect.suspect.time)) leakSuspect = { suspect: s, memory: m };
    }
  }
  // A code change whose changed lines the failing frames or spans point into; a config change that went out just before.
  // A changed line that fails now but went out many hours ago would have failed then: it needs recent timing too.
  const codeCandidate = suspects.find((x) => x.strength.code >= 0.9 && !x.strength.config && (x.strength.close > 0 || x.strength.recency > 0.35));
  const configCandidate = suspects.find((x) => x.strength.config && x.strength.service > 0 && x.strength.close > 0.3);
  let decision: Decision | undefined;
  const commitFeatures = (s: RankedSuspect, kindStrength: number): DecisionFeatures => ({
    kindStrength,
    commitScore: s.score,
    // Lead over the best other suspect (negative leads count as none).
    commitMargin: Math.max(0, s.score - Math.max(0, ...suspects.filter((x) => x !== s).map((x) => x.score))),
    namesCommit: 1,
    serviceShare: shareOf(s.strength.services.find((x) => services.includes(x))),
  });
  const suspectService = (s: RankedSuspect): string | undefined => s.strength.services.find((x) => services.includes(x)) ?? s.strength.services[0];

  if (topHost && hostShare >= 0.6 && nodeOff.has(topHost) && topHostCount >= 3) {
    const svcOnHost = services.find((svc) => excursions.some((e) => e.series.service === svc && hostOf(e.series) === topHost));
    const ids = nodeSeriesOff.slice(0, 2).map((e) =>
      addEvidence({ kind: 'metric', ref: e.series.id, title: `${e.series.name} on ${topHost} at ${e.ratio.toFixed(1)}x its baseline since ${fmtTime(e.onset)}`, why: `Host-level saturation on ${topHost} only; instances on other hosts look normal.`, weight: 0.4, time: e.onset }),
    );
    decision = {
      causeKind: 'infrastructure',
      service: svcOnHost,
      host: topHost,
      features: { kindStrength: Math.min(1, hostShare), commitScore: 0, commitMargin: 0, namesCommit: 0, serviceShare: shareOf(svcOnHost) },
      evidenceIds: ids,
      sentence: `host ${topHost} is degraded: ${Math.round(hostShare * 100)}% of the host-attributed anomalies are on it`,
    };
  } else if (codeCandidate && (!configCandidate || suspects.indexOf(codeCandidate) < suspects.indexOf(configCandidate)) && !(dependency && extShare >= 0.5 && codeCandidate.strength.close === 0)) {
    // Errors that start at calls to a dependency outside our telemetry point at the dependency, unless
    // the code making those calls changed just before.
    decision = { causeKind: 'code-change', service: suspectService(codeCandidate), suspect: codeCandidate, features: commitFeatures(codeCandidate, codeCandidate.strength.code), evidenceIds: [], sentence: '' };
  } else if (configCandidate) {
    decision = { causeKind: 'config-change', service: suspectService(configCandidate), suspect: configCandidate, features: commitFeatures(configCandidate, Math.min(1, configCandidate.strength.close * configCandidate.strength.service)), evidenceIds: [], sentence: '' };
  } else if (dependency && extShare >= 0.5) {
    decision = {
      causeKind: 'dependency',
      service: dependency,
      dependency,
      features: { kindStrength: extShare, commitScore: 0, commitMargin: 0, namesCommit: 0, serviceShare: shareOf(extErrors[0].service) },
      evidenceIds: [],
      sentence: '',
    };
  } else if (trafficUp.length && saturated.length && Math.min(...trafficUp.map((e) => e.onset)) <= saturated[0].onset + MIN) {
    const svc = saturated[0].series.service!;
    const ids = [
      addEvidence({ kind: 'metric', ref: trafficUp[0].series.id, title: `${trafficUp[0].series.name} of ${trafficUp[0].series.service ?? '?'} rose ${trafficUp[0].ratio.toFixed(1)}x at ${fmtTime(trafficUp[0].onset)}`, why: 'Traffic rose first.', weight: 0.4, time: trafficUp[0].onset }),
      addEvidence({ kind: 'metric', ref: saturated[0].series.id, title: `${saturated[0].series.name} of ${svc} at ${saturated[0].ratio.toFixed(1)}x its baseline since ${fmtTime(saturated[0].onset)}`, why: 'The service ran out of headroom after the traffic rose.', weight: 0.4, time: saturated[0].onset }),
    ];
    decision = {
      causeKind: 'capacity',
      service: svc,
      features: { kindStrength: Math.min(1, (Math.max(...trafficUp.map((e) => e.ratio)) - 1) / 3), commitScore: 0, commitMargin: 0, namesCommit: 0, serviceShare: shareOf(svc) },
      evidenceIds: ids,
      sentence: `traffic rose ${trafficUp[0].ratio.toFixed(1)}x and ${svc} saturated`,
    };
  } else if (leakSuspect) {
    const { suspect: ls, memory: m } = leakSuspect;
    const id = addEvidence({ kind: 'metric', ref: m.series.id, title: `${m.series.name} of ${m.series.service} has grown since ${fmtTime(m.onset)} (${m.ratio.toFixed(1)}x)`, why: `Memory started climbing ${Math.round(Math.abs(m.onset - ls.time) / MIN)} min after the deploy of ${ls.sha.slice(0, 8)}: a leak it introduced.`, weight: 0.5, time: m.onset });
    decision = { causeKind: 'code-change', leak: true, service: m.series.service, suspect: ls, features: commitFeatures(ls, 1 - Math.abs(m.onset - ls.time) / (15 * MIN)), evidenceIds: [id], sentence: `memory of ${m.series.service} has grown steadily since the deploy of ${ls.sha.slice(0, 8)}` };
  } else if (s1 && s1.strength.service >= 1 && s1.strength.close > 0.3 && (margin > 0.1 || (s2 !== undefined && s2.strength.service < 1))) {
    // Weakest lead: only timing and the service point at it; the confidence says so.
    decision = { causeKind: s1.strength.config ? 'config-change' : 'code-change', service: suspectService(s1), suspect: s1, features: commitFeatures(s1, 0.4 * s1.strength.recency), evidenceIds: [], sentence: '' };
  }

  // 8. Evidence for the decision, and the summary.
  const evidenceForSuspect = (s: RankedSuspect): string[] => {
    const ids: string[] = [];
    const change = changes.find((c) => c.sha === s.sha);
    if (change?.deploy) ids.push(addEvidence({ kind: 'deploy', ref: s.sha, title: `Deploy ${change.deploy.ref} at ${fmtTime(change.deploy.time)}`, why: `Went out ${Math.round((onset - change.deploy.time) / MIN)} min before the onset.`, weight: 0.3, time: change.deploy.time }));
    ids.push(addEvidence({ kind: s.strength.config ? 'config' : 'commit', ref: s.sha, title: `${s.sha.slice(0, 8)} ${s.message} (${s.author})`, why: s.reasons.join('; '), weight: s.score, time: s.time }));
    return ids;
  };
  const originEvidence = (o: SpanFindings['origins'][number]): string =>
    addEvidence({
      kind: 'span',
      ref: `${o.sampleTraceId}/${o.sampleSpanId}`,
      title: `${o.count} failing ${o.name} spans in ${o.service}${o.exceptionType ? `: ${o.exceptionType}` : ''}${o.exceptionMessage ? ` ${o.exceptionMessage.slice(0, 120)}` : o.statusMessage ? `: ${o.statusMessage.slice(0, 120)}` : ''}`,
      why: o.external ? `The errors start at calls to ${o.external}, which has no telemetry of its own here.` : `Where the errors originate (no failing child span)${o.before ? `; ${o.before} before the onset` : ', none before the onset'}.`,
      weight: 0.4,
    });
  const patternEvidence = (t: LogTemplateStat): string =>
    addEvidence({ kind: 'log-pattern', ref: t.id, title: `${t.service ?? ''} ${t.level}: ${t.template.slice(0, 140)}`.trim(), why: t.before === 0 ? `New after the onset: ${t.after} lines, none before.` : `${t.before} lines before the onset, ${t.after} after.`, weight: 0.3, time: t.firstAfter });

  const decisionService = decision?.service;
  const relevantOrigins = newOrigins.filter((o) => !decisionService || o.service === decisionService || o.external === decisionService).slice(0, 2);
  const relevantTemplates = risingTemplates.filter((t) => !decisionService || t.service === decisionService).slice(0, 2);
  if (decision) {
    if (decision.suspect) {
      const s = decision.suspect;
      const spanIds = relevantOrigins.map(originEvidence);
      const slowIds = spanFindings.slow
        .filter((x) => x.service === decision!.service)
        .slice(0, 1)
        .map((x) => addEvidence({ kind: 'span', ref: `${x.sample.traceId}/${x.sample.spanId}`, title: `${x.name} in ${x.service}: own time ${fmtMs(x.beforeMs)} before, ${fmtMs(x.afterMs)} after the onset`, why: x.code ? `Its code.filepath ${x.code.filepath}:${x.code.lineno ?? '?'} points into the suspect change.` : 'Where the extra time is spent.', weight: 0.4 }));
      const logIds = relevantTemplates.slice(0, 1).map(patternEvidence);
      const commitIds = evidenceForSuspect(s);
      decision.evidenceIds.push(...commitIds, ...spanIds, ...slowIds, ...logIds);
      const loc = s.location ? `${s.location.path}:${s.location.startLine}-${s.location.endLine}` : s.files[0];
      const what = decision.causeKind === 'config-change' ? 'configuration change' : 'change';
      if (!decision.sentence) {
        const signal = spanIds.length || logIds.length ? `errors in ${decision.service ?? 'the service'} [${[...spanIds, ...logIds].join(', ')}]` : slowIds.length ? `slower calls in ${decision.service} [${slowIds.join(', ')}]` : `the change in ${decision.service}`;
        decision.sentence = `${signal} trace back to the ${what} ${s.sha.slice(0, 8)} "${s.message}" at ${loc} [${commitIds.join(', ')}]`;
      } else decision.sentence += ` [${[...new Set(decision.evidenceIds)].join(', ')}]`;
    } else if (decision.causeKind === 'dependency') {
      const ids = extErrors.slice(0, 2).map(originEvidence);
      const logIds = risingTemplates.filter((t) => extErrors.some((o) => o.service === t.service)).slice(0, 1).map(patternEvidence);
      ids.push(addEvidence({ kind: 'topology', ref: decision.dependency!, title: `${decision.dependency} is called by ${[...new Set(extErrors.map((o) => o.service))].join(', ')}`, why: 'A downstream dependency outside our telemetry: no commit of ours touches it.', weight: 0.3 }));
      decision.evidenceIds.push(...ids, ...logIds);
      decision.sentence = `calls to ${decision.dependency} fail (${Math.round(extShare * 100)}% of the new errors start there) [${[...ids, ...logIds].join(', ')}]; no recent change explains it`;
    } else {
      decision.evidenceIds.push(...relevantTemplates.slice(0, 1).map(patternEvidence));
      decision.sentence += ` [${decision.evidenceIds.join(', ')}]`;
    }
  }

  if (opts.diagnostics && decision) {
    opts.diagnostics.features = decision.features;
    opts.diagnostics.causeKind = decision.causeKind;
  }
  mark('decide');
  // Never certain: the signals are samples and the model is simple, so cap below 1.
  let confidence = decision ? Math.min(0.995, confidenceOf(decision.features)) : 0;
  confidence = Math.round(confidence * 1000) / 1000;
  const abstained = !decision || confidence < threshold;

  // What was looked at, always.
  const checked = [
    `${alerts.length} alert(s) on ${alertServices.join(', ') || 'unknown services'}, first at ${fmtTime(alertTime)}`,
    `${metrics.length} metric series: ${excursions.length} moved beyond 4 robust sigmas and stayed there${onsetExcursion ? `, the first at ${fmtTime(onset)}` : ''}`,
    `${logs.length} log lines: ${risingTemplates.length} error/warning templates new or rising after the onset`,
    `${spans.length} spans in ${spanFindings.traceCount} traces after the onset: ${newOrigins.length} new error origins, ${spanFindings.slow.length} operations slower than before`,
    `${changes.length} commits: ${suspects.length} went out before the onset${s1 ? `, best ${s1.sha.slice(0, 8)} (score ${s1.score.toFixed(2)})` : ''}`,
    `stack frames: ${stackFrames.length}, code attributes: ${codeAttrs.length}`,
    ...spanFindings.warnings.slice(0, 3).map((w) => `traces: ${w}`),
  ];
  if (!onsetExcursion) checked.push(`no series moved clearly: onset taken as 1 min before the alert (${fmtTime(onset)})`);

  // Evidence also worth showing when abstaining: the strongest signals, each explained.
  if (abstained) {
    for (const o of newOrigins.slice(0, 2)) originEvidence(o);
    for (const t of risingTemplates.slice(0, 2)) patternEvidence(t);
    for (const e of topExcursions.slice(0, 2)) if (e !== onsetExcursion) addEvidence({ kind: 'metric', ref: e.series.id, title: `${e.series.name}${e.series.service ? ` of ${e.series.service}` : ''} at ${e.ratio.toFixed(1)}x its baseline since ${fmtTime(e.onset)}`, why: 'One of the strongest changes in the window.', weight: 0.2, time: e.onset });
  }

  const alternatives = buildAlternatives(decision, suspects, { dependency, extShare, trafficUp, saturated, topHost, hostShare, memoryUp });
  const location: CodeLocation | undefined = decision?.suspect?.location;
  const summary = abstained
    ? `Not sure: ${decision ? `the best explanation (${decision.causeKind}${decision.service ? ` in ${decision.service}` : ''}: ${decision.sentence}) has confidence ${confidence.toFixed(2)}, below ${threshold}` : 'no cause stands out'}. Checked ${checked.length} kinds of signal [${[alertEv, ...(onsetEv ? [onsetEv] : [])].join(', ')}]; see "checked".`
    : `${kindLabel(decision!.causeKind)}${decision!.service ? ` in ${decision!.service}` : ''}${decision!.host ? ` (host ${decision!.host})` : ''}: ${decision!.sentence}. Onset ${fmtTime(onset)}${onsetEv ? ` [${onsetEv}]` : ''}${alerts.length > 1 ? `; explains ${alerts.length} alerts [${alertEv}]` : ''}.`;

  const suspectCommit = !abstained && decision?.suspect ? stripStrength(decision.suspect) : undefined;
  return {
    alertId: alert.id,
    summary,
    causeKind: abstained ? 'unknown' : decision!.causeKind,
    ...(abstained ? {} : decision!.service ? { service: decision!.service } : {}),
    ...(suspectCommit ? { suspectCommit } : {}),
    suspectCommits: suspects.slice(0, 5).map(stripStrength),
    ...(location && !abstained ? { location } : {}),
    confidence,
    abstained,
    evidence: evidence.slice(0, MAX_EVIDENCE),
    alternatives,
    confirm: abstained ? ['Look at the alerting service\'s dashboards around the alert time for the first thing that moved.'] : confirmChecks(decision!),
    refute: abstained ? [] : refuteChecks(decision!),
    checked,
    proposedActions: abstained ? [] : proposeActions(decision!, changes, alerts),
    onset,
  };
}

function stripStrength(s: RankedSuspect): Hypothesis['suspectCommits'][number] {
  const { strength: _strength, ...rest } = s;
  return rest;
}

function kindLabel(k: CauseKind): string {
  switch (k) {
    case 'code-change':
      return 'A code change';
    case 'config-change':
      return 'A configuration change';
    case 'dependency':
      return 'A downstream dependency';
    case 'capacity':
      return 'Capacity';
    case 'infrastructure':
      return 'Infrastructure';
    default:
      return 'Unknown cause';
  }
}

function buildAlternatives(
  decision: Decision | undefined,
  suspects: RankedSuspect[],
  sig: { dependency?: string; extShare: number; trafficUp: Excursion[]; saturated: Excursion[]; topHost?: string; hostShare: number; memoryUp: Excursion[] },
): Alternative[] {
  const out: Alternative[] = [];
  for (const s of suspects.slice(0, 3)) {
    if (decision?.suspect?.sha === s.sha) continue;
    out.push({
      summary: `${s.strength.config ? 'Configuration' : 'Code'} change ${s.sha.slice(0, 8)} "${s.message}"`,
      causeKind: s.strength.config ? 'config-change' : 'code-change',
      service: s.strength.services[0],
      commit: s.sha,
      confidence: Math.round(Math.min(0.95, s.score * 0.6) * 1000) / 1000,
      whyLower: s.strength.code < 0.5 ? `no failing stack frame or span points into its changed lines (score ${s.score.toFixed(2)})` : `it scores ${s.score.toFixed(2)}, below the top suspect`,
    });
  }
  if (sig.dependency && decision?.causeKind !== 'dependency') out.push({ summary: `Outage of ${sig.dependency}`, causeKind: 'dependency', service: sig.dependency, confidence: Math.round(sig.extShare * 0.5 * 1000) / 1000, whyLower: `only ${Math.round(sig.extShare * 100)}% of the new errors start at calls to it` });
  if (sig.trafficUp.length && decision?.causeKind !== 'capacity') out.push({ summary: 'A traffic surge', causeKind: 'capacity', service: sig.saturated[0]?.series.service, confidence: 0.2, whyLower: sig.saturated.length ? 'the saturation came before the traffic, or a change explains it better' : 'nothing saturated' });
  if (sig.topHost && decision?.causeKind !== 'infrastructure' && sig.hostShare >= 0.4) out.push({ summary: `A fault on host ${sig.topHost}`, causeKind: 'infrastructure', confidence: Math.round(sig.hostShare * 0.4 * 1000) / 1000, whyLower: `the anomalies are spread over several hosts (${Math.round(sig.hostShare * 100)}% on ${sig.topHost})` });
  return out.slice(0, 5);
}

function confirmChecks(d: Decision): string[] {
  switch (d.causeKind) {
    case 'code-change':
    case 'config-change': {
      const s = d.suspect!;
      const loc = s.location ? `${s.location.path}:${s.location.startLine}-${s.location.endLine}` : s.files[0];
      return [`Read ${loc} in ${s.sha.slice(0, 8)}: does it explain the failing frames?`, `Roll back or redeploy the previous revision in a lab: the errors should stop.`, `Errors should be absent on instances still running the previous revision.`];
    }
    case 'dependency':
      return [`Check ${d.dependency}'s status page or its own dashboards.`, `Calls from other services to ${d.dependency} should fail the same way.`];
    case 'capacity':
      return [`Request rate and CPU of ${d.service} should fall back together when traffic drops or after scaling out.`, 'Look for the source of the extra traffic (a client, a campaign, a retry storm).'];
    case 'infrastructure':
      return [`Instances of the same services on other hosts than ${d.host} should be healthy.`, `Check ${d.host}'s disk, kernel and hypervisor events.`];
    default:
      return [];
  }
}

function refuteChecks(d: Decision): string[] {
  switch (d.causeKind) {
    case 'code-change':
    case 'config-change':
      return [`The same errors before ${d.suspect ? fmtTime(d.suspect.time) : 'the deploy'} would refute it.`, 'Errors on instances that never got the change would refute it.'];
    case 'dependency':
      return [`A recent change to the client code calling ${d.dependency} would point back at us.`];
    case 'capacity':
      return ['Saturation at normal traffic would point to a regression instead.'];
    case 'infrastructure':
      return [`Errors spreading to other hosts than ${d.host} would refute it.`];
    default:
      return [];
  }
}

function proposeActions(d: Decision, changes: Change[], alerts: Alert[]): ProposedAction[] {
  const actions: ProposedAction[] = [];
  const svc = d.service;
  if ((d.causeKind === 'code-change' || d.causeKind === 'config-change') && d.suspect && svc) {
    const change = changes.find((c) => c.sha === d.suspect!.sha);
    const previous = change?.parents?.[0];
    if (change?.deploy) {
      actions.push({ actionId: 'rollback-deploy', title: `Roll back ${svc} to the revision before ${d.suspect.sha.slice(0, 8)}`, params: { service: svc, fromRevision: d.suspect.sha, ...(previous ? { revision: previous } : {}) }, why: `The deploy ${change.deploy.ref} is the suspected cause.` });
      actions.push({ actionId: 'pause-rollout', title: `Pause further rollouts of ${svc}`, params: { service: svc }, why: 'Stops the change from spreading while it is confirmed.' });
    }
    if (d.leak) actions.unshift({ actionId: 'restart', title: `Restart ${svc} to reclaim memory`, params: { service: svc }, why: 'Buys time against the leak until the fix or rollback is out.' });
  } else if (d.causeKind === 'capacity' && svc) {
    actions.push({ actionId: 'scale', title: `Scale out ${svc}`, params: { service: svc, replicas: 4 }, why: 'It saturated under the extra traffic.' });
  } else if (d.causeKind === 'infrastructure' && svc) {
    actions.push({ actionId: 'restart', title: `Restart ${svc} so it moves off ${d.host}`, params: { service: svc, ...(d.host ? { host: d.host } : {}) }, why: `The instances on ${d.host} are the ones failing.` });
  } else if (d.causeKind === 'dependency') {
    const a = alerts[0];
    actions.push({ actionId: 'silence-alert', title: `Silence ${a.name} for 1 h while ${d.dependency} recovers`, params: { 'match.alertname': a.name, ...(a.service ? { 'match.service': a.service } : {}), duration: '1h', comment: `Known outage of ${d.dependency}` }, why: 'Nothing in our code or deploys to roll back; the alert is noise until the dependency recovers.' });
  }
  return actions;
}

/** One cause and the alerts it explains. */
export interface CauseGroup {
  /** causeKind, service and commit (or host/dependency through the service) that identify the cause. */
  key: string;
  /** The most confident hypothesis of the group. */
  hypothesis: Hypothesis;
  alertIds: string[];
}

/**
 * Alert storms: hypotheses built for many alerts that name the same cause (kind, service, commit)
 * collapse into one group, most confident first. Abstentions stay one group per alert: "don't know"
 * twice is not one shared cause.
 */
export function groupByCause(hypotheses: Hypothesis[]): CauseGroup[] {
  const groups = new Map<string, CauseGroup>();
  for (const h of hypotheses) {
    const key = h.abstained ? `abstained:${h.alertId}` : `${h.causeKind}|${h.service ?? ''}|${h.suspectCommit?.sha ?? ''}`;
    const g = groups.get(key);
    if (!g) groups.set(key, { key, hypothesis: h, alertIds: [h.alertId] });
    else {
      if (!g.alertIds.includes(h.alertId)) g.alertIds.push(h.alertId);
      if (h.confidence > g.hypothesis.confidence) g.hypothesis = h;
    }
  }
  return [...groups.values()].sort((a, b) => b.alertIds.length - a.alertIds.length || b.hypothesis.confidence - a.hypothesis.confidence);
}
