// The embedded receiver's bounded in-memory store: spans, log records and metric points, with an
// approximate byte count (storeBytes.ts) and oldest-first eviction (by arrival) across all three when
// over the cap. Queries are plain scans over time-ordered queues: at the sizes a cap of tens of MB
// allows, a scan costs a few milliseconds and needs no index that would itself cost memory.
// Over 500 lines because ingest, eviction and the queries share the queues' private layout; split,
// each part would need that layout exported.

import { type TimeWindow, labelsKey } from '../../core/sources';
import type { Labels, LogLevel, LogRecord, MetricSeries, TraceSummary } from '../../core/model';
import { type AttrValue, type Attrs, type HistogramValue, type MetricKind, type MetricPoint, type OtlpSpan, type QuantileValue, type Temporality, LEVEL_RANK } from './decode';
import { ByteEstimator, type Interned, SERIES_BASE, TRACE_ENTRY, estimatePointBytes, resourceKey, stringBytes } from './storeBytes';


// ---- FIFO queue ----

/** Arrival-ordered queue; `seqs` let the store evict the globally oldest item across queues. */
class Fifo<T> {
  items: (T | undefined)[] = [];
  bytes: number[] = [];
  seqs: number[] = [];
  head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T, bytes: number, seq: number): void {
    this.items.push(item);
    this.bytes.push(bytes);
    this.seqs.push(seq);
  }

  headSeq(): number {
    return this.head < this.items.length ? this.seqs[this.head] : Infinity;
  }

  shift(): { item: T; bytes: number } {
    const i = this.head;
    const item = this.items[i] as T;
    const bytes = this.bytes[i];
    this.items[i] = undefined;
    this.head = i + 1;
    if (this.head > 4096 && this.head * 2 > this.items.length) this.compact();
    return { item, bytes };
  }

  private compact(): void {
    this.items = this.items.slice(this.head);
    this.bytes = this.bytes.slice(this.head);
    this.seqs = this.seqs.slice(this.head);
    this.head = 0;
  }

  clear(): void {
    this.items = [];
    this.bytes = [];
    this.seqs = [];
    this.head = 0;
  }
}

// ---- metric series ----

export interface StoredSeries {
  key: string;
  name: string;
  unit?: string;
  kind: MetricKind;
  service: string;
  labels: Labels;
  temporality: Temporality;
  times: number[];
  /** Gauge and sum values. */
  values: number[];
  /** Histogram (and exponential histogram) points. */
  histograms: HistogramValue[];
  /** Summary points. */
  summaries: { count: number; sum: number; quantiles: QuantileValue[] }[];
  head: number;
  bytes: number;
}

export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface SeriesSelector {
  name: string;
  matchers: LabelMatcher[];
}

/**
 * Parses a metric name with optional Prometheus-style matchers: `name{label="v", other!="x", r=~"a.*"}`.
 * Either part may be omitted (`{service="checkout"}` selects every metric of a service).
 */
export function parseSeriesSelector(query: string): SeriesSelector {
  const q = query.trim();
  const brace = q.indexOf('{');
  const name = (brace < 0 ? q : q.slice(0, brace)).trim();
  const matchers: LabelMatcher[] = [];
  if (brace >= 0) {
    if (!q.endsWith('}')) throw new Error(`metric selector "${query}": missing closing brace`);
    const body = q.slice(brace + 1, -1);
    const re = /\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
    let pos = 0;
    while (pos < body.length) {
      re.lastIndex = pos;
      const m = re.exec(body);
      if (!m) throw new Error(`metric selector "${query}": cannot parse matchers at "${body.slice(pos)}"`);
      matchers.push({ name: m[1], op: m[2] as LabelMatcher['op'], value: m[3].replace(/\\(.)/g, '$1') });
      pos = re.lastIndex;
      if (m[4] === '') break;
    }
  }
  if (name !== '' && !/^[A-Za-z_][A-Za-z0-9_.:/-]*$/.test(name)) throw new Error(`metric selector "${query}": "${name}" is not a metric name`);
  return { name, matchers };
}

function compileMatchers(matchers: LabelMatcher[]): ((labels: Labels) => boolean)[] {
  return matchers.map((m) => {
    if (m.op === '=' || m.op === '!=') {
      const eq = m.op === '=';
      return (l: Labels) => ((l[m.name] ?? '') === m.value) === eq;
    }
    if (m.value.length > 512) throw new Error(`label regex for ${m.name} is longer than 512 characters`);
    const re = new RegExp(`^(?:${m.value})$`);
    const eq = m.op === '=~';
    return (l: Labels) => re.test(l[m.name] ?? '') === eq;
  });
}

function attrString(v: AttrValue): string {
  return typeof v === 'string' ? v : String(v);
}

// ---- histogram helpers (shared with the rules) ----

/** The q-quantile of an explicit-bucket histogram, interpolating linearly inside the bucket. */
export function histogramQuantile(q: number, bounds: number[], counts: number[], max?: number): number | undefined {
  let total = 0;
  for (const c of counts) total += c;
  if (total <= 0) return undefined;
  const rank = q * total;
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0 && cum + c >= rank) {
      const lower = i === 0 ? Math.min(0, bounds[0] ?? 0) : bounds[i - 1];
      if (i >= bounds.length) return max !== undefined && max > lower ? max : lower;
      const upper = bounds[i];
      return lower + (upper - lower) * ((rank - cum) / c);
    }
    cum += c;
  }
  return bounds.length ? bounds[bounds.length - 1] : undefined;
}

/** What a histogram point adds over the previous one: itself for delta, the difference for cumulative. */
export function histogramIncrement(prev: HistogramValue | undefined, cur: HistogramValue, temporality: Temporality): HistogramValue {
  if (temporality !== 'cumulative' || !prev || prev.counts.length !== cur.counts.length || prev.count > cur.count) return cur;
  const counts = cur.counts.map((c, i) => Math.max(0, c - prev.counts[i]));
  const out: HistogramValue = { count: cur.count - prev.count, bounds: cur.bounds, counts };
  if (cur.sum !== undefined && prev.sum !== undefined) out.sum = cur.sum - prev.sum;
  return out;
}

// ---- the store ----

export interface TelemetryStoreOptions {
  maxBytes: number;
}

/** What one add call stored; the rest was refused because it alone would take more than half the cap. */
export interface AddResult {
  accepted: number;
  refused: number;
}

export interface SpanFilter {
  service?: string;
  kind?: string;
}

export interface LogFilter extends TimeWindow {
  service?: string;
  /** Case-insensitive substring of the body. */
  contains?: string;
  /** Only records at this level or above. */
  minLevel?: LogLevel;
  limit: number;
}

export interface TraceSearch extends TimeWindow {
  service?: string;
  minDurationMs?: number;
  errorsOnly?: boolean;
  limit: number;
}

export interface SeriesQuery extends TimeWindow {
  selector: SeriesSelector;
  stepSeconds?: number;
  limit?: number;
}

export interface StoreStats {
  bytes: number;
  maxBytes: number;
  spans: number;
  traces: number;
  logs: number;
  metricPoints: number;
  series: number;
  /** Distinct resources and scopes held (identical ones are stored once). */
  resources: number;
  scopes: number;
  evicted: { spans: number; logs: number; metricPoints: number };
  /** Items an add call refused because the batch alone was over half the cap. */
  refused: { spans: number; logs: number; metricPoints: number };
}

const MAX_SERVICES = 1000;

export class TelemetryStore {
  readonly maxBytes: number;
  /** Bytes of the stored items, resources and scopes; the estimator's key table comes on top. */
  private bytes = 0;
  private seq = 0;
  private readonly estimator = new ByteEstimator();
  private readonly resourcesByKey = new Map<string, Interned<Attrs>>();
  private readonly resourceEntries = new Map<Attrs, Interned<Attrs>>();
  private readonly scopes = new Map<string, Interned<string>>();
  private readonly refused = { spans: 0, logs: 0, metricPoints: 0 };
  private readonly spans = new Fifo<OtlpSpan>();
  private readonly logs = new Fifo<LogRecord>();
  private readonly points = new Fifo<StoredSeries>();
  private readonly traces = new Map<string, OtlpSpan[]>();
  private readonly series = new Map<string, StoredSeries>();
  private readonly serviceSeen = new Map<string, number>();
  private readonly evicted = { spans: 0, logs: 0, metricPoints: 0 };
  private listeners: (() => void)[] = [];
  /** Bumped on every change, so readers can tell whether anything arrived since they last looked. */
  version = 0;

  constructor(opts: TelemetryStoreOptions) {
    if (!(opts.maxBytes > 0)) throw new Error('TelemetryStore: maxBytes must be a positive number');
    this.maxBytes = opts.maxBytes;
  }

  // ---- ingest ----

  /** Most bytes one add call may take: a single request must not flush everything else. */
  get batchBudget(): number {
    return this.maxBytes / 2;
  }

  /**
   * Stores the spans (resources and scopes interned) and evicts the oldest data over the cap. Spans past
   * half the cap in this one call are refused, not stored, and counted.
   */
  addSpans(spans: OtlpSpan[]): AddResult {
    if (!spans.length) return { accepted: 0, refused: 0 };
    const seq = ++this.seq;
    // Everything this call adds counts: spans, new traces, resources, scopes, keys.
    const limit = this.approxBytes + this.batchBudget;
    let accepted = 0;
    // Spans of one ResourceSpans share their decoded resource object: hash it once per call.
    const seen = new Map<Attrs, Interned<Attrs>>();
    for (const s of spans) {
      const b = this.estimator.spanBytes(s);
      if (this.approxBytes + b > limit) break;
      accepted++;
      if (s.resource) s.resource = this.acquireResource(s.resource, seen);
      if (s.scope) s.scope = this.acquireScope(s.scope);
      this.spans.push(s, b, seq);
      this.bytes += b;
      const list = this.traces.get(s.traceId);
      if (list) list.push(s);
      else {
        this.traces.set(s.traceId, [s]);
        this.bytes += TRACE_ENTRY;
      }
      this.touchService(s.service, s.endTime);
    }
    const refused = spans.length - accepted;
    this.refused.spans += refused;
    if (accepted) this.changed();
    return { accepted, refused };
  }

  addLogs(logs: LogRecord[]): AddResult {
    if (!logs.length) return { accepted: 0, refused: 0 };
    const seq = ++this.seq;
    const limit = this.approxBytes + this.batchBudget;
    let accepted = 0;
    for (const l of logs) {
      const b = this.estimator.logBytes(l);
      if (this.approxBytes + b > limit) break;
      accepted++;
      this.logs.push(l, b, seq);
      this.bytes += b;
      if (l.service) this.touchService(l.service, l.time);
    }
    const refused = logs.length - accepted;
    this.refused.logs += refused;
    if (accepted) this.changed();
    return { accepted, refused };
  }

  private acquireResource(r: Attrs, seen: Map<Attrs, Interned<Attrs>>): Attrs {
    let entry = seen.get(r) ?? this.resourceEntries.get(r);
    if (!entry) {
      const key = resourceKey(r);
      entry = this.resourcesByKey.get(key);
      if (!entry) {
        entry = { value: r, key, refs: 0, bytes: this.estimator.resourceBytes(r) };
        this.resourcesByKey.set(key, entry);
        this.resourceEntries.set(r, entry);
        this.bytes += entry.bytes;
      }
      seen.set(r, entry);
    }
    entry.refs++;
    return entry.value;
  }

  private releaseResource(r: Attrs): void {
    const entry = this.resourceEntries.get(r);
    if (!entry || --entry.refs > 0) return;
    this.resourceEntries.delete(r);
    this.resourcesByKey.delete(entry.key);
    this.bytes -= entry.bytes;
  }

  private acquireScope(name: string): string {
    let entry = this.scopes.get(name);
    if (!entry) {
      entry = { value: name, key: name, refs: 0, bytes: this.estimator.scopeBytes(name) };
      this.scopes.set(name, entry);
      this.bytes += entry.bytes;
    }
    entry.refs++;
    return entry.value;
  }

  private releaseScope(name: string): void {
    const entry = this.scopes.get(name);
    if (!entry || --entry.refs > 0) return;
    this.scopes.delete(name);
    this.bytes -= entry.bytes;
  }

  addMetricPoints(points: MetricPoint[]): AddResult {
    if (!points.length) return { accepted: 0, refused: 0 };
    const seq = ++this.seq;
    const limit = this.approxBytes + this.batchBudget;
    let accepted = 0;
    for (const p of points) {
      if (this.approxBytes > limit) break;
      accepted++;
      const labels: Labels = { service: p.service };
      for (const k in p.attributes) labels[k] = attrString(p.attributes[k]);
      const key = `${p.name}|${labelsKey(labels)}`;
      let s = this.series.get(key);
      if (!s) {
        s = {
          key,
          name: p.name,
          kind: p.kind,
          service: p.service,
          labels,
          temporality: p.temporality,
          times: [],
          values: [],
          histograms: [],
          summaries: [],
          head: 0,
          bytes: SERIES_BASE + 2 * stringBytes(key) + this.estimator.attrsBytes(labels),
        };
        if (p.unit) s.unit = p.unit;
        this.series.set(key, s);
        this.bytes += s.bytes;
      }
      // A point whose type disagrees with its series (an instrument that changed kind) is dropped.
      if (s.kind !== p.kind) continue;
      const b = estimatePointBytes(p);
      s.times.push(p.time);
      if (p.histogram) {
        const h = p.histogram;
        const prev = s.histograms.length ? s.histograms[s.histograms.length - 1] : undefined;
        // Consecutive points nearly always share their bounds: keep one copy.
        if (prev && sameNumbers(prev.bounds, h.bounds)) h.bounds = prev.bounds;
        s.histograms.push(h);
      } else if (p.quantiles) s.summaries.push({ count: p.count ?? 0, sum: p.sum ?? 0, quantiles: p.quantiles });
      else s.values.push(p.value ?? NaN);
      this.points.push(s, b, seq);
      this.bytes += b;
      this.touchService(p.service, p.time);
    }
    const refused = points.length - accepted;
    this.refused.metricPoints += refused;
    if (accepted) this.changed();
    return { accepted, refused };
  }

  private touchService(service: string, time: number): void {
    const prev = this.serviceSeen.get(service);
    if (prev === undefined && this.serviceSeen.size >= MAX_SERVICES) return;
    if (prev === undefined || time > prev) this.serviceSeen.set(service, time);
  }

  private changed(): void {
    this.evictOverCap();
    this.version++;
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // A listener's failure must not lose the data that was just stored.
      }
    }
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  }

  // ---- eviction ----

  private evictOverCap(): void {
    while (this.bytes + this.estimator.tableBytes > this.maxBytes) {
      const s = this.spans.headSeq();
      const l = this.logs.headSeq();
      const m = this.points.headSeq();
      if (s === Infinity && l === Infinity && m === Infinity) break;
      if (s <= l && s <= m) this.evictSpan();
      else if (l <= m) {
        this.bytes -= this.logs.shift().bytes;
        this.evicted.logs++;
      } else this.evictPoint();
    }
  }

  private evictSpan(): void {
    const { item: span, bytes } = this.spans.shift();
    this.bytes -= bytes;
    this.evicted.spans++;
    if (span.resource) this.releaseResource(span.resource);
    if (span.scope) this.releaseScope(span.scope);
    const list = this.traces.get(span.traceId);
    if (!list) return;
    const i = list.indexOf(span);
    if (i === 0) list.shift();
    else if (i > 0) list.splice(i, 1);
    if (!list.length) {
      this.traces.delete(span.traceId);
      this.bytes -= TRACE_ENTRY;
    }
  }

  private evictPoint(): void {
    const { item: s, bytes } = this.points.shift();
    this.bytes -= bytes;
    this.evicted.metricPoints++;
    s.head++;
    if (s.head >= s.times.length) {
      this.series.delete(s.key);
      this.bytes -= s.bytes;
      s.times = [];
      s.values = [];
      s.histograms = [];
      s.summaries = [];
      s.head = 0;
    } else if (s.head > 256 && s.head * 2 > s.times.length) {
      const h = s.head;
      s.times = s.times.slice(h);
      if (s.values.length) s.values = s.values.slice(h);
      if (s.histograms.length) s.histograms = s.histograms.slice(h);
      if (s.summaries.length) s.summaries = s.summaries.slice(h);
      s.head = 0;
    }
  }

  clear(): void {
    this.spans.clear();
    this.logs.clear();
    this.points.clear();
    this.traces.clear();
    this.series.clear();
    this.serviceSeen.clear();
    this.resourcesByKey.clear();
    this.resourceEntries.clear();
    this.scopes.clear();
    this.estimator.clear();
    this.bytes = 0;
    this.version++;
  }

  // ---- introspection ----

  get approxBytes(): number {
    return this.bytes + this.estimator.tableBytes;
  }


  stats(): StoreStats {
    return {
      bytes: this.approxBytes,
      maxBytes: this.maxBytes,
      spans: this.spans.size,
      traces: this.traces.size,
      logs: this.logs.size,
      metricPoints: this.points.size,
      series: this.series.size,
      resources: this.resourcesByKey.size,
      scopes: this.scopes.size,
      evicted: { ...this.evicted },
      refused: { ...this.refused },
    };
  }

  /** Services seen in any signal, most recently active first. */
  services(): string[] {
    return [...this.serviceSeen.entries()].sort((a, b) => b[1] - a[1]).map(([s]) => s);
  }

  // ---- spans ----

  /** Calls fn for each span that ended inside the window (and matches the filter), in arrival order. */
  forEachSpan(window: TimeWindow, filter: SpanFilter, fn: (span: OtlpSpan) => void): void {
    const { items, head } = this.spans;
    for (let i = head; i < items.length; i++) {
      const s = items[i] as OtlpSpan;
      if (s.endTime < window.start || s.endTime > window.end) continue;
      if (filter.service !== undefined && s.service !== filter.service) continue;
      if (filter.kind !== undefined && s.kind !== filter.kind) continue;
      fn(s);
    }
  }

  spansInWindow(window: TimeWindow, filter: SpanFilter = {}): OtlpSpan[] {
    const out: OtlpSpan[] = [];
    this.forEachSpan(window, filter, (s) => out.push(s));
    return out;
  }

  /** The trace's spans that are still stored, earliest first. */
  getTrace(traceId: string): OtlpSpan[] {
    const list = this.traces.get(traceId.toLowerCase());
    return list ? [...list].sort((a, b) => a.startTime - b.startTime) : [];
  }

  traceSummary(traceId: string): TraceSummary | undefined {
    const list = this.traces.get(traceId.toLowerCase());
    return list && list.length ? summarize(traceId, list) : undefined;
  }

  /** Traces with a span in the window (and of the service, when given), most recent first. */
  searchTraces(q: TraceSearch): TraceSummary[] {
    const ids = new Set<string>();
    this.forEachSpan(q, { service: q.service }, (s) => ids.add(s.traceId));
    const out: TraceSummary[] = [];
    for (const id of ids) {
      const list = this.traces.get(id);
      if (!list || !list.length) continue;
      const t = summarize(id, list);
      if (q.errorsOnly && t.errorCount === 0) continue;
      if (q.minDurationMs !== undefined && t.durationMs < q.minDurationMs) continue;
      out.push(t);
    }
    out.sort((a, b) => b.startTime - a.startTime);
    return out.slice(0, Math.max(0, q.limit));
  }

  // ---- logs ----

  /** Matching records, newest first, at most `limit`. */
  queryLogs(q: LogFilter): LogRecord[] {
    const needle = q.contains ? q.contains.toLowerCase() : '';
    const minRank = q.minLevel ? LEVEL_RANK[q.minLevel] : 0;
    const out: LogRecord[] = [];
    if (q.limit <= 0) return out;
    const { items, head } = this.logs;
    for (let i = items.length - 1; i >= head; i--) {
      const l = items[i] as LogRecord;
      if (l.time < q.start || l.time > q.end) continue;
      if (q.service !== undefined && l.service !== q.service) continue;
      if (minRank && LEVEL_RANK[l.level] < minRank) continue;
      if (needle && !l.body.toLowerCase().includes(needle)) continue;
      out.push(l);
    }
    out.sort((a, b) => b.time - a.time);
    return out.length > q.limit ? out.slice(0, q.limit) : out;
  }

  forEachLog(window: TimeWindow, fn: (log: LogRecord) => void): void {
    const { items, head } = this.logs;
    for (let i = head; i < items.length; i++) {
      const l = items[i] as LogRecord;
      if (l.time >= window.start && l.time <= window.end) fn(l);
    }
  }

  // ---- metrics ----

  /** Stored series whose name and labels match, unsorted; each keeps its points from `head` on. */
  matchSeries(selector: SeriesSelector): StoredSeries[] {
    const tests = compileMatchers(selector.matchers);
    const out: StoredSeries[] = [];
    for (const s of this.series.values()) {
      if (selector.name !== '' && s.name !== selector.name) continue;
      if (tests.every((t) => t(s.labels))) out.push(s);
    }
    return out;
  }

  /** Metric names currently stored for a service. */
  metricNames(service?: string): string[] {
    const names = new Set<string>();
    for (const s of this.series.values()) if (service === undefined || s.service === service) names.add(s.name);
    return [...names].sort();
  }

  /**
   * Series for a selector over a window, as core MetricSeries. Gauges and sums give their values;
   * histograms and summaries give one series per quantile (label `quantile`: 0.5, 0.95, 0.99),
   * computed per interval (cumulative histograms are differenced).
   */
  querySeries(q: SeriesQuery): MetricSeries[] {
    const limit = q.limit ?? 100;
    const matched = this.matchSeries(q.selector).sort((a, b) => (a.key < b.key ? -1 : 1));
    const out: MetricSeries[] = [];
    for (const s of matched) {
      if (out.length >= limit) break;
      for (const series of seriesViews(s, q)) {
        if (series.timestamps.length && out.length < limit) out.push(series);
      }
    }
    return out;
  }
}

function sameNumbers(a: number[], b: number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function summarize(traceId: string, spans: OtlpSpan[]): TraceSummary {
  const ids = new Set(spans.map((s) => s.spanId));
  let root: OtlpSpan | undefined;
  let rootRank = 0;
  let start = Infinity;
  let end = -Infinity;
  let errors = 0;
  for (const s of spans) {
    if (s.startTime < start) start = s.startTime;
    if (s.endTime > end) end = s.endTime;
    if (s.status === 'error') errors++;
    // A span without a parent is the root; failing that, the earliest whose parent is missing.
    const rank = !s.parentSpanId ? 2 : ids.has(s.parentSpanId) ? 0 : 1;
    if (rank > rootRank || (rank === rootRank && rank > 0 && root && s.startTime < root.startTime)) {
      root = s;
      rootRank = rank;
    }
  }
  root ??= spans[0];
  return {
    traceId,
    rootService: root.service,
    rootName: root.name,
    startTime: start,
    durationMs: Math.max(0, end - start),
    spanCount: spans.length,
    errorCount: errors,
  };
}

export const QUANTILES = [0.5, 0.95, 0.99];

function seriesViews(s: StoredSeries, q: SeriesQuery): MetricSeries[] {
  const idx: number[] = [];
  for (let i = s.head; i < s.times.length; i++) if (s.times[i] >= q.start && s.times[i] <= q.end) idx.push(i);
  idx.sort((a, b) => s.times[a] - s.times[b] || a - b);
  const base = { name: s.name, service: s.service, ...(s.unit ? { unit: s.unit } : {}) };
  const id = (labels: Labels) => `${s.name}{${labelsKey(labels)}}`;
  if (s.kind === 'gauge' || s.kind === 'sum') {
    const { timestamps, values } = downsample(
      idx.map((i) => s.times[i]),
      idx.map((i) => s.values[i]),
      q,
    );
    return [{ id: id(s.labels), labels: s.labels, timestamps, values, ...base }];
  }
  const perQuantile = QUANTILES.map(() => ({ t: [] as number[], v: [] as number[] }));
  if (s.kind === 'summary') {
    for (const i of idx) {
      const sum = s.summaries[i];
      QUANTILES.forEach((qq, k) => {
        const hit = sum?.quantiles.find((x) => Math.abs(x.quantile - qq) < 1e-9);
        if (hit) {
          perQuantile[k].t.push(s.times[i]);
          perQuantile[k].v.push(hit.value);
        }
      });
    }
  } else {
    for (const i of idx) {
      const cur = s.histograms[i];
      const prev = i > s.head ? s.histograms[i - 1] : undefined;
      const inc = histogramIncrement(prev, cur, s.temporality);
      if (inc.count <= 0) continue;
      QUANTILES.forEach((qq, k) => {
        const v = histogramQuantile(qq, inc.bounds, inc.counts, cur.max);
        if (v !== undefined) {
          perQuantile[k].t.push(s.times[i]);
          perQuantile[k].v.push(v);
        }
      });
    }
  }
  return QUANTILES.map((qq, k) => {
    const labels = { ...s.labels, quantile: String(qq) };
    const { timestamps, values } = downsample(perQuantile[k].t, perQuantile[k].v, q);
    return { id: id(labels), labels, timestamps, values, ...base };
  });
}

/** Keeps the last point of each step, so a long window returns at most (end - start) / step points. */
function downsample(t: number[], v: number[], q: SeriesQuery): { timestamps: number[]; values: number[] } {
  const stepMs = (q.stepSeconds ?? 0) * 1000;
  if (!(stepMs > 0) || t.length <= 1) return { timestamps: t, values: v };
  const timestamps: number[] = [];
  const values: number[] = [];
  let lastBucket = NaN;
  for (let i = 0; i < t.length; i++) {
    const bucket = Math.floor((t[i] - q.start) / stepMs);
    if (bucket === lastBucket) {
      timestamps[timestamps.length - 1] = t[i];
      values[values.length - 1] = v[i];
    } else {
      timestamps.push(t[i]);
      values.push(v[i]);
      lastBucket = bucket;
    }
  }
  return { timestamps, values };
}
