// A small HTTP client on node-fetch (the transport the product names), with what plain fetch lacks:
// a hard byte limit that aborts the read (applied to the decoded body), a per-request timeout, retries
// only where they are safe, no silent redirects, and errors that say exactly what went wrong
// (SourceError kinds) without ever printing a credential.

import type * as http from 'node:http';
import * as zlib from 'node:zlib';
import fetch, { type FetchError, type RequestInit as FetchRequestInit, type Response as FetchResponse } from 'node-fetch';
import { SourceError } from '../core/errors';
import { redactSecrets } from '../core/logger';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** Returns the whole Authorization header value (e.g. "Bearer abc"), or undefined for none. */
export type AuthorizationGetter = () => Promise<string | undefined>;

export interface HttpRequestOptions {
  /** The source's configured name; it prefixes every error message. */
  source: string;
  url: string;
  method?: HttpMethod;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  /** Upper bound on the (decoded) response body; the read is aborted past it. */
  maxBytes: number;
  /** Extra attempts for idempotent GET/HEAD on down/timeout/5xx only. */
  retries?: number;
  signal?: AbortSignal;
  authorization?: AuthorizationGetter;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export const defaultTimeoutMs = 10_000;
export const defaultMaxBytes = 32 * 1024 * 1024;

/** Where a request went, for messages: origin and path, no credentials, no query string. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return redactSecrets(`${u.protocol}//${u.host}${u.pathname}`);
  } catch {
    return redactSecrets(url.split('?')[0]);
  }
}

export type QueryValue = string | number | boolean | undefined | readonly (string | number)[];

/** Joins a base URL (which may carry a path prefix) with an API path and query parameters. */
export function buildUrl(base: string, path: string, params?: Record<string, QueryValue>): string {
  const u = new URL(base);
  const prefix = u.pathname.replace(/\/+$/, '');
  u.pathname = prefix + (path.startsWith('/') ? path : `/${path}`);
  u.search = '';
  if (params) {
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, String(item));
      else u.searchParams.append(k, String(v));
    }
  }
  return u.toString();
}

/** "Bearer <token>" for a token, "Basic ..." for "user:password", or the value as given when it names a scheme. */
export function authorizationFromSecret(secret: string | undefined): string | undefined {
  if (!secret) return undefined;
  const s = secret.trim();
  if (!s) return undefined;
  if (/^(Bearer|Basic|ApiKey)\s+\S/i.test(s)) return s;
  if (s.includes(':')) return `Basic ${Buffer.from(s, 'utf8').toString('base64')}`;
  return `Bearer ${s}`;
}

class AbortedError extends Error {
  constructor() {
    super('request cancelled');
    this.name = 'AbortError';
  }
}

function isIdempotent(method: HttpMethod): boolean {
  return method === 'GET' || method === 'HEAD';
}

function retryable(err: unknown): boolean {
  return err instanceof SourceError && (err.kind === 'down' || err.kind === 'timeout' || err.kind === 'server');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function httpRequest(opts: HttpRequestOptions): Promise<HttpResponse> {
  const method = opts.method ?? 'GET';
  const attempts = 1 + (isIdempotent(method) ? Math.max(0, opts.retries ?? 0) : 0);
  let lastErr: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) {
      // Exponential backoff with jitter so several clients do not retry in lockstep.
      const base = 200 * 2 ** (attempt - 1);
      await sleep(base * (0.5 + Math.random()), opts.signal);
    }
    try {
      return await requestOnce(opts, method);
    } catch (err) {
      lastErr = err;
      if (!retryable(err)) throw err;
    }
  }
  throw lastErr;
}

function excerpt(body: Buffer, max = 200): string {
  const text = body.subarray(0, 4096).toString('utf8');
  let described = text;
  // Backends put the useful sentence in a JSON field: say that rather than raw JSON.
  try {
    const j = JSON.parse(text) as any;
    const parts: string[] = [];
    if (typeof j === 'string') parts.push(j);
    if (j && typeof j === 'object') {
      if (typeof j.errorType === 'string') parts.push(j.errorType);
      if (typeof j.error === 'string') parts.push(j.error);
      if (j.error && typeof j.error === 'object') {
        const rc = Array.isArray(j.error.root_cause) ? j.error.root_cause[0] : undefined;
        const reason = rc?.reason ?? j.error.reason;
        if (typeof j.error.type === 'string') parts.push(j.error.type);
        if (typeof reason === 'string') parts.push(reason);
      }
      if (typeof j.message === 'string') parts.push(j.message);
    }
    if (parts.length) described = parts.join(': ');
  } catch {
    // not JSON: use the text itself
  }
  const oneLine = described.replace(/\s+/g, ' ').trim();
  const cut = oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
  return redactSecrets(cut);
}

function requestOnce(opts: HttpRequestOptions, method: HttpMethod): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      reject(new SourceError('config', opts.source, `not a valid URL: ${redactSecrets(opts.url)}`));
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new SourceError('config', opts.source, `unsupported URL scheme ${url.protocol} in ${describeUrl(opts.url)}: use http or https`));
      return;
    }
    if (opts.signal?.aborted) {
      reject(new AbortedError());
      return;
    }
    const where = describeUrl(opts.url);
    // One controller ends the transfer for every reason: our timeout, the caller's cancel, the byte limit.
    const transfer = new AbortController();
    let settled = false;
    const finish = (err: Error | undefined, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) {
        reject(err);
        transfer.abort();
      } else resolve(res!);
    };

    const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'gzip, deflate', ...(opts.headers ?? {}) };
    let sentAuthorization = false;
    const start = async () => {
      // Credentials in the URL become a Basic header; they never appear in messages.
      if (url.username || url.password) {
        const userPass = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
        headers.authorization = `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;
        url.username = '';
        url.password = '';
        sentAuthorization = true;
      }
      if (opts.authorization) {
        let value: string | undefined;
        try {
          value = await opts.authorization();
        } catch (err) {
          throw new SourceError('config', opts.source, `could not read the stored token or password: ${redactSecrets((err as Error)?.message ?? String(err))}`);
        }
        if (value) {
          headers.authorization = value;
          sentAuthorization = true;
        }
      }
      let body: Buffer | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
        headers['content-length'] = String(body.length);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      }
      if (settled) return;
      let res: FetchResponse;
      try {
        // compress: false and no redirects: we decode (so the limit sees decoded bytes) and report a 3xx.
        res = await fetch(url.toString(), { method, headers, body, compress: false, redirect: 'manual', signal: transfer.signal as FetchRequestInit['signal'] });
      } catch (err) {
        finish(networkError(err as FetchError));
        return;
      }
      onResponse(res);
    };

    const timer = setTimeout(() => finish(new SourceError('timeout', opts.source, `no complete answer within ${opts.timeoutMs} ms from ${where}`)), opts.timeoutMs);
    const onAbort = () => finish(new AbortedError());
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const networkError = (err: FetchError & { erroredSysCall?: string }): Error => {
      if ((err as Error)?.name === 'AbortError') return new AbortedError();
      switch (err?.code) {
        case 'ECONNREFUSED':
          return new SourceError('down', opts.source, `connection refused at ${where}: is the server running?`);
        case 'ENOTFOUND':
        case 'EAI_AGAIN':
          return new SourceError('down', opts.source, `host ${url.hostname} not found (DNS) for ${where}`);
        case 'EHOSTUNREACH':
        case 'ENETUNREACH':
          return new SourceError('down', opts.source, `host unreachable at ${where}`);
        case 'ECONNRESET':
        case 'EPIPE':
        case 'ERR_STREAM_PREMATURE_CLOSE':
          return new SourceError('down', opts.source, `connection reset by ${where}`);
        case 'ETIMEDOUT':
          return new SourceError('timeout', opts.source, `connection timed out to ${where}`);
        default:
          if (err?.code && /^(ERR_TLS|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/.test(err.code)) {
            return new SourceError('down', opts.source, `TLS error talking to ${where}: ${err.message}`);
          }
          return new SourceError('down', opts.source, `request to ${where} failed: ${redactSecrets(err?.message ?? String(err))}`);
      }
    };

    const onResponse = (res: FetchResponse) => {
      const status = res.status;
      const declared = Number(res.headers.get('content-length') ?? NaN);
      const encoding = String(res.headers.get('content-encoding') ?? '').toLowerCase();
      const oversized = () =>
        new SourceError('oversized', opts.source, `response from ${where} is larger than the ${opts.maxBytes}-byte limit: narrow the query (shorter window, lower limit)`, status);
      // Error bodies are only read for an excerpt, so a small cap is enough.
      const cap = status >= 200 && status < 300 ? opts.maxBytes : Math.min(opts.maxBytes, 64 * 1024);
      if (!encoding && Number.isFinite(declared) && declared > cap && status >= 200 && status < 300) {
        finish(oversized());
        return;
      }
      const raw = res.body as unknown as NodeJS.ReadableStream;
      let stream: NodeJS.ReadableStream = raw;
      if (encoding === 'gzip' || encoding === 'x-gzip') stream = raw.pipe(zlib.createGunzip());
      else if (encoding === 'deflate') stream = raw.pipe(zlib.createInflate());
      else if (encoding === 'br') stream = raw.pipe(zlib.createBrotliDecompress());
      const chunks: Buffer[] = [];
      let total = 0;
      let truncated = false;
      let ended = false;
      stream.on('data', (chunk: Buffer) => {
        if (settled || truncated) return;
        total += chunk.length;
        if (total > cap) {
          if (status >= 200 && status < 300) {
            finish(oversized());
            return;
          }
          truncated = true;
          chunks.push(chunk.subarray(0, Math.max(0, chunk.length - (total - cap))));
          onEnd();
          transfer.abort();
          return;
        }
        chunks.push(chunk);
      });
      const onStreamError = (err: Error & { code?: string; type?: string }) => {
        if (truncated || settled) return;
        if (stream !== raw && err.code !== 'ERR_STREAM_PREMATURE_CLOSE' && err.type !== 'system' && err.name !== 'AbortError') {
          finish(new SourceError('malformed', opts.source, `could not decode the ${encoding || 'response'} body from ${where}: ${err.message}`, status));
          return;
        }
        finish(new SourceError('down', opts.source, `connection closed by ${where} before the response was complete`, status));
      };
      stream.on('error', onStreamError);
      if (stream !== raw) raw.on('error', onStreamError);
      const onEnd = () => {
        if (ended) return;
        ended = true;
        const body = Buffer.concat(chunks);
        const statusError = errorForStatus(status, body);
        if (statusError) finish(statusError);
        else finish(undefined, { status, headers: toIncomingHeaders(res), body });
      };
      stream.on('end', () => {
        if (!truncated) onEnd();
      });
    };

    const errorForStatus = (status: number, body: Buffer): SourceError | undefined => {
      if (status >= 200 && status < 300) return undefined;
      const detail = excerpt(body);
      const suffix = detail ? `: ${detail}` : '';
      if (status === 401) {
        const why = sentAuthorization ? 'the token or password was rejected (wrong or expired)' : 'no token or password is set for this source';
        return new SourceError('auth', opts.source, `401 Unauthorized from ${where}: ${why}`, status);
      }
      if (status === 403) {
        const why = sentAuthorization ? 'the token or password lacks permission for this API' : 'no token or password is set for this source';
        return new SourceError('auth', opts.source, `403 Forbidden from ${where}: ${why}`, status);
      }
      if (status === 404) return new SourceError('not-found', opts.source, `404 Not Found at ${where}: check the URL and the source kind${suffix}`, status);
      if (status >= 500) return new SourceError('server', opts.source, `HTTP ${status} from ${where}${suffix}`, status);
      if (status >= 400) return new SourceError('client', opts.source, `HTTP ${status} from ${where}${suffix}`, status);
      return new SourceError('client', opts.source, `unexpected HTTP ${status} from ${where}`, status);
    };

    start().catch((err: unknown) => {
      finish(err instanceof Error ? err : new Error(String(err)));
    });
  });
}

/** Response headers in node:http's shape (lower-case names; repeated values joined), as callers read them. */
function toIncomingHeaders(res: FetchResponse): http.IncomingHttpHeaders {
  const out: http.IncomingHttpHeaders = {};
  for (const [name, values] of Object.entries(res.headers.raw())) out[name.toLowerCase()] = name.toLowerCase() === 'set-cookie' ? values : values.join(', ');
  return out;
}

/** Parses a body as JSON; a parse failure is a 'malformed' SourceError that quotes the start of the body. */
export function parseJsonBody<T>(source: string, url: string, body: Buffer): T {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    const start = text.slice(0, 80).replace(/\s+/g, ' ');
    throw new SourceError('malformed', source, `response from ${describeUrl(url)} is not valid JSON (${(err as Error).message}); it starts with ${JSON.stringify(redactSecrets(start))}`);
  }
}

/** A request whose answer is JSON. A JSON request body is serialised when `json` is given. */
export async function getJson<T>(opts: Omit<HttpRequestOptions, 'body'> & { json?: unknown; body?: string | Buffer }): Promise<T> {
  const { json, ...rest } = opts;
  const body = json !== undefined ? JSON.stringify(json) : rest.body;
  const res = await httpRequest({ ...rest, body });
  if (res.body.length === 0) return undefined as T;
  return parseJsonBody<T>(opts.source, opts.url, res.body);
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** What every HTTP-backed source is built from. */
export interface HttpSourceOptions {
  /** The connection's configured name. */
  name: string;
  /** Base URL; may carry a path prefix (e.g. behind a proxy). */
  url: string;
  timeoutMs?: number;
  maxBytes?: number;
  /** Extra attempts for idempotent reads; 1 by default. */
  retries?: number;
  authorization?: AuthorizationGetter;
  /** Base URL of the source's own UI when it differs from url. */
  uiUrl?: string;
}

/** The request settings of one source, so each call only names its path. */
export class SourceHttp {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly retries: number;

  constructor(private readonly opts: HttpSourceOptions) {
    this.timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
    this.maxBytes = opts.maxBytes ?? defaultMaxBytes;
    this.retries = opts.retries ?? 1;
  }

  url(path: string, params?: Record<string, QueryValue>): string {
    try {
      return buildUrl(this.opts.url, path, params);
    } catch {
      throw new SourceError('config', this.opts.name, `not a valid base URL: ${redactSecrets(this.opts.url)}`);
    }
  }

  json<T>(method: HttpMethod, path: string, params?: Record<string, QueryValue>, json?: unknown, signal?: AbortSignal): Promise<T> {
    return getJson<T>({
      source: this.opts.name,
      url: this.url(path, params),
      method,
      json,
      timeoutMs: this.timeoutMs,
      maxBytes: this.maxBytes,
      retries: this.retries,
      signal,
      authorization: this.opts.authorization,
    });
  }

  request(method: HttpMethod, path: string, params?: Record<string, QueryValue>, signal?: AbortSignal): Promise<HttpResponse> {
    return httpRequest({
      source: this.opts.name,
      url: this.url(path, params),
      method,
      timeoutMs: this.timeoutMs,
      maxBytes: this.maxBytes,
      retries: this.retries,
      signal,
      authorization: this.opts.authorization,
    });
  }
}

/** The base URL for links into the source's UI, without a trailing slash. */
export function uiBase(opts: HttpSourceOptions): string {
  const raw = opts.uiUrl ?? opts.url;
  try {
    const u = new URL(raw);
    // Links are shown and copied: never carry credentials in them.
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return raw.replace(/\/+$/, '');
  }
}
