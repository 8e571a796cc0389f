// What the traces say about an incident, relative to its onset: where errors originate (and whether the
// same origin failed before), which operations spend more of their own time than before, the service
// call graph, and the hosts of failing spans. Built on the repaired trace trees of ../traces.ts.
import type { Span, TraceSummary } from '../../core/model';
import type { CallEdgeFinding, ErrorOriginFinding, OperationLatencyFinding, TraceWaterfall } from '../../core/investigation';
import { analyzeTraces, buildWaterfall, slowestAndFailingTraces } from '../traces';
import { median } from '../series/robust';
import { errorClassOf } from './errorClasses';
import type { Topology } from './topology';
import { indexTraces, type TraceSpans } from './traceIndex';

const MIN = 60_000;

export interface TraceFindings {
  errorOrigins: ErrorOriginFinding[];
  slowOperations: OperationLatencyFinding[];
  callGraph: CallEdgeFinding[];
  warnings: string[];
  traceCount: number;
  /** host.name of erroring spans after the onset, with counts. */
  failingHosts: Map<string, number>;
  /** Services with server or root spans of their own (they have telemetry here). */
  instrumented: Set<string>;
  /** Client calls per trace that rose after the onset (an N+1 query, a retry loop). */
  fanout: FanoutFinding[];
}

export interface FanoutFinding {
  service: string;
  callee: string;
  /** Median client calls from service to callee per trace that makes any, before and after the onset;
   *  before is absent when no trace was kept from before the onset (then only a repeated call counts). */
  before?: number;
  after: number;
  traces: number;
}

function isValidSpan(s: Span): boolean {
  return !!s && typeof s.spanId === 'string' && typeof s.traceId === 'string' && Number.isFinite(s.startTime) && Number.isFinite(s.endTime);
}

/** The usable spans: the list itself when all are (computeFindings passes a checked list), never mutated. */
function validSpans(spans: readonly Span[]): readonly Span[] {
  for (let i = 0; i < spans.length; i++) if (!isValidSpan(spans[i])) return spans.filter(isValidSpan);
  return spans;
}

/** What walkTrace adds to, across the traces of traceFindings. */
interface TraceWalk {
  onset: number;
  topology: Topology;
  groupOf: (s: Span) => { before: number[]; after: number[]; codes: Map<string, { c: { filepath: string; function?: string; lineno?: number }; n: number }> };
  failingHosts: Map<string, number>;
  perTrace: Map<string, { before: number[]; after: number[] }>;
  sameShape: Map<string, number[]>;
  shapeOfName: Map<string, string>;
}

/**
 * One trace: its client calls per callee (and how often the same statement repeats), each span's own
 * time by operation, code locations and failing hosts. A function of its own so V8 compiles it small.
 */
function walkTrace(t: TraceSpans, w: TraceWalk): void {
  const { onset, topology, groupOf, failingHosts, perTrace, sameShape, shapeOfName } = w;
  const list = t.spans;
  const calls = new Map<string, number>();
  // The same statement again and again in one request: the N+1 signature (Sentry's detector looks for it too).
  const repeats = new Map<string, Map<string, number>>();
  let t0 = Infinity;
  for (const s of list) {
    if (s.startTime < t0) t0 = s.startTime;
    if (s.kind !== 'client') continue;
    const callee = topology.calleeOf(s);
    if (!callee || callee.service === s.service) continue;
    const k = `${s.service}\u0000${callee.service}`;
    calls.set(k, (calls.get(k) ?? 0) + 1);
    let r = repeats.get(k);
    if (!r) repeats.set(k, (r = new Map()));
    let shape = shapeOfName.get(s.name);
    if (shape === undefined) shapeOfName.set(s.name, (shape = s.name.replace(/\s+/g, ' ').replace(/\d+/g, '?').trim()));
    r.set(shape, (r.get(shape) ?? 0) + 1);
  }
  for (const [k, n] of calls) {
    const same = Math.max(...(repeats.get(k)?.values() ?? [0]));
    let rp = sameShape.get(k);
    if (!rp) sameShape.set(k, (rp = []));
    if (t0 >= onset && rp.length < 5000) rp.push(same);
    let e = perTrace.get(k);
    if (!e) perTrace.set(k, (e = { before: [], after: [] }));
    const side = t0 < onset ? e.before : e.after;
    if (side.length < 5000) side.push(n);
  }
  const childTime = new Float64Array(list.length);
  for (let ci = 0; ci < list.length; ci++) {
    const pi = t.parent[ci];
    if (pi < 0 || pi === ci) continue;
    const c = list[ci];
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
    if (typeof host === 'string' && s.status === 'error') failingHosts.set(host, (failingHosts.get(host) ?? 0) + 1);
  }
}

/** `index` is indexTraces(spans) when the caller has it already. */
export function traceFindings(spans: readonly Span[], onset: number, topology: Topology, index?: Map<string, TraceSpans>): TraceFindings {
  const valid = validSpans(spans);
  const instrumented = topology.instrumented;
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
  const traces = index ?? indexTraces(valid);
  // Errors by origin before the onset, so a chronic failure isn't taken for the incident.
  const beforeErrors = new Map<string, number>();
  for (const s of valid) if (s.status === 'error' && s.startTime < onset - MIN) beforeErrors.set(`${s.service}\u0000${s.name}`, (beforeErrors.get(`${s.service}\u0000${s.name}`) ?? 0) + 1);
  // First failure of each origin after the onset, for the timeline.
  const firstFail = new Map<string, number>();
  for (const s of valid) {
    if (s.status !== 'error' || s.startTime < onset - MIN) continue;
    const k = `${s.service}\u0000${s.name}`;
    const t = firstFail.get(k);
    if (t === undefined || s.startTime < t) firstFail.set(k, s.startTime);
  }
  const errorOrigins: ErrorOriginFinding[] = (analysis?.errorOrigins ?? []).map((o) => {
    const sample = traces.get(o.sampleTraceId)?.spans.find((x) => x.spanId === o.sampleSpanId);
    const callee = sample ? topology.calleeOf(sample) : undefined;
    const external = callee?.external ? callee.service : undefined;
    const text = [o.exceptionType, o.exceptionMessage, o.statusMessage, o.stacktrace?.slice(0, 400)].filter(Boolean).join(' ');
    const cls = errorClassOf(text);
    const first = firstFail.get(`${o.service}\u0000${o.name}`);
    return {
      ...(callee && !callee.external ? { callee: callee.service } : {}),
      ...(cls !== 'other' ? { errorClass: cls } : {}),
      ...(first !== undefined ? { firstAt: first } : {}),
      ref: `${o.sampleTraceId}/${o.sampleSpanId}`,
      service: o.service,
      operation: o.name,
      ...(sample?.kind ? { kind: sample.kind } : {}),
      count: o.count,
      countBefore: beforeErrors.get(`${o.service}\u0000${o.name}`) ?? 0,
      traceCount: o.traceCount,
      ...(o.exceptionType ? { exceptionType: o.exceptionType } : {}),
      ...(o.exceptionMessage ? { exceptionMessage: o.exceptionMessage } : {}),
      ...(o.stacktrace ? { stacktrace: o.stacktrace } : {}),
      ...(o.statusMessage ? { statusMessage: o.statusMessage } : {}),
      ...(o.code ? { code: o.code } : {}),
      ...(external ? { external } : {}),
    };
  });

  // Own time per (service, span name, kind): median before vs after the onset.
  type Group = { before: number[]; after: number[]; sample: Span; codes: Map<string, { c: { filepath: string; function?: string; lineno?: number }; n: number }> };
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
  const failingHosts = new Map<string, number>();
  // Client calls per trace, by caller and callee, before and after the onset.
  const perTrace = new Map<string, { before: number[]; after: number[] }>();
  const sameShape = new Map<string, number[]>();
  // Span names repeat: each is reduced to its statement shape once.
  const shapeOfName = new Map<string, string>();
  const state: TraceWalk = { onset, topology, groupOf, failingHosts, perTrace, sameShape, shapeOfName };
  for (const t of traces.values()) walkTrace(t, state);
  const slow: OperationLatencyFinding[] = [];
  for (const g of groups) {
    if (g.after.length < 5 || g.before.length < 5) continue;
    const b = median(g.before);
    const a = median(g.after);
    if (a > Math.max(2 * b, b + 5)) {
      let code: OperationLatencyFinding['code'];
      let best = 0;
      for (const e of g.codes.values()) {
        if (e.n > best) {
          best = e.n;
          code = e.c;
        }
      }
      const callee = topology.calleeOf(g.sample);
      const external = callee?.external ? callee.service : undefined;
      slow.push({
        ref: `${g.sample.traceId}/${g.sample.spanId}`,
        service: g.sample.service,
        operation: g.sample.name,
        ...(g.sample.kind ? { kind: g.sample.kind } : {}),
        beforeMs: b,
        afterMs: a,
        count: g.after.length,
        ...(external ? { external } : {}),
        ...(code ? { code } : {}),
      });
    }
  }
  slow.sort((x, y) => (y.afterMs - y.beforeMs) * y.count - (x.afterMs - x.beforeMs) * x.count);
  const callGraph = (analysis?.callGraph ?? []).map((e) => ({ from: e.from, to: e.to, calls: e.calls, errors: e.errors, p95Ms: e.p95Ms }));
  const fanout: FanoutFinding[] = [];
  for (const [k, e] of perTrace) {
    if (e.after.length < 5) continue;
    const [service, callee] = k.split('\u0000');
    const a = median(e.after);
    if (e.before.length >= 5) {
      const b = median(e.before);
      if (a >= 3 * b && a >= b + 2) fanout.push({ service, callee, before: b, after: a, traces: e.after.length });
    } else if (e.before.length === 0 && median(sameShape.get(k) ?? [0]) >= 10) {
      fanout.push({ service, callee, after: a, traces: e.after.length });
    }
  }
  fanout.sort((x, y) => y.after / (y.before ?? y.after) - x.after / (x.before ?? x.after));
  return { errorOrigins, slowOperations: slow.slice(0, 10), callGraph, warnings, traceCount: analysis?.traceCount ?? 0, failingHosts, instrumented, fanout: fanout.slice(0, 10) };
}

/**
 * The traces a person is shown: the slowest and the failing ones, with waterfalls for them and for the
 * traces of the given sample refs ("traceId/spanId"), computed here once so that views only render.
 */
export function traceViews(spans: readonly Span[], sampleRefs: string[], n = 5): { slowest: TraceSummary[]; failing: TraceSummary[]; waterfalls: TraceWaterfall[] } {
  const valid = validSpans(spans);
  const { slowest, failing } = slowestAndFailingTraces(valid, n);
  const ids = [...new Set([...sampleRefs.map((r) => r.split('/')[0]), ...failing.map((t) => t.traceId), ...slowest.map((t) => t.traceId)])].slice(0, 3 * n);
  const byTrace = new Map<string, Span[]>();
  const wanted = new Set(ids);
  for (const s of valid) {
    if (!wanted.has(s.traceId)) continue;
    const list = byTrace.get(s.traceId);
    if (list) list.push(s);
    else byTrace.set(s.traceId, [s]);
  }
  const waterfalls: TraceWaterfall[] = [];
  for (const id of ids) {
    const own = byTrace.get(id);
    if (!own?.length) continue;
    const rows = buildWaterfall(own).map(({ traceId: _t, ...rest }) => rest);
    const totalMs = rows.reduce((m, r) => Math.max(m, r.startOffsetMs + r.durationMs), 0);
    waterfalls.push({ traceId: id, totalMs, rows });
  }
  return { slowest, failing, waterfalls };
}
