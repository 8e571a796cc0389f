// Elasticsearch and OpenSearch logs through _search: a time range on the timestamp field, an
// optional query_string, a size limit and newest-first sort are always sent.

import type { LogRecord } from '../core/model';
import type { LogQuery, LogSource } from '../core/sources';
import { SourceError } from '../core/errors';
import { SourceHttp, type HttpSourceOptions } from './http';
import { levelFromLine, normaliseLogLevel } from './logFields';

export interface ElasticsearchFields {
  time: string;
  message: string;
  level: string;
  service: string;
  traceId: string;
  spanId: string;
}

/** ECS names, which Elastic's and OpenSearch's OpenTelemetry ingestion also write. */
export const defaultElasticsearchFields: ElasticsearchFields = {
  time: '@timestamp',
  message: 'message',
  level: 'log.level',
  service: 'service.name',
  traceId: 'trace.id',
  spanId: 'span.id',
};

// Read when the configured field is absent: other common shapes of the same fact.
const fallbackFields: Record<keyof ElasticsearchFields, string[]> = {
  time: ['timestamp', 'time', '@t'],
  message: ['body', 'log', 'msg', 'Body', 'event.original'],
  level: ['level', 'severity_text', 'severity', 'SeverityText', 'loglevel'],
  service: ['resource.service.name', 'service', 'app', 'kubernetes.labels.app'],
  traceId: ['trace_id', 'traceId', 'traceID', 'TraceId'],
  spanId: ['span_id', 'spanId', 'spanID', 'SpanId'],
};

export interface ElasticsearchOptions extends HttpSourceOptions {
  kind?: 'elasticsearch' | 'opensearch';
  /** Index pattern, e.g. "logs-*". */
  index?: string;
  fields?: Partial<ElasticsearchFields>;
  maxHits?: number;
}

/** Reads "a.b.c" from a document whether it is nested ({a:{b:{c}}}), flat ({"a.b.c"}) or mixed. */
export function readPath(doc: unknown, path: string): unknown {
  if (!doc || typeof doc !== 'object') return undefined;
  const obj = doc as Record<string, unknown>;
  if (path in obj) return obj[path];
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  // Try every split point: "log.level" may be stored as {log:{level}} or {"log":{"level":..}}.
  for (let i = dot; i >= 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (head in obj) {
      const found = readPath(obj[head], path.slice(i + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export class ElasticsearchSource implements LogSource {
  readonly name: string;
  readonly kind: 'elasticsearch' | 'opensearch';
  readonly fields: ElasticsearchFields;
  private readonly http: SourceHttp;
  private readonly index: string;

  constructor(private readonly opts: ElasticsearchOptions) {
    this.name = opts.name;
    this.kind = opts.kind ?? 'elasticsearch';
    this.fields = { ...defaultElasticsearchFields, ...(opts.fields ?? {}) };
    this.http = new SourceHttp(opts);
    this.index = opts.index?.trim() || 'logs-*';
    // The index goes into the URL path: refuse anything that could change the path or call another API.
    if (!/^[^\s/?#\\]+$/.test(this.index) || this.index.startsWith('_')) {
      throw new SourceError('config', this.name, `index pattern ${JSON.stringify(this.index)} is not valid (no spaces, slashes, "?", "#", and no leading "_")`);
    }
  }

  buildSearchBody(q: LogQuery): Record<string, unknown> {
    const limit = Math.max(1, Math.min(q.limit || 100, this.opts.maxHits ?? 10_000));
    const filter: unknown[] = [{ range: { [this.fields.time]: { gte: Math.floor(q.start), lte: Math.ceil(q.end), format: 'epoch_millis' } } }];
    const text = q.query?.trim();
    if (text) filter.push({ query_string: { query: text, default_field: this.fields.message } });
    if (q.service) filter.push({ term: { [this.fields.service]: q.service } });
    return {
      size: limit,
      sort: [{ [this.fields.time]: { order: 'desc' } }],
      track_total_hits: false,
      query: { bool: { filter } },
    };
  }

  async queryLogs(q: LogQuery, signal?: AbortSignal): Promise<LogRecord[]> {
    if (!Number.isFinite(q.start) || !Number.isFinite(q.end) || q.end <= q.start) {
      throw new SourceError('client', this.name, 'the log window must end after it starts');
    }
    const body = this.buildSearchBody(q);
    const res = await this.http.json<{ hits?: { hits?: unknown }; timed_out?: boolean }>(
      'POST',
      `/${encodeURIComponent(this.index).replace(/%2A/gi, '*').replace(/%2C/gi, ',')}/_search`,
      { ignore_unavailable: true, allow_no_indices: true },
      body,
      signal,
    );
    if (!res || typeof res !== 'object' || !res.hits || !Array.isArray(res.hits.hits)) {
      throw new SourceError('malformed', this.name, '_search returned no hits.hits list');
    }
    const out: LogRecord[] = [];
    for (const hit of res.hits.hits as { _source?: unknown; _id?: unknown; _index?: unknown }[]) {
      const src = hit?._source;
      if (!src || typeof src !== 'object') continue;
      const rec = this.toRecord(src as Record<string, unknown>);
      if (rec) out.push(rec);
    }
    return out.slice(0, body.size as number);
  }

  private field(src: Record<string, unknown>, which: keyof ElasticsearchFields): unknown {
    const v = readPath(src, this.fields[which]);
    if (v !== undefined && v !== null) return v;
    for (const alt of fallbackFields[which]) {
      const w = readPath(src, alt);
      if (w !== undefined && w !== null) return w;
    }
    return undefined;
  }

  private toRecord(src: Record<string, unknown>): LogRecord | undefined {
    const rawTime = this.field(src, 'time');
    const time = typeof rawTime === 'number' ? rawTime : typeof rawTime === 'string' ? Date.parse(rawTime) : Number.NaN;
    if (!Number.isFinite(time)) return undefined;
    const rawBody = this.field(src, 'message');
    const body = typeof rawBody === 'string' ? rawBody : rawBody === undefined ? JSON.stringify(src) : JSON.stringify(rawBody);
    const rawLevel = this.field(src, 'level');
    let level = normaliseLogLevel(rawLevel);
    if (level === 'unknown') level = levelFromLine(body);
    const rec: LogRecord = { time, body, level };
    const service = this.field(src, 'service');
    if (typeof service === 'string' && service) rec.service = service;
    const traceId = this.field(src, 'traceId');
    if (typeof traceId === 'string' && traceId) rec.traceId = traceId;
    const spanId = this.field(src, 'spanId');
    if (typeof spanId === 'string' && spanId) rec.spanId = spanId;
    const attributes: Record<string, string | number | boolean> = {};
    const skip = new Set([this.fields.time, this.fields.message]);
    for (const [k, v] of Object.entries(src)) {
      if (skip.has(k)) continue;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attributes[k] = v;
    }
    if (Object.keys(attributes).length) rec.attributes = attributes;
    return rec;
  }
}
