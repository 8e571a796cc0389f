// Jaeger's HTTP query API (/api/traces, /api/traces/{id}): times there are microseconds, parents
// are CHILD_OF references and services live in the per-trace processes map.

import type { Span, SpanEvent, SpanStatus, TraceSummary } from '../core/model';
import type { TraceQuery, TraceSource } from '../core/sources';
import { SourceError } from '../core/errors';
import { SourceHttp, type HttpSourceOptions } from './http';

export type JaegerOptions = HttpSourceOptions;

interface JaegerTag {
  key?: string;
  type?: string;
  value?: unknown;
}

interface JaegerSpan {
  traceID?: string;
  spanID?: string;
  operationName?: string;
  references?: { refType?: string; traceID?: string; spanID?: string }[];
  startTime?: number;
  duration?: number;
  tags?: JaegerTag[];
  logs?: { timestamp?: number; fields?: JaegerTag[] }[];
  processID?: string;
}

interface JaegerTrace {
  traceID?: string;
  spans?: JaegerSpan[];
  processes?: Record<string, { serviceName?: string; tags?: JaegerTag[] }>;
}

interface JaegerResponse {
  data?: JaegerTrace[] | null;
  errors?: { code?: number; msg?: string }[] | null;
}

export function isTraceId(id: string): boolean {
  return /^[0-9a-fA-F]{1,32}$/.test(id);
}

function tagValue(t: JaegerTag): string | number | boolean | undefined {
  const v = t.value;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return v === undefined || v === null ? undefined : JSON.stringify(v);
}

function tagMap(tags: JaegerTag[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const t of tags ?? []) {
    if (!t || typeof t.key !== 'string') continue;
    const v = tagValue(t);
    if (v !== undefined) out[t.key] = v;
  }
  return out;
}

/** otel.status_code wins; the older `error=true` tag also marks an error. */
export function statusFromTags(tags: Record<string, string | number | boolean>): SpanStatus {
  const code = String(tags['otel.status_code'] ?? '').toUpperCase();
  if (code === 'ERROR') return 'error';
  if (tags.error === true || tags.error === 'true') return 'error';
  if (code === 'OK') return 'ok';
  return 'unset';
}

export function mapJaegerTrace(trace: JaegerTrace): Span[] {
  const processes = trace.processes ?? {};
  const out: Span[] = [];
  for (const s of trace.spans ?? []) {
    if (!s || typeof s.spanID !== 'string' || typeof s.startTime !== 'number') continue;
    const tags = tagMap(s.tags);
    const refs = Array.isArray(s.references) ? s.references : [];
    const parent = refs.find((r) => r?.refType === 'CHILD_OF') ?? refs.find((r) => r?.refType === 'FOLLOWS_FROM');
    const startTime = s.startTime / 1000;
    const span: Span = {
      traceId: String(s.traceID ?? trace.traceID ?? ''),
      spanId: s.spanID,
      name: String(s.operationName ?? ''),
      service: processes[s.processID ?? '']?.serviceName ?? 'unknown',
      startTime,
      endTime: startTime + (typeof s.duration === 'number' ? s.duration : 0) / 1000,
      status: statusFromTags(tags),
      attributes: tags,
    };
    if (parent?.spanID) span.parentSpanId = parent.spanID;
    if (typeof tags['span.kind'] === 'string') span.kind = tags['span.kind'];
    const desc = tags['otel.status_description'] ?? tags['error.message'];
    if (typeof desc === 'string' && desc) span.statusMessage = desc;
    const events: SpanEvent[] = [];
    for (const log of s.logs ?? []) {
      if (!log || typeof log.timestamp !== 'number') continue;
      const fields = tagMap(log.fields);
      const name = String(fields.event ?? fields.message ?? fields.log ?? 'log');
      events.push({ name, time: log.timestamp / 1000, attributes: fields });
    }
    if (events.length) span.events = events;
    out.push(span);
  }
  return out;
}

export function summariseSpans(traceId: string, spans: Span[]): TraceSummary | undefined {
  if (!spans.length) return undefined;
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId)).sort((a, b) => a.startTime - b.startTime);
  const root = roots[0] ?? spans[0];
  let start = Infinity;
  let end = -Infinity;
  let errors = 0;
  for (const s of spans) {
    if (s.startTime < start) start = s.startTime;
    if (s.endTime > end) end = s.endTime;
    if (s.status === 'error') errors++;
  }
  return { traceId, rootService: root.service, rootName: root.name, startTime: start, durationMs: end - start, spanCount: spans.length, errorCount: errors };
}

/** Jaeger tags from a query: a JSON object as is, or `key=value` pairs separated by spaces. */
export function jaegerTags(query: string | undefined, errorsOnly?: boolean): Record<string, string> | undefined {
  const tags: Record<string, string> = {};
  const text = query?.trim();
  if (text) {
    if (text.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error('the tag filter starts with "{" but is not valid JSON');
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the tag filter must be a JSON object of key: value');
      for (const [k, v] of Object.entries(parsed)) tags[k] = String(v);
    } else {
      for (const pair of text.split(/\s+/)) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new Error(`"${pair}" is not key=value`);
        tags[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^"(.*)"$/, '$1');
      }
    }
  }
  if (errorsOnly) tags.error = 'true';
  return Object.keys(tags).length ? tags : undefined;
}

export class JaegerSource implements TraceSource {
  readonly name: string;
  readonly kind = 'jaeger';
  private readonly http: SourceHttp;

  constructor(opts: JaegerOptions) {
    this.name = opts.name;
    this.http = new SourceHttp(opts);
  }

  private unwrap(res: JaegerResponse, what: string): JaegerTrace[] {
    if (!res || typeof res !== 'object') throw new SourceError('malformed', this.name, `${what} did not return a JSON object`);
    if (Array.isArray(res.errors) && res.errors.length && !(Array.isArray(res.data) && res.data.length)) {
      const e = res.errors[0];
      throw new SourceError(e?.code === 404 ? 'not-found' : 'server', this.name, `${what}: ${e?.msg ?? 'error'}`);
    }
    if (res.data === null || res.data === undefined) return [];
    if (!Array.isArray(res.data)) throw new SourceError('malformed', this.name, `${what} returned no data list`);
    return res.data;
  }

  async searchTraces(q: TraceQuery, signal?: AbortSignal): Promise<TraceSummary[]> {
    if (!q.service) throw new SourceError('client', this.name, 'Jaeger searches need a service name');
    if (!Number.isFinite(q.start) || !Number.isFinite(q.end) || q.end <= q.start) throw new SourceError('client', this.name, 'the trace window must end after it starts');
    let tags: Record<string, string> | undefined;
    try {
      tags = jaegerTags(q.query, q.errorsOnly);
    } catch (err) {
      throw new SourceError('client', this.name, `bad trace filter: ${(err as Error).message}`);
    }
    const limit = Math.max(1, Math.min(q.limit || 20, 1500));
    const res = await this.http.json<JaegerResponse>(
      'GET',
      '/api/traces',
      {
        service: q.service,
        start: Math.floor(q.start * 1000),
        end: Math.ceil(q.end * 1000),
        limit,
        minDuration: q.minDurationMs ? `${q.minDurationMs}ms` : undefined,
        tags: tags ? JSON.stringify(tags) : undefined,
      },
      undefined,
      signal,
    );
    const out: TraceSummary[] = [];
    for (const t of this.unwrap(res, '/api/traces')) {
      const spans = mapJaegerTrace(t);
      const summary = summariseSpans(String(t.traceID ?? spans[0]?.traceId ?? ''), spans);
      if (summary) out.push(summary);
    }
    return out.slice(0, limit);
  }

  async getTrace(traceId: string, signal?: AbortSignal): Promise<Span[]> {
    if (!isTraceId(traceId)) throw new SourceError('client', this.name, `not a trace ID: ${JSON.stringify(traceId.slice(0, 80))}`);
    const res = await this.http.json<JaegerResponse>('GET', `/api/traces/${traceId}`, undefined, undefined, signal);
    const traces = this.unwrap(res, `/api/traces/${traceId}`);
    if (!traces.length) throw new SourceError('not-found', this.name, `trace ${traceId} not found`);
    return mapJaegerTrace(traces[0]);
  }
}
