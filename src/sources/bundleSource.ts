// A saved incident bundle behind the same source interfaces as a live backend, so the agent's tools,
// the command line and the benchmarks query a bundle exactly as they query Prometheus or Loki. A bundle
// holds recorded data, not a query engine: a metric query selects recorded series by name and label
// matchers (a PromQL expression selects the series it reads, unevaluated, and says so), a log query is
// a LogQL stream selector with line filters or a plain substring.
import type { IncidentBundle } from '../core/bundle';
import type { Alert, BlameLine, Change, Labels, LogRecord, MetricSeries, Span, TraceSummary } from '../core/model';
import type { AlertSource, ChangeSource, LogQuery, LogSource, MetricQuery, MetricSource, TimeWindow, TraceQuery, TraceSource } from '../core/sources';
import { SourceError } from '../core/errors';
import { parseSeriesSelector, type LabelMatcher } from './otlp/store';
import { parsePromql, selectorsOf } from './promqlExpr';

function matches(m: LabelMatcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  if (m.op === '=') return v === m.value;
  if (m.op === '!=') return v !== m.value;
  if (m.value.length > 512) throw new Error(`label regex for ${m.name} is longer than 512 characters`);
  const hit = new RegExp(`^(?:${m.value})$`).test(v);
  return m.op === '=~' ? hit : !hit;
}

export class BundleSource implements AlertSource, MetricSource, LogSource, TraceSource, ChangeSource {
  readonly kind = 'bundle';
  /** Set by the last metric query that was read as the series it selects rather than evaluated. */
  lastMetricNote: string | undefined;

  constructor(
    private readonly bundle: IncidentBundle,
    readonly name = 'bundle',
  ) {}

  async listAlerts(): Promise<Alert[]> {
    const all = [this.bundle.alert, ...(this.bundle.alerts ?? [])];
    return [...new Map(all.map((a) => [a.id, a])).values()];
  }

  async queryRange(q: MetricQuery): Promise<MetricSeries[]> {
    this.lastMetricNote = undefined;
    let selectors: { name: string; matchers: LabelMatcher[] }[];
    try {
      selectors = [parseSeriesSelector(q.query)];
    } catch {
      try {
        const parsed = selectorsOf(parsePromql(q.query));
        selectors = parsed.map((s) => ({ name: s.name ?? '', matchers: s.matchers.map((m) => ({ name: m.name, op: m.op, value: m.value })) }));
        this.lastMetricNote = 'this is a saved bundle: the expression was not evaluated; these are the recorded series it reads';
      } catch (err) {
        throw new SourceError('client', this.name, `cannot read the query: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (!selectors.length || selectors.every((s) => !s.name && !s.matchers.length)) throw new SourceError('client', this.name, 'empty metric query: give a metric name or label matchers');
    const out: MetricSeries[] = [];
    for (const s of this.bundle.metrics) {
      const labels: Labels = { ...s.labels, ...(s.service && !s.labels.service ? { service: s.service } : {}) };
      const hit = selectors.some((sel) => (!sel.name || sel.name === s.name || sel.name === s.id) && sel.matchers.every((m) => matches(m, labels)));
      if (!hit) continue;
      const keep = s.timestamps.map((t, i) => (t >= q.start && t <= q.end ? i : -1)).filter((i) => i >= 0);
      out.push({ ...s, timestamps: keep.map((i) => s.timestamps[i]), values: keep.map((i) => s.values[i]) });
      if (q.limit && out.length >= q.limit) break;
    }
    return out;
  }

  /**
   * LogQL's `{label="v"} |= "text" != "other" |~ "re"` (labels matched against service, level and the
   * record's attributes), or a plain case-insensitive substring.
   */
  async queryLogs(q: LogQuery): Promise<LogRecord[]> {
    const { matchers, filters } = parseLogQuery(q.query, this.name);
    const out: LogRecord[] = [];
    for (const r of this.bundle.logs) {
      if (r.time < q.start || r.time > q.end) continue;
      if (q.service && r.service !== q.service) continue;
      const labels: Labels = { ...Object.fromEntries(Object.entries(r.attributes ?? {}).map(([k, v]) => [k, String(v)])), ...(r.service ? { service: r.service, service_name: r.service } : {}), level: r.level };
      if (!matchers.every((m) => matches(m, labels))) continue;
      if (!filters.every((f) => f(r.body))) continue;
      out.push(r);
      if (out.length >= q.limit) break;
    }
    return out;
  }

  async searchTraces(q: TraceQuery): Promise<TraceSummary[]> {
    const byTrace = new Map<string, Span[]>();
    for (const s of this.bundle.spans) {
      const list = byTrace.get(s.traceId);
      if (list) list.push(s);
      else byTrace.set(s.traceId, [s]);
    }
    const out: TraceSummary[] = [];
    for (const [traceId, spans] of byTrace) {
      const root = spans.find((s) => !s.parentSpanId || !spans.some((p) => p.spanId === s.parentSpanId)) ?? spans[0];
      const start = Math.min(...spans.map((s) => s.startTime));
      const end = Math.max(...spans.map((s) => s.endTime));
      if (end < q.start || start > q.end) continue;
      if (q.service && !spans.some((s) => s.service === q.service)) continue;
      const errorCount = spans.filter((s) => s.status === 'error').length;
      if (q.errorsOnly && !errorCount) continue;
      if (q.minDurationMs !== undefined && end - start < q.minDurationMs) continue;
      out.push({ traceId, rootService: root.service, rootName: root.name, startTime: start, durationMs: end - start, spanCount: spans.length, errorCount });
    }
    out.sort((a, b) => b.errorCount - a.errorCount || b.durationMs - a.durationMs);
    return out.slice(0, q.limit);
  }

  async getTrace(traceId: string): Promise<Span[]> {
    const spans = this.bundle.spans.filter((s) => s.traceId === traceId);
    if (!spans.length) throw new SourceError('not-found', this.name, `no trace ${traceId} in the bundle`);
    return spans;
  }

  async listChanges(window: TimeWindow): Promise<Change[]> {
    return this.bundle.changes.filter((c) => c.time <= window.end && (c.time >= window.start || (c.deploy && c.deploy.time >= window.start)));
  }

  /** A bundle has no history to blame: the lines come from its files, attributed to the last change that touched them. */
  async blame(path: string, startLine: number, endLine: number): Promise<BlameLine[]> {
    const text = this.bundle.files?.[path];
    if (text === undefined) throw new SourceError('not-found', this.name, `the bundle holds no file ${path}`);
    const lines = text.split('\n');
    const out: BlameLine[] = [];
    for (let line = Math.max(1, startLine); line <= Math.min(lines.length, endLine); line++) {
      const c = [...this.bundle.changes]
        .sort((a, b) => b.time - a.time)
        .find((ch) => ch.files.some((f) => f.path === path && (f.hunks ?? []).some((h) => line >= h.newStart && line < h.newStart + Math.max(1, h.newLines))));
      out.push({ line, sha: c?.sha ?? '0'.repeat(40), author: c?.author ?? 'unknown', time: c?.time ?? 0, summary: c?.message.split('\n')[0] ?? '(before the bundle)', text: lines[line - 1] });
    }
    return out;
  }

  /** The bundle's copy of a workspace file, when it carries one. */
  file(path: string): string | undefined {
    const files = this.bundle.files;
    return files && Object.prototype.hasOwnProperty.call(files, path) ? files[path] : undefined;
  }
}

/** Parses the LogQL subset a bundle understands; anything else is a plain substring. */
export function parseLogQuery(query: string, source: string): { matchers: LabelMatcher[]; filters: ((body: string) => boolean)[] } {
  const q = query.trim();
  if (!q.startsWith('{')) return { matchers: [], filters: q ? [(b) => b.toLowerCase().includes(q.toLowerCase())] : [] };
  const close = q.indexOf('}');
  if (close < 0) throw new SourceError('client', source, 'LogQL stream selector is missing its closing brace');
  let matchers: LabelMatcher[];
  try {
    matchers = parseSeriesSelector(q.slice(0, close + 1)).matchers;
  } catch (err) {
    throw new SourceError('client', source, `cannot read the stream selector: ${err instanceof Error ? err.message : String(err)}`);
  }
  const filters: ((body: string) => boolean)[] = [];
  const re = /\s*(\|=|!=|\|~|!~)\s*"((?:[^"\\]|\\.)*)"/y;
  let pos = close + 1;
  while (pos < q.length) {
    re.lastIndex = pos;
    const m = re.exec(q);
    if (!m) {
      if (!q.slice(pos).trim()) break;
      throw new SourceError('client', source, `a saved bundle understands only line filters (|= != |~ !~) after the selector, not ${JSON.stringify(q.slice(pos).trim().slice(0, 40))}`);
    }
    const value = m[2].replace(/\\(.)/g, '$1');
    if (m[1] === '|=') filters.push((b) => b.includes(value));
    else if (m[1] === '!=') filters.push((b) => !b.includes(value));
    else {
      if (value.length > 512) throw new SourceError('client', source, 'line filter regex longer than 512 characters');
      const rx = new RegExp(value);
      filters.push(m[1] === '|~' ? (b) => rx.test(b) : (b) => !rx.test(b));
    }
    pos = re.lastIndex;
  }
  return { matchers, filters };
}
