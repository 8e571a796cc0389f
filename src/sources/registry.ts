// From the incidentLens.sources setting to live sources: validation with messages a person can act
// on, construction with credentials fetched per request, and collecting alerts from all of them.

import type { Alert } from '../core/model';
import type { AlertSource, LogSource, MetricSource, SilenceSource, SourceInfo, TraceSource } from '../core/sources';
import { SourceError, errorMessage } from '../core/errors';
import { scopedLogger, type Logger } from '../core/logger';
import { authorizationFromSecret, isAbortError, type HttpSourceOptions } from './http';
import { statePreference } from './alertFields';
import { AlertmanagerSource } from './alertmanager';
import { GrafanaSource } from './grafana';
import { PrometheusSource } from './prometheus';
import { LokiSource } from './loki';
import { ElasticsearchSource } from './elasticsearch';
import { JaegerSource } from './jaeger';
import { TempoSource } from './tempo';

export const sourceKinds = ['alertmanager', 'grafana', 'prometheus', 'loki', 'elasticsearch', 'opensearch', 'jaeger', 'tempo'] as const;
export type SourceKind = (typeof sourceKinds)[number];

export type SourceConfig = {
  name: string;
  kind: SourceKind;
  url: string;
  timeoutMs?: number;
  serviceLabel?: string;
  environmentLabel?: string;
  index?: string;
  uiUrl?: string;
};

const knownKeys = new Set(['name', 'kind', 'url', 'timeoutMs', 'serviceLabel', 'environmentLabel', 'index', 'uiUrl']);

function checkUrl(value: unknown, where: string, field: string, errors: string[]): string | undefined {
  if (typeof value !== 'string' || !value.trim()) {
    errors.push(`${where}: "${field}" must be a URL such as http://127.0.0.1:9093`);
    return undefined;
  }
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    errors.push(`${where}: "${field}" is not a valid URL`);
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    errors.push(`${where}: "${field}" must start with http:// or https://`);
    return undefined;
  }
  if (u.username || u.password) {
    // Settings are not secret storage; the token command is.
    errors.push(`${where}: "${field}" contains a user name or password; remove it and use "Set Source Token or Password…" instead`);
    return undefined;
  }
  return value.trim();
}

/** Validates the raw setting. Good entries are kept even when others are wrong. */
export function validateSourceConfigs(raw: unknown): { configs: SourceConfig[]; errors: string[] } {
  const configs: SourceConfig[] = [];
  const errors: string[] = [];
  if (raw === undefined || raw === null) return { configs, errors };
  if (!Array.isArray(raw)) return { configs, errors: ['incidentLens.sources must be a list of sources'] };
  const seen = new Map<string, number>();
  raw.forEach((entry: unknown, i: number) => {
    const where = `source #${i + 1}`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      errors.push(`${where}: must be an object with name, kind and url`);
      return;
    }
    const e = entry as Record<string, unknown>;
    const named = typeof e.name === 'string' && e.name.trim() ? `${where} ("${e.name.trim()}")` : where;
    const before = errors.length;
    const name = typeof e.name === 'string' ? e.name.trim() : '';
    if (!name) errors.push(`${where}: "name" is required`);
    else if (name.length > 64 || !/^[\w .:@-]+$/.test(name)) errors.push(`${named}: "name" may use letters, digits, spaces and . _ - : @ (64 at most)`);
    const kind = e.kind;
    if (typeof kind !== 'string' || !(sourceKinds as readonly string[]).includes(kind)) {
      errors.push(`${named}: "kind" must be one of ${sourceKinds.join(', ')}${typeof kind === 'string' ? ` (got "${kind}")` : ''}`);
    }
    const url = checkUrl(e.url, named, 'url', errors);
    const uiUrl = e.uiUrl === undefined ? undefined : checkUrl(e.uiUrl, named, 'uiUrl', errors);
    if (e.timeoutMs !== undefined && (typeof e.timeoutMs !== 'number' || !Number.isFinite(e.timeoutMs) || e.timeoutMs < 100 || e.timeoutMs > 300_000)) {
      errors.push(`${named}: "timeoutMs" must be a number of milliseconds between 100 and 300000`);
    }
    for (const field of ['serviceLabel', 'environmentLabel'] as const) {
      const v = e[field];
      if (v !== undefined && (typeof v !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_.]*$/.test(v))) errors.push(`${named}: "${field}" must be a label name`);
    }
    if (e.index !== undefined && (typeof e.index !== 'string' || !/^[^\s/?#\\]+$/.test(e.index) || e.index.startsWith('_'))) {
      errors.push(`${named}: "index" must be an index pattern such as logs-* (no spaces, slashes, "?" or "#")`);
    }
    if (e.index !== undefined && kind !== 'elasticsearch' && kind !== 'opensearch') errors.push(`${named}: "index" only applies to elasticsearch and opensearch`);
    const unknown = Object.keys(e).filter((k) => !knownKeys.has(k));
    if (unknown.length) errors.push(`${named}: unknown field(s) ${unknown.map((k) => `"${k}"`).join(', ')}`);
    if (name) {
      const lower = name.toLowerCase();
      if (seen.has(lower)) {
        errors.push(`${named}: the name is already used by source #${seen.get(lower)! + 1}; names must be unique`);
      } else seen.set(lower, i);
    }
    if (errors.length > before) return;
    const cfg: SourceConfig = { name, kind: kind as SourceKind, url: url! };
    if (e.timeoutMs !== undefined) cfg.timeoutMs = e.timeoutMs as number;
    if (e.serviceLabel !== undefined) cfg.serviceLabel = e.serviceLabel as string;
    if (e.environmentLabel !== undefined) cfg.environmentLabel = e.environmentLabel as string;
    if (e.index !== undefined) cfg.index = e.index as string;
    if (uiUrl !== undefined) cfg.uiUrl = uiUrl;
    configs.push(cfg);
  });
  return { configs, errors };
}

/** A built source and the capabilities it offers (each the same object, typed by role). */
export interface CreatedSource {
  config: SourceConfig;
  source: SourceInfo;
  alerts?: AlertSource;
  silences?: SilenceSource;
  metrics?: MetricSource;
  logs?: LogSource;
  traces?: TraceSource;
}

/**
 * Builds the source for one config. The secret (stored under the source's name) is read on every
 * request so a changed token applies at once; "user:password" becomes Basic auth, a bare token
 * Bearer, and a value starting with "Bearer ", "Basic " or "ApiKey " is sent as is.
 */
export function createSource(cfg: SourceConfig, getSecret: (name: string) => Promise<string | undefined>, logger: Logger): CreatedSource {
  const log = scopedLogger(logger, `source:${cfg.name}`);
  const base: HttpSourceOptions = {
    name: cfg.name,
    url: cfg.url,
    timeoutMs: cfg.timeoutMs,
    uiUrl: cfg.uiUrl,
    authorization: async () => authorizationFromSecret(await getSecret(cfg.name)),
  };
  const labels = { serviceLabel: cfg.serviceLabel, environmentLabel: cfg.environmentLabel };
  switch (cfg.kind) {
    case 'alertmanager': {
      const s = new AlertmanagerSource({ ...base, ...labels, logger: log });
      return { config: cfg, source: s, alerts: s, silences: s };
    }
    case 'grafana': {
      const s = new GrafanaSource({ ...base, ...labels, logger: log });
      return { config: cfg, source: s, alerts: s, silences: s };
    }
    case 'prometheus': {
      const s = new PrometheusSource({ ...base, ...labels, logger: log });
      return { config: cfg, source: s, alerts: s, metrics: s };
    }
    case 'loki': {
      const s = new LokiSource({ ...base, serviceLabel: cfg.serviceLabel });
      return { config: cfg, source: s, logs: s };
    }
    case 'elasticsearch':
    case 'opensearch': {
      const s = new ElasticsearchSource({ ...base, kind: cfg.kind, index: cfg.index, fields: cfg.serviceLabel ? { service: cfg.serviceLabel } : undefined });
      return { config: cfg, source: s, logs: s };
    }
    case 'jaeger': {
      const s = new JaegerSource(base);
      return { config: cfg, source: s, traces: s };
    }
    case 'tempo': {
      const s = new TempoSource(base);
      return { config: cfg, source: s, traces: s };
    }
    default:
      throw new SourceError('config', (cfg as SourceConfig).name, `unknown source kind "${(cfg as SourceConfig).kind}"`);
  }
}

export interface CollectedAlertError {
  source: string;
  kind: string;
  message: string;
}

/**
 * Lists alerts from every source at once. A broken source adds an error and hides nothing else.
 * The same alert (same id) from two sources is kept once: a silenced copy first (only a
 * silence-aware source knows of the silence), then firing, pending, resolved.
 */
export async function collectAlerts(sources: AlertSource[], signal?: AbortSignal): Promise<{ alerts: Alert[]; errors: CollectedAlertError[] }> {
  const results = await Promise.allSettled(sources.map((s) => s.listAlerts(signal)));
  const byId = new Map<string, Alert>();
  const errors: CollectedAlertError[] = [];
  results.forEach((r, i) => {
    const src = sources[i];
    if (r.status === 'rejected') {
      const err = r.reason;
      if (err instanceof SourceError) errors.push({ source: err.source, kind: err.kind, message: err.message });
      else if (isAbortError(err)) errors.push({ source: src.name, kind: 'cancelled', message: `${src.name}: cancelled` });
      else errors.push({ source: src.name, kind: 'internal', message: `${src.name}: ${errorMessage(err)}` });
      return;
    }
    for (const a of r.value) {
      const existing = byId.get(a.id);
      if (!existing) {
        byId.set(a.id, a);
        continue;
      }
      if (statePreference[a.state] > statePreference[existing.state]) {
        // Keep what the dropped copy knew that the kept one does not (Prometheus's value and rule, Alertmanager's link).
        byId.set(a.id, { ...a, value: a.value ?? existing.value, generatorURL: a.generatorURL ?? existing.generatorURL, ...(a.rule ?? existing.rule ? { rule: a.rule ?? existing.rule } : {}) });
      } else if ((existing.value === undefined && a.value !== undefined) || (!existing.rule && a.rule)) {
        byId.set(a.id, { ...existing, value: existing.value ?? a.value, ...(existing.rule ?? a.rule ? { rule: existing.rule ?? a.rule } : {}) });
      }
    }
  });
  return { alerts: [...byId.values()], errors };
}
