// Alertmanager API v2: alerts, alert groups and silences. Grafana's Alertmanager-compatible API is
// the same protocol under another path prefix, so GrafanaSource (grafana.ts) extends this class.

import type { Alert, AlertState, Labels } from '../core/model';
import type { AlertSource, Silence, SilenceRequest, SilenceSource } from '../core/sources';
import { SourceError } from '../core/errors';
import type { Logger } from '../core/logger';
import { silentLogger } from '../core/logger';
import { SourceHttp, uiBase, type HttpSourceOptions } from './http';
import { environmentFromLabels, labelsFingerprint, parseTime, serviceFromLabels, severityFromLabels, stringMap } from './alertFields';

export interface AlertmanagerOptions extends HttpSourceOptions {
  serviceLabel?: string;
  environmentLabel?: string;
  logger?: Logger;
}

/** Which alerts GET /api/v2/alerts returns; all kinds by default so silenced ones stay visible. */
export interface AlertFilter {
  /** Matchers such as `alertname="HighLatency"` or `service=~"checkout|cart"`. */
  filter?: string[];
  active?: boolean;
  silenced?: boolean;
  inhibited?: boolean;
  unprocessed?: boolean;
  receiver?: string;
}

export interface AlertGroup {
  labels: Labels;
  receiver: string;
  alerts: Alert[];
}

/** The gettableAlert of the v2 API, as far as we read it. */
interface GettableAlert {
  fingerprint?: string;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  startsAt?: string;
  endsAt?: string;
  updatedAt?: string;
  generatorURL?: string;
  receivers?: { name?: string }[];
  status?: { state?: string; silencedBy?: unknown; inhibitedBy?: unknown };
}

interface GettableSilence {
  id?: string;
  status?: { state?: string };
  matchers?: { name?: string; value?: string; isRegex?: boolean; isEqual?: boolean }[];
  startsAt?: string;
  endsAt?: string;
  createdBy?: string;
  comment?: string;
}

function stringArray(raw: unknown): string[] {
  return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
}

export interface AlertMappingContext {
  sourceName: string;
  sourceKind: string;
  serviceLabel?: string;
  environmentLabel?: string;
  now: number;
}

/** Maps one gettableAlert (or a webhook alert, which has the same core fields) into our Alert. */
export function mapGettableAlert(raw: GettableAlert, ctx: AlertMappingContext): Alert | undefined {
  if (!raw || typeof raw !== 'object' || !raw.labels || typeof raw.labels !== 'object') return undefined;
  const labels = stringMap(raw.labels);
  const silencedBy = stringArray(raw.status?.silencedBy);
  const inhibitedBy = stringArray(raw.status?.inhibitedBy);
  const endsAt = parseTime(raw.endsAt);
  let state: AlertState;
  const amState = raw.status?.state;
  if (amState === 'suppressed' || silencedBy.length > 0 || inhibitedBy.length > 0) state = 'silenced';
  else if (endsAt !== undefined && endsAt <= ctx.now) state = 'resolved';
  else state = 'firing'; // active, and unprocessed (received, not yet routed) alike
  const alert: Alert = {
    id: typeof raw.fingerprint === 'string' && raw.fingerprint ? raw.fingerprint : labelsFingerprint(labels),
    name: labels.alertname ?? '(no alertname)',
    state,
    severity: severityFromLabels(labels),
    labels,
    annotations: stringMap(raw.annotations),
    startsAt: parseTime(raw.startsAt) ?? ctx.now,
    sourceName: ctx.sourceName,
    sourceKind: ctx.sourceKind,
  };
  // Alertmanager sets endsAt in the future on active alerts (its resolve timeout): only a past one means something.
  if (state === 'resolved' && endsAt !== undefined) alert.endsAt = endsAt;
  if (typeof raw.generatorURL === 'string' && raw.generatorURL) alert.generatorURL = raw.generatorURL;
  if (silencedBy.length) alert.silencedBy = silencedBy;
  // Inhibited alerts are shown as silenced: no AlertState says inhibited, and both mean "muted by rule".
  else if (inhibitedBy.length) alert.silencedBy = inhibitedBy.map((fp) => `inhibited by ${fp}`);
  const service = serviceFromLabels(labels, ctx.serviceLabel);
  if (service) alert.service = service;
  const environment = environmentFromLabels(labels, ctx.environmentLabel);
  if (environment) alert.environment = environment;
  return alert;
}

function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Checks a silence before it is sent, so a person gets a precise reason rather than a 400. */
export function validateSilenceRequest(source: string, req: SilenceRequest, now = Date.now()): void {
  const problems: string[] = [];
  if (!Array.isArray(req.matchers) || req.matchers.length === 0) problems.push('it needs at least one matcher');
  for (const m of req.matchers ?? []) {
    if (!m.name || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name)) problems.push(`matcher name ${JSON.stringify(m.name)} is not a label name`);
    if (m.isRegex) {
      try {
        new RegExp(m.value);
      } catch {
        problems.push(`matcher ${m.name} has an invalid regular expression`);
      }
    }
  }
  // A silence whose matchers all match the empty string would mute every alert.
  const matchesEmpty = (m: SilenceRequest['matchers'][number]): boolean => {
    try {
      return m.isRegex ? new RegExp(`^(?:${m.value})$`).test('') : m.value === '';
    } catch {
      return false;
    }
  };
  if (req.matchers?.length && req.matchers.every((m) => matchesEmpty(m) && m.isEqual !== false)) {
    problems.push('its matchers would match every alert');
  }
  if (!Number.isFinite(req.startsAt) || !Number.isFinite(req.endsAt)) problems.push('start and end must be times');
  else {
    if (req.endsAt <= req.startsAt) problems.push('it must end after it starts');
    if (req.endsAt <= now) problems.push('its end is in the past');
  }
  if (!req.createdBy?.trim()) problems.push('it needs an author (createdBy)');
  if (!req.comment?.trim()) problems.push('it needs a comment saying why');
  if (problems.length) throw new SourceError('client', source, `cannot create the silence: ${problems.join('; ')}`);
}

export class AlertmanagerSource implements AlertSource, SilenceSource {
  readonly name: string;
  readonly kind: string = 'alertmanager';
  protected readonly http: SourceHttp;
  protected readonly logger: Logger;
  /** Path of the v2 API under the base URL. */
  protected apiPrefix = '/api/v2';

  constructor(protected readonly opts: AlertmanagerOptions) {
    this.name = opts.name;
    this.http = new SourceHttp(opts);
    this.logger = opts.logger ?? silentLogger;
  }

  listAlerts(signal?: AbortSignal): Promise<Alert[]> {
    return this.listAlertsFiltered({}, signal);
  }

  async listAlertsFiltered(f: AlertFilter, signal?: AbortSignal): Promise<Alert[]> {
    const params = {
      active: f.active ?? true,
      silenced: f.silenced ?? true,
      inhibited: f.inhibited ?? true,
      unprocessed: f.unprocessed ?? true,
      filter: f.filter,
      receiver: f.receiver,
    };
    const raw = await this.http.json<unknown>('GET', `${this.apiPrefix}/alerts`, params, undefined, signal);
    if (!Array.isArray(raw)) throw new SourceError('malformed', this.name, `${this.apiPrefix}/alerts did not return a list of alerts`);
    return this.mapAlerts(raw as GettableAlert[]);
  }

  protected mapAlerts(raw: GettableAlert[]): Alert[] {
    const ctx = this.mappingContext();
    const out: Alert[] = [];
    let skipped = 0;
    for (const r of raw) {
      const a = mapGettableAlert(r, ctx);
      if (a) out.push(a);
      else skipped++;
    }
    if (skipped) this.logger.warn(`${this.name}: skipped ${skipped} alert(s) without labels`);
    return out;
  }

  protected mappingContext(): AlertMappingContext {
    return {
      sourceName: this.name,
      sourceKind: this.kind,
      serviceLabel: this.opts.serviceLabel,
      environmentLabel: this.opts.environmentLabel,
      now: Date.now(),
    };
  }

  /** GET /api/v2/alerts/groups: alerts as the routing tree groups them. */
  async listGroups(f: AlertFilter = {}, signal?: AbortSignal): Promise<AlertGroup[]> {
    const params = {
      active: f.active ?? true,
      silenced: f.silenced ?? true,
      inhibited: f.inhibited ?? true,
      filter: f.filter,
      receiver: f.receiver,
    };
    const raw = await this.http.json<unknown>('GET', `${this.apiPrefix}/alerts/groups`, params, undefined, signal);
    if (!Array.isArray(raw)) throw new SourceError('malformed', this.name, `${this.apiPrefix}/alerts/groups did not return a list of groups`);
    return raw
      .filter((g): g is { labels?: unknown; receiver?: { name?: string }; alerts?: unknown } => !!g && typeof g === 'object')
      .map((g) => ({
        labels: stringMap(g.labels),
        receiver: typeof g.receiver?.name === 'string' ? g.receiver.name : '',
        alerts: Array.isArray(g.alerts) ? this.mapAlerts(g.alerts as GettableAlert[]) : [],
      }));
  }

  async createSilence(req: SilenceRequest, signal?: AbortSignal): Promise<string> {
    validateSilenceRequest(this.name, req);
    const body = {
      matchers: req.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: !!m.isRegex, isEqual: m.isEqual ?? true })),
      startsAt: toIso(req.startsAt),
      endsAt: toIso(req.endsAt),
      createdBy: req.createdBy,
      comment: req.comment,
    };
    const res = await this.http.json<{ silenceID?: unknown; id?: unknown }>('POST', `${this.apiPrefix}/silences`, undefined, body, signal);
    const id = res?.silenceID ?? res?.id;
    if (typeof id !== 'string' || !id) throw new SourceError('malformed', this.name, 'the silence was posted but no silence ID came back');
    this.logger.info(`${this.name}: created silence ${id} by ${req.createdBy}`);
    return id;
  }

  async listSilences(signal?: AbortSignal): Promise<Silence[]> {
    const raw = await this.http.json<unknown>('GET', `${this.apiPrefix}/silences`, undefined, undefined, signal);
    if (!Array.isArray(raw)) throw new SourceError('malformed', this.name, `${this.apiPrefix}/silences did not return a list of silences`);
    const out: Silence[] = [];
    for (const s of raw as GettableSilence[]) {
      if (!s || typeof s.id !== 'string') continue;
      const state = s.status?.state === 'active' || s.status?.state === 'pending' || s.status?.state === 'expired' ? s.status.state : 'expired';
      out.push({
        id: s.id,
        state,
        matchers: (s.matchers ?? [])
          .filter((m) => typeof m?.name === 'string')
          .map((m) => ({ name: m.name!, value: String(m.value ?? ''), isRegex: !!m.isRegex, isEqual: m.isEqual ?? true })),
        startsAt: parseTime(s.startsAt) ?? 0,
        endsAt: parseTime(s.endsAt) ?? 0,
        createdBy: s.createdBy ?? '',
        comment: s.comment ?? '',
      });
    }
    return out;
  }

  async expireSilence(id: string, signal?: AbortSignal): Promise<void> {
    // Silence IDs are UUIDs; anything else must not reach the URL path.
    if (!/^[0-9a-zA-Z-]{1,64}$/.test(id)) throw new SourceError('client', this.name, `not a silence ID: ${JSON.stringify(id.slice(0, 80))}`);
    try {
      await this.http.request('DELETE', `${this.apiPrefix}/silence/${id}`, undefined, signal);
    } catch (err) {
      // Newer Alertmanagers answer 404; 0.25 and older answer 500 with "silence not found".
      const notFound = err instanceof SourceError && (err.kind === 'not-found' || (err.kind === 'server' && /silence not found/i.test(err.message)));
      if (notFound) throw new SourceError('not-found', this.name, `silence ${id} does not exist (it may have expired and been garbage-collected)`, 404);
      throw err;
    }
    this.logger.info(`${this.name}: expired silence ${id}`);
  }

  uiLink(alert: Alert): string | undefined {
    const matchers = Object.keys(alert.labels)
      .sort()
      .map((k) => `${k}=${JSON.stringify(alert.labels[k])}`)
      .join(',');
    return `${uiBase(this.opts)}/#/alerts?silenced=true&inhibited=true&filter=${encodeURIComponent(`{${matchers}}`)}`;
  }
}
