// Shared test helpers: synthetic spans/logs and small HTTP calls against a receiver.
import * as http from 'node:http';
import type { LogLevel, LogRecord } from '../../../src/core/model';
import type { OtlpSpan } from '../../../src/sources/otlp/decode';

let counter = 0;

export function hexId(bytes: number): string {
  counter++;
  return (counter.toString(16) + 'a'.repeat(bytes * 2)).slice(0, bytes * 2);
}

export function serverSpan(opts: {
  service: string;
  route?: string;
  end: number;
  durationMs?: number;
  error?: boolean;
  traceId?: string;
  attrs?: Record<string, string | number | boolean>;
}): OtlpSpan {
  const route = opts.route ?? '/pay';
  return {
    traceId: opts.traceId ?? hexId(16),
    spanId: hexId(8),
    name: `POST ${route}`,
    service: opts.service,
    kind: 'server',
    startTime: opts.end - (opts.durationMs ?? 20),
    endTime: opts.end,
    status: opts.error ? 'error' : 'unset',
    attributes: { 'http.route': route, 'http.request.method': 'POST', ...opts.attrs },
  };
}

export function logRecord(service: string, time: number, level: LogLevel, body: string): LogRecord {
  return { service, time, level, body };
}

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request over loopback; bounded by a timeout so a hung server fails the test instead of hanging it. */
export function request(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: Uint8Array | string }): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'POST', path: opts.path, headers: opts.headers, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}
