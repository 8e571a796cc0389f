// Loki: LogQL pushed down to /loki/api/v1/query_range with the window in nanoseconds, a line
// limit and a direction, so only what the investigation shows crosses the network.

import type { LogRecord } from '../core/model';
import type { LogQuery, LogSource } from '../core/sources';
import { SourceError } from '../core/errors';
import { SourceHttp, type HttpSourceOptions } from './http';
import { levelFromLine, normaliseLogLevel } from './logFields';

export interface LokiOptions extends HttpSourceOptions {
  /** Stream label that names the service; service_name (what OpenTelemetry ingestion sets) by default. */
  serviceLabel?: string;
  /** Upper bound on lines whatever a caller asks. */
  maxLines?: number;
}

/** A LogQL string literal: quotes and backslashes escaped, so user text stays text. */
export function logqlString(s: string): string {
  return JSON.stringify(s);
}

const msToNs = (ms: number): string => (BigInt(Math.floor(ms)) * 1_000_000n).toString();

export class LokiSource implements LogSource {
  readonly name: string;
  readonly kind = 'loki';
  private readonly http: SourceHttp;

  constructor(private readonly opts: LokiOptions) {
    this.name = opts.name;
    this.http = new SourceHttp(opts);
  }

  /**
   * A query that starts with "{" is LogQL and goes as is. Anything else is a substring to find:
   * it becomes `{<service label>="svc"} |= "text"`, since LogQL needs a stream selector.
   */
  buildLogQL(q: LogQuery): string {
    const text = q.query?.trim() ?? '';
    if (text.startsWith('{')) return text;
    const label = this.opts.serviceLabel ?? 'service_name';
    const selector = q.service ? `{${label}=${logqlString(q.service)}}` : `{${label}=~".+"}`;
    return text ? `${selector} |= ${logqlString(text)}` : selector;
  }

  async queryLogs(q: LogQuery, signal?: AbortSignal): Promise<LogRecord[]> {
    if (!Number.isFinite(q.start) || !Number.isFinite(q.end) || q.end <= q.start) {
      throw new SourceError('client', this.name, 'the log window must end after it starts');
    }
    const limit = Math.max(1, Math.min(q.limit || 100, this.opts.maxLines ?? 5000));
    const logql = this.buildLogQL(q);
    const env = await this.http.json<{ status?: string; data?: { resultType?: string; result?: unknown } }>(
      'GET',
      '/loki/api/v1/query_range',
      { query: logql, start: msToNs(q.start), end: msToNs(q.end), limit, direction: 'backward' },
      undefined,
      signal,
    );
    if (!env || env.status !== 'success' || !env.data) throw new SourceError('malformed', this.name, 'query_range did not return the status/data envelope');
    if (env.data.resultType !== 'streams') {
      throw new SourceError('client', this.name, `the query returned ${String(env.data.resultType)} (a metric query?); use a log query such as {service_name="checkout"} |= "error"`);
    }
    if (!Array.isArray(env.data.result)) throw new SourceError('malformed', this.name, 'query_range returned no result list');
    const label = this.opts.serviceLabel ?? 'service_name';
    const out: LogRecord[] = [];
    for (const stream of env.data.result as { stream?: Record<string, unknown>; values?: unknown }[]) {
      if (!stream || !Array.isArray(stream.values)) continue;
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(stream.stream ?? {})) if (typeof v === 'string') labels[k] = v;
      const streamLevel = normaliseLogLevel(labels.level ?? labels.detected_level ?? labels.severity_text ?? labels.severity);
      const service = labels[label] ?? labels.service_name ?? labels.service ?? labels.app ?? labels.job;
      for (const v of stream.values as unknown[]) {
        if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string') continue;
        const ns = v[0];
        // Nanosecond strings exceed double precision; milliseconds do not.
        const time = ns.length > 6 ? Number(ns.slice(0, -6)) + Number(ns.slice(-6)) / 1e6 : Number(ns) / 1e6;
        const body = v[1];
        const rec: LogRecord = { time, body, level: streamLevel !== 'unknown' ? streamLevel : levelFromLine(body), attributes: { ...labels } };
        if (service) rec.service = service;
        // Structured metadata (Loki 3) arrives as a third element.
        const meta = v[2] as Record<string, unknown> | undefined;
        const traceId = labels.trace_id ?? labels.traceID ?? (meta && typeof meta === 'object' ? (meta as { structuredMetadata?: Record<string, string> }).structuredMetadata?.trace_id ?? (meta as Record<string, string>).trace_id : undefined);
        if (typeof traceId === 'string' && traceId) rec.traceId = traceId;
        out.push(rec);
      }
    }
    // Streams arrive one after another: merge them newest first, and keep the limit even if a proxy ignored it.
    out.sort((a, b) => b.time - a.time);
    return out.slice(0, limit);
  }
}
