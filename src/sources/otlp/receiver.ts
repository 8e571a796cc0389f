// The OTLP/HTTP receiver: POST /v1/traces, /v1/metrics and /v1/logs with OTLP/JSON or OTLP/protobuf
// bodies (optionally gzip- or deflate-compressed), answered as the OTLP/HTTP spec says: 200 with an
// Export*ServiceResponse in the request's encoding (partial_success when items were rejected, or as a
// warning when limits dropped or truncated attributes), 400 with a google.rpc.Status for a bad body,
// 413 over the size limit, 415 for other content types, 405 for other methods, and 429 with
// Retry-After when it is under memory pressure. Nothing a client sends can crash it.
// It serves this machine's exporters only: a request whose Host is not the address it is bound to
// (DNS rebinding) or that carries a browser's Origin (a web page) is refused with 403.

import * as http from 'node:http';
import * as v8 from 'node:v8';
import * as zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { SourceError, errorMessage } from '../../core/errors';
import { type Logger, scopedLogger, silentLogger } from '../../core/logger';
import { browserRequestProblem, hostHeaderProblem, mediaType } from '../localHttpGuard';
import { DEFAULT_OTLP_LIMITS, type LimitTally, type OtlpLimits, OtlpDecodeError, describeTally } from './decode';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from './otlpJson';
import { decodeLogsProto, decodeMetricsProto, decodeTracesProto } from './otlpProto';
import { ProtoWriter } from './protobuf';
import type { TelemetryStore } from './store';

export type Signal = 'traces' | 'metrics' | 'logs';
export type Format = 'json' | 'proto';

export interface OtlpReceiverOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  store: TelemetryStore;
  /** Largest accepted body, both as sent and after decompression. */
  maxBodyBytes?: number;
  /** Bodies (raw and decompressed) held at once by requests not yet stored; over it, 429. Default 2 x maxBodyBytes. */
  maxInflightBytes?: number;
  /** Fraction of V8's heap limit above which requests get 429 instead of being decoded. Default 0.8. */
  heapPressureRatio?: number;
  /** Attribute, event and link limits (OpenTelemetry SDK defaults). */
  limits?: Partial<OtlpLimits>;
  logger?: Logger;
}

export interface ReceiverStats {
  requests: number;
  accepted: Record<Signal, number>;
  rejected: Record<Signal, number>;
  /** Requests decoded per body encoding. */
  decoded: Record<Format, number>;
  badRequests: number;
  /** Requests answered 429 (memory pressure) and 403 (foreign Host or Origin). */
  throttled: number;
  forbidden: number;
  /** What the limits took away, over all requests. */
  limited: LimitTally;
}

export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

const PATHS: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };

// The partial_success field names of each signal's response (JSON), per the collector protos.
const REJECTED_FIELD: Record<Signal, string> = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' };

// google.rpc.Code values used in Status bodies.
const CODE_INVALID_ARGUMENT = 3;
const CODE_PERMISSION_DENIED = 7;
const CODE_RESOURCE_EXHAUSTED = 8;
const CODE_UNIMPLEMENTED = 12;
const CODE_INTERNAL = 13;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export class OtlpReceiver {
  private server: http.Server | undefined;
  private readonly host: string;
  private readonly port: number;
  private readonly store: TelemetryStore;
  private readonly maxBodyBytes: number;
  private readonly maxInflightBytes: number;
  private readonly heapPressureRatio: number;
  private readonly limits: OtlpLimits;
  private readonly logger: Logger;
  private boundPort = 0;
  /** Bytes of bodies received (and decompressed) but not yet stored. */
  private inflight = 0;
  readonly stats: ReceiverStats = {
    requests: 0,
    accepted: { traces: 0, metrics: 0, logs: 0 },
    rejected: { traces: 0, metrics: 0, logs: 0 },
    decoded: { json: 0, proto: 0 },
    badRequests: 0,
    throttled: 0,
    forbidden: 0,
    limited: { droppedAttributes: 0, droppedEvents: 0, droppedLinks: 0, truncatedValues: 0 },
  };

  constructor(opts: OtlpReceiverOptions) {
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? 4318;
    this.store = opts.store;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxInflightBytes = opts.maxInflightBytes ?? 2 * this.maxBodyBytes;
    this.heapPressureRatio = opts.heapPressureRatio ?? 0.8;
    this.limits = { ...DEFAULT_OTLP_LIMITS, ...(opts.limits ?? {}) };
    this.logger = scopedLogger(opts.logger ?? silentLogger, 'otlp-receiver');
  }

  /** Listens; fails with a SourceError of kind 'config' when the port is taken. */
  async start(): Promise<{ port: number }> {
    if (this.server) return { port: (this.server.address() as AddressInfo).port };
    const server = http.createServer((req, res) => this.handle(req, res));
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.removeListener('listening', onListening);
        if (err.code === 'EADDRINUSE')
          reject(
            new SourceError(
              'config',
              'otlp-receiver',
              `port ${this.port} on ${this.host} is already in use, so the embedded OTLP receiver cannot listen. ` +
                'Stop whatever holds it, or set incidentLens.receiver.port to another port (0 picks a free one) ' +
                'and point OTEL_EXPORTER_OTLP_ENDPOINT at it.',
            ),
          );
        else if (err.code === 'EACCES')
          reject(new SourceError('config', 'otlp-receiver', `not allowed to listen on ${this.host}:${this.port}; set incidentLens.receiver.port to a port above 1024.`));
        else reject(new SourceError('config', 'otlp-receiver', `cannot listen on ${this.host}:${this.port}: ${err.message}`));
      };
      const onListening = () => {
        server.removeListener('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(this.port, this.host);
    });
    server.on('error', (err) => this.logger.error(`server error: ${err.message}`));
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    this.boundPort = port;
    this.logger.info(`listening on http://${this.host}:${port} (OTLP/HTTP: /v1/traces, /v1/metrics, /v1/logs)`);
    return { port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.stats.requests++;
    const path = (req.url ?? '/').split('?')[0];
    const signal = PATHS[path];
    const format = formatOf(req.headers['content-type']);
    const hostProblem = hostHeaderProblem(req.headers.host, this.host, this.boundPort);
    if (hostProblem) return this.forbid(res, format, hostProblem);
    // Exporters send no Origin; browsers do, on every cross-site POST. No page is ever served here.
    const browser = browserRequestProblem(req.headers);
    if (browser) return this.forbid(res, format, browser);
    if (!signal) return this.fail(res, format ?? 'json', new HttpFailure(404, CODE_UNIMPLEMENTED, `no OTLP endpoint at ${path}: use /v1/traces, /v1/metrics or /v1/logs`));
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return this.fail(res, format ?? 'json', new HttpFailure(405, CODE_UNIMPLEMENTED, `${req.method} is not allowed on ${path}: OTLP/HTTP uses POST`));
    }
    if (!format)
      return this.fail(
        res,
        'json',
        new HttpFailure(415, CODE_INVALID_ARGUMENT, `unsupported Content-Type "${String(req.headers['content-type'] ?? '')}": use application/json or application/x-protobuf`),
      );
    const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'deflate' && encoding !== '')
      return this.fail(res, format, new HttpFailure(415, CODE_INVALID_ARGUMENT, `unsupported Content-Encoding "${encoding}": use gzip or none`));
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBodyBytes) return this.fail(res, format, this.tooLarge());
    const pressure = this.pressure(Number.isFinite(declared) ? declared : 0);
    if (pressure) return this.fail(res, format, pressure);

    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    let failed = false;
    // Every byte this request holds counts against the in-flight budget until it is stored or refused.
    const hold = (n: number): void => {
      held += n;
      this.inflight += n;
    };
    const release = (): void => {
      this.inflight -= held;
      held = 0;
    };
    res.on('close', release);
    // A declared length is reserved at once, so that many requests starting together cannot all pass.
    if (Number.isFinite(declared) && declared > 0) hold(declared);
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > this.maxBodyBytes) {
        failed = true;
        chunks.length = 0;
        release();
        this.fail(res, format, this.tooLarge());
        return;
      }
      if (size > held) {
        if (this.inflight + (size - held) > this.maxInflightBytes) {
          failed = true;
          chunks.length = 0;
          release();
          this.fail(res, format, this.throttle('too many request bodies are being received at once'));
          return;
        }
        hold(size - held);
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      failed = true;
      release();
    });
    req.on('end', () => {
      if (failed) return;
      const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      chunks.length = 0;
      this.decompress(raw, encoding)
        .then((body) => {
          if (body !== raw) hold(body.length);
          // The heap may have filled while this body arrived: decoding it now could be what kills the host.
          const late = this.pressure(0);
          if (late) throw late;
          this.ingest(res, signal, format, body);
        })
        .catch((err: unknown) => this.fail(res, format, err))
        .finally(release);
    });
  }

  /** A 429 when accepting `incoming` more bytes now would put the host's memory at risk. */
  private pressure(incoming: number): HttpFailure | undefined {
    if (this.inflight + incoming > this.maxInflightBytes) return this.throttle('too many request bodies are being received at once');
    const heap = v8.getHeapStatistics();
    if (heap.used_heap_size > this.heapPressureRatio * heap.heap_size_limit) return this.throttle('the extension host is short of memory', 5);
    return undefined;
  }

  private throttle(why: string, seconds = 1): HttpFailure {
    return new HttpFailure(429, CODE_RESOURCE_EXHAUSTED, `the receiver is under memory pressure (${why}): retry after ${seconds} s`, seconds);
  }

  private forbid(res: http.ServerResponse, format: Format | undefined, message: string): void {
    this.stats.forbidden++;
    this.fail(res, format ?? 'json', new HttpFailure(403, CODE_PERMISSION_DENIED, message));
  }

  private tooLarge(): HttpFailure {
    return new HttpFailure(413, CODE_RESOURCE_EXHAUSTED, `request body is larger than ${this.maxBodyBytes} bytes: send smaller batches`);
  }

  private decompress(raw: Buffer, encoding: string): Promise<Buffer> {
    if (encoding !== 'gzip' && encoding !== 'deflate') return Promise.resolve(raw);
    return new Promise((resolve, reject) => {
      const done = (err: Error | null, out: Buffer) => {
        if (!err) return resolve(out);
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return reject(this.tooLarge());
        reject(new HttpFailure(400, CODE_INVALID_ARGUMENT, `cannot decompress the ${encoding} body: ${err.message}`));
      };
      if (encoding === 'gzip') zlib.gunzip(raw, { maxOutputLength: this.maxBodyBytes }, done);
      else zlib.inflate(raw, { maxOutputLength: this.maxBodyBytes }, done);
    });
  }

  private ingest(res: http.ServerResponse, signal: Signal, format: Format, body: Buffer): void {
    const limits = this.limits;
    const d =
      signal === 'traces'
        ? format === 'proto' ? decodeTracesProto(body, limits) : decodeTracesJson(body, limits)
        : signal === 'metrics'
          ? format === 'proto' ? decodeMetricsProto(body, limits) : decodeMetricsJson(body, limits)
          : format === 'proto' ? decodeLogsProto(body, Date.now(), limits) : decodeLogsJson(body, Date.now(), limits);
    const added =
      'spans' in d ? this.store.addSpans(d.spans) : 'points' in d ? this.store.addMetricPoints(d.points) : this.store.addLogs(d.logs);
    const messages: string[] = [];
    if (d.errorMessage) messages.push(d.errorMessage);
    if (added.refused) {
      messages.push(`${added.refused} item(s) refused: this one request is larger than half the store's memory cap of ${Math.round(this.store.maxBytes / 1048576)} MB; send smaller batches or raise incidentLens.receiver.maxMemoryMB`);
    }
    const limited = describeTally(d.limited, limits);
    if (limited) messages.push(limited);
    for (const k of Object.keys(d.limited) as (keyof LimitTally)[]) this.stats.limited[k] += d.limited[k];
    const rejected = d.rejected + added.refused;
    this.stats.accepted[signal] += added.accepted;
    this.stats.rejected[signal] += rejected;
    this.stats.decoded[format]++;
    this.respond(res, 200, format, exportResponse(signal, format, rejected, messages.join('; ') || undefined));
  }

  private fail(res: http.ServerResponse, format: Format, err: unknown): void {
    let failure: HttpFailure;
    if (err instanceof HttpFailure) failure = err;
    else if (err instanceof OtlpDecodeError) failure = new HttpFailure(400, CODE_INVALID_ARGUMENT, err.message);
    else {
      this.logger.error(`failed to handle a request: ${errorMessage(err)}`);
      failure = new HttpFailure(500, CODE_INTERNAL, 'internal error while storing the request');
    }
    if (failure.status === 400) this.stats.badRequests++;
    if (failure.status === 429) {
      this.stats.throttled++;
      if (!res.headersSent) res.setHeader('Retry-After', String(failure.retryAfterSeconds ?? 1));
    }
    this.logger.debug(`${failure.status}: ${failure.message}`);
    this.respond(res, failure.status, format, statusBody(format, failure.code, failure.message));
  }

  private respond(res: http.ServerResponse, status: number, format: Format, body: Uint8Array | string): void {
    if (res.headersSent || res.writableEnded) return;
    res.statusCode = status;
    res.setHeader('Content-Type', format === 'proto' ? 'application/x-protobuf' : 'application/json');
    res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
    res.end(body);
  }
}

function formatOf(contentType: string | undefined): Format | undefined {
  const media = mediaType(contentType);
  // Only the two types the OTLP/HTTP specification names: a browser can send text/plain without asking.
  if (media === 'application/json') return 'json';
  if (media === 'application/x-protobuf') return 'proto';
  return undefined;
}

/**
 * Export{Trace,Metrics,Logs}ServiceResponse { partial_success = 1 { rejected_* = 1; error_message = 2 } }.
 * With nothing rejected but a message, it is the spec's warning form: rejected 0, message non-empty.
 */
export function exportResponse(signal: Signal, format: Format, rejected: number, message?: string): Uint8Array | string {
  if (format === 'json') {
    if (!rejected && !message) return '{}';
    return JSON.stringify({ partialSuccess: { [REJECTED_FIELD[signal]]: String(rejected), errorMessage: message ?? '' } });
  }
  if (!rejected && !message) return new Uint8Array(0);
  const partial = new ProtoWriter();
  if (rejected) partial.uint(1, rejected);
  if (message) partial.string(2, message);
  return new ProtoWriter().message(1, partial).finish();
}

/** google.rpc.Status { int32 code = 1; string message = 2 } */
export function statusBody(format: Format, code: number, message: string): Uint8Array | string {
  if (format === 'json') return JSON.stringify({ code, message });
  return new ProtoWriter().uint(1, code).string(2, message).finish();
}
