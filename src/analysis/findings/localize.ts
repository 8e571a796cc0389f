// Where the incident lives: new failures and added latency walked down the call graph to where they
// originate (a service whose own spans fail or slow down, or a peer with no telemetry of its own), and
// how each service's failures split over hosts, zones, pods and versions (one bad node, one zone, the
// instances that got a change or those that never did).
import type { LogRecord, Span } from '../../core/model';
import type { EntitySplit, ErrorClass, LocusFinding } from '../../core/investigation';
import { errorClassOf } from './errorClasses';
import type { Topology } from './topology';
import { indexTraces, type TraceSpans } from './traceIndex';

const MIN = 60_000;

/** A call that got an error answer: an HTTP status of 400 or more, a gRPC status other than OK. */
function callFailed(s: Span): boolean {
  if (s.status === 'error') return true;
  const http = Number(s.attributes?.['http.response.status_code'] ?? s.attributes?.['http.status_code']);
  if (Number.isFinite(http) && http >= 400) return true;
  const grpc = s.attributes?.['rpc.grpc.status_code'];
  return grpc !== undefined && Number(grpc) !== 0 && Number.isFinite(Number(grpc));
}

function messageOf(s: Span): string {
  const parts = [s.statusMessage ?? ''];
  for (const e of s.events ?? []) {
    if (e.name !== 'exception') continue;
    const a = e.attributes ?? {};
    parts.push(String(a['exception.type'] ?? ''), String(a['exception.message'] ?? ''));
  }
  const et = s.attributes?.['error.type'];
  if (typeof et === 'string') parts.push(et);
  return parts.join(' ');
}

interface Acc {
  service: string;
  external: boolean;
  local?: boolean;
  failingTraces: Set<string>;
  classes: Map<ErrorClass, number>;
  callers: Set<string>;
  first?: number;
  refs: string[];
  extraMs: number;
}

interface WalkState {
  locus: (service: string, external: boolean) => Acc;
  ownBefore: Map<string, number[]>;
  ownAfter: Map<string, number[]>;
  failingTraceCount: number;
}

/**
 * One trace: each service's own time in it (before or after the onset), and, when it started after the
 * onset and failed, where each failure starts. A function of its own so V8 compiles it small and soon.
 */
function walkTrace(traceId: string, t: TraceSpans, onset: number, topology: Topology, state: WalkState): void {
  const list = t.spans;
  const childrenOf = (i: number): Span[] => {
    const out: Span[] = [];
    for (let k = t.childStart[i]; k < t.childStart[i + 1]; k++) out.push(list[t.childList[k]]);
    return out;
  };
  let rootIndex = 0;
  for (let i = 0; i < list.length; i++) {
    if (!list[i].parentSpanId || t.parent[i] < 0) {
      rootIndex = i;
      break;
    }
  }
  const root = list[rootIndex];
  const after = root.startTime >= onset - MIN;
  // Own time: a span's duration minus its children's; a client call's own time belongs to its callee.
  const own = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    let childMs = 0;
    for (let k = t.childStart[i]; k < t.childStart[i + 1]; k++) {
      const c = list[t.childList[k]];
      childMs += Math.max(0, Math.min(c.endTime, s.endTime) - Math.max(c.startTime, s.startTime));
    }
    const self = Math.max(0, s.endTime - s.startTime - childMs);
    const callee = topology.calleeOf(s);
    const who = callee ? callee.service : s.service;
    own.set(who, (own.get(who) ?? 0) + self);
  }
  for (const [svc, ms] of own) {
    const m = after ? state.ownAfter : state.ownBefore;
    const arr = m.get(svc);
    if (arr) {
      if (arr.length < 4000) arr.push(ms);
    } else m.set(svc, [ms]);
  }
  if (!after) return;
  let anyFailing = false;
  for (const s of list) if (s.status === 'error') { anyFailing = true; break; }
  if (!anyFailing) return;
  state.failingTraceCount++;
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (s.status !== 'error') continue;
    const kids = childrenOf(i);
    if (kids.some((c) => c.status === 'error')) continue;
    // A span that fails right after one of its own calls got an error answer (a 429, a 503, a gRPC
    // error) failed because of that call, even when the instrumentation left the call unmarked.
    const badCall = s.kind !== 'client' ? kids.find((c) => (c.kind === 'client' || c.kind === 'producer') && callFailed(c)) : undefined;
    const callee = topology.calleeOf(badCall ?? s);
    // A failing call whose callee answered without failing failed on the caller's side (its timeout,
    // its pool, its configuration); one whose callee never answered (refused, handshake, unreachable)
    // failed at the callee.
    const answered = !badCall && kids.some((c) => c.kind === 'server' || c.kind === 'consumer');
    const target = callee && callee.service !== s.service && !(answered && !callee.external) ? callee : { service: s.service, external: false };
    const a = state.locus(target.service, target.external);
    if ('local' in target && target.local) a.local = true;
    const cls = errorClassOf(messageOf(s));
    a.classes.set(cls, (a.classes.get(cls) ?? 0) + 1);
    if (target.service !== s.service) a.callers.add(s.service);
    else {
      const parent = t.parent[i] >= 0 ? list[t.parent[i]] : undefined;
      if (parent && parent.service !== s.service) a.callers.add(parent.service);
    }
    if (a.first === undefined || s.startTime < a.first) a.first = s.startTime;
    if (a.refs.length < 3) a.refs.push(`${traceId}/${s.spanId}`);
    if (!seen.has(target.service)) {
      seen.add(target.service);
      a.failingTraces.add(traceId);
    }
  }
}

/**
 * Loci of the failures and latency after the onset. A failing span with no failing child is where a
 * failure starts; a failing client call whose callee's own span did not fail (or never arrived: a refused
 * connection, a handshake, a timeout) starts at the callee. Each failing trace counts once per locus.
 */
export function localize(spans: readonly Span[], onset: number, topology: Topology, logs: readonly LogRecord[] = [], index?: Map<string, TraceSpans>): { loci: LocusFinding[]; splits: EntitySplit[] } {
  // `index`: indexTraces(spans), when the caller has it already.
  const traces = index ?? indexTraces(spans);
  const loci = new Map<string, Acc>();
  const locus = (service: string, external: boolean): Acc => {
    let a = loci.get(service);
    if (!a) loci.set(service, (a = { service, external, failingTraces: new Set(), classes: new Map(), callers: new Set(), refs: [], extraMs: 0 }));
    return a;
  };
  // Own time per service per trace, before and after the onset, for latency attribution.
  const ownBefore = new Map<string, number[]>();
  const ownAfter = new Map<string, number[]>();
  const state: WalkState = { locus, ownBefore, ownAfter, failingTraceCount: 0 };
  for (const [traceId, t] of traces) walkTrace(traceId, t, onset, topology, state);
  const failingTraceCount = state.failingTraceCount;
  // Added latency: how much each service's own time per trace grew (medians), as a share of the total growth.
  const medianOf = (xs: number[]): number => {
    if (!xs.length) return 0;
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  let extraTotal = 0;
  for (const [svc, after] of ownAfter) {
    const before = ownBefore.get(svc);
    if (!before || before.length < 3 || after.length < 3) continue;
    const b = medianOf(before);
    const extra = medianOf(after) - b;
    if (extra > Math.max(5, 0.5 * b)) {
      const callee = [...topology.edges].find((e) => e.to === svc);
      const a = locus(svc, callee?.external ?? !topology.instrumented.has(svc));
      a.extraMs = extra;
      // Who waits on it: the services that call it.
      for (const e of topology.edges) if (e.to === svc && e.from !== svc) a.callers.add(e.from);
      extraTotal += extra;
    }
  }
  const out: LocusFinding[] = [...loci.values()]
    .map((a) => ({
      service: a.service,
      external: a.external,
      ...(a.local ? { local: true } : {}),
      errorShare: failingTraceCount ? a.failingTraces.size / failingTraceCount : 0,
      latencyShare: extraTotal ? a.extraMs / extraTotal : 0,
      errorClasses: Object.fromEntries([...a.classes.entries()].sort((x, y) => y[1] - x[1])),
      callers: [...a.callers],
      ...(a.first !== undefined ? { firstErrorAt: a.first } : {}),
      refs: a.refs,
    }))
    .filter((l) => l.errorShare > 0 || l.latencyShare > 0)
    .sort((x, y) => Math.max(y.errorShare, y.latencyShare) - Math.max(x.errorShare, x.latencyShare));
  return { loci: out, splits: [...splitsOf(spans, onset), ...logSplitsOf(logs, onset)] };
}

const DIMENSIONS: [EntitySplit['dimension'], string[]][] = [
  ['host', ['host.name', 'k8s.node.name', 'host.id']],
  ['zone', ['cloud.availability_zone', 'cloud.zone', 'topology.kubernetes.io/zone']],
  ['pod', ['k8s.pod.name', 'aws.ecs.task.id', 'heroku.dyno', 'service.instance.id']],
  ['version', ['service.version', 'k8s.pod.template_hash', 'container.image.tag']],
];
/** Log lines name no version worth splitting by (a line's version is its service's). */
const LOG_DIMENSIONS = DIMENSIONS.filter(([dim]) => dim !== 'version');
const SPAN_TABLE = dimensionTable(DIMENSIONS);
const LOG_TABLE = dimensionTable(LOG_DIMENSIONS);

/** Server spans of each service split over hosts, zones, pods and versions: failing after the onset, all after, failing before. */
export function splitsOf(spans: readonly Span[], onset: number): EntitySplit[] {
  const acc: SplitAcc = new Map();
  const chosen: (string | undefined)[] = new Array(SPAN_TABLE.dims.length).fill(undefined);
  const ranks: number[] = new Array(SPAN_TABLE.dims.length).fill(Infinity);
  for (const s of spans) {
    if (!s || (s.kind !== 'server' && s.kind !== 'consumer' && s.parentSpanId) || !s.attributes) continue;
    count(acc, s.service, s.attributes, SPAN_TABLE, chosen, ranks, s.startTime >= onset, s.status === 'error');
  }
  return splitsFrom(acc);
}

type SplitCounts = { failing: number; total: number; failingBefore: number };
/** service -> dimension -> value -> counts; nested maps, so no key string is built per span or line. */
type SplitAcc = Map<string, Map<EntitySplit['dimension'], Map<string, SplitCounts>>>;

/** The dimensions to split by, as a table from attribute key to (dimension, rank among its keys). */
interface DimensionTable {
  dims: EntitySplit['dimension'][];
  keyOf: Map<string, { dim: number; rank: number }>;
}

function dimensionTable(dims: [EntitySplit['dimension'], string[]][]): DimensionTable {
  const keyOf = new Map<string, { dim: number; rank: number }>();
  dims.forEach(([, keys], dim) => keys.forEach((k, rank) => keyOf.set(k, { dim, rank })));
  return { dims: dims.map(([d]) => d), keyOf };
}

/**
 * Counts one span or line under each dimension it names: the first of the dimension's keys that is a
 * non-empty string. The record's own keys are walked once (a few), instead of looking up every key of
 * every dimension (most of them absent, the slowest lookup there is).
 */
function count(acc: SplitAcc, service: string, attributes: Record<string, unknown>, table: DimensionTable, chosen: (string | undefined)[], ranks: number[], after: boolean, bad: boolean): void {
  chosen.fill(undefined);
  for (const k in attributes) {
    const slot = table.keyOf.get(k);
    if (!slot || slot.rank >= ranks[slot.dim]) continue;
    const x = attributes[k];
    if (typeof x !== 'string' || !x) continue;
    chosen[slot.dim] = x;
    ranks[slot.dim] = slot.rank;
  }
  let byDim: Map<EntitySplit['dimension'], Map<string, SplitCounts>> | undefined;
  for (let d = 0; d < chosen.length; d++) {
    const v = chosen[d];
    ranks[d] = Infinity;
    if (!v) continue;
    if (!byDim) {
      byDim = acc.get(service);
      if (!byDim) acc.set(service, (byDim = new Map()));
    }
    const dim = table.dims[d];
    let m = byDim.get(dim);
    if (!m) byDim.set(dim, (m = new Map()));
    let c = m.get(v);
    if (!c) m.set(v, (c = { failing: 0, total: 0, failingBefore: 0 }));
    if (after) {
      c.total++;
      if (bad) c.failing++;
    } else if (bad) c.failingBefore++;
  }
}

function splitsFrom(acc: SplitAcc): EntitySplit[] {
  const out: EntitySplit[] = [];
  for (const [service, byDim] of acc) {
    for (const [dimension, m] of byDim) {
      if (m.size < 2) continue;
      out.push({ service, dimension, values: [...m.entries()].map(([value, c]) => ({ value, ...c })).sort((a, b) => b.failing - a.failing).slice(0, 50) });
    }
  }
  return out;
}

/** Each service's error logs split over the hosts and pods that wrote them: failing = error lines after the onset. */
export function logSplitsOf(logs: readonly LogRecord[], onset: number): EntitySplit[] {
  const acc: SplitAcc = new Map();
  const chosen: (string | undefined)[] = new Array(LOG_TABLE.dims.length).fill(undefined);
  const ranks: number[] = new Array(LOG_TABLE.dims.length).fill(Infinity);
  for (const r of logs) {
    if (!r?.service || !r.attributes) continue;
    count(acc, r.service, r.attributes, LOG_TABLE, chosen, ranks, r.time >= onset, r.level === 'error' || r.level === 'fatal');
  }
  return splitsFrom(acc);
}
