// In-memory backends that answer from a generated incident, filtering by the query like a real store
// would: the investigation pipeline's inputs in unit tests (the real backends are tested in
// test/unit/sources/ and test/unit/otlp/).
import type { BlameLine, Change, LogRecord, MetricSeries, Span, TraceSummary } from '../../../src/core/model';
import type { ChangeSource, LogQuery, LogSource, MetricSource, TraceQuery, TraceSource, TimeWindow } from '../../../src/core/sources';

export class ScenarioMetrics implements MetricSource {
  readonly name = 'metrics';
  readonly kind = 'memory';
  constructor(private readonly series: MetricSeries[]) {}
  async queryRange(): Promise<MetricSeries[]> {
    return [];
  }
  async seriesForService(service: string, window: TimeWindow): Promise<MetricSeries[]> {
    return this.series
      .filter((s) => s.service === service)
      .map((s) => {
        const keep = s.timestamps.map((t, i) => (t >= window.start && t <= window.end ? i : -1)).filter((i) => i >= 0);
        return { ...s, timestamps: keep.map((i) => s.timestamps[i]), values: keep.map((i) => s.values[i]) };
      });
  }
}

export class ScenarioLogs implements LogSource {
  readonly name = 'logs';
  readonly kind = 'memory';
  constructor(private readonly logs: LogRecord[]) {}
  async queryLogs(q: LogQuery): Promise<LogRecord[]> {
    return this.logs.filter((r) => r.time >= q.start && r.time <= q.end && (!q.service || r.service === q.service)).slice(-q.limit);
  }
}

export class ScenarioTraces implements TraceSource {
  readonly name = 'traces';
  readonly kind = 'memory';
  private readonly byTrace = new Map<string, Span[]>();
  constructor(spans: Span[]) {
    for (const s of spans) this.byTrace.set(s.traceId, [...(this.byTrace.get(s.traceId) ?? []), s]);
  }
  async searchTraces(q: TraceQuery): Promise<TraceSummary[]> {
    const out: TraceSummary[] = [];
    for (const [traceId, spans] of this.byTrace) {
      const root = spans.find((s) => !s.parentSpanId)!;
      if (root.startTime < q.start || root.startTime > q.end) continue;
      if (q.service && !spans.some((s) => s.service === q.service)) continue;
      if (q.errorsOnly && !spans.some((s) => s.status === 'error')) continue;
      out.push({ traceId, rootService: root.service, rootName: root.name, startTime: root.startTime, durationMs: root.endTime - root.startTime, spanCount: spans.length, errorCount: spans.filter((s) => s.status === 'error').length });
    }
    // Newest first, as Jaeger and Tempo answer a search.
    return out.sort((a, b) => b.startTime - a.startTime).slice(0, q.limit);
  }
  async getTrace(traceId: string): Promise<Span[]> {
    return this.byTrace.get(traceId) ?? [];
  }
}

export class ScenarioChanges implements ChangeSource {
  readonly name = 'changes';
  readonly kind = 'memory';
  constructor(private readonly changes: Change[]) {}
  async listChanges(window: TimeWindow): Promise<Change[]> {
    return this.changes.filter((c) => (c.deploy?.time ?? c.time) >= window.start && c.time <= window.end);
  }
  async blame(): Promise<BlameLine[]> {
    return [];
  }
}
