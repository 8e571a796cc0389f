// Cross-service root-cause ranking from metrics and the call graph.
//
// Each service gets an anomaly strength (its most anomalous health series - latency, errors,
// availability - against its own baseline, on a log scale of robust z) and an onset. A
// personalized PageRank then walks the call graph from symptoms towards causes. Callers inherit
// symptoms from their callees, so the walk steps caller -> callee in proportion to how much of the
// caller's anomaly the callee can explain (a weaker anomaly cannot explain a stronger one), steps
// back to callers the service cannot explain, and stays on a service that is anomalous while its
// callees are not. Onset order bends the walk: a callee that moved after its caller is more likely
// a victim. The walk restarts at anomalies in proportion to how well an anomalous call path from an
// entry point reaches them, so a healthy service, or an anomaly no caller feels, collects little.
// Scores are the walk's stationary probabilities.
import type { MetricSeries } from '../core/model';
import type { TimeWindow } from '../core/sources';
import { seriesAnomaly, type Direction, type SeriesAnomaly } from './rca/seriesAnomaly';

export interface CallGraphEdge {
  /** The caller. */
  from: string;
  /** The callee. */
  to: string;
}

export interface RootCauseInput {
  /** Metric series; each must have .service set (series without one are ignored). */
  series: MetricSeries[];
  /** Caller -> callee edges. */
  edges: CallGraphEdge[];
  /**
   * When the alert fired. Without a window, the incident is taken to start preAlertMs before it.
   * Services that first moved after it are weighted down (a cause precedes its effects).
   */
  alertTime?: number;
  /** The incident window; points before window.start are the baseline. */
  window?: TimeWindow;
  /**
   * Services seen only through their callers' client-side telemetry (an uninstrumented remote
   * endpoint, a synthetic client node). Their metrics are the caller's view of the call, so they
   * restate what the instrumented callee shows; they stay candidates, with less weight.
   */
  inferredServices?: string[];
}

export interface RootCauseOptions {
  /** Probability of following an edge rather than restarting at an anomalous service (default 0.85). */
  damping?: number;
  /** Weight of a step back from callee to caller, relative to a step down (default 0.2). */
  backwardWeight?: number;
  /** Factor on the forward step to a callee whose onset came after its caller's (default 0.25). */
  lateCalleeFactor?: number;
  /** Factor on an inferred service's restart and stay weights (default 0.3). */
  inferredFactor?: number;
  /** Onsets closer than this count as simultaneous (default: the median sampling step). */
  onsetToleranceMs?: number;
  /** Without a window: how long before alertTime the incident window starts (default 30 min). */
  preAlertMs?: number;
  /** Which way is bad for a series; default guesses from its name and unit. */
  directionOf?: (s: MetricSeries) => Direction | undefined;
  /** Restart weight of an anomalous service none of whose callers is anomalous (default 0.1). */
  isolatedFactor?: number;
  /** Factor on anomalies of series with no bad direction (traffic, saturation) (default 0.3). */
  loadWeight?: number;
  /** Where each series' normal level comes from (see SeriesAnomalyOptions.levelFrom). */
  levelFrom?: 'history' | 'windowStart';
  /** Robust z below which a series counts as normal (default 2). */
  noiseZ?: number;
  /** Robust z at which a series counts as fully anomalous (default 50). */
  fullZ?: number;
}

export interface RankedCause {
  service: string;
  /** Stationary probability of the anomaly-weighted walk; scores of all services sum to 1. */
  score: number;
  /** When the service's metrics first moved (the earliest onset among its anomalous series). */
  onset?: number;
  /** 0..1: strength of the service's most anomalous series. */
  anomaly: number;
  reasons: string[];
}

interface ServiceState {
  service: string;
  anomaly: number;
  onset?: number;
  best?: SeriesAnomaly & { name: string };
  inferred: boolean;
}

// Strength from which a series counts as anomalous for onsets and reasons (robust z of about 6).
const STRONG = 0.3;

function testWindow(input: RootCauseInput, preAlertMs: number): { start: number; end: number } {
  if (input.window && Number.isFinite(input.window.start) && Number.isFinite(input.window.end)) {
    if (input.window.end < input.window.start) throw new RangeError('rankRootCauses: window.end is before window.start');
    return { start: input.window.start, end: input.window.end };
  }
  if (typeof input.alertTime === 'number' && Number.isFinite(input.alertTime)) return { start: input.alertTime - preAlertMs, end: Infinity };
  // Neither: the last quarter of the observed time range is the incident.
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of input.series) {
    for (const t of s.timestamps ?? []) {
      if (!Number.isFinite(t)) continue;
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
  }
  if (!Number.isFinite(lo)) return { start: 0, end: Infinity };
  return { start: hi - 0.25 * (hi - lo), end: Infinity };
}

/** Median sampling interval over all series (0 when none has two points). */
function typicalStep(series: MetricSeries[]): number {
  const steps: number[] = [];
  for (const s of series) {
    const ts = s?.timestamps;
    if (!Array.isArray(ts)) continue;
    for (let i = 1; i < ts.length && i < 64; i++) {
      const d = ts[i] - ts[i - 1];
      if (Number.isFinite(d) && d > 0) steps.push(d);
    }
  }
  if (steps.length === 0) return 0;
  steps.sort((a, b) => a - b);
  return steps[steps.length >> 1];
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

function describe(a: SeriesAnomaly & { name: string }): string {
  const moved = a.direction === 'down' ? 'fell' : a.direction === 'up' ? 'rose' : 'moved';
  const ratio = Number.isFinite(a.ratio) && a.ratio > 0 ? ` (${fmt(a.ratio)}x)` : '';
  const base = a.borrowedBaseline ? 'the start of the window' : 'baseline';
  return `${a.name} ${moved} from ${fmt(a.baselineMedian)} to ${fmt(a.testPeak)}${ratio}, robust z ${fmt(a.z)} against ${base}`;
}

export function rankRootCauses(input: RootCauseInput, opts: RootCauseOptions = {}): RankedCause[] {
  if (!input || !Array.isArray(input.series) || !Array.isArray(input.edges)) {
    throw new TypeError('rankRootCauses needs { series: MetricSeries[], edges: {from,to}[] }');
  }
  const damping = opts.damping ?? 0.85;
  const backward = opts.backwardWeight ?? 0.2;
  const lateCallee = opts.lateCalleeFactor ?? 0.25;
  const inferredFactor = opts.inferredFactor ?? 0.3;
  const win = testWindow(input, opts.preAlertMs ?? 30 * 60_000);
  const inferred = new Set(input.inferredServices ?? []);
  const loadWeight = opts.loadWeight ?? 0.3;
  const isolatedFactor = opts.isolatedFactor ?? 0.1;

  const states = new Map<string, ServiceState>();
  const stateOf = (service: string): ServiceState => {
    let st = states.get(service);
    if (!st) states.set(service, (st = { service, anomaly: 0, inferred: inferred.has(service) }));
    return st;
  };

  // Per service: the strongest series decides the anomaly; the earliest strong onset decides when.
  for (const s of input.series) {
    if (!s || typeof s.service !== 'string' || s.service === '') continue;
    const st = stateOf(s.service);
    const a = seriesAnomaly(s, { testStart: win.start, testEnd: win.end, direction: opts.directionOf?.(s), noiseZ: opts.noiseZ, fullZ: opts.fullZ, levelFrom: opts.levelFrom });
    if (!a) continue;
    // Traffic flows down the call graph (a callee's load is set by its callers), while latency
    // and errors flow up: a load change is weak evidence that the service itself is the cause.
    const strength = a.direction === 'both' ? loadWeight * a.strength : a.strength;
    if (strength > st.anomaly) {
      st.anomaly = strength;
      st.best = { ...a, name: s.name || s.id };
    }
    if (strength >= STRONG && a.onset !== undefined && (st.onset === undefined || a.onset < st.onset)) st.onset = a.onset;
  }

  const callees = new Map<string, Set<string>>();
  const callers = new Map<string, Set<string>>();
  for (const e of input.edges) {
    if (!e || typeof e.from !== 'string' || typeof e.to !== 'string' || e.from === e.to) continue;
    stateOf(e.from);
    stateOf(e.to);
    if (!callees.has(e.from)) callees.set(e.from, new Set());
    callees.get(e.from)!.add(e.to);
    if (!callers.has(e.to)) callers.set(e.to, new Set());
    callers.get(e.to)!.add(e.from);
  }

  // Onsets are known to one sampling step at best (the start of an excursion can sit one point
  // early in noise): closer than that counts as simultaneous.
  const tolerance = opts.onsetToleranceMs ?? typicalStep(input.series);

  const names = [...states.keys()].sort();
  const n = names.length;
  if (n === 0) return [];
  const index = new Map(names.map((s, i) => [s, i]));
  const st = names.map((s) => states.get(s)!);
  const anomaly = st.map((x) => x.anomaly);

  // How much of caller u's anomaly its callee v can explain: a weaker anomaly cannot explain a
  // stronger one.
  const explain = (v: number, u: number) => (anomaly[u] > 0 ? Math.min(1, anomaly[v] / anomaly[u]) : 0);

  // Transition weights, row by row: down to callees that can explain this service, back up to
  // callers it cannot fully explain, or stay when nothing below explains it.
  const out: { to: number; w: number }[][] = [];
  for (let i = 0; i < n; i++) {
    const row: { to: number; w: number }[] = [];
    let explained = 0;
    for (const c of callees.get(names[i]) ?? []) {
      const j = index.get(c)!;
      // A callee that moved after this service explains it less: it may be a victim.
      const late = st[i].onset !== undefined && st[j].onset !== undefined && st[j].onset! > st[i].onset! + tolerance;
      const e = explain(j, i) * (late ? lateCallee : 1);
      explained = Math.max(explained, e);
      const w = anomaly[j] * e;
      if (w > 0) row.push({ to: j, w });
    }
    for (const c of callers.get(names[i]) ?? []) {
      const j = index.get(c)!;
      // The caller moved first: walking back to it is as natural as walking down.
      const callerFirst = st[i].onset !== undefined && st[j].onset !== undefined && st[j].onset! < st[i].onset! - tolerance;
      const w = anomaly[j] * (callerFirst ? 1 : Math.max(backward, 1 - explain(i, j)));
      if (w > 0) row.push({ to: j, w });
    }
    const stay = anomaly[i] * (1 - explained) * (st[i].inferred ? inferredFactor : 1);
    if (stay > 0) row.push({ to: i, w: stay });
    const total = row.reduce((x, r) => x + r.w, 0);
    out.push(total > 0 ? row.map((r) => ({ to: r.to, w: r.w / total })) : []);
  }

  // Restart where the symptoms are: an anomaly matters in proportion to the weakest link of the
  // best anomalous call path that reaches it from an entry point (a service nothing calls). An
  // anomaly no anomalous caller feels (a noisy batch job, a quiet side branch) explains nothing
  // the alert is about, so it restarts little. Widest-path relaxation, bounded by n rounds.
  const reach = new Array<number>(n).fill(0);
  const inGraph = (i: number) => callers.has(names[i]) || callees.has(names[i]);
  for (let i = 0; i < n; i++) if (inGraph(i) && !callers.has(names[i])) reach[i] = anomaly[i];
  for (let round = 0; round < n; round++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      if (reach[i] <= 0) continue;
      for (const c of callees.get(names[i]) ?? []) {
        const j = index.get(c)!;
        const r = Math.min(reach[i], anomaly[j]);
        if (r > reach[j] + 1e-12) {
          reach[j] = r;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  const felt = (i: number): number => {
    if (inGraph(i) && !callers.has(names[i])) return 1;
    let best = 0;
    for (const c of callers.get(names[i]) ?? []) best = Math.max(best, reach[index.get(c)!]);
    return best;
  };
  // A cause moves before the alert it causes: a service that first moved after the alert fired
  // is more likely a consequence (or unrelated), so it restarts less.
  const alertTime = typeof input.alertTime === 'number' && Number.isFinite(input.alertTime) ? input.alertTime : undefined;
  const afterAlert = (i: number) => alertTime !== undefined && st[i].onset !== undefined && st[i].onset! > alertTime + tolerance;
  const restart = anomaly.map(
    (a, i) => a * (isolatedFactor + (1 - isolatedFactor) * felt(i)) * (st[i].inferred ? inferredFactor : 1) * (afterAlert(i) ? lateCallee : 1) + 1e-6,
  );
  const rsum = restart.reduce((x, y) => x + y, 0);
  for (let i = 0; i < n; i++) restart[i] /= rsum;

  let rank = restart.slice();
  for (let iter = 0; iter < 200; iter++) {
    const next = new Array<number>(n).fill(0);
    let dangling = 0;
    for (let i = 0; i < n; i++) {
      if (out[i].length === 0) dangling += rank[i];
      else for (const r of out[i]) next[r.to] += damping * rank[i] * r.w;
    }
    let diff = 0;
    for (let i = 0; i < n; i++) {
      next[i] += (1 - damping + damping * dangling) * restart[i];
      diff += Math.abs(next[i] - rank[i]);
    }
    // Renormalise against floating-point drift.
    const sum = next.reduce((x, y) => x + y, 0);
    for (let i = 0; i < n; i++) next[i] /= sum;
    rank = next;
    if (diff < 1e-10) break;
  }

  const onsets = st.filter((x) => x.anomaly >= STRONG && x.onset !== undefined).map((x) => x.onset!);
  const firstOnset = onsets.length > 0 ? Math.min(...onsets) : undefined;

  const ranked: RankedCause[] = names.map((service, i) => {
    const s = st[i];
    const reasons: string[] = [];
    if (s.best && s.anomaly >= 0.05) reasons.push(describe(s.best));
    else reasons.push('no anomalous metric of its own');
    if (s.onset !== undefined && firstOnset !== undefined) {
      if (s.onset === firstOnset) reasons.push(`among the first services to move (${new Date(s.onset).toISOString()})`);
      else reasons.push(`moved ${Math.round((s.onset - firstOnset) / 1000)} s after the first service`);
    }
    const down = [...(callees.get(service) ?? [])];
    if (s.anomaly >= STRONG && down.length > 0) {
      const sick = down.filter((c) => explain(index.get(c)!, i) >= 0.5);
      if (sick.length === 0) reasons.push(`anomalous while its ${down.length} callee(s) look healthy or far less anomalous`);
      else reasons.push(`its callee(s) ${sick.slice(0, 3).join(', ')} are about as anomalous and may explain it`);
    }
    const up = [...(callers.get(service) ?? [])].filter((c) => states.get(c)!.anomaly >= STRONG);
    if (up.length > 0) reasons.push(`could explain anomalous caller(s) ${up.slice(0, 3).join(', ')}${up.length > 3 ? ` and ${up.length - 3} more` : ''}`);
    if (s.inferred) reasons.push('seen only through its callers (no telemetry of its own): weighted down');
    if (afterAlert(i)) reasons.push('first moved after the alert fired: more likely a consequence');
    return { service, score: rank[i], ...(s.onset !== undefined ? { onset: s.onset } : {}), anomaly: s.anomaly, reasons };
  });
  ranked.sort((a, b) => b.score - a.score || b.anomaly - a.anomaly || a.service.localeCompare(b.service));
  return ranked;
}
