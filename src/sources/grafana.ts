// Grafana alerting through its Alertmanager-compatible API (/api/alertmanager/grafana/api/v2/...),
// authenticated with a service-account token sent as a Bearer header. Each alert is matched to its
// Grafana-managed rule (GET /api/v1/provisioning/alert-rules, the documented ProvisionedAlertRule
// shape) by the `__alert_rule_uid__` label Grafana puts on its alerts, else by title and labels.

import type { Alert, AlertRule, Comparison, Threshold } from '../core/model';
import { errorMessage } from '../core/errors';
import { uiBase } from './http';
import { stringMap } from './alertFields';
import { AlertmanagerSource, type AlertmanagerOptions } from './alertmanager';
import { describePromqlRule, withRule, type RuleCandidate } from './alertRules';
import { durationSeconds, parsePromql } from './promqlExpr';

/** One entry of `data` in a ProvisionedAlertRule: a data source query or a server-side expression. */
interface AlertQuery {
  refId?: string;
  datasourceUid?: string;
  model?: Record<string, unknown>;
}

interface ProvisionedAlertRule {
  uid?: string;
  title?: string;
  ruleGroup?: string;
  folderUID?: string;
  condition?: string;
  data?: AlertQuery[];
  for?: string;
  labels?: Record<string, unknown>;
}

const evaluatorOps: Record<string, Comparison> = { gt: '>', lt: '<', gte: '>=', lte: '<=', eq: '==', ne: '!=' };

// Server-side expressions run on the pseudo data source "__expr__" (older Grafana: "-100").
function isExpression(q: AlertQuery): boolean {
  const ds = q.model?.datasource as { type?: unknown; uid?: unknown } | undefined;
  return q.datasourceUid === '__expr__' || q.datasourceUid === '-100' || ds?.type === '__expr__';
}

function evaluatorThreshold(evaluator: unknown): Threshold | undefined {
  const e = evaluator as { type?: unknown; params?: unknown } | undefined;
  const op = typeof e?.type === 'string' ? evaluatorOps[e.type] : undefined;
  const value = Array.isArray(e?.params) ? Number(e.params[0]) : NaN;
  return op && Number.isFinite(value) ? { op, value } : undefined;
}

/**
 * Follows the rule's condition through its expressions (threshold, math `$B > 0.8`, reduce, classic
 * conditions) to the data source query they read, collecting the threshold on the way.
 */
export function describeGrafanaRule(raw: ProvisionedAlertRule, sourceName: string): RuleCandidate | undefined {
  if (!raw || typeof raw.title !== 'string' || !Array.isArray(raw.data)) return undefined;
  const byRef = new Map(raw.data.filter((q) => q && typeof q.refId === 'string').map((q) => [q.refId!, q]));
  let threshold: Threshold | undefined;
  let node = typeof raw.condition === 'string' ? byRef.get(raw.condition) : undefined;
  for (let hops = 0; node && isExpression(node) && hops < 10; hops++) {
    const m = node.model ?? {};
    let next: string | undefined;
    switch (m.type) {
      case 'threshold': {
        const conditions = Array.isArray(m.conditions) ? (m.conditions as { evaluator?: unknown }[]) : [];
        threshold ??= evaluatorThreshold(conditions[0]?.evaluator);
        next = typeof m.expression === 'string' ? m.expression : undefined;
        break;
      }
      case 'classic_conditions': {
        const conditions = Array.isArray(m.conditions) ? (m.conditions as { evaluator?: unknown; query?: { params?: unknown[] } }[]) : [];
        threshold ??= evaluatorThreshold(conditions[0]?.evaluator);
        const ref = conditions[0]?.query?.params?.[0];
        next = typeof ref === 'string' ? ref : undefined;
        break;
      }
      case 'math': {
        const text = typeof m.expression === 'string' ? m.expression : '';
        const hit = /^\s*\$\{?([A-Za-z0-9_]+)\}?\s*(>=|<=|==|!=|>|<)\s*(-?[\d.]+(?:e[+-]?\d+)?)\s*$/i.exec(text);
        if (hit) {
          threshold ??= { op: hit[2] as Comparison, value: Number(hit[3]) };
          next = hit[1];
        } else next = /\$\{?([A-Za-z0-9_]+)/.exec(text)?.[1];
        break;
      }
      default:
        next = typeof m.expression === 'string' ? m.expression.replace(/^\$/, '') : undefined;
    }
    node = next ? byRef.get(next) : undefined;
  }
  const model = node && !isExpression(node) ? (node.model ?? {}) : {};
  const expr = typeof model.expr === 'string' ? model.expr : typeof model.query === 'string' ? model.query : '';
  const dsType = (model.datasource as { type?: unknown } | undefined)?.type;
  const language = dsType === 'loki' ? 'logql' : dsType === 'prometheus' || (dsType === undefined && expr && parsesAsPromql(expr)) ? 'promql' : typeof dsType === 'string' ? dsType : 'unknown';
  const forMs = typeof raw.for === 'string' ? durationSeconds(raw.for) * 1000 : undefined;
  const labels = stringMap(raw.labels);
  const described = describePromqlRule({ name: raw.title, expression: expr, group: raw.ruleGroup, forMs, uid: raw.uid, sourceName, language });
  // The query's value is what the threshold is compared with (after a reduce): graph the query itself.
  const rule: AlertRule = { ...described, ...(expr ? { valueExpression: expr } : {}), ...(Object.keys(labels).length ? { labels } : {}) };
  if (threshold) rule.threshold = threshold;
  else delete rule.threshold;
  return { name: raw.title, group: raw.ruleGroup, uid: raw.uid, labels, rule };
}

function parsesAsPromql(expr: string): boolean {
  try {
    parsePromql(expr);
    return true;
  } catch {
    return false;
  }
}

export interface GrafanaOptions extends AlertmanagerOptions {
  /** How long the rules read from the provisioning API are reused (default 60 s). */
  rulesCacheMs?: number;
}

export class GrafanaSource extends AlertmanagerSource {
  override readonly kind: string = 'grafana';
  private rulesCache: { at: number; candidates: Promise<RuleCandidate[]> } | undefined;

  constructor(opts: GrafanaOptions) {
    super(opts);
    this.apiPrefix = '/api/alertmanager/grafana/api/v2';
  }

  override async listAlerts(signal?: AbortSignal): Promise<Alert[]> {
    // Reading rules needs the alert.provisioning:read permission; without it the alerts still show.
    const rulesWork = this.ruleCandidates(signal).catch((err: unknown) => {
      this.logger.warn(`${this.name}: could not read the alert rules (/api/v1/provisioning/alert-rules), alerts are listed without them: ${errorMessage(err)}`);
      return [] as RuleCandidate[];
    });
    const alerts = await super.listAlerts(signal);
    const candidates = await rulesWork;
    return alerts.map((a) => withRule(a, candidates));
  }

  /** Grafana-managed alert rules, read at most once per `rulesCacheMs`. */
  async ruleCandidates(signal?: AbortSignal): Promise<RuleCandidate[]> {
    const now = Date.now();
    if (this.rulesCache && now - this.rulesCache.at < ((this.opts as GrafanaOptions).rulesCacheMs ?? 60_000)) return this.rulesCache.candidates;
    const candidates = this.http.json<unknown>('GET', '/api/v1/provisioning/alert-rules', undefined, undefined, signal).then((raw) => {
      if (!Array.isArray(raw)) throw new Error('/api/v1/provisioning/alert-rules did not return a list of rules');
      return raw.map((r) => describeGrafanaRule(r as ProvisionedAlertRule, this.name)).filter((c): c is RuleCandidate => !!c);
    });
    this.rulesCache = { at: now, candidates };
    candidates.catch(() => {
      if (this.rulesCache?.candidates === candidates) this.rulesCache = undefined;
    });
    return candidates;
  }

  override uiLink(alert: Alert): string | undefined {
    // Grafana's generatorURL points at the rule's own page; without one, search the rule list.
    if (alert.generatorURL) return alert.generatorURL;
    return `${uiBase(this.opts)}/alerting/list?search=${encodeURIComponent(alert.name)}`;
  }
}
