// Tempo: TraceQL search through /api/search (window in seconds, limit always sent) and traces by
// id through /api/traces/{id}, which answers OTLP JSON (batches or resourceSpans).

import type { Span, SpanEvent, SpanStatus, TraceSummary } from '../core/model';
import type { TraceQuery, TraceSource } from '../core/sources';
import { SourceError } from '../core/errors';
import { SourceHttp, type HttpSourceOptions } from './http';
import { isTraceId } from './jaeger';

export type TempoOptions = HttpSourceOptions;

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}

interface OtlpKeyValue {
  key?: string;
  value?: OtlpAnyValue;
}

interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: string | number;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpKeyValue[];
  status?: { code?: string | number; message?: string };
  events?: { timeUnixNano?: string | number; name?: string; attributes?: OtlpKeyValue[] }[];
}

interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: { spans?: OtlpSpan[] }[];
  instrumentationLibrarySpans?: { spans?: OtlpSpan[] }[];
}

/** OTLP JSON ids are hex by the spec, but Tempo's protobuf JSON writes them base64: accept both. */
export function otlpIdToHex(id: string | undefined): string {
  if (!id) return '';
  if (/^[0-9a-fA-F]+$/.test(id) && (id.length === 16 || id.length === 32)) return id.toLowerCase();
  const bytes = Buffer.from(id, 'base64');
  if (bytes.length === 8 || bytes.length === 16) return bytes.toString('hex');
  return id;
}

function anyValue(v: OtlpAnyValue | undefined): string | number | boolean | undefined {
  if (!v || typeof v !== 'object') return undefined;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (typeof v.doubleValue === 'number') return v.doubleValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.arrayValue) return JSON.stringify((v.arrayValue.values ?? []).map(anyValue));
  if (v.kvlistValue) return JSON.stringify(attrMap(v.kvlistValue.values));
  if (typeof v.bytesValue === 'string') return v.bytesValue;
  return undefined;
}

function attrMap(kvs: OtlpKeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of kvs ?? []) {
    if (!kv || typeof kv.key !== 'string') continue;
    const v = anyValue(kv.value);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

function nanosToMs(raw: string | number | undefined): number {
  if (raw === undefined) return 0;
  const s = String(raw);
  // Split so 19-digit nanosecond values keep sub-millisecond precision.
  return s.length > 6 ? Number(s.slice(0, -6)) + Number(s.slice(-6)) / 1e6 : Number(s) / 1e6;
}

const kindNames = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

function spanKind(raw: string | number | undefined): string | undefined {
  if (typeof raw === 'number') return kindNames[raw] && raw > 0 ? kindNames[raw] : undefined;
  if (typeof raw === 'string') {
    const k = raw.replace(/^SPAN_KIND_/, '').toLowerCase();
    return k && k !== 'unspecified' ? k : undefined;
  }
  return undefined;
}

function spanStatus(code: string | number | undefined): SpanStatus {
  if (code === 2 || code === 'STATUS_CODE_ERROR' || code === 'ERROR') return 'error';
  if (code === 1 || code === 'STATUS_CODE_OK' || code === 'OK') return 'ok';
  return 'unset';
}

/** OTLP JSON trace (batches, resourceSpans, or Tempo v2's {trace:{resourceSpans}}) into Spans. */
export function mapOtlpTrace(body: unknown): Span[] {
  const b = (body ?? {}) as { batches?: OtlpResourceSpans[]; resourceSpans?: OtlpResourceSpans[]; trace?: { resourceSpans?: OtlpResourceSpans[] } };
  const groups = b.batches ?? b.resourceSpans ?? b.trace?.resourceSpans;
  if (!Array.isArray(groups)) throw new Error('no batches or resourceSpans');
  const out: Span[] = [];
  for (const rs of groups) {
    const resource = attrMap(rs?.resource?.attributes);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown';
    for (const scope of rs?.scopeSpans ?? rs?.instrumentationLibrarySpans ?? []) {
      for (const s of scope?.spans ?? []) {
        if (!s || typeof s.spanId !== 'string') continue;
        const attributes = attrMap(s.attributes);
        const span: Span = {
          traceId: otlpIdToHex(s.traceId),
          spanId: otlpIdToHex(s.spanId),
          name: String(s.name ?? ''),
          service,
          startTime: nanosToMs(s.startTimeUnixNano),
          endTime: nanosToMs(s.endTimeUnixNano),
          status: spanStatus(s.status?.code),
          attributes,
        };
        const parent = otlpIdToHex(s.parentSpanId);
        if (parent) span.parentSpanId = parent;
        const kind = spanKind(s.kind);
        if (kind) span.kind = kind;
        if (s.status?.message) span.statusMessage = s.status.message;
        const events: SpanEvent[] = (s.events ?? []).map((e) => ({ name: String(e?.name ?? ''), time: nanosToMs(e?.timeUnixNano), attributes: attrMap(e?.attributes) }));
        if (events.length) span.events = events;
        out.push(span);
      }
    }
  }
  return out;
}

/** Builds the TraceQL for a structured query; a query that already is TraceQL goes as is. */
export function buildTraceQL(q: TraceQuery): string {
  const text = q.query?.trim();
  if (text) return text;
  const conditions: string[] = [];
  if (q.service) conditions.push(`resource.service.name = ${JSON.stringify(q.service)}`);
  if (q.errorsOnly) conditions.push('status = error');
  if (q.minDurationMs) conditions.push(`duration >= ${Math.max(0, Math.floor(q.minDurationMs))}ms`);
  return conditions.length ? `{ ${conditions.join(' && ')} }` : '{}';
}

export class TempoSource implements TraceSource {
  readonly name: string;
  readonly kind = 'tempo';
  private readonly http: SourceHttp;

  constructor(opts: TempoOptions) {
    this.name = opts.name;
    this.http = new SourceHttp(opts);
  }

  async searchTraces(q: TraceQuery, signal?: AbortSignal): Promise<TraceSummary[]> {
    if (!Number.isFinite(q.start) || !Number.isFinite(q.end) || q.end <= q.start) throw new SourceError('client', this.name, 'the trace window must end after it starts');
    const limit = Math.max(1, Math.min(q.limit || 20, 1000));
    const res = await this.http.json<{ traces?: unknown }>(
      'GET',
      '/api/search',
      { q: buildTraceQL(q), start: Math.floor(q.start / 1000), end: Math.ceil(q.end / 1000), limit },
      undefined,
      signal,
    );
    if (!res || typeof res !== 'object') throw new SourceError('malformed', this.name, '/api/search did not return a JSON object');
    if (res.traces === undefined || res.traces === null) return [];
    if (!Array.isArray(res.traces)) throw new SourceError('malformed', this.name, '/api/search returned no traces list');
    const out: TraceSummary[] = [];
    for (const t of res.traces as Record<string, unknown>[]) {
      if (!t || typeof t.traceID !== 'string') continue;
      // Search results say how many spans matched, not how many the trace has.
      const spanSets = (Array.isArray(t.spanSets) ? t.spanSets : t.spanSet ? [t.spanSet] : []) as { matched?: number }[];
      const matched = spanSets.reduce((n, s) => n + (typeof s?.matched === 'number' ? s.matched : 0), 0);
      out.push({
        traceId: otlpIdToHex(t.traceID.padStart(32, '0')),
        rootService: typeof t.rootServiceName === 'string' ? t.rootServiceName : 'unknown',
        rootName: typeof t.rootTraceName === 'string' ? t.rootTraceName : '',
        startTime: nanosToMs(t.startTimeUnixNano as string | undefined),
        // Tempo omits durationMs below one millisecond.
        durationMs: typeof t.durationMs === 'number' ? t.durationMs : 0,
        spanCount: matched,
        errorCount: q.errorsOnly ? matched : 0,
      });
    }
    return out.slice(0, limit);
  }

  async getTrace(traceId: string, signal?: AbortSignal): Promise<Span[]> {
    if (!isTraceId(traceId)) throw new SourceError('client', this.name, `not a trace ID: ${JSON.stringify(traceId.slice(0, 80))}`);
    const body = await this.http.json<unknown>('GET', `/api/traces/${traceId}`, undefined, undefined, signal);
    try {
      return mapOtlpTrace(body);
    } catch (err) {
      throw new SourceError('malformed', this.name, `/api/traces/${traceId} is not an OTLP trace: ${(err as Error).message}`);
    }
  }
}
