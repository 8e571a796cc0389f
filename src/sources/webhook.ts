// A local receiver for Alertmanager's webhook notifications (payload version 4). Alertmanager
// pushes; we keep the current alerts keyed by fingerprint, mark resolved ones, stay bounded, and
// tell listeners so the Alerts view refreshes without polling.
// Anything on this machine (and a web page, through the browser) can reach a local port, so a post
// must carry this receiver's own Host, no browser Origin, Content-Type application/json and, when a
// token is set, `Authorization: Bearer <token>`. The fingerprint is computed here from the labels:
// one in the payload is the sender's claim, and trusting it let a forged post resolve any alert.

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert } from '../core/model';
import type { AlertSource } from '../core/sources';
import type { Logger } from '../core/logger';
import { silentLogger } from '../core/logger';
import { labelsFingerprint, parseTime, stringMap } from './alertFields';
import { mapGettableAlert } from './alertmanager';
import { browserRequestProblem, hostHeaderProblem, mediaType } from './localHttpGuard';

export interface WebhookReceiverOptions {
  name?: string;
  /** 0 picks a free port. */
  port: number;
  /** Loopback by default: the receiver is for a local Alertmanager or a tunnel, not the network. */
  host?: string;
  /** Only this path accepts posts; any path when unset. */
  path?: string;
  maxAlerts?: number;
  maxBodyBytes?: number;
  /** Resolved alerts are forgotten after this long. */
  resolvedRetentionMs?: number;
  /**
   * When it gives a token, posts must carry `Authorization: Bearer <token>` (Alertmanager's
   * webhook_config http_config.authorization). Read on every post, so a new token applies at once.
   */
  expectedToken?: () => Promise<string | undefined>;
  serviceLabel?: string;
  environmentLabel?: string;
  logger?: Logger;
}

interface WebhookAlert {
  status?: unknown;
  labels?: unknown;
  annotations?: unknown;
  startsAt?: unknown;
  endsAt?: unknown;
  generatorURL?: unknown;
  fingerprint?: unknown;
}

/** Only http(s) URLs are kept as links; anything else (javascript:, data:, command:) is dropped. */
export function httpUrlOrUndefined(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !raw) return undefined;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** Compares in constant time, so the time a wrong token takes tells nothing about the right one. */
function sameToken(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Checks a body against the documented v4 payload; returns the reason it is not one, or undefined. */
export function validateWebhookPayload(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'the body is not a JSON object';
  const b = body as Record<string, unknown>;
  if (b.version !== '4') return `unsupported payload version ${JSON.stringify(b.version)} (expected "4")`;
  if (!Array.isArray(b.alerts)) return 'the payload has no alerts list';
  for (let i = 0; i < b.alerts.length; i++) {
    const a = b.alerts[i] as WebhookAlert;
    if (!a || typeof a !== 'object') return `alerts[${i}] is not an object`;
    if (a.status !== 'firing' && a.status !== 'resolved') return `alerts[${i}].status must be "firing" or "resolved"`;
    if (!a.labels || typeof a.labels !== 'object' || Array.isArray(a.labels)) return `alerts[${i}].labels must be an object`;
    if (typeof a.startsAt !== 'string' || parseTime(a.startsAt) === undefined) return `alerts[${i}].startsAt must be an RFC 3339 time`;
  }
  return undefined;
}

export class WebhookReceiver implements AlertSource {
  readonly name: string;
  readonly kind = 'webhook';
  /** Insertion order is update order (least recent first); updatedAt is when we last heard of it. */
  private readonly alerts = new Map<string, { alert: Alert; updatedAt: number }>();
  private readonly listeners = new Set<() => void>();
  private server: http.Server | undefined;
  private boundPort = 0;
  private externalURL: string | undefined;
  private readonly logger: Logger;
  private readonly maxAlerts: number;
  private readonly maxBodyBytes: number;
  private readonly resolvedRetentionMs: number;

  constructor(private readonly opts: WebhookReceiverOptions) {
    this.name = opts.name ?? 'webhook';
    this.logger = opts.logger ?? silentLogger;
    this.maxAlerts = opts.maxAlerts ?? 5000;
    this.maxBodyBytes = opts.maxBodyBytes ?? 4 * 1024 * 1024;
    this.resolvedRetentionMs = opts.resolvedRetentionMs ?? 60 * 60 * 1000;
  }

  /** Starts listening; resolves with the port actually bound. */
  start(): Promise<number> {
    if (this.server) return Promise.resolve(this.boundPort);
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.requestTimeout = 10_000;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        this.server = undefined;
        const why = err.code === 'EADDRINUSE' ? `port ${this.opts.port} is already in use` : err.message;
        reject(new Error(`${this.name}: cannot start the webhook receiver: ${why}`));
      });
      server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => {
        this.boundPort = (server.address() as AddressInfo).port;
        this.logger.info(`${this.name}: listening on http://${this.opts.host ?? '127.0.0.1'}:${this.boundPort}${this.opts.path ?? '/'}`);
        resolve(this.boundPort);
      });
    });
  }

  get port(): number {
    return this.boundPort;
  }

  /** The URL to put in Alertmanager's webhook_configs. */
  get url(): string {
    return `http://${this.opts.host ?? '127.0.0.1'}:${this.boundPort}${this.opts.path ?? '/'}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  dispose(): void {
    void this.stop();
    this.listeners.clear();
  }

  listAlerts(_signal?: AbortSignal): Promise<Alert[]> {
    this.forgetOldResolved(Date.now());
    return Promise.resolve([...this.alerts.values()].map((e) => ({ ...e.alert })));
  }

  onDidChangeAlerts(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  uiLink(alert: Alert): string | undefined {
    return alert.generatorURL ?? this.externalURL;
  }

  private reply(res: http.ServerResponse, status: number, message: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(message + '\n');
  }

  /** A refused post: answered, logged, and the connection closed so its unread body is not parsed. */
  private refuse(res: http.ServerResponse, status: number, message: string): void {
    this.logger.warn(`${this.name}: refused a post (${status}): ${message}`);
    res.setHeader('connection', 'close');
    this.reply(res, status, message);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const hostProblem = hostHeaderProblem(req.headers.host, this.opts.host ?? '127.0.0.1', this.boundPort);
    if (hostProblem) return this.refuse(res, 403, hostProblem);
    const browser = browserRequestProblem(req.headers);
    if (browser) return this.refuse(res, 403, browser);
    const path = (req.url ?? '/').split('?')[0];
    if (this.opts.path && path !== this.opts.path) return this.reply(res, 404, 'not found');
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return this.reply(res, 405, 'only POST is accepted');
    }
    if (this.opts.expectedToken) {
      const expected = await this.opts.expectedToken();
      const auth = req.headers.authorization ?? '';
      if (expected && !(auth.startsWith('Bearer ') && sameToken(auth.slice(7), expected))) {
        res.setHeader('www-authenticate', 'Bearer realm="incident-lens-webhook"');
        return this.refuse(res, 401, 'missing or wrong bearer token');
      }
    }
    // Alertmanager posts application/json; a page can send text/plain without asking the browser first.
    if (mediaType(req.headers['content-type']) !== 'application/json') {
      return this.refuse(res, 415, `unsupported Content-Type "${String(req.headers['content-type'] ?? '').slice(0, 100)}": Alertmanager's webhook posts application/json`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      if (tooBig) return;
      size += c.length;
      if (size > this.maxBodyBytes) {
        tooBig = true;
        this.reply(res, 413, `body over ${this.maxBodyBytes} bytes`);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (tooBig) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        this.logger.warn(`${this.name}: rejected a post that is not JSON`);
        return this.reply(res, 400, 'the body is not valid JSON');
      }
      const problem = validateWebhookPayload(body);
      if (problem) {
        this.logger.warn(`${this.name}: rejected a webhook post: ${problem}`);
        return this.reply(res, 400, problem);
      }
      this.accept(body as { alerts: WebhookAlert[]; externalURL?: unknown });
      this.reply(res, 200, 'ok');
    });
    req.on('error', () => undefined);
  }

  private accept(payload: { alerts: WebhookAlert[]; externalURL?: unknown }): void {
    const now = Date.now();
    const external = httpUrlOrUndefined(payload.externalURL);
    if (external) this.externalURL = external;
    const ctx = { sourceName: this.name, sourceKind: this.kind, serviceLabel: this.opts.serviceLabel, environmentLabel: this.opts.environmentLabel, now };
    let changed = 0;
    for (const raw of payload.alerts) {
      // Alertmanager's own algorithm (FNV-64a over the sorted labels), so ids match its API's.
      const fingerprint = labelsFingerprint(stringMap(raw.labels));
      const alert = mapGettableAlert(
        {
          fingerprint,
          labels: raw.labels as Record<string, unknown>,
          annotations: raw.annotations as Record<string, unknown>,
          startsAt: raw.startsAt as string,
          endsAt: typeof raw.endsAt === 'string' ? raw.endsAt : undefined,
          generatorURL: httpUrlOrUndefined(raw.generatorURL),
        },
        ctx,
      );
      if (!alert) continue;
      // The notification's own status decides: endsAt on a firing alert is only Alertmanager's resolve timeout.
      if (raw.status === 'resolved') {
        alert.state = 'resolved';
        alert.endsAt = parseTime(raw.endsAt) ?? now;
      } else {
        alert.state = 'firing';
        delete alert.endsAt;
      }
      // Re-insert so the Map's order is least-recently-updated first, which eviction relies on.
      this.alerts.delete(alert.id);
      this.alerts.set(alert.id, { alert, updatedAt: now });
      changed++;
    }
    this.forgetOldResolved(now);
    this.enforceBound();
    if (changed) for (const l of [...this.listeners]) {
      try {
        l();
      } catch (err) {
        this.logger.error(`${this.name}: alert listener failed: ${String(err)}`);
      }
    }
  }

  private forgetOldResolved(now: number): void {
    // Measured from when the resolution arrived: a late notification still shows for the full retention.
    for (const [id, e] of this.alerts) {
      if (e.alert.state === 'resolved' && e.updatedAt < now - this.resolvedRetentionMs) this.alerts.delete(id);
    }
  }

  /** Over the bound, resolved alerts go first (oldest update first), then the least recently updated firing ones. */
  private enforceBound(): void {
    if (this.alerts.size <= this.maxAlerts) return;
    for (const [id, e] of this.alerts) {
      if (this.alerts.size <= this.maxAlerts) return;
      if (e.alert.state === 'resolved') this.alerts.delete(id);
    }
    for (const id of this.alerts.keys()) {
      if (this.alerts.size <= this.maxAlerts) return;
      this.alerts.delete(id);
    }
  }
}
