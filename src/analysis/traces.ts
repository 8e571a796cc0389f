// Trace analysis: per-route stats, error origins, self-time attribution, critical path, call graph
// and a waterfall for the UI. Spans come from backends we do not control, so the tree is rebuilt
// defensively: duplicate ids, cycles, orphans and inverted times are repaired, never trusted, and
// every traversal is iterative (a 20k-deep chain must not overflow the stack).
// Over 500 lines: every analysis here walks the same repaired tree (compressed child lists, typed
// arrays); split, the tree's private layout would have to be exported to each part.
import type { Span, SpanStatus, TraceSummary } from '../core/model';

export interface TraceAnalysisOptions {
  /** How many traces slowestTraces/failingTraces keep in the result (default 10). */
  topTraces?: number;
  /** How many error origins to keep, most frequent first (default 50). */
  maxErrorOrigins?: number;
}

export interface RouteStats {
  service: string;
  /** http.route, else url.path, else the span name. */
  route: string;
  count: number;
  errorCount: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface ErrorCode {
  filepath?: string;
  function?: string;
  lineno?: number;
}

export interface ErrorOrigin {
  service: string;
  name: string;
  /** Erroring spans with no erroring child, across all traces. */
  count: number;
  /** Distinct failing traces in which this span was an origin. */
  traceCount: number;
  sampleTraceId: string;
  sampleSpanId: string;
  exceptionType?: string;
  exceptionMessage?: string;
  stacktrace?: string;
  statusMessage?: string;
  code?: ErrorCode;
}

export interface ServiceSelfTime {
  service: string;
  spanCount: number;
  /** Sum of span durations minus the time covered by their children. */
  selfMs: number;
  /** Sum of span durations (overlaps counted twice: this is work, not wall time). */
  totalMs: number;
  /** selfMs as a share of all self time, 0..1. */
  share: number;
}

export interface CallEdge {
  from: string;
  to: string;
  calls: number;
  errors: number;
  /** p95 duration of the callee-side span, ms. */
  p95Ms: number;
}

export interface TraceAnalysis {
  spanCount: number;
  traceCount: number;
  routes: RouteStats[];
  errorOrigins: ErrorOrigin[];
  selfTime: ServiceSelfTime[];
  callGraph: CallEdge[];
  slowest: TraceSummary[];
  failing: TraceSummary[];
  /** What was repaired in the input: duplicates dropped, cycles cut, orphans, bad times. */
  warnings: string[];
}

export interface WaterfallRow {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  depth: number;
  service: string;
  name: string;
  startOffsetMs: number;
  durationMs: number;
  selfMs: number;
  status: SpanStatus;
  isErrorOrigin: boolean;
  onCriticalPath: boolean;
}

// ---- the repaired tree of one trace -------------------------------------------------------------

interface TraceTree {
  traceId: string;
  spans: Span[];
  start: Float64Array;
  end: Float64Array;
  parent: Int32Array;
  /**
   * Children in compressed form (one allocation for 20k spans, not 20k arrays): the children of
   * node i are childList[childStart[i] .. childStart[i + 1]), sorted by start time.
   */
  childStart: Int32Array;
  childList: Int32Array;
  roots: number[];
  depth: Int32Array;
  self: Float64Array;
  error: Uint8Array;
  duplicates: number;
  cyclesCut: number;
  orphans: number;
  badTimes: number;
}

function finiteOr(x: unknown, fallback: number): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : fallback;
}

function isUsableSpan(s: unknown): s is Span {
  if (!s || typeof s !== 'object') return false;
  const o = s as Record<string, unknown>;
  return typeof o.spanId === 'string' && o.spanId !== '' && typeof o.traceId === 'string';
}

function groupByTrace(spans: readonly Span[]): { groups: Map<string, Span[]>; unusable: number } {
  if (!Array.isArray(spans)) throw new TypeError('trace analysis needs an array of spans');
  const groups = new Map<string, Span[]>();
  let unusable = 0;
  for (const s of spans) {
    if (!isUsableSpan(s)) {
      unusable++;
      continue;
    }
    let g = groups.get(s.traceId);
    if (!g) groups.set(s.traceId, (g = []));
    g.push(s);
  }
  return { groups, unusable };
}

function buildTree(traceId: string, input: readonly Span[]): TraceTree {
  // Duplicate span ids: keep the first copy; a later copy would make the parent link ambiguous.
  const byId = new Map<string, number>();
  const spans: Span[] = [];
  let duplicates = 0;
  for (const s of input) {
    if (byId.has(s.spanId)) {
      duplicates++;
      continue;
    }
    byId.set(s.spanId, spans.length);
    spans.push(s);
  }
  const n = spans.length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const parent = new Int32Array(n).fill(-1);
  const error = new Uint8Array(n);
  let badTimes = 0;
  let orphans = 0;
  for (let i = 0; i < n; i++) {
    const s = spans[i];
    const st = finiteOr(s.startTime, 0);
    let en = finiteOr(s.endTime, st);
    // An end before the start is a clock or exporter bug: treat the span as instantaneous.
    if (en < st || en !== s.endTime || st !== s.startTime) {
      badTimes++;
      if (en < st) en = st;
    }
    start[i] = st;
    end[i] = en;
    error[i] = s.status === 'error' ? 1 : 0;
    const p = typeof s.parentSpanId === 'string' && s.parentSpanId !== '' ? byId.get(s.parentSpanId) : undefined;
    if (p !== undefined && p !== i) parent[i] = p;
    else if (typeof s.parentSpanId === 'string' && s.parentSpanId !== '') orphans++;
  }

  // Cut cycles: walk up from each node; meeting a node of the current walk means a loop, which we
  // break at its earliest-starting member so the most plausible root survives.
  const state = new Uint8Array(n); // 0 new, 1 on the current walk, 2 settled
  let cyclesCut = 0;
  const walk: number[] = [];
  for (let i = 0; i < n; i++) {
    if (state[i] === 2) continue;
    walk.length = 0;
    let j = i;
    while (j !== -1 && state[j] === 0) {
      state[j] = 1;
      walk.push(j);
      j = parent[j];
    }
    if (j !== -1 && state[j] === 1) {
      const from = walk.indexOf(j);
      let cut = j;
      for (let k = from; k < walk.length; k++) if (start[walk[k]] < start[cut]) cut = walk[k];
      parent[cut] = -1;
      cyclesCut++;
    }
    for (const k of walk) state[k] = 2;
  }

  const childStart = new Int32Array(n + 1);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) {
    if (parent[i] === -1) roots.push(i);
    else childStart[parent[i] + 1]++;
  }
  for (let i = 0; i < n; i++) childStart[i + 1] += childStart[i];
  const childList = new Int32Array(Math.max(0, n - roots.length));
  const fill = childStart.slice(0, n);
  for (let i = 0; i < n; i++) if (parent[i] !== -1) childList[fill[parent[i]]++] = i;
  const byStart = (a: number, b: number) => start[a] - start[b] || end[b] - end[a] || a - b;
  for (let i = 0; i < n; i++) {
    const a = childStart[i];
    const b = childStart[i + 1];
    if (b - a > 1) childList.subarray(a, b).sort(byStart);
  }
  roots.sort(byStart);

  const depth = new Int32Array(n);
  const queue: number[] = roots.slice();
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q];
    for (let k = childStart[i]; k < childStart[i + 1]; k++) {
      const c = childList[k];
      depth[c] = depth[i] + 1;
      queue.push(c);
    }
  }

  const self = new Float64Array(n);
  for (let i = 0; i < n; i++) self[i] = selfTimeOf(i, start, end, childList.subarray(childStart[i], childStart[i + 1]));

  return { traceId, spans, start, end, parent, childStart, childList, roots, depth, self, error, duplicates, cyclesCut, orphans, badTimes };
}

/** Duration minus the union of the children's intervals, clipped to the span. */
function selfTimeOf(i: number, start: Float64Array, end: Float64Array, kids: Int32Array): number {
  const s = start[i];
  const e = end[i];
  const dur = e - s;
  if (kids.length === 0 || dur <= 0) return Math.max(0, dur);
  // kids are sorted by start, so clipping keeps the order and one merge pass suffices.
  let covered = 0;
  let curS = NaN;
  let curE = NaN;
  for (const k of kids) {
    const ks = Math.max(s, start[k]);
    const ke = Math.min(e, end[k]);
    if (ke <= ks) continue;
    if (Number.isNaN(curS) || ks > curE) {
      if (!Number.isNaN(curS)) covered += curE - curS;
      curS = ks;
      curE = ke;
    } else if (ke > curE) curE = ke;
  }
  if (!Number.isNaN(curS)) covered += curE - curS;
  return Math.max(0, dur - covered);
}

/** The root whose subtree ends last decides the trace's end-to-end latency. */
function mainRoot(t: TraceTree): number {
  let best = -1;
  for (const r of t.roots) {
    if (best === -1 || t.end[r] > t.end[best] || (t.end[r] === t.end[best] && t.start[r] < t.start[best])) best = r;
  }
  return best;
}

/**
 * Critical path in the Jaeger sense: from the root, take the last child to finish by the cursor,
 * descend into it, move the cursor to its start, and repeat. Explicit stack, no recursion.
 */
function criticalPathIndices(t: TraceTree): number[] {
  const root = mainRoot(t);
  if (root < 0) return [];
  const out: number[] = [];
  const stack: { node: number; bound: number }[] = [{ node: root, bound: t.end[root] }];
  while (stack.length > 0) {
    const { node, bound } = stack.pop()!;
    out.push(node);
    const a0 = t.childStart[node];
    const a1 = t.childStart[node + 1];
    if (a1 === a0) continue;
    const byEndDesc = t.childList.slice(a0, a1).sort((a, b) => t.end[b] - t.end[a] || t.start[a] - t.start[b]);
    const nodeEnd = t.end[node];
    let cursor = Math.min(nodeEnd, bound);
    const nodeStart = t.start[node];
    for (const k of byEndDesc) {
      if (cursor <= nodeStart) break;
      // A child still running at the cursor was not waited for: the later sibling was.
      // Children outliving the parent (async work) are clipped to the parent's end.
      const kEnd = Math.min(t.end[k], nodeEnd);
      if (kEnd > cursor || kEnd <= nodeStart || t.start[k] >= cursor) continue;
      stack.push({ node: k, bound: cursor });
      cursor = t.start[k];
    }
  }
  return out;
}

function errorOriginIndices(t: TraceTree): number[] {
  const out: number[] = [];
  for (let i = 0; i < t.spans.length; i++) {
    if (!t.error[i]) continue;
    let childErrs = false;
    for (let k = t.childStart[i]; k < t.childStart[i + 1]; k++) {
      if (t.error[t.childList[k]]) {
        childErrs = true;
        break;
      }
    }
    if (!childErrs) out.push(i);
  }
  return out;
}

function summarize(t: TraceTree): TraceSummary {
  let minStart = Infinity;
  let maxEnd = -Infinity;
  let errors = 0;
  for (let i = 0; i < t.spans.length; i++) {
    if (t.start[i] < minStart) minStart = t.start[i];
    if (t.end[i] > maxEnd) maxEnd = t.end[i];
    errors += t.error[i];
  }
  // The earliest root names the trace (the entry point), even if another root ends later.
  const entry = t.roots.length > 0 ? t.roots[0] : 0;
  const s = t.spans[entry];
  return {
    traceId: t.traceId,
    rootService: s ? String(s.service ?? '') : '',
    rootName: s ? String(s.name ?? '') : '',
    startTime: Number.isFinite(minStart) ? minStart : 0,
    durationMs: Number.isFinite(maxEnd - minStart) ? maxEnd - minStart : 0,
    spanCount: t.spans.length,
    errorCount: errors,
  };
}

// ---- public API -----------------------------------------------------------------------------------

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

function routeOf(s: Span): string {
  const a = s.attributes ?? {};
  const r = a['http.route'] ?? a['url.path'];
  if (typeof r === 'string' && r !== '') return r;
  return String(s.name ?? '');
}

function attrString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function attrNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

type AttrBag = Record<string, string | number | boolean>;

/** Exception fields from the span's "exception" event (the OTel convention), else its attributes. */
function exceptionDetails(s: Span): Pick<ErrorOrigin, 'exceptionType' | 'exceptionMessage' | 'stacktrace' | 'code'> {
  const bags: AttrBag[] = [];
  if (Array.isArray(s.events)) for (const e of s.events) if (e && e.name === 'exception' && e.attributes) bags.push(e.attributes);
  if (s.attributes) bags.push(s.attributes);
  const pick = (...keys: string[]): unknown => {
    for (const b of bags) for (const k of keys) if (b[k] !== undefined && b[k] !== '') return b[k];
    return undefined;
  };
  const code: ErrorCode = {};
  const filepath = attrString(pick('code.filepath', 'code.file.path'));
  const fn = attrString(pick('code.function', 'code.function.name'));
  const lineno = attrNumber(pick('code.lineno', 'code.line.number'));
  if (filepath !== undefined) code.filepath = filepath;
  if (fn !== undefined) code.function = fn;
  if (lineno !== undefined) code.lineno = lineno;
  const out: Pick<ErrorOrigin, 'exceptionType' | 'exceptionMessage' | 'stacktrace' | 'code'> = {};
  const type = attrString(pick('exception.type'));
  const message = attrString(pick('exception.message'));
  const stack = attrString(pick('exception.stacktrace'));
  if (type !== undefined) out.exceptionType = type;
  if (message !== undefined) out.exceptionMessage = message;
  if (stack !== undefined) out.stacktrace = stack;
  if (Object.keys(code).length > 0) out.code = code;
  return out;
}

function sortedDurations(list: number[]): Float64Array {
  const a = Float64Array.from(list);
  a.sort();
  return a;
}

export function analyzeTraces(spans: readonly Span[], opts: TraceAnalysisOptions = {}): TraceAnalysis {
  const topTraces = Math.max(0, Math.floor(opts.topTraces ?? 10));
  const maxOrigins = Math.max(0, Math.floor(opts.maxErrorOrigins ?? 50));
  const { groups, unusable } = groupByTrace(spans);

  const routeAcc = new Map<string, { service: string; route: string; durs: number[]; errors: number }>();
  const originAcc = new Map<string, ErrorOrigin & { lastTrace: string }>();
  const selfAcc = new Map<string, { spanCount: number; selfMs: number; totalMs: number }>();
  const edgeAcc = new Map<string, { from: string; to: string; durs: number[]; errors: number }>();
  const summaries: TraceSummary[] = [];
  let spanCount = 0;
  let duplicates = 0;
  let cyclesCut = 0;
  let orphans = 0;
  let badTimes = 0;

  for (const [traceId, group] of groups) {
    const t = buildTree(traceId, group);
    duplicates += t.duplicates;
    cyclesCut += t.cyclesCut;
    orphans += t.orphans;
    badTimes += t.badTimes;
    spanCount += t.spans.length;
    summaries.push(summarize(t));

    for (let i = 0; i < t.spans.length; i++) {
      const s = t.spans[i];
      const service = String(s.service ?? '');
      const dur = t.end[i] - t.start[i];
      const route = routeOf(s);
      const rk = `${service}\u0000${route}`;
      let r = routeAcc.get(rk);
      if (!r) routeAcc.set(rk, (r = { service, route, durs: [], errors: 0 }));
      r.durs.push(dur);
      r.errors += t.error[i];

      let st = selfAcc.get(service);
      if (!st) selfAcc.set(service, (st = { spanCount: 0, selfMs: 0, totalMs: 0 }));
      st.spanCount++;
      st.selfMs += t.self[i];
      st.totalMs += dur;

      const p = t.parent[i];
      if (p >= 0) {
        const from = String(t.spans[p].service ?? '');
        if (from !== service) {
          const ek = `${from}\u0000${service}`;
          let e = edgeAcc.get(ek);
          if (!e) edgeAcc.set(ek, (e = { from, to: service, durs: [], errors: 0 }));
          e.durs.push(dur);
          e.errors += t.error[i];
        }
      }
    }

    for (const i of errorOriginIndices(t)) {
      const s = t.spans[i];
      const service = String(s.service ?? '');
      const name = String(s.name ?? '');
      const ok = `${service}\u0000${name}`;
      const o = originAcc.get(ok);
      if (o) {
        o.count++;
        if (o.lastTrace !== traceId) {
          o.traceCount++;
          o.lastTrace = traceId;
        }
        // Keep the first sample, but fill in details the first one lacked.
        if (!o.exceptionMessage && !o.exceptionType) Object.assign(o, exceptionDetails(s));
        continue;
      }
      originAcc.set(ok, {
        service,
        name,
        count: 1,
        traceCount: 1,
        lastTrace: traceId,
        sampleTraceId: traceId,
        sampleSpanId: s.spanId,
        ...(s.statusMessage ? { statusMessage: String(s.statusMessage) } : {}),
        ...exceptionDetails(s),
      });
    }
  }

  const routes: RouteStats[] = [];
  for (const r of routeAcc.values()) {
    const d = sortedDurations(r.durs);
    routes.push({
      service: r.service,
      route: r.route,
      count: d.length,
      errorCount: r.errors,
      errorRate: d.length > 0 ? r.errors / d.length : 0,
      p50Ms: percentile(d, 0.5),
      p95Ms: percentile(d, 0.95),
      p99Ms: percentile(d, 0.99),
    });
  }
  routes.sort((a, b) => b.errorCount - a.errorCount || b.p95Ms - a.p95Ms || a.service.localeCompare(b.service) || a.route.localeCompare(b.route));

  const errorOrigins: ErrorOrigin[] = [...originAcc.values()]
    .map(({ lastTrace: _lastTrace, ...o }) => o)
    .sort((a, b) => b.count - a.count || b.traceCount - a.traceCount || a.service.localeCompare(b.service) || a.name.localeCompare(b.name))
    .slice(0, maxOrigins);

  let allSelf = 0;
  for (const v of selfAcc.values()) allSelf += v.selfMs;
  const selfTime: ServiceSelfTime[] = [...selfAcc.entries()]
    .map(([service, v]) => ({ service, spanCount: v.spanCount, selfMs: v.selfMs, totalMs: v.totalMs, share: allSelf > 0 ? v.selfMs / allSelf : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs || a.service.localeCompare(b.service));

  const callGraph: CallEdge[] = [...edgeAcc.values()]
    .map((e) => ({ from: e.from, to: e.to, calls: e.durs.length, errors: e.errors, p95Ms: percentile(sortedDurations(e.durs), 0.95) }))
    .sort((a, b) => b.calls - a.calls || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));

  const warnings: string[] = [];
  if (unusable > 0) warnings.push(`${unusable} span(s) without a traceId/spanId were ignored`);
  if (duplicates > 0) warnings.push(`${duplicates} duplicate span id(s) were dropped (first copy kept)`);
  if (cyclesCut > 0) warnings.push(`${cyclesCut} cycle(s) in parent links were cut`);
  if (orphans > 0) warnings.push(`${orphans} span(s) had a missing parent and were treated as roots`);
  if (badTimes > 0) warnings.push(`${badTimes} span(s) had invalid or inverted times`);

  return {
    spanCount,
    traceCount: groups.size,
    routes,
    errorOrigins,
    selfTime,
    callGraph,
    slowest: topSlowest(summaries, topTraces),
    failing: topFailing(summaries, topTraces),
    warnings,
  };
}

function topSlowest(summaries: TraceSummary[], n: number): TraceSummary[] {
  return summaries
    .slice()
    .sort((a, b) => b.durationMs - a.durationMs || a.traceId.localeCompare(b.traceId))
    .slice(0, n);
}

function topFailing(summaries: TraceSummary[], n: number): TraceSummary[] {
  return summaries
    .filter((s) => s.errorCount > 0)
    .sort((a, b) => b.errorCount - a.errorCount || b.startTime - a.startTime || a.traceId.localeCompare(b.traceId))
    .slice(0, n);
}

function summariesOf(spans: readonly Span[]): TraceSummary[] {
  const { groups } = groupByTrace(spans);
  const out: TraceSummary[] = [];
  for (const [traceId, group] of groups) out.push(summarize(buildTree(traceId, group)));
  return out;
}

/** The n slowest and the n failing traces, from one pass over the trace trees. */
export function slowestAndFailingTraces(spans: readonly Span[], n: number): { slowest: TraceSummary[]; failing: TraceSummary[] } {
  const summaries = summariesOf(spans);
  const k = Math.max(0, Math.floor(n));
  return { slowest: topSlowest(summaries, k), failing: topFailing(summaries, k) };
}

/** The n traces with the longest end-to-end duration, longest first. */
export function slowestTraces(spans: readonly Span[], n: number): TraceSummary[] {
  return topSlowest(summariesOf(spans), Math.max(0, Math.floor(n)));
}

/** Up to n traces with at least one erroring span, most errors first, then most recent. */
export function failingTraces(spans: readonly Span[], n: number): TraceSummary[] {
  return topFailing(summariesOf(spans), Math.max(0, Math.floor(n)));
}

/**
 * The spans that determine the end-to-end latency of one trace, in start order. Given spans of
 * several traces, the first trace id seen is used.
 */
export function criticalPath(spansOfOneTrace: readonly Span[]): Span[] {
  const { groups } = groupByTrace(spansOfOneTrace);
  const first = groups.entries().next();
  if (first.done) return [];
  const t = buildTree(first.value[0], first.value[1]);
  return criticalPathIndices(t)
    .sort((a, b) => t.start[a] - t.start[b] || t.depth[a] - t.depth[b])
    .map((i) => t.spans[i]);
}

/**
 * Rows for a waterfall view: depth-first, children in start order. Spans of several traces give
 * one block of rows per trace, earliest trace first.
 */
export function buildWaterfall(spansOfOneTrace: readonly Span[]): WaterfallRow[] {
  const { groups } = groupByTrace(spansOfOneTrace);
  const trees = [...groups].map(([id, g]) => buildTree(id, g));
  const treeStart = (t: TraceTree) => (t.roots.length > 0 ? t.start[t.roots[0]] : 0);
  trees.sort((a, b) => treeStart(a) - treeStart(b));
  const rows: WaterfallRow[] = [];
  for (const t of trees) {
    let t0 = Infinity;
    for (let i = 0; i < t.spans.length; i++) if (t.start[i] < t0) t0 = t.start[i];
    const critical = new Uint8Array(t.spans.length);
    for (const i of criticalPathIndices(t)) critical[i] = 1;
    const origin = new Uint8Array(t.spans.length);
    for (const i of errorOriginIndices(t)) origin[i] = 1;
    const stack: number[] = [];
    for (let r = t.roots.length - 1; r >= 0; r--) stack.push(t.roots[r]);
    while (stack.length > 0) {
      const i = stack.pop()!;
      const s = t.spans[i];
      const p = t.parent[i];
      const row: WaterfallRow = {
        traceId: t.traceId,
        spanId: s.spanId,
        depth: t.depth[i],
        service: String(s.service ?? ''),
        name: String(s.name ?? ''),
        startOffsetMs: t.start[i] - t0,
        durationMs: t.end[i] - t.start[i],
        selfMs: t.self[i],
        status: s.status === 'error' || s.status === 'ok' ? s.status : 'unset',
        isErrorOrigin: origin[i] === 1,
        onCriticalPath: critical[i] === 1,
      };
      if (p >= 0) row.parentSpanId = t.spans[p].spanId;
      rows.push(row);
      for (let k = t.childStart[i + 1] - 1; k >= t.childStart[i]; k--) stack.push(t.childList[k]);
    }
  }
  return rows;
}
