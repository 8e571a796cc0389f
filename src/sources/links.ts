// Where an SRE goes next, as URLs built from each source's configured UI address (`uiUrl`, else `url`):
// the alert's expression in Prometheus's graph page, the Grafana dashboard its annotations name, the
// trace in Jaeger (or Tempo through Grafana Explore), the logs in Kibana, OpenSearch Dashboards or
// Loki through Grafana Explore, each over the investigation's window. The runbook comes first.
// Every value from an alert (labels, annotations, the expression) is encoded into its URL part; only
// http(s) results are returned, and a runbook that is a relative path is a workspace file, not a URL.
import type { Alert } from '../core/model';

export interface LinkSourceConfig {
  name: string;
  kind: string;
  url: string;
  uiUrl?: string;
  serviceLabel?: string;
}

export type LinkKind = 'runbook' | 'metrics' | 'dashboard' | 'logs' | 'trace' | 'alert';

export type LinkTarget = { type: 'url'; url: string } | { type: 'workspaceFile'; path: string };

export interface LinkSpec {
  id: string;
  label: string;
  kind: LinkKind;
  target: LinkTarget;
}

export interface LinkContext {
  alert: Alert;
  window: { start: number; end: number };
  /** The service the investigation is about (the hypothesis's, else the alert's). */
  service?: string;
  /** A trace worth opening: the one the hypothesis cites, else the first failing one. */
  traceId?: string;
  configs: readonly LinkSourceConfig[];
  /** The alert source's own link to the alert (Alertmanager's UI, Grafana's rule page). */
  alertUiLink?: string;
}

export function httpUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

function base(cfg: LinkSourceConfig): string {
  return (cfg.uiUrl ?? cfg.url).replace(/\/+$/, '');
}

/** Prometheus's UI time: "2024-05-01 12:03:00" in UTC, as its end-time field reads it. */
function promEnd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The expression in Prometheus's graph page over the window (the classic and React UIs read g0.*). */
export function prometheusGraphUrl(cfg: LinkSourceConfig, expr: string, window: { start: number; end: number }): string | undefined {
  const seconds = Math.max(60, Math.round((window.end - window.start) / 1000));
  const q = new URLSearchParams({ 'g0.expr': expr, 'g0.tab': '0', 'g0.range_input': `${seconds}s`, 'g0.end_input': promEnd(window.end) });
  return httpUrl(`${base(cfg)}/graph?${q.toString()}`);
}

/** Rison string: quotes around, ' and ! escaped with ! (what Kibana's URL state is written in). */
function rison(text: string): string {
  return `'${text.replace(/!/g, '!!').replace(/'/g, "!'")}'`;
}

/** Kibana or OpenSearch Dashboards Discover over the window, with a KQL query on the service. */
export function discoverUrl(cfg: LinkSourceConfig, field: string, service: string | undefined, window: { start: number; end: number }): string | undefined {
  const g = `(time:(from:${rison(new Date(window.start).toISOString())},to:${rison(new Date(window.end).toISOString())}))`;
  const kql = service ? `${field}:"${service.replace(/["\\]/g, '\\$&')}"` : '';
  const a = `(query:(language:kuery,query:${rison(kql)}))`;
  return httpUrl(`${base(cfg)}/app/discover#/?_g=${encodeURIComponent(g)}&_a=${encodeURIComponent(a)}`);
}

/** Grafana Explore with one query on the data source named like the configured source (Loki, Tempo). */
export function grafanaExploreUrl(grafana: string, datasource: string, query: Record<string, string>, window: { start: number; end: number }): string | undefined {
  const left = JSON.stringify({ datasource, queries: [{ refId: 'A', ...query }], range: { from: String(window.start), to: String(window.end) } });
  return httpUrl(`${grafana.replace(/\/+$/, '')}/explore?orgId=1&left=${encodeURIComponent(left)}`);
}

/** A dashboard link from the alert's annotations: an absolute URL, a path on a Grafana source, or Grafana's own dashboard uid. */
export function dashboardUrl(alert: Alert, configs: readonly LinkSourceConfig[], window: { start: number; end: number }): string | undefined {
  const a = alert.annotations ?? {};
  const grafana = configs.find((c) => c.kind === 'grafana' && (c.name === alert.sourceName || alert.sourceKind !== 'grafana')) ?? configs.find((c) => c.kind === 'grafana');
  const withRange = (raw: string): string | undefined => {
    const absolute = httpUrl(raw) ?? (grafana && raw.startsWith('/') ? httpUrl(`${base(grafana)}${raw}`) : undefined);
    if (!absolute) return undefined;
    const u = new URL(absolute);
    if (!u.searchParams.has('from')) u.searchParams.set('from', String(window.start));
    if (!u.searchParams.has('to')) u.searchParams.set('to', String(window.end));
    return u.toString();
  };
  for (const key of ['dashboard', 'dashboard_url', 'grafana_dashboard', 'dashboardURL']) {
    const v = a[key];
    if (v) {
      const url = withRange(v.trim());
      if (url) return url;
    }
  }
  const uid = a.__dashboardUid__;
  if (grafana && uid && /^[A-Za-z0-9_-]{1,64}$/.test(uid)) {
    const panel = a.__panelId__ && /^\d{1,9}$/.test(a.__panelId__) ? `&viewPanel=${a.__panelId__}` : '';
    return withRange(`/d/${uid}?orgId=1${panel}`);
  }
  return undefined;
}

/** The alert's runbook: an http(s) link, or a path inside the workspace (`docs/runbooks/payments.md`). */
export function runbookTarget(alert: Alert): LinkTarget | undefined {
  const raw = (alert.annotations?.runbook_url ?? alert.annotations?.runbook ?? '').trim();
  if (!raw) return undefined;
  const url = httpUrl(raw);
  if (url) return { type: 'url', url };
  // No scheme, no absolute path, no way up: a file the workspace itself holds.
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(raw) || raw.startsWith('/') || raw.startsWith('\\') || raw.split(/[\\/]/).includes('..') || raw.length > 500) return undefined;
  return { type: 'workspaceFile', path: raw.replace(/^\.\//, '') };
}

/** Every link out for one alert's investigation, the runbook first; each URL http(s) only. */
export function linksFor(ctx: LinkContext): LinkSpec[] {
  const out: LinkSpec[] = [];
  const add = (kind: LinkKind, label: string, target: LinkTarget | undefined) => {
    if (!target) return;
    if (target.type === 'url' && !httpUrl(target.url)) return;
    out.push({ id: `link-${out.length + 1}`, label, kind, target });
  };
  const { alert, window, configs, service } = ctx;
  add('runbook', 'Runbook', runbookTarget(alert));

  const rule = alert.rule;
  if (rule && rule.language === 'promql' && rule.expression) {
    const prom = configs.find((c) => c.kind === 'prometheus' && c.name === rule.sourceName) ?? configs.find((c) => c.kind === 'prometheus');
    let url = prom ? prometheusGraphUrl(prom, rule.expression, window) : undefined;
    // An Alertmanager alert's generatorURL names the Prometheus that evaluated it.
    if (!url && alert.generatorURL) {
      const g = httpUrl(alert.generatorURL);
      if (g) url = prometheusGraphUrl({ name: 'generator', kind: 'prometheus', url: new URL(g).origin + new URL(g).pathname.replace(/\/graph$/, '') }, rule.expression, window);
    }
    add('metrics', 'Expression in Prometheus', url ? { type: 'url', url } : undefined);
  }
  const dash = dashboardUrl(alert, configs, window);
  add('dashboard', 'Grafana dashboard', dash ? { type: 'url', url: dash } : undefined);

  const grafana = configs.find((c) => c.kind === 'grafana');
  for (const c of configs) {
    if (c.kind === 'elasticsearch' || c.kind === 'opensearch') {
      const url = discoverUrl(c, c.serviceLabel ?? 'service.name', service, window);
      add('logs', `Logs in ${c.kind === 'opensearch' ? 'OpenSearch Dashboards' : 'Kibana'}`, url ? { type: 'url', url } : undefined);
    } else if (c.kind === 'loki') {
      const ui = c.uiUrl ?? grafana?.uiUrl ?? grafana?.url;
      const label = c.serviceLabel ?? 'service_name';
      const expr = service ? `{${label}="${service.replace(/["\\]/g, '\\$&')}"}` : `{${label}=~".+"}`;
      const url = ui ? grafanaExploreUrl(ui, c.name, { expr }, window) : undefined;
      add('logs', 'Logs in Grafana (Loki)', url ? { type: 'url', url } : undefined);
    }
  }
  if (ctx.traceId && /^[0-9a-fA-F]{8,64}$/.test(ctx.traceId)) {
    for (const c of configs) {
      if (c.kind === 'jaeger') add('trace', 'Trace in Jaeger', { type: 'url', url: `${base(c)}/trace/${ctx.traceId}` });
      else if (c.kind === 'tempo') {
        const ui = c.uiUrl ?? grafana?.uiUrl ?? grafana?.url;
        const url = ui ? grafanaExploreUrl(ui, c.name, { queryType: 'traceql', query: ctx.traceId }, window) : undefined;
        add('trace', 'Trace in Grafana (Tempo)', url ? { type: 'url', url } : undefined);
      }
    }
  }
  const own = httpUrl(ctx.alertUiLink);
  add('alert', `Alert in ${alert.sourceName}`, own ? { type: 'url', url: own } : undefined);
  return out;
}
